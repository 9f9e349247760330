/**
 * Builds the renderer with Vite when it is missing or outdated, so `npm start` works from a fresh
 * clone without a build command. Each build goes to dist/renderer/<stamp>/ and `latest.json` points at
 * it: a server already serving an older build keeps its folder, and concurrent starts (parallel test
 * files) serialise on a lock directory instead of building twice.
 *
 * "Outdated" = the stamp changed: a digest over (path, size, mtime) of every source file the last
 * build bundled (recorded from Vite's module graph) plus the list of files under desktop/renderer
 * (so a new view folder triggers a build).
 *
 * The stamp describes the sources as they were when the build STARTED (a snapshot taken before Vite
 * runs), so an edit saved while Vite is bundling leaves the recorded stamp stale and the next start
 * rebuilds. Files the build bundled that the snapshot did not cover (a newly imported module) are
 * stat'ed afterwards; one modified since shortly before the build started is recorded as "changed
 * during build", which never matches, so the next start rebuilds too.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';

export interface RendererBuild {
  dir: string;
  built: boolean;
  ms: number;
}

const LOCK_STALE_MS = 5 * 60_000;

export async function ensureRenderer(
  repoRoot: string,
  opts: { force?: boolean; log?: (msg: string) => void } = {},
): Promise<RendererBuild> {
  const t0 = Date.now();
  const distRoot = join(repoRoot, 'dist/renderer');
  mkdirSync(distRoot, { recursive: true });
  const current = () => readLatest(repoRoot, distRoot);
  const found = current();
  if (found && !opts.force) return { dir: found, built: false, ms: Date.now() - t0 };

  const lock = join(distRoot, '.lock');
  await acquire(lock);
  try {
    const again = current();
    if (again && !opts.force) return { dir: again, built: false, ms: Date.now() - t0 };
    opts.log?.('building the renderer with Vite (first start or sources changed)…');
    const tmp = join(distRoot, `tmp-${process.pid}-${Date.now()}`);
    const buildStart = Date.now();
    const before = snapshotSources(repoRoot, previousInputs(distRoot));
    const inputs = await viteBuild(repoRoot, tmp);
    const stamp = stampAfterBuild(repoRoot, before, inputs, buildStart);
    const dir = join(distRoot, stamp.slice(0, 16));
    rmSync(dir, { recursive: true, force: true });
    renameDir(tmp, dir);
    writeFileSync(
      join(distRoot, 'latest.json'),
      `${JSON.stringify({ dir: relative(distRoot, dir), stamp, inputs }, null, 1)}\n`,
    );
    prune(distRoot, dir);
    return { dir, built: true, ms: Date.now() - t0 };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The build folder recorded in latest.json, if its stamp still matches the sources. */
function readLatest(repoRoot: string, distRoot: string): string | null {
  try {
    const latest = JSON.parse(readFileSync(join(distRoot, 'latest.json'), 'utf8')) as {
      dir: string;
      stamp: string;
      inputs: string[];
    };
    const dir = join(distRoot, latest.dir);
    if (!existsSync(join(dir, 'index.html'))) return null;
    return stampOf(repoRoot, latest.inputs) === latest.stamp ? dir : null;
  } catch {
    return null;
  }
}

