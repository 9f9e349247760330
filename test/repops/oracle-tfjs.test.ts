/**
 * Oracle 2: a second autograd library. TF.js (tfjs-core + cpu backend, binary32, its own op order) computes
 * each op's forward and, through tf.grads, the VJP for the same inputs and cotangent.
 * Tolerances: forward |y − y_tf| ≤ 1e-4·|y_tf| + 1e-5·max(1, ‖y_tf‖∞);
 *             gradient |g − g_tf| ≤ 1e-3·|g_tf| + 1e-4·max(1, ‖g_tf‖∞).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { type InputSpec, makeInput } from '../../core/repops/golden/cases.ts';
import { type Attrs, apply, createTape, getOp, leaf, type Tensor, tensor } from '../../core/repops/index.ts';
import { randomNormal } from '../../core/repops/prng.ts';
import { loadTfjs, type TF } from './tfjs-loader.ts';

type TfT = ReturnType<TF['tensor']>;
interface Case {
  op: string;
  inputs: InputSpec[];
  attrs?: Attrs;
  diff?: number[];
  /** The same function in TF.js; integer inputs arrive as float tensors (cast inside when needed). */
  tf: (tf: TF, xs: TfT[]) => TfT;
}
const N = (...shape: number[]): InputSpec => ({ shape, dist: 'normal' });
const P = (...shape: number[]): InputSpec => ({ shape, dist: 'uniform', lo: 0.5, hi: 3 });
const I = (max: number, ...shape: number[]): InputSpec => ({ shape, dist: 'int', max });
const W = (scale: number, ...shape: number[]): InputSpec => ({ shape, dist: 'normal', scale });

const CASES: Case[] = [
  { op: 'add', inputs: [N(2, 3, 4), N(4)], tf: (tf, [a, b]) => tf.add(a, b) },
  { op: 'sub', inputs: [N(3, 1), N(1, 4)], tf: (tf, [a, b]) => tf.sub(a, b) },
  { op: 'mul', inputs: [N(4, 1, 5), N(3, 5)], tf: (tf, [a, b]) => tf.mul(a, b) },
  { op: 'div', inputs: [N(3, 4), P(4)], tf: (tf, [a, b]) => tf.div(a, b) },
  { op: 'neg', inputs: [N(9)], tf: (tf, [a]) => tf.neg(a) },
  { op: 'relu', inputs: [N(4, 6)], tf: (tf, [a]) => tf.relu(a) },
  {
    op: 'gelu',
    inputs: [W(2, 40)],
    tf: (tf, [x]) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
  },
  { op: 'tanh', inputs: [W(2, 40)], tf: (tf, [a]) => tf.tanh(a) },
  { op: 'sigmoid', inputs: [W(3, 40)], tf: (tf, [a]) => tf.sigmoid(a) },
  { op: 'exp', inputs: [W(2, 40)], tf: (tf, [a]) => tf.exp(a) },
  { op: 'log', inputs: [P(40)], tf: (tf, [a]) => tf.log(a) },
  { op: 'reshape', inputs: [N(2, 3, 4)], attrs: { shape: [4, -1] }, tf: (tf, [a]) => tf.reshape(a, [4, -1]) },
  {
    op: 'transpose',
    inputs: [N(2, 3, 4)],
    attrs: { perm: [2, 0, 1] },
    tf: (tf, [a]) => tf.transpose(a, [2, 0, 1]),
  },
  {
    op: 'slice',
    inputs: [N(4, 5)],
    attrs: { starts: [1, 2], ends: [3, 5] },
    tf: (tf, [a]) => tf.slice(a, [1, 2], [2, 3]),
  },
  { op: 'concat', inputs: [N(2, 1, 3), N(2, 4, 3)], attrs: { axis: 1 }, tf: (tf, xs) => tf.concat(xs, 1) },
  {
    op: 'broadcast_to',
    inputs: [N(3, 1)],
    attrs: { shape: [2, 3, 4] },
    tf: (tf, [a]) => tf.broadcastTo(a, [2, 3, 4]),
  },
  {
    op: 'sum',
    inputs: [N(3, 5, 7)],
    attrs: { axes: [1], keepdims: true },
    tf: (tf, [a]) => tf.sum(a, [1], true),
  },
  { op: 'sum', inputs: [N(300)], tf: (tf, [a]) => tf.sum(a) },
  { op: 'mean', inputs: [N(3, 5, 7)], attrs: { axes: [0, 2] }, tf: (tf, [a]) => tf.mean(a, [0, 2]) },
  { op: 'matmul', inputs: [N(16, 33), N(33, 8)], tf: (tf, [a, b]) => tf.matMul(a, b) },
  { op: 'batch_matmul', inputs: [N(3, 4, 6), N(3, 6, 5)], tf: (tf, [a, b]) => tf.matMul(a, b) },
  { op: 'linear', inputs: [N(6, 7), N(7, 3), N(3)], tf: (tf, [x, w, b]) => tf.add(tf.matMul(x, w), b) },
  { op: 'softmax', inputs: [W(2, 3, 6)], tf: (tf, [a]) => tf.softmax(a) },
  { op: 'log_softmax', inputs: [W(2, 3, 6)], tf: (tf, [a]) => tf.logSoftmax(a) },
  {
    op: 'softmax_cross_entropy',
    inputs: [W(2, 5, 4), I(4, 5)],
    diff: [0],
    tf: (tf, [x, t]) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(t, 'int32'), 4), x),
  },
  { op: 'mse', inputs: [N(3, 5), N(3, 5)], tf: (tf, [a, b]) => tf.losses.meanSquaredError(b, a) },
  {
    op: 'layer_norm',
    inputs: [W(2, 4, 6), N(6), N(6)],
    attrs: { eps: 1e-5 },
    tf: (tf, [x, g, b]) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
    },
  },
  {
    op: 'embedding',
    inputs: [N(6, 3), I(6, 2, 4)],
    diff: [0],
    tf: (tf, [tab, ids]) => tf.gather(tab, tf.cast(ids, 'int32')),
  },
  {
    op: 'conv2d',
    inputs: [N(2, 3, 7, 6), N(4, 3, 3, 3)],
    attrs: { stride: 2, padding: 1 },
    tf: (tf, [x, w]) =>
      tf.transpose(
        tf.conv2d(
          tf.transpose(x, [0, 2, 3, 1]) as never,
          tf.transpose(w, [2, 3, 1, 0]) as never,
          [2, 2],
          [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ],
        ),
        [0, 3, 1, 2],
      ),
  },
  {
    op: 'maxpool2d',
    inputs: [N(1, 2, 7, 7)],
    attrs: { kernel: 3, stride: 2 },
    tf: (tf, [x]) =>
      tf.transpose(tf.maxPool(tf.transpose(x, [0, 2, 3, 1]) as never, [3, 3], [2, 2], 'valid'), [0, 3, 1, 2]),
  },
];

