/**
 * Starts browser mode: builds the renderer if needed, creates the backend and the local server, prints
 * the URL, and shuts down cleanly on SIGINT/SIGTERM. Shared by `pinpoint serve` and `pinpoint start`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend } from './backend/index.ts';
import { ensureRenderer } from './renderer-build.ts';
import { type RunningServer, startServer } from './server.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BrowserMode {
  server: RunningServer;
  /** Folder of the renderer build being served. */
  rendererDir: string;
  /** Prints the URL to open (done at start unless `announce: false`). */
  announce(): void;
  closed: Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserMode(opts: {
  port?: number;
  dataDir?: string;
  rebuild?: boolean;
  quiet?: boolean;
  announce?: boolean;
  /** Files the user named (`pinpoint start|serve <files…>`): opened as by File › Open, so the page may read them. */
  open?: readonly string[];
}): Promise<BrowserMode> {
  const log = (msg: string) => {
    if (!opts.quiet) console.log(msg);
  };
  const [build, backend] = await Promise.all([
    ensureRenderer(REPO_ROOT, { force: opts.rebuild, log: (m) => log(`pinpoint: ${m}`) }),
    createBackend({ repoRoot: REPO_ROOT, dataDir: opts.dataDir, mode: 'browser' }),
  ]);
  if (build.built) log(`pinpoint: renderer built in ${(build.ms / 1000).toFixed(1)} s`);
  for (const path of opts.open ?? []) {
    const r = await backend.call('admin.openPath', { path: resolve(path) });
    if (!r.ok) throw new Error(`cannot open ${path}: ${r.error.message}`);
  }
  const server = await startServer({ backend, staticDir: build.dir, port: opts.port });
  // performance.now() counts from process start: this includes loading the CLI through tsx.
  const ready = (performance.now() / 1000).toFixed(1);
  const announce = () => {
    log(`pinpoint: browser mode ready ${ready} s after launch — data: ${backend.context.dataDir}`);
    log(`\n  Open  ${server.openUrl}\n`);
    log('  (the token in the URL is required; press Ctrl+C to stop)');
  };
  if (opts.announce !== false) announce();
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  let closing = false;
  const close = async () => {
    if (closing) return closed;
    closing = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await backend.close();
    await server.close();
    resolveClosed();
  };
  const onSignal = () => void close();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { server, rendererDir: build.dir, announce, closed, close };
}
