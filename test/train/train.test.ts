import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensorDigest } from '../../core/hash/digest.ts';
import { merkleRoot } from '../../core/hash/merkle.ts';
import { checkTape } from '../../core/repops/index.ts';
import { stateDigest } from '../../core/train/state.ts';
import { runStep } from '../../core/train/step.ts';
import {
  initialState,
  perturbNode,
  perturbState,
  prepareTask,
  RunReplayer,
  stepOpDigests,
  train,
} from '../../core/train/train.ts';
import { bundledTask } from './helpers.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Independent float64 forward pass of an MLP (oracle for the reported accuracy). */
function mlpAccuracy64(
  ctx: ReturnType<typeof prepareTask>,
  params: { shape: readonly number[]; data: Float32Array }[],
  act: (x: number) => number,
): number {
  const d = ctx.dataset;
  const nIn = d.inputShape[0];
  let correct = 0;
  for (let i = 0; i < d.count; i++) {
    let h = Array.from(d.x.subarray(i * nIn, (i + 1) * nIn));
    for (let l = 0; l < params.length; l += 2) {
      const [k, n] = params[l].shape;
      const out = new Array<number>(n).fill(0);
      for (let j = 0; j < n; j++) {
        let s = params[l + 1].data[j];
        for (let q = 0; q < k; q++) s += h[q] * params[l].data[q * n + j];
        out[j] = l + 2 < params.length ? act(s) : s;
      }
      h = out;
    }
    if (h.indexOf(Math.max(...h)) === d.y[i]) correct++;
  }
  return correct / d.count;
}

const lossCases: { name: string; minAcc?: number; maxLoss: number; drop: number }[] = [
  { name: 'spirals-mlp', minAcc: 0.95, maxLoss: 0.15, drop: 0.1 },
  { name: 'blobs-mlp', minAcc: 0.97, maxLoss: 0.1, drop: 0.1 },
  { name: 'iris-mlp', minAcc: 0.95, maxLoss: 0.15, drop: 0.2 },
  { name: 'digits-cnn', minAcc: 0.9, maxLoss: 0.4, drop: 0.2 },
  // chars: uniform guessing over the vocabulary costs ln(V) ≈ 3.9 nats
  { name: 'chars-transformer', maxLoss: 2.9, drop: 0.7 },
];
for (const c of lossCases) {
  test(`loss falls on ${c.name} (concrete thresholds)`, () => {
    const ctx = prepareTask(bundledTask(c.name));
    const run = train(ctx, { mode: 'fast' });
    const losses = run.records.map((r) => r.loss);
    const tail = mean(losses.slice(-Math.ceil(losses.length / 10)));
    assert.ok(
      tail < c.drop * losses[0],
      `${c.name}: last-10% mean loss ${tail} not below ${c.drop} × first ${losses[0]}`,
    );
    assert.ok(run.metrics.loss <= c.maxLoss, `${c.name}: final loss ${run.metrics.loss} > ${c.maxLoss}`);
    if (c.minAcc !== undefined)
      assert.ok(
        run.metrics.accuracy >= c.minAcc,
        `${c.name}: accuracy ${run.metrics.accuracy} < ${c.minAcc}`,
      );
    if (c.name === 'chars-transformer') assert.ok(run.metrics.loss < 0.75 * Math.log(ctx.dataset.classes));
    if (c.name === 'spirals-mlp') {
      const acc64 = mlpAccuracy64(ctx, run.finalState.tensors.slice(0, 6), (x) => Math.max(0, x));
      assert.ok(
        Math.abs(acc64 - run.metrics.accuracy) <= 0.01,
        `float64 oracle accuracy ${acc64} vs reported ${run.metrics.accuracy}`,
      );
    }
  });
}

const small = () => prepareTask(bundledTask('spirals-mlp', { steps: 40, checkpointEvery: 10 }));

