/**
 * Launching the Electron shell from plain Node (`pinpoint start`). Finds the Electron binary (the
 * `electron` package downloads it on first use; offline that fails), bundles the main process and
 * the preload with esbuild, and spawns Electron pointed at the already running backend. Any failure
 * is returned as a one-line reason so the caller can fall back to browser mode.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { RunningServer } from './server.ts';

/** The Electron executable if it is already installed (never downloads). */
export function installedElectron(repoRoot: string): string | null {
  const pkg = join(repoRoot, 'node_modules/electron');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(p) ? p : null;
  }
  try {
    const rel = readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
    const bin = join(pkg, 'dist', rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Finds the binary, downloading it through the electron package when allowed. */
export function findElectron(repoRoot: string, allowDownload: boolean): { bin: string } | { reason: string } {
  const have = installedElectron(repoRoot);
  if (have) return { bin: have };
  if (!existsSync(join(repoRoot, 'node_modules/electron/package.json')))
    return { reason: 'the electron package is not installed' };
  if (!allowDownload) return { reason: 'the Electron binary is not installed' };
  // `require('electron')` downloads the binary on first use (it needs github.com).
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 180_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const bin = r.stdout?.trim();
  if (r.status === 0 && bin && existsSync(bin)) return { bin };
  const why =
    (r.error?.message ?? r.stderr ?? '').split('\n').find((l) => l.trim()) ?? `exit code ${r.status}`;
  return {
    reason: `the Electron binary could not be downloaded (${why
      .trim()
      .replace(/^\w*Error: /, '')
      .slice(0, 160)})`,
  };
}

/** Bundles electron-main.ts and preload.ts into dist/electron/. */
export async function bundleElectron(repoRoot: string): Promise<string> {
  const out = join(repoRoot, 'dist/electron');
  const here = join(repoRoot, 'desktop/main');
  await build({
    entryPoints: [join(here, 'electron-main.ts')],
    outfile: join(out, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['electron'],
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  await build({
    entryPoints: [join(here, 'preload.ts')],
    outfile: join(out, 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome120',
    external: ['electron'],
    logLevel: 'error',
  });
  return join(out, 'main.mjs');
}

export type Launch = { ok: true; exited: Promise<number>; kill(): void } | { ok: false; reason: string };

/** Starts Electron against a running browser-mode server; fails fast when it cannot show a window. */
export async function launchElectron(opts: {
  repoRoot: string;
  server: RunningServer;
  rendererDir: string;
  files?: string[];
  allowDownload?: boolean;
}): Promise<Launch> {
  const found = findElectron(opts.repoRoot, opts.allowDownload ?? true);
  if ('reason' in found) return { ok: false, reason: found.reason };
  let main: string;
  try {
    main = await bundleElectron(opts.repoRoot);
  } catch (err) {
    return {
      ok: false,
      reason: `the Electron main process could not be bundled (${(err as Error).message.split('\n')[0]})`,
    };
  }
  const child = spawn(found.bin, [main, ...(opts.files ?? [])], {
    cwd: opts.repoRoot,
    stdio: ['ignore', 'inherit', 'pipe'],
    env: {
      ...process.env,
      ELECTRON_RUN_AS_NODE: '',
      PINPOINT_BACKEND_URL: opts.server.url,
      PINPOINT_BACKEND_TOKEN: opts.server.token,
      PINPOINT_ADMIN_TOKEN: opts.server.adminToken,
      PINPOINT_RENDERER_DIR: opts.rendererDir,
    },
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
    process.stderr.write(c);
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(127));
  });
  // An Electron that cannot start (no display, missing libraries) exits within a few seconds.
  const early = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 4000))]);
  if (early !== null) {
    const line = stderr.split('\n').find((l) => l.trim()) ?? `exit code ${early}`;
    return { ok: false, reason: `Electron exited at start (${line.trim().slice(0, 160)})` };
  }
  return { ok: true, exited, kill: () => child.kill() };
}
