/**
 * `npm run bench threads`: nanogpt-char steps on 1 and on 2 threads, side by side in ONE process, the
 * sides alternating step by step (on a shared machine both then see the same load; separate processes,
 * as in `bench scale`, see whatever load their moment had). Three sides, each training its own run as
 * train() does (digests on the hashing thread, collected after the next step, spent states recycled):
 *   K = 1, 1 thread   — the task without micro-batches;
 *   K = 2, 1 thread   — the task as shipped, every micro-batch on the calling thread;
 *   K = 2, 2 threads  — the same, micro-batch 1 on a worker thread (core/train/node-microbatch.ts).
 * Prints each side's median and minimum ms/step and the medians of the per-step ratios, in fast and in
 * trace mode. BENCH_THREADS_STEPS timed steps per side (default 30) after 5 warm-up steps.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { microBatchWorkersFor } from '../core/train/node-microbatch.ts';
import type { TraceMode } from '../core/train/step.ts';
import { parseTask } from '../core/train/task.ts';
import { prepareTask } from '../core/train/train.ts';
import { median } from './compare-sides.ts';
import { stepChain } from './step-chain.ts';

const STEPS = Math.max(5, Number(process.env.BENCH_THREADS_STEPS ?? 30));
const WARM = 5;

interface Side {
  readonly name: string;
  step(): number;
  close(): void;
}

function side(base: Record<string, unknown>, k: number, threads: number, mode: TraceMode): Side {
  const { microBatches: _drop, ...rest } = base;
  const ctx = prepareTask(parseTask({ ...rest, ...(k > 1 ? { microBatches: k } : {}) }, 'nanogpt-char'));
  const workers = microBatchWorkersFor(ctx, threads);
  const chain = stepChain(ctx, mode, workers);
  return {
    name: `K = ${k}, ${threads} thread${threads === 1 ? '' : 's'}`,
    step() {
      const t0 = performance.now();
      chain.next();
      return performance.now() - t0;
    },
    close() {
      chain.finish();
      workers?.close();
    },
  };
}

export default async function (): Promise<void> {
  const base = JSON.parse(readFileSync('tasks/nanogpt-char.json', 'utf8')) as Record<string, unknown>;
  if (availableParallelism() < 2) {
    console.log('one core: nothing to compare');
    return;
  }
  console.log(
    `nanogpt-char, ${WARM} warm-up + ${STEPS} timed steps per side, sides alternating step by step; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  console.log('mode   side                  median ms  min ms');
  for (const mode of ['fast', 'trace'] as const) {
    const sides = [side(base, 1, 1, mode), side(base, 2, 1, mode), side(base, 2, 2, mode)];
    for (let i = 0; i < WARM; i++) for (const s of sides) s.step();
    const ms = sides.map(() => [] as number[]);
    for (let i = 0; i < STEPS; i++) for (const [j, s] of sides.entries()) ms[j].push(s.step());
    for (const s of sides) s.close();
    for (const [j, s] of sides.entries())
      console.log(
        `${mode.padEnd(5)}  ${s.name.padEnd(20)}  ${median(ms[j]).toFixed(1).padStart(9)}  ${Math.min(
          ...ms[j],
        )
          .toFixed(1)
          .padStart(6)}`,
      );
    const ratio = (a: number, b: number) => median(ms[a].map((x, i) => x / ms[b][i])).toFixed(2);
    console.log(
      `${mode.padEnd(5)}  2 threads over 1 (K = 2): ${ratio(1, 2)}×; over the task without micro-batches: ${ratio(0, 2)}×; K = 2 over K = 1 on one thread: ${ratio(1, 0)}× the time (goal: 2 threads ≥ 1.6×)`,
    );
  }
}
