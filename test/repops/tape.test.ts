import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adamStep,
  backward,
  bitwiseEqual,
  checkTape,
  clipGradNorm,
  createTape,
  getOp,
  leaf,
  momentumStep,
  ops,
  RepOpsError,
  randomNormal,
  sgdStep,
  type Tape,
  tensor,
  type Var,
  withLabel,
} from '../../core/repops/index.ts';

const fr = Math.fround;

function mlpData() {
  // A tiny separable 3-class problem: class = argmax of the first three features.
  const x = randomNormal(11, 0, 32 * 4);
  const y = new Float32Array(32);
  for (let i = 0; i < 32; i++) {
    const r = x.subarray(i * 4, i * 4 + 3);
    y[i] = r.indexOf(Math.max(...r));
  }
  return { x: tensor([32, 4], x), y: tensor([32], y) };
}

function mlpParams() {
  return [
    tensor(
      [4, 16],
      randomNormal(3, 1, 64).map((v) => fr(v * 0.5)),
    ),
    tensor([16]),
    tensor(
      [16, 3],
      randomNormal(3, 2, 48).map((v) => fr(v * 0.25)),
    ),
    tensor([3]),
  ];
}

function mlpForward(tape: Tape, data: ReturnType<typeof mlpData>, p: Var[]) {
  const x = leaf(tape, data.x, { kind: 'data', name: 'x' });
  const y = leaf(tape, data.y, { kind: 'target', name: 'y' });
  const h = withLabel(tape, 'fc1', () => ops.relu(ops.linear(x, p[0], p[1], 'linear')));
  return ops.softmaxCrossEntropy(ops.linear(h, p[2], p[3], 'fc2'), y, 'loss');
}

test('MLP + SGD: loss decreases over 30 steps and every step satisfies the referee invariant', () => {
  const data = mlpData();
  let params = mlpParams();
  const losses: number[] = [];
  for (let step = 0; step < 30; step++) {
    const tape = createTape();
    const p = params.map((t, i) => leaf(tape, t, { kind: 'param', name: `p${i}` }));
    const loss = mlpForward(tape, data, p);
    losses.push(loss.out.data[0]);
    const g = backward(tape, loss);
    params = sgdStep(
      p,
      p.map((v) => g.get(v.id)!),
      { lr: 0.5 },
    ).map((v) => v.out);
    if (step % 10 === 0) assert.deepEqual(checkTape(tape.nodes), []);
  }
  assert.ok(losses[29] < 0.6 * losses[0], `loss ${losses[0]} → ${losses[29]}`);
});

test('eager (record: false) tape gives bitwise-identical outputs and keeps no nodes', () => {
  const data = mlpData();
  const params = mlpParams();
  const rec = createTape();
  const eager = createTape({ record: false });
  const a = mlpForward(
    rec,
    data,
    params.map((t, i) => leaf(rec, t, { kind: 'param', name: `p${i}` })),
  );
  const b = mlpForward(
    eager,
    data,
    params.map((t, i) => leaf(eager, t, { kind: 'param', name: `p${i}` })),
  );
  assert.ok(bitwiseEqual(a.out, b.out));
  assert.equal(eager.nodes.length, 0);
  assert.equal(b.id, -1);
  assert.throws(() => backward(eager, b), RepOpsError);
});

test('labels, phases and topological ids are recorded', () => {
  const data = mlpData();
  const tape = createTape();
  const p = mlpParams().map((t, i) => leaf(tape, t, { kind: 'param', name: `p${i}` }));
  const loss = mlpForward(tape, data, p);
  backward(tape, loss);
  const labels = tape.nodes.filter((n) => n.label).map((n) => n.label);
  assert.deepEqual(labels, ['fc1/linear', 'fc1', 'fc2', 'loss']);
  assert.deepEqual(
    tape.nodes.filter((n) => n.phase === 'leaf').map((n) => n.attrs),
    [
      { kind: 'param', name: 'p0' },
      { kind: 'param', name: 'p1' },
      { kind: 'param', name: 'p2' },
      { kind: 'param', name: 'p3' },
      { kind: 'data', name: 'x' },
      { kind: 'target', name: 'y' },
    ],
  );
  // The data input needs no gradient: no matmul.vjp0 is recorded for the first layer's input.
  const back = tape.nodes.filter((n) => n.phase === 'backward').map((n) => n.op);
  assert.deepEqual(back, [
    'ones_like',
    'softmax_cross_entropy.vjp0',
    'matmul.vjp0',
    'matmul.vjp1',
    'linear.vjp2',
    'relu.vjp0',
    'matmul.vjp1',
    'linear.vjp2',
  ]);
});

test('gradient accumulation is an add node in a fixed order: d/dx (x·x + x) = (1 + x) + x', () => {
  const tape = createTape();
  const xs = Float32Array.from([0.1, -2.5, 3.3333, 1e-20]);
  const x = leaf(tape, tensor([4], xs), { kind: 'param', name: 'x' });
  const loss = ops.sum(ops.add(ops.mul(x, x), x));
  const g = backward(tape, loss).get(x.id)!;
  assert.equal(tape.nodes[g.id].op, 'add');
  for (let i = 0; i < 4; i++) assert.equal(g.out.data[i], fr(fr(1 + xs[i]) + xs[i]));
  assert.deepEqual(checkTape(tape.nodes), []);
});

