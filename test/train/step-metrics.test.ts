/**
 * Per-step metrics (issue 15): learning rate, gradient/update/weight L2 norms, batch accuracy.
 * Oracles independent of core/train/metrics.ts: binary64 sums over the run's own states (every step is a
 * checkpoint here), the SGD identity θ_after = θ_before − lr·g (so ‖Δθ‖ ≈ lr·‖g‖), a clipped SGD run
 * (the update is capped, the recorded gradient norm is not), and a forward pass on a non-recording tape
 * for accuracy. Exactness: two runs, and one vs two threads, give the same bits.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { createTape, leaf, type Tensor } from '../../core/repops/index.ts';
import { setThreadPool } from '../../core/repops/parallel.ts';
import { diffNorm, l2Norm, type StepMetrics } from '../../core/train/metrics.ts';
import { batchTensors } from '../../core/train/step.ts';
import { prepareTask, type TrainResult, train } from '../../core/train/train.ts';
import { bundledTask } from './helpers.ts';

after(() => setThreadPool(null));

const f64Norm = (ts: readonly Tensor[], minus?: readonly Tensor[]): number => {
  let s = 0;
  ts.forEach((t, k) => {
    for (let i = 0; i < t.data.length; i++) {
      const d = t.data[i] - (minus ? minus[k].data[i] : 0);
      s += d * d;
    }
  });
  return Math.sqrt(s);
};
/**
 * |got − want| ≤ rel·|want| + abs. `abs` covers binary32 squares below 2⁻¹²⁶ (values under ~1e-19), which
 * lose precision or vanish: over ≤ 1 500 terms that moves a norm by < 1e-17.
 */
const close = (got: number, want: number, rel: number, what: string, abs = 1e-30) =>
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want) + abs, `${what}: ${got} vs ${want} (rel ${rel})`);

function everyStep(name: string, extra: Record<string, unknown> = {}, steps = 6) {
  const ctx = prepareTask(bundledTask(name, { steps, checkpointEvery: 1, ...extra }));
  return { ctx, run: train(ctx, { mode: 'fast' }) };
}
const params = (run: TrainResult, ctx: ReturnType<typeof prepareTask>, step: number) =>
  (run.checkpoints.find((c) => c.step === step)?.tensors ?? []).slice(0, ctx.model.params.length);

test('norms match binary64 sums over the run states; values are binary32', () => {
  for (const name of ['spirals-mlp', 'digits-cnn', 'chars-transformer']) {
    const { ctx, run } = everyStep(name, {}, 4);
    assert.equal(run.stepMetrics.length, 4);
    run.stepMetrics.forEach((m, t) => {
      const before = params(run, ctx, t);
      const afterP = params(run, ctx, t + 1);
      close(m.weightNorm, f64Norm(afterP), 1e-5, `${name} step ${t} weightNorm`);
      close(m.updateNorm, f64Norm(afterP, before), 1e-4, `${name} step ${t} updateNorm`);
      assert.equal(m.lr, Math.fround(ctx.task.optimizer.lr));
      for (const v of [m.gradNorm, m.updateNorm, m.weightNorm, m.accuracy ?? 0])
        assert.equal(Math.fround(v), v, 'a binary32 value');
      assert.ok(m.gradNorm > 0 && Number.isFinite(m.gradNorm), `${name} step ${t} gradNorm ${m.gradNorm}`);
    });
  }
});

test('SGD: the update is lr × the gradient, so updateNorm ≈ lr · gradNorm', () => {
  const lr = 0.05;
  const { run } = everyStep('spirals-mlp', { optimizer: { kind: 'sgd', lr } });
  for (const [t, m] of run.stepMetrics.entries()) close(m.updateNorm, lr * m.gradNorm, 1e-3, `step ${t}`);
});

test('gradNorm is taken before clipping: a tight clip caps the update, not the recorded norm', () => {
  const lr = 0.05;
  const clipNorm = 0.01;
  const { run } = everyStep('spirals-mlp', { optimizer: { kind: 'sgd', lr, clipNorm } });
  for (const [t, m] of run.stepMetrics.entries()) {
    assert.ok(m.gradNorm > 10 * clipNorm, `step ${t}: gradNorm ${m.gradNorm} is the unclipped norm`);
    close(m.updateNorm, lr * clipNorm, 1e-3, `step ${t}: clipped update`);
  }
});