/** The inputs the last build recorded (to snapshot before the next build), or none. */
function previousInputs(distRoot: string): string[] {
  try {
    const { inputs } = JSON.parse(readFileSync(join(distRoot, 'latest.json'), 'utf8')) as {
      inputs?: unknown;
    };
    return Array.isArray(inputs) ? inputs.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Every file the stamp covers: the bundled inputs, everything under the renderer/shared dirs, the config. */
function sourceFiles(repoRoot: string, inputs: readonly string[]): string[] {
  return [
    ...new Set([
      ...inputs,
      ...walk(repoRoot, 'desktop/renderer'),
      ...walk(repoRoot, 'desktop/shared'),
      'vite.config.ts',
    ]),
  ].sort();
}

function statEntry(repoRoot: string, rel: string): { entry: string; mtimeMs: number } {
  try {
    const s = statSync(join(repoRoot, rel));
    return { entry: `${s.size}:${s.mtimeMs}`, mtimeMs: s.mtimeMs };
  } catch {
    return { entry: 'missing', mtimeMs: Number.NEGATIVE_INFINITY };
  }
}

/** (size, mtime) of every source file, keyed by repo-relative path. */
export function snapshotSources(repoRoot: string, inputs: readonly string[]): Map<string, string> {
  return new Map(sourceFiles(repoRoot, inputs).map((rel) => [rel, statEntry(repoRoot, rel).entry]));
}

function stampFrom(entries: Iterable<[string, string]>): string {
  const h = createHash('sha256');
  for (const [rel, e] of [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)))
    h.update(`${rel}\0${e}\n`);
  return h.digest('hex');
}

/** The stamp of the sources as they are now (what a start compares against latest.json). */
export function stampOf(repoRoot: string, inputs: readonly string[]): string {
  return stampFrom(snapshotSources(repoRoot, inputs));
}

/** Files whose mtime is this close to (or after) the build start count as possibly edited during it. */
const MTIME_SLACK_MS = 2_000;

/**
 * The stamp to record for a build that started at `buildStart` with the sources in `before`: the
 * pre-build snapshot for the files it covers; for files it missed, their current stat unless they were
 * modified since (about) the build started, then a value no later stat can reproduce.
 */
export function stampAfterBuild(
  repoRoot: string,
  before: ReadonlyMap<string, string>,
  inputs: readonly string[],
  buildStart: number,
): string {
  return stampFrom(
    sourceFiles(repoRoot, inputs).map((rel): [string, string] => {
      const known = before.get(rel);
      if (known !== undefined) return [rel, known];
      const now = statEntry(repoRoot, rel);
      return [rel, now.mtimeMs >= buildStart - MTIME_SLACK_MS ? 'changed-during-build' : now.entry];
    }),
  );
}

function walk(repoRoot: string, rel: string): string[] {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[] = [];
  try {
    entries = readdirSync(join(repoRoot, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...walk(repoRoot, p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Runs `vite build` into outDir; returns the repo-relative source files that were bundled. */
async function viteBuild(repoRoot: string, outDir: string): Promise<string[]> {
  const { build } = await import('vite');
  const inputs = new Set<string>();
  await build({
    configFile: join(repoRoot, 'vite.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'warn',
    plugins: [
      {
        name: 'pinpoint-record-inputs',
        // Records every module of the main bundle for the stamp (workers are Monaco's, in node_modules).
        generateBundle(_options: unknown, bundle: Record<string, { type: string; moduleIds?: string[] }>) {
          for (const chunk of Object.values(bundle)) {
            for (const id of chunk.moduleIds ?? []) {
              const rel = relative(repoRoot, id.split('?')[0]);
              if (!rel.startsWith('..') && !rel.startsWith('node_modules') && !id.startsWith('\0'))
                inputs.add(rel);
            }
          }
        },
      },
    ],
  });
  return [...inputs].sort();
}

async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return;
    } catch {
      try {
        // Stale: its builder died (killed mid-build) or it is very old.
        let alive = true;
        try {
          process.kill(Number(readFileSync(join(lock, 'pid'), 'utf8')), 0);
        } catch (err) {
          alive = (err as NodeJS.ErrnoException).code === 'EPERM';
        }
        if (!alive || Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** fs.renameSync on a directory is atomic on one filesystem. */
function renameDir(from: string, to: string): void {
  renameSync(from, to);
}

/** Removes build folders other than the newest two (a running server may still use the previous). */
function prune(distRoot: string, keep: string): void {
  const dirs = readdirSync(distRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== '.lock' && resolve(distRoot, e.name) !== resolve(keep))
    .map((e) => ({ path: join(distRoot, e.name), mtime: statSync(join(distRoot, e.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const d of dirs.slice(1)) {
    // Stale temp folders from crashed builds and older builds.
    if (Date.now() - d.mtime > 60_000 || !d.path.includes('tmp-'))
      rmSync(d.path, { recursive: true, force: true });
  }
}