test('a parameter the loss does not use gets a zeros_like gradient; bad losses are rejected', () => {
  const tape = createTape();
  const a = leaf(tape, tensor([2], [1, 2]), { kind: 'param', name: 'a' });
  const b = leaf(tape, tensor([2], [3, 4]), { kind: 'param', name: 'b' });
  const grads = backward(tape, ops.sum(a));
  assert.equal(tape.nodes[grads.get(b.id)!.id].op, 'zeros_like');
  assert.deepEqual([...grads.get(b.id)!.out.data], [0, 0]);
  assert.throws(() => backward(tape, ops.mul(a, a)), /loss must have exactly one element/);
  const other = createTape();
  assert.throws(() => ops.add(a, leaf(other, tensor([2]), { kind: 'const', name: 'c' })), RepOpsError);
});

test('momentum and Adam/AdamW updates match their formulas; optimizer nodes are phase optimizer', () => {
  const tape = createTape();
  const p = leaf(tape, tensor([3], [1, -2, 0.5]), { kind: 'param', name: 'p' });
  const g = leaf(tape, tensor([3], [0.1, 0.2, -0.3]), { kind: 'const', name: 'g' });
  const z = () => leaf(tape, tensor([3]), { kind: 'state', name: 's' });
  const mom = momentumStep([p], [g], [leaf(tape, tensor([3], [1, 1, 1]), { kind: 'state', name: 'buf' })], {
    lr: 0.1,
    momentum: 0.9,
  });
  for (let i = 0; i < 3; i++) {
    const buf = fr(fr(0.9) + g.out.data[i]);
    assert.equal(mom.bufs[0].out.data[i], buf);
    assert.equal(mom.params[0].out.data[i], fr(p.out.data[i] - fr(fr(0.1) * buf)));
  }
  const ad = adamStep([p], [g], [z()], [z()], { lr: 0.01, step: 1, weightDecay: 0.1 });
  for (let i = 0; i < 3; i++) {
    // Step 1 with zero state: m̂ = g, v̂ = g², update ≈ sign(g); decoupled decay p·(1 − lr·wd).
    const expect = p.out.data[i] * (1 - 0.01 * 0.1) - 0.01 * Math.sign(g.out.data[i]);
    assert.ok(Math.abs(ad.params[0].out.data[i] - expect) < 1e-6, `${ad.params[0].out.data[i]} vs ${expect}`);
  }
  const opt = tape.nodes.filter((n) => n.phase === 'optimizer').map((n) => n.op);
  assert.deepEqual(opt, ['momentum.buf', 'momentum.param', 'adam.m', 'adam.v', 'adam.param']);
  assert.deepEqual(checkTape(tape.nodes), []);
});

test('global-norm clipping scales to maxNorm above it and leaves small gradients alone', () => {
  const tape = createTape();
  const g1 = leaf(tape, tensor([2], [3, 0]), { kind: 'const', name: 'g1' });
  const g2 = leaf(tape, tensor([1], [4]), { kind: 'const', name: 'g2' });
  const [c1, c2] = clipGradNorm([g1, g2], 1);
  const norm = Math.hypot(...c1.out.data, ...c2.out.data);
  assert.ok(Math.abs(norm - 1) < 1e-6, `clipped norm ${norm}`);
  const [d1] = clipGradNorm([g1, g2], 10);
  assert.deepEqual([...d1.out.data], [3, 0]);
  assert.deepEqual(
    tape.nodes
      .filter((n) => n.phase === 'optimizer')
      .map((n) => n.op)
      .slice(0, 5),
    ['sumsq', 'sumsq', 'add', 'clip.scale', 'clip.apply'],
  );
});

test('dropout: PRNG mask is reproducible from attrs, drops ≈ p, and the VJP uses the same mask', () => {
  const x = tensor([4000], new Float32Array(4000).fill(1));
  const attrs = { p: 0.3, seed: 123, stream: 4, offset: 0 };
  const a = getOp('dropout').forward([x], attrs);
  const b = getOp('dropout').forward([x], attrs);
  assert.ok(bitwiseEqual(a, b));
  const dropped = a.data.filter((v) => v === 0).length / 4000;
  assert.ok(Math.abs(dropped - 0.3) < 0.03, `dropped ${dropped}`);
  assert.ok(a.data.every((v) => v === 0 || v === fr(1 / fr(0.7))));
  const other = getOp('dropout').forward([x], { ...attrs, seed: 124 });
  assert.ok(!bitwiseEqual(a, other));
  const gmask = getOp('dropout.vjp0').forward([x], attrs);
  assert.ok(bitwiseEqual(a, gmask));
  assert.ok(bitwiseEqual(getOp('dropout').forward([x], { ...attrs, p: 0 }), x));
});

test('Adam training of a small MLP converges and is bitwise reproducible run to run', () => {
  const run = () => {
    const data = mlpData();
    let params = mlpParams();
    let m = params.map((t) => tensor(t.shape));
    let v = params.map((t) => tensor(t.shape));
    let loss = 0;
    for (let step = 1; step <= 25; step++) {
      const tape = createTape();
      const p = params.map((t, i) => leaf(tape, t, { kind: 'param', name: `p${i}` }));
      const l = mlpForward(tape, data, p);
      loss = l.out.data[0];
      const g = backward(tape, l);
      const grads = clipGradNorm(
        p.map((q) => g.get(q.id)!),
        5,
      );
      const mv = m.map((t) => leaf(tape, t, { kind: 'state', name: 'm' }));
      const vv = v.map((t) => leaf(tape, t, { kind: 'state', name: 'v' }));
      const r = adamStep(p, grads, mv, vv, { lr: 0.05, step });
      params = r.params.map((q) => q.out);
      m = r.m.map((q) => q.out);
      v = r.v.map((q) => q.out);
    }
    return { loss, params };
  };
  const a = run();
  const b = run();
  assert.ok(a.loss < 0.3, `final loss ${a.loss}`);
  a.params.forEach((t, i) => {
    assert.ok(bitwiseEqual(t, b.params[i]));
  });
});