test('training is deterministic; fast and trace modes commit to the same states', () => {
  const a = train(small(), { mode: 'fast' });
  const b = train(small(), { mode: 'fast' });
  const c = train(small(), { mode: 'trace' });
  assert.deepEqual(a.records, b.records);
  assert.equal(a.records.length, 40);
  for (let t = 0; t < 40; t++) {
    assert.equal(c.records[t].stateAfter, a.records[t].stateAfter);
    assert.equal(c.records[t].loss, a.records[t].loss);
    assert.equal(c.records[t].opCount, stepOpDigests(c, t)?.length);
    assert.equal(c.records[t].opRoot, merkleRoot(stepOpDigests(c, t) ?? []));
    if (t > 0) assert.equal(a.records[t].stateBefore, a.records[t - 1].stateAfter);
  }
  assert.deepEqual(
    a.checkpoints.map((k) => k.step),
    [0, 10, 20, 30, 40],
  );
  assert.equal(
    stateDigest({ layout: a.layout, tensors: a.checkpoints[2].tensors }, 'sha256'),
    a.records[20].stateBefore,
  );
  assert.equal(a.records[0].opRoot, undefined);
});

test('every traced node satisfies the referee invariant and its digest is the tensor digest', () => {
  const ctx = small();
  const r = runStep(ctx, initialState(ctx), 0, { mode: 'trace', keepTape: true });
  const nodes = r.nodes ?? [];
  assert.ok(nodes.length > 40);
  assert.deepEqual(checkTape(nodes), []);
  for (const [i, n] of nodes.entries()) assert.equal(r.opDigests?.[i], tensorDigest(n.out, 'sha256'));
  const phases = new Set(nodes.map((n) => n.phase));
  assert.deepEqual([...phases].sort(), ['backward', 'forward', 'leaf', 'optimizer']);
  // outputIds are the optimizer's outputs, in layout order
  assert.equal(r.outputIds.length, ctx.layout.length);
  for (const id of r.outputIds) assert.equal(nodes[id].phase, 'optimizer');
});

test('a node tamper propagates through the rest of the step and stays referee-consistent', () => {
  const ctx = small();
  const s0 = initialState(ctx);
  const honest = runStep(ctx, s0, 0, { mode: 'trace', keepTape: true });
  const target = (honest.nodes ?? []).findIndex((n) => n.phase === 'forward' && n.op === 'relu');
  const bad = runStep(ctx, s0, 0, { mode: 'trace', keepTape: true, tamper: perturbNode(0, target, 3, 0.5) });
  const hd = honest.opDigests ?? [];
  const bd = bad.opDigests ?? [];
  for (let i = 0; i < target; i++) assert.equal(bd[i], hd[i], `node ${i} before the tamper is unchanged`);
  assert.notEqual(bd[target], hd[target]);
  assert.notEqual(bad.record.stateAfter, honest.record.stateAfter);
  assert.notEqual(bad.record.loss, honest.record.loss);
  // every node except the tampered one recomputes bitwise from its (tampered) inputs
  assert.deepEqual(checkTape(bad.nodes ?? []), [target]);
});

test('RunReplayer reconstructs the state before any step; perturbState changes exactly one step', () => {
  const ctx = small();
  const run = train(ctx, { mode: 'fast' });
  const rep = RunReplayer.fromRun(ctx, run);
  for (const t of [0, 7, 13, 14, 29, 30, 39, 40]) {
    const want = t < 40 ? run.records[t].stateBefore : run.records[39].stateAfter;
    assert.equal(stateDigest(rep.stateBefore(t), 'sha256'), want, `state before ${t}`);
  }
  assert.ok(rep.replayed < 40, 'replays from checkpoints, not from 0');
  const bad = train(small(), { mode: 'fast', tamper: perturbState(ctx, 25, 'fc2.weight', 5, 0.25) });
  for (let t = 0; t < 25; t++) assert.equal(bad.records[t].stateAfter, run.records[t].stateAfter);
  assert.notEqual(bad.records[25].stateAfter, run.records[25].stateAfter);
  assert.equal(
    bad.records[26].stateBefore,
    bad.records[25].stateAfter,
    'the cheating chain stays consistent',
  );
  assert.throws(() => perturbState(ctx, 1, 'nope', 0, 1), /no state tensor "nope"/);
});