let tf: TF;
before(async () => {
  tf = await loadTfjs();
});

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function close(what: string, got: Float32Array, want: Float32Array, rtol: number, atol: number): number {
  assert.equal(got.length, want.length, what);
  const scale = Math.max(1, maxAbs(want));
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    worst = Math.max(worst, err / (Math.abs(want[i]) + scale * 1e-3));
    assert.ok(err <= rtol * Math.abs(want[i]) + atol * scale, `${what}[${i}]: ${got[i]} vs TF.js ${want[i]}`);
  }
  return worst;
}

for (const [ci, k] of CASES.entries()) {
  test(`TF.js oracle: ${k.op} ${k.inputs.map((s) => `[${s.shape}]`).join(' ')}`, async () => {
    const attrs = k.attrs ?? {};
    const xs: Tensor[] = k.inputs.map((s, i) => makeInput(`tfjs.${ci}`, i, s));
    const diff = k.diff ?? xs.map((_, i) => i);
    const tape = createTape();
    const vars = xs.map((x, i) =>
      leaf(tape, x, { kind: diff.includes(i) ? 'param' : 'data', name: `x${i}` }),
    );
    const out = apply(k.op, vars, attrs);
    const r = tensor(out.out.shape, randomNormal(99, ci, out.out.data.length));
    const grads = getOp(k.op).vjp!({
      inputs: vars,
      out,
      grad: leaf(tape, r, { kind: 'const', name: 'r' }),
      attrs,
      needs: vars.map((v) => v.requiresGrad),
    });

    const txs = xs.map((x) => tf.tensor(x.data, [...x.shape]));
    const ty = k.tf(tf, txs);
    assert.deepEqual(ty.shape, [...out.out.shape]);
    close(`${k.op} forward`, out.out.data, (await ty.data()) as Float32Array, 1e-4, 1e-5);

    const f = (...d: TfT[]) =>
      k.tf(
        tf,
        txs.map((t, i) => (diff.includes(i) ? d[diff.indexOf(i)] : t)),
      );
    const tg = tf.grads(f)(
      diff.map((i) => txs[i]),
      tf.tensor(r.data, [...r.shape]),
    );
    for (const [n, i] of diff.entries()) {
      close(`${k.op} d/dx${i}`, grads[i]!.out.data, (await tg[n].data()) as Float32Array, 1e-3, 1e-4);
    }
    tf.dispose([...txs, ty, ...tg]);
  });
}
