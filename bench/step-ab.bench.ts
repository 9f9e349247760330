/**
 * Before/after of a training step in one process: the working tree against a base revision
 * (BENCH_AB_BASE: a git revision, default HEAD, or the path of another checkout), fast and trace mode,
 * on tasks/nanogpt-char.json (bench/step-ab.ts alternates the two sides step by step). With no local
 * changes the ratio shows the noise floor. BENCH_AB_ROUNDS (default 8) timed steps per side. A checked-out
 * base builds its native matmul when it has one; PINPOINT_NATIVE=0 compares the WebAssembly kernels.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const git = (...args: string[]) => spawnSync('git', args, { encoding: 'utf8' });

export default async function (): Promise<void> {
  const base = process.env.BENCH_AB_BASE ?? 'HEAD';
  const rounds = process.env.BENCH_AB_ROUNDS ?? '8';
  let tree = resolve(base);
  let cleanup = () => {};
  if (!existsSync(join(tree, 'core'))) {
    const dir = mkdtempSync(join(tmpdir(), 'pinpoint-ab-'));
    tree = join(dir, 'base');
    const add = git('worktree', 'add', '--detach', tree, base);
    if (add.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      console.log(
        `step-ab: cannot check out "${base}" (${add.stderr.trim()}); set BENCH_AB_BASE to a revision or a checkout`,
      );
      return;
    }
    symlinkSync(resolve('node_modules'), join(tree, 'node_modules'));
    // A base with the native matmul gets it built too, so both sides run the kernels `npm install` gives.
    if (existsSync(join(tree, 'scripts/build-native.mjs')))
      spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: tree, stdio: 'ignore' });
    cleanup = () => {
      git('worktree', 'remove', '--force', tree);
      rmSync(dir, { recursive: true, force: true });
    };
  }
  try {
    console.log(`base ${base} (${tree}) vs the working tree, ${rounds} alternating steps per side`);
    for (const mode of ['fast', 'trace']) {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'bench/step-ab.ts', `${tree}:${mode}`, `.:${mode}`, rounds],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      process.stdout.write(r.stdout);
      if (r.status !== 0) console.log(`step-ab ${mode}: exit ${r.status}`);
    }
  } finally {
    cleanup();
  }
}
