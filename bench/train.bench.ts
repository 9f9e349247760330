/**
 * Training and verification cost on this machine:
 *  - steps/s in fast mode (step records only) vs trace mode (digest of every tape node + op Merkle root)
 *    for the spirals MLP and the char transformer; hashing overhead = (trace − fast) / trace time per step;
 *  - verifier cost: sampled verification (q = 8, and q = 8 + top-1) vs full replay (--all) of the same
 *    bundle, as a fraction of the full replay's flops and wall time; load + validation time of the bundle;
 *  - step-metrics overhead (issue 15): steps with and without `metrics`, interleaved in this process.
 */
import { readFileSync } from 'node:fs';
import { bundleFromRun } from '../core/proof/bundle.ts';
import { readBundle } from '../core/proof/read.ts';
import { keyFromSeed } from '../core/proof/sign.ts';
import { computeStepMetrics } from '../core/train/metrics.ts';
import { runStep, type TraceMode } from '../core/train/step.ts';
import { parseTask } from '../core/train/task.ts';
import { initialState, prepareTask, train } from '../core/train/train.ts';
import { verifyBundle } from '../core/verify/verify.ts';
import { median } from './compare-sides.ts';

function task(name: string, overrides: Record<string, unknown> = {}) {
  return parseTask({ ...JSON.parse(readFileSync(`tasks/${name}.json`, 'utf8')), ...overrides }, name);
}

/** Median ms/step over `reps` timed blocks of `steps` steps (after one warm-up block). */
function msPerStep(name: string, mode: TraceMode, steps: number, reps: number): number {
  const ctx = prepareTask(task(name));
  const times: number[] = [];
  for (let r = 0; r <= reps; r++) {
    let s = initialState(ctx);
    const t0 = performance.now();
    for (let t = 0; t < steps; t++) s = runStep(ctx, s, t, { mode }).after;
    if (r > 0) times.push((performance.now() - t0) / steps);
  }
  return median(times);
}

/**
 * Per-step metrics cost: the metrics computation of a real step (its logits and targets, gradients of
 * the parameters' shapes, the parameters before and after) timed alone, against the step it belongs to.
 * Timed alone because a whole step's time swings by more than the metrics cost with garbage collection
 * (steps with and without metrics, alternated, measured GC phase rather than metrics).
 */
export function metricsOverhead(name: string, reps: number): { step: number; metrics: number } {
  const ctx = prepareTask(task(name));
  const nParams = ctx.model.params.length;
  let s = initialState(ctx);
  const stepMs: number[] = [];
  const metricMs: number[] = [];
  for (let t = 0; t < reps + 2; t++) {
    const t0 = performance.now();
    const r = runStep(ctx, s, t, { mode: 'fast' });
    const t1 = performance.now();
    // The same step again with its tape (hashing every node: untimed) for the logits and targets.
    const taped = runStep(ctx, s, t, { mode: 'fast', keepTape: true });
    const nodes = taped.nodes ?? [];
    const [logits, targets] = nodes[taped.lossId].inputs.map((i) => nodes[i].out);
    const paramsAfter = r.after.tensors.slice(0, nParams);
    const t2 = performance.now();
    computeStepMetrics({
      lr: ctx.task.optimizer.lr,
      grads: paramsAfter, // the gradients have the parameters' shapes: the same work
      paramsBefore: s.tensors.slice(0, nParams),
      paramsAfter,
      logits: [logits],
      targets: [targets],
    });
    const t3 = performance.now();
    if (t >= 2) {
      stepMs.push(t1 - t0);
      metricMs.push(t3 - t2);
    }
    s = r.after;
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
  return { step: med(stepMs), metrics: med(metricMs) };
}

export default async function (): Promise<void> {
  console.log('step metrics (lr, gradient/update/weight norms, batch accuracy) vs the step, medians');
  for (const [name, reps] of [
    ['chars-transformer', 30],
    ['nanogpt-char', 5],
  ] as const) {
    const o = metricsOverhead(name, reps);
    console.log(
      `${name.padEnd(18)}  step ${o.step.toFixed(1)} ms   metrics ${o.metrics.toFixed(2)} ms   = ${((100 * o.metrics) / o.step).toFixed(2)} % of a step`,
    );
  }
  console.log('');

  console.log('steps/s, fast vs trace (median of 3 blocks)');
  console.log('task                fast steps/s   trace steps/s   hashing overhead   ops/step');
  for (const [name, steps] of [
    ['spirals-mlp', 100],
    ['chars-transformer', 15],
  ] as const) {
    const fast = msPerStep(name, 'fast', steps, 3);
    const tr = msPerStep(name, 'trace', steps, 3);
    const ctx = prepareTask(task(name));
    const ops = runStep(ctx, initialState(ctx), 0, { mode: 'trace' }).record.opCount;
    console.log(
      `${name.padEnd(18)}  ${(1000 / fast).toFixed(1).padStart(12)}   ${(1000 / tr).toFixed(1).padStart(13)}   ${`${(100 * Math.max(0, (tr - fast) / tr)).toFixed(1)} %`.padStart(16)}   ${ops}`,
    );
  }

  console.log('\nverifier cost vs full replay (spirals-mlp, 400 steps, checkpoint every 50, trace bundle)');
  const ctx = prepareTask(task('spirals-mlp'));
  const bytes = bundleFromRun(train(ctx, { mode: 'trace' }), keyFromSeed('bench'));
  const t0 = performance.now();
  const bundle = readBundle(bytes, 'bench.pinproof');
  const loadMs = performance.now() - t0;
  const time = (opts: Parameters<typeof verifyBundle>[1]) => {
    const t = performance.now();
    const r = verifyBundle(bundle, opts);
    return { r, ms: performance.now() - t };
  };
  const full = time({ all: true });
  console.log(`load + validate ${(bytes.length / 1e6).toFixed(2)} MB bundle: ${loadMs.toFixed(0)} ms`);
  console.log('mode              steps checked   flops fraction   time fraction   P(detect) f=5 %   f=10 %');
  for (const [label, opts] of [
    ['q=8', { samples: 8 }],
    ['q=8 + top-1', { samples: 8, topQ: 1 }],
    ['q=32', { samples: 32 }],
    ['all', { all: true }],
  ] as const) {
    const { r, ms } = label === 'all' ? full : time(opts);
    const p = (f: number) => `${(100 * (r.detection.find((d) => d.f === f)?.probability ?? 0)).toFixed(1)} %`;
    console.log(
      `${label.padEnd(16)}  ${String(r.stepsChecked).padStart(13)}   ${`${(100 * r.computeFraction).toFixed(1)} %`.padStart(14)}   ${`${((100 * ms) / full.ms).toFixed(1)} %`.padStart(13)}   ${p(0.05).padStart(15)}   ${p(0.1).padStart(6)}`,
    );
  }
}
