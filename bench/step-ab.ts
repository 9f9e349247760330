/**
 * Before/after of one training step, side by side in ONE process (what a speed change is judged by on a
 * shared machine: both sides see the same load, step by step):
 *   node --import tsx bench/step-ab.ts <treeA>[:fast|trace[:sha256|blake3]] <treeB>[:…] [rounds] [task.json]
 * A tree is a checkout of this repository (e.g. `git worktree add /tmp/base <rev>` with node_modules linked,
 * or `.` for the working tree); each side imports its own core/ and trains the task (default
 * tasks/nanogpt-char.json) from its initial state, the sides alternating step by step after 2 warm-up
 * steps each. A third part sets the task's tensorDigest scheme for that side (e.g. `.:trace:sha256` against
 * `.:fast`: the trace overhead of SHA-256 digests; trees from before the field reject it). Prints per-side median and min ms/step, the per-pair ratios and, on Linux, the main thread's
 * CPU ms per step (less sensitive to other processes' load than wall time; work moved to a worker thread
 * leaves it). Threads: one (the default pool of each side is not installed).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './compare-sides.ts';

interface Side {
  name: string;
  run(): number;
}

/** CPU nanoseconds of the calling thread so far (Linux schedstat), or NaN. */
function threadCpuNs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

async function side(spec: string, task: unknown): Promise<Side> {
  const [tree, mode = 'fast', scheme] = spec.split(':');
  if (mode !== 'fast' && mode !== 'trace') throw new Error(`mode must be fast or trace, got "${mode}"`);
  if (scheme !== undefined) task = { ...(task as object), tensorDigest: scheme };
  const root = pathToFileURL(`${resolve(tree)}/core/`).href;
  const m = (p: string) => import(new URL(p, root).href);
  const [{ useNodeSha256 }, { useNodeCorpora }, step, { parseTask }, tr, hash] = await Promise.all([
    m('platform/node-hash.ts'),
    m('train/node-corpus.ts'),
    m('train/step.ts'),
    m('train/task.ts'),
    m('train/train.ts'),
    m('platform/hash.ts'),
  ]);
  useNodeSha256();
  useNodeCorpora();
  // Trees with the native addon install it (core/platform/node-native.ts, before that node-matmul.ts);
  // older ones run WASM.
  const nativeKernel = await m('platform/node-native.ts')
    .then((x: { useNodeNative(): string | null }) => x.useNodeNative())
    .catch(() =>
      m('platform/node-matmul.ts').then(
        (x: { useNodeMatmul(): string | null }) => x.useNodeMatmul(),
        () => null,
      ),
    );
  const ctx = tr.prepareTask(parseTask(task, 'task'));
  let state = tr.initialState(ctx);
  let t = 0;
  // As train() runs steps: digests on the worker (trees before pipelined state digests: trace mode only),
  // each step starting from its predecessor's digests (trees without chainedTo: passed as values).
  const queue = hash.tensorDigestQueue();
  type Result = { finish?: () => unknown; record: { stateAfter: string }; afterDigests: string[] };
  let pending: Result | null = null;
  let spent: unknown[] | undefined;
  const chain = (prev: Result) =>
    step.chainedTo
      ? step.chainedTo(prev)
      : { stateBeforeDigest: prev.record.stateAfter, stateTensorDigests: prev.afterDigests };
  return {
    name: `${tree}:${mode}${scheme ? `:${scheme}` : ''}${nativeKernel ? ` (${nativeKernel})` : ''}`,
    run() {
      const t0 = performance.now();
      // As train() does: step t's digests are collected right after step t+1 computes.
      const r = step.runStep(ctx, state, t, {
        mode,
        ...(pending ? chain(pending) : {}),
        ...(queue ? { digestQueue: queue } : {}),
        // As train() does: the state before the previous step goes back to the op pool (trees without
        // StepOptions.recycle ignore it).
        ...(spent ? { recycle: spent } : {}),
      });
      pending?.finish?.();
      spent = state.tensors;
      pending = r;
      state = r.after;
      t++;
      return performance.now() - t0;
    },
  };
}

const [a, b, roundsArg, taskFile = 'tasks/nanogpt-char.json'] = process.argv.slice(2);
if (!a || !b) {
  console.error(
    'usage: node --import tsx bench/step-ab.ts <treeA>[:mode[:scheme]] <treeB>[:mode[:scheme]] [rounds] [task.json]',
  );
  process.exit(2);
}
const rounds = Number(roundsArg ?? 8);
const task = { ...JSON.parse(readFileSync(taskFile, 'utf8')), steps: rounds + 4 };
const sides = [await side(a, task), await side(b, task)];
for (const s of sides) for (let i = 0; i < 2; i++) s.run();
const times: number[][] = [[], []];
const cpuNs = [0, 0];
for (let r = 0; r < rounds; r++) {
  for (const [i, s] of sides.entries()) {
    const c0 = threadCpuNs();
    times[i].push(s.run());
    cpuNs[i] += threadCpuNs() - c0;
  }
}
for (const [i, s] of sides.entries()) {
  console.log(
    `${s.name.padEnd(28)} median ${median(times[i]).toFixed(0)} ms/step, min ${Math.min(...times[i]).toFixed(0)}, main-thread CPU ${(cpuNs[i] / rounds / 1e6).toFixed(0)} ms/step`,
  );
}
console.log(
  `A/B: ${(median(times[0]) / median(times[1])).toFixed(3)} (medians); per pair ${times[0].map((x, i) => (x / times[1][i]).toFixed(2)).join(' ')}`,
);