test('accuracy is the argmax hit rate of the step batch under the state before the step', () => {
  for (const name of ['iris-mlp', 'chars-transformer']) {
    const { ctx, run } = everyStep(name, {}, 5);
    for (const [t, m] of run.stepMetrics.entries()) {
      const { x, y } = batchTensors(ctx, ctx.order.batch(t));
      const tape = createTape({ record: false });
      const ps = params(run, ctx, t).map((p, i) => leaf(tape, p, { kind: 'param', name: `p${i}` }));
      const logits = ctx.model.forward(tape, ps, leaf(tape, x, { kind: 'data', name: 'x' })).out;
      const [rows, c] = logits.shape;
      let hits = 0;
      for (let r = 0; r < rows; r++) {
        const row = Array.from(logits.data.subarray(r * c, (r + 1) * c));
        if (row.indexOf(Math.max(...row)) === y.data[r]) hits++;
      }
      assert.equal(m.accuracy, Math.fround(hits / rows), `${name} step ${t}`);
    }
  }
});

test('l2Norm / diffNorm: empty and exact small cases', () => {
  const t = (...v: number[]): Tensor => ({ shape: [v.length], data: Float32Array.from(v) });
  assert.equal(l2Norm([]), 0);
  assert.equal(l2Norm([t(3), t(4)]), 5);
  assert.equal(diffNorm([t(4, 6)], [t(1, 2)]), 5);
  assert.throws(() => diffNorm([t(1, 2)], [t(1)]), /tensor 0 has 2 vs 1 values/);
});

test('property: l2Norm/diffNorm within 1e-5 of binary64 sums; ×2 scaling exact; diffNorm(a, a) = 0', () => {
  // Magnitudes under 1e-18 become 0, so every square is a normal binary32 (the ×2 check is then exact).
  const f32 = fc
    .float({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
    .map((v) => (Math.abs(v) < 1e-18 ? 0 : v));
  const tensors = fc.array(fc.array(f32, { minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 5 });
  const asT = (vs: number[][]): Tensor[] =>
    vs.map((v) => ({ shape: [v.length], data: Float32Array.from(v) }));
  fc.assert(
    fc.property(tensors, tensors, (xs, ys) => {
      const a = asT(xs);
      const want = f64Norm(a);
      close(l2Norm(a), want, 1e-5, 'l2Norm', 1e-17);
      // Doubling every element is exact in binary32 here (no overflow), so the norm doubles exactly.
      const twice = a.map((t) => ({ shape: t.shape, data: t.data.map((v) => 2 * v) }));
      assert.equal(l2Norm(twice), 2 * l2Norm(a));
      assert.equal(diffNorm(a, a), 0);
      const b = asT(
        xs.map((v, i) =>
          v.map((_, j) => ys[i % ys.length]?.[j % Math.max(1, ys[i % ys.length].length)] ?? 0),
        ),
      );
      // The oracle rounds each difference to binary32 first, as diffNorm specifies.
      const d = a.map((t, k) => ({
        shape: t.shape,
        data: t.data.map((v, i) => Math.fround(v - b[k].data[i])),
      }));
      close(diffNorm(a, b), f64Norm(d), 1e-5, 'diffNorm', 1e-17);
    }),
    { numRuns: 200 },
  );
});

test('exact: two runs, and one vs two threads, give the same metric bits', () => {
  const task = bundledTask('chars-transformer', { steps: 3, checkpointEvery: 2 });
  const once = (): readonly StepMetrics[] => train(prepareTask(task), { mode: 'fast' }).stepMetrics;
  const a = once();
  const b = once();
  const pool = nodeThreadPool(2, { callerComputes: false });
  let c: readonly StepMetrics[];
  try {
    setThreadPool(pool, { minElements: 1, splitWithNative: true });
    c = once();
  } finally {
    setThreadPool(null);
  }
  const bits = (ms: readonly StepMetrics[]) =>
    ms.map((m) =>
      [m.lr, m.gradNorm, m.updateNorm, m.weightNorm, m.accuracy].map((v) =>
        Object.is(v, -0) ? '-0' : String(v),
      ),
    );
  assert.deepEqual(bits(b), bits(a));
  assert.deepEqual(bits(c), bits(a));
});
