/**
 * Golden test-vector definitions: every registered op (forward and each VJP component) on
 * PRNG-generated inputs, plus whole training steps. No node:* imports, so the same module runs in Node
 * (test/repops/golden.test.ts against test/repops/golden.json) and in headless Chromium.
 * Input i of case `name` is drawn from Philox stream fnv1a(name) + i under seed GOLDEN_SEED.
 */
import { digestJson, tensorDigest } from '../../hash/digest.ts';
import type { Digest } from '../../hash/hex.ts';
import type { TensorDigestScheme } from '../../hash/tensor-scheme.ts';
import { ops } from '../index.ts';
import { adamStep, clipGradNorm, momentumStep, sgdStep } from '../optimizers.ts';
import { randomNormal, randomUint32, randomUniform } from '../prng.ts';
import type { Attrs } from '../registry.ts';
import { getOp } from '../registry.ts';
import { backward, createTape, leaf, type Tape, type Var } from '../tape.ts';
import { type Tensor, tensor } from '../tensor.ts';
import { REPOPS_SPEC_VERSION } from '../version.ts';

export const GOLDEN_SEED = 0x5eed;

/** How an input is drawn: standard normal ×scale, uniform in [lo, hi), integers in [0, max), or specials. */
export type InputSpec =
  | { shape: number[]; dist: 'normal'; scale?: number }
  | { shape: number[]; dist: 'uniform'; lo: number; hi: number }
  | { shape: number[]; dist: 'int'; max: number }
  | { shape: number[]; dist: 'special' };

export interface OpCase {
  name: string;
  op: string;
  inputs: InputSpec[];
  attrs: Attrs;
}

/** IEEE special values cycled at the start of 'special' inputs: ±0, ±Inf, NaN, subnormals, extremes. */
export const SPECIALS = [
  0,
  -0,
  1,
  -1,
  Infinity,
  -Infinity,
  NaN,
  1e-45,
  -1e-40,
  3.4e38,
  -3.4e38,
  1e-30,
  88.7,
  -103.5,
  0.5,
  2,
];

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function makeInput(caseName: string, index: number, spec: InputSpec): Tensor {
  let n = 1;
  for (const d of spec.shape) n *= d;
  const stream = (fnv1a(caseName) + index) >>> 0;
  const data = new Float32Array(n);
  switch (spec.dist) {
    case 'normal': {
      const z = randomNormal(GOLDEN_SEED, stream, n);
      const s = Math.fround(spec.scale ?? 1);
      for (let i = 0; i < n; i++) data[i] = z[i] * s;
      break;
    }
    case 'uniform': {
      const u = randomUniform(GOLDEN_SEED, stream, n);
      const lo = Math.fround(spec.lo);
      const w = Math.fround(spec.hi - spec.lo);
      for (let i = 0; i < n; i++) data[i] = Math.fround(lo + Math.fround(u[i] * w));
      break;
    }
    case 'int': {
      const w = randomUint32(GOLDEN_SEED, stream, n);
      for (let i = 0; i < n; i++) data[i] = w[i] % spec.max;
      break;
    }
    case 'special': {
      const z = randomNormal(GOLDEN_SEED, stream, n);
      for (let i = 0; i < n; i++) data[i] = i < SPECIALS.length ? SPECIALS[i] : z[i];
      break;
    }
  }
  return tensor(spec.shape, data);
}

const N = (...shape: number[]): InputSpec => ({ shape, dist: 'normal' });
const S = (...shape: number[]): InputSpec => ({ shape, dist: 'special' });
const P = (...shape: number[]): InputSpec => ({ shape, dist: 'uniform', lo: 0.25, hi: 4 });
const I = (max: number, ...shape: number[]): InputSpec => ({ shape, dist: 'int', max });
const c = (name: string, op: string, inputs: InputSpec[], attrs: Attrs = {}): OpCase => ({
  name,
  op,
  inputs,
  attrs,
});

const conv = { stride: 2, padding: 1 };
const adam = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 3, weightDecay: 0 };

export const OP_CASES: readonly OpCase[] = [
  c('add', 'add', [N(3, 4), N(3, 4)]),
  c('add.bcast_row', 'add', [N(2, 3, 4), N(4)]),
  c('add.bcast_outer', 'add', [N(3, 1), N(1, 4)]),
  c('add.special', 'add', [S(4, 5), S(4, 5)]),
  c('sub.bcast', 'sub', [N(2, 3), N(3)]),
  c('mul.bcast', 'mul', [N(4, 1, 5), N(3, 5)]),
  c('mul.special', 'mul', [S(20), N(20)]),
  c('div', 'div', [N(3, 4), P(3, 4)]),
  c('div.special', 'div', [S(20), S(20)]),
  c('add.vjp0', 'add.vjp0', [N(2, 3, 4)], { shape: [2, 3, 4] }),
  c('add.vjp1', 'add.vjp1', [N(2, 3, 4)], { shape: [4] }),
  c('sub.vjp0', 'sub.vjp0', [N(3, 4)], { shape: [3, 1] }),
  c('sub.vjp1', 'sub.vjp1', [N(2, 3)], { shape: [3] }),
  c('mul.vjp0', 'mul.vjp0', [N(4, 3, 5), N(3, 5)], { shape: [4, 1, 5] }),
  c('mul.vjp1', 'mul.vjp1', [N(4, 3, 5), N(4, 1, 5)], { shape: [3, 5] }),
  c('div.vjp0', 'div.vjp0', [N(3, 4), P(4)], { shape: [3, 4] }),
  c('div.vjp1', 'div.vjp1', [N(3, 4), N(3, 4), P(4)], { shape: [4] }),
  c('neg', 'neg', [S(20)]),
  c('relu', 'relu', [N(5, 7)]),
  c('relu.special', 'relu', [S(20)]),
  c('relu.vjp0', 'relu.vjp0', [N(5, 7), N(5, 7)]),
  c('gelu', 'gelu', [{ shape: [64], dist: 'normal', scale: 3 }]),
  c('gelu.special', 'gelu', [S(20)]),
  c('gelu.vjp0', 'gelu.vjp0', [N(64), { shape: [64], dist: 'normal', scale: 3 }]),
  c('tanh', 'tanh', [{ shape: [64], dist: 'normal', scale: 3 }]),
  c('tanh.special', 'tanh', [S(20)]),
  c('tanh.vjp0', 'tanh.vjp0', [N(64), { shape: [64], dist: 'uniform', lo: -1, hi: 1 }]),
  c('sigmoid', 'sigmoid', [{ shape: [64], dist: 'normal', scale: 5 }]),
  c('sigmoid.special', 'sigmoid', [S(20)]),
  c('sigmoid.vjp0', 'sigmoid.vjp0', [N(64), { shape: [64], dist: 'uniform', lo: 0, hi: 1 }]),
  c('exp', 'exp', [{ shape: [64], dist: 'normal', scale: 10 }]),
  c('exp.special', 'exp', [S(20)]),
  c('exp.vjp0', 'exp.vjp0', [N(64), P(64)]),
  c('log', 'log', [{ shape: [64], dist: 'uniform', lo: 1e-6, hi: 100 }]),
  c('log.special', 'log', [S(20)]),
  c('log.vjp0', 'log.vjp0', [N(64), P(64)]),
  c('ones_like', 'ones_like', [N(2, 3)]),
  c('zeros_like', 'zeros_like', [N(2, 3)]),
  c('reshape', 'reshape', [N(2, 3, 4)], { shape: [4, -1] }),
  c('transpose', 'transpose', [N(2, 3, 4)], { perm: [2, 0, 1] }),
  c('transpose.default', 'transpose', [N(3, 5)]),
  c('slice', 'slice', [N(4, 5)], { starts: [1, 2], ends: [3, 5] }),
  c('slice.vjp0', 'slice.vjp0', [N(2, 3)], { shape: [4, 5], starts: [1, 2] }),
  c('concat', 'concat', [N(2, 1, 3), N(2, 4, 3), N(2, 2, 3)], { axis: 1 }),
  c('broadcast_to', 'broadcast_to', [N(3, 1)], { shape: [2, 3, 4] }),
  c('sum_to', 'sum_to', [N(2, 3, 4)], { shape: [3, 1] }),
  c('sum.all', 'sum', [N(3, 5, 7)]),
  c('sum.axis1.keep', 'sum', [N(3, 5, 7)], { axes: [1], keepdims: true }),
  c('sum.axes02', 'sum', [N(3, 5, 7)], { axes: [0, 2] }),
  c('sum.long', 'sum', [N(1001)]),
  c('mean.last', 'mean', [N(3, 5, 7)], { axes: [-1] }),
  c('sum.vjp0', 'sum.vjp0', [N(3, 7)], { shape: [3, 5, 7], axes: [1] }),
  c('mean.vjp0', 'mean.vjp0', [N(5)], { shape: [3, 5, 7], axes: [0, 2] }),
  c('matmul', 'matmul', [N(7, 9), N(9, 5)]),
  c('matmul.vjp0', 'matmul.vjp0', [N(7, 5), N(9, 5)]),
  c('matmul.vjp1', 'matmul.vjp1', [N(7, 9), N(7, 5)]),
  c('batch_matmul', 'batch_matmul', [N(3, 4, 6), N(3, 6, 5)]),
  c('batch_matmul.vjp0', 'batch_matmul.vjp0', [N(3, 4, 5), N(3, 6, 5)]),
  c('batch_matmul.vjp1', 'batch_matmul.vjp1', [N(3, 4, 6), N(3, 4, 5)]),
  c('linear', 'linear', [N(6, 9), N(9, 5), N(5)]),
  c('linear.vjp2', 'linear.vjp2', [N(6, 5)]),
  c('softmax', 'softmax', [{ shape: [4, 10], dist: 'normal', scale: 4 }]),
  c('softmax.special', 'softmax', [S(4, 5)]),
  c('softmax.vjp0', 'softmax.vjp0', [N(4, 10), { shape: [4, 10], dist: 'uniform', lo: 0, hi: 0.2 }]),
  c('log_softmax', 'log_softmax', [{ shape: [4, 10], dist: 'normal', scale: 4 }]),
  c('log_softmax.vjp0', 'log_softmax.vjp0', [N(4, 10), { shape: [4, 10], dist: 'uniform', lo: -5, hi: 0 }]),
  c('softmax_cross_entropy', 'softmax_cross_entropy', [{ shape: [6, 5], dist: 'normal', scale: 2 }, I(5, 6)]),
  c('softmax_cross_entropy.vjp0', 'softmax_cross_entropy.vjp0', [
    N(),
    { shape: [6, 5], dist: 'normal', scale: 2 },
    I(5, 6),
  ]),
  c('mse', 'mse', [N(4, 6), N(4, 6)]),
  c('mse.vjp0', 'mse.vjp0', [N(), N(4, 6), N(4, 6)]),
  c('mse.vjp1', 'mse.vjp1', [N(), N(4, 6), N(4, 6)]),
  c('layer_norm', 'layer_norm', [{ shape: [5, 8], dist: 'normal', scale: 3 }, N(8), N(8)], { eps: 1e-5 }),
  c('layer_norm.vjp0', 'layer_norm.vjp0', [N(5, 8), { shape: [5, 8], dist: 'normal', scale: 3 }, N(8)], {
    eps: 1e-5,
  }),
  c('layer_norm.vjp1', 'layer_norm.vjp1', [N(5, 8), { shape: [5, 8], dist: 'normal', scale: 3 }], {
    eps: 1e-5,
  }),
  c('layer_norm.vjp2', 'layer_norm.vjp2', [N(2, 5, 8)]),
  c('embedding', 'embedding', [N(10, 4), I(10, 3, 2)]),
  c('embedding.vjp0', 'embedding.vjp0', [N(3, 2, 4), I(10, 3, 2)], { shape: [10, 4] }),
  c('conv2d', 'conv2d', [N(2, 3, 7, 6), N(4, 3, 3, 3)], conv),
  c('conv2d.plain', 'conv2d', [N(1, 2, 5, 5), N(3, 2, 2, 2)]),
  c('conv2d.vjp0', 'conv2d.vjp0', [N(2, 4, 4, 3), N(4, 3, 3, 3)], { ...conv, shape: [2, 3, 7, 6] }),
  c('conv2d.vjp1', 'conv2d.vjp1', [N(2, 4, 4, 3), N(2, 3, 7, 6)], { ...conv, shape: [4, 3, 3, 3] }),
  c('maxpool2d', 'maxpool2d', [N(2, 3, 6, 6)], { kernel: 2 }),
  c('maxpool2d.overlap', 'maxpool2d', [N(1, 2, 7, 7)], { kernel: 3, stride: 2 }),
  c('maxpool2d.vjp0', 'maxpool2d.vjp0', [N(1, 2, 3, 3), N(1, 2, 7, 7)], { kernel: 3, stride: 2 }),
  c('dropout', 'dropout', [N(6, 7)], { p: 0.25, seed: 7, stream: 3, offset: 11 }),
  c('dropout.vjp0', 'dropout.vjp0', [N(6, 7)], { p: 0.5, seed: 9, stream: 0, offset: 0 }),
  c('sgd.param', 'sgd.param', [N(3, 4), N(3, 4)], { lr: 0.05 }),
  c('momentum.buf', 'momentum.buf', [N(3, 4), N(3, 4)], { momentum: 0.9 }),
  c('momentum.param', 'momentum.param', [N(3, 4), N(3, 4)], { lr: 0.05 }),
  c('adam.m', 'adam.m', [N(3, 4), N(3, 4)], { beta1: 0.9 }),
  c('adam.v', 'adam.v', [P(3, 4), N(3, 4)], { beta2: 0.999 }),
  c('adam.param', 'adam.param', [N(3, 4), N(3, 4), P(3, 4)], adam),
  c('adamw.param', 'adam.param', [N(3, 4), N(3, 4), P(3, 4)], { ...adam, step: 1000, weightDecay: 0.01 }),
  c('sumsq', 'sumsq', [N(37)]),
  c('clip.scale', 'clip.scale', [{ shape: [], dist: 'uniform', lo: 2, hi: 9 }], { maxNorm: 1 }),
  c('clip.apply', 'clip.apply', [N(3, 4), { shape: [], dist: 'uniform', lo: 0, hi: 1 }]),
];

export function runOpCase(k: OpCase): Tensor {
  return getOp(k.op).forward(
    k.inputs.map((s, i) => makeInput(k.name, i, s)),
    k.attrs,
  );
}

// ---- whole training steps --------------------------------------------------------------------------

export interface StepCase {
  name: string;
  build(): Tape;
}

function params(tape: Tape, name: string, shapes: number[][], scale = 0.5): Var[] {
  return shapes.map((s, i) => {
    const t = makeInput(`${name}.p${i}`, 0, { shape: s, dist: 'normal', scale });
    return leaf(tape, t, { kind: 'param', name: `p${i}` });
  });
}

function zerosState(tape: Tape, ps: readonly Var[], prefix: string): Var[] {
  return ps.map((p, i) => leaf(tape, tensor(p.out.shape), { kind: 'state', name: `${prefix}${i}` }));
}

export const STEP_CASES: readonly StepCase[] = [
  {
    name: 'step.mlp_sgd',
    build() {
      const tape = createTape();
      const x = leaf(tape, makeInput(this.name, 0, N(8, 6)), { kind: 'data', name: 'x' });
      const y = leaf(tape, makeInput(this.name, 1, I(4, 8)), { kind: 'target', name: 'y' });
      const [w1, b1, w2, b2] = params(tape, this.name, [[6, 16], [16], [16, 4], [4]]);
      const h = ops.relu(ops.linear(x, w1, b1, 'fc1'));
      const loss = ops.softmaxCrossEntropy(ops.linear(h, w2, b2, 'fc2'), y, 'loss');
      const ps = [w1, b1, w2, b2];
      const g = backward(tape, loss);
      sgdStep(
        ps,
        ps.map((p) => g.get(p.id)!),
        { lr: 0.1 },
      );
      return tape;
    },
  },
  {
    name: 'step.transformerish_adamw_clip',
    build() {
      const tape = createTape();
      const ids = leaf(tape, makeInput(this.name, 0, I(12, 2, 5)), { kind: 'data', name: 'ids' });
      const target = leaf(tape, makeInput(this.name, 1, N(10, 8)), { kind: 'target', name: 'y' });
      const [emb, gamma, beta, w, b] = params(tape, this.name, [[12, 8], [8], [8], [8, 8], [8]]);
      const e = ops.reshape(ops.embedding(emb, ids), [10, 8]);
      const ln = ops.layerNorm(e, gamma, beta);
      const att = ops.softmax(ops.matmul(ln, ops.transpose(ln)));
      const hdn = ops.gelu(ops.linear(ops.matmul(att, ln), w, b));
      const d = ops.dropout(hdn, { p: 0.1, seed: 42, stream: 1 });
      const z = ops.add(
        ops.tanh(d),
        ops.mul(ops.sigmoid(e), ops.exp(ops.neg(ops.log(ops.add(ops.mul(e, e), ops.exp(gamma)))))),
      );
      const loss = ops.mse(ops.sub(z, ops.mean(z, { axes: [0], keepdims: true })), target);
      const ps = [emb, gamma, beta, w, b];
      const g = backward(tape, loss);
      const clipped = clipGradNorm(
        ps.map((p) => g.get(p.id)!),
        0.5,
      );
      adamStep(ps, clipped, zerosState(tape, ps, 'm'), zerosState(tape, ps, 'v'), {
        lr: 1e-3,
        step: 1,
        weightDecay: 0.01,
      });
      return tape;
    },
  },
  {
    name: 'step.cnn_momentum',
    build() {
      const tape = createTape();
      const x = leaf(tape, makeInput(this.name, 0, N(2, 1, 8, 8)), { kind: 'data', name: 'x' });
      const y = leaf(tape, makeInput(this.name, 1, I(3, 2)), { kind: 'target', name: 'y' });
      const [k, kb, w, b] = params(tape, this.name, [[4, 1, 3, 3], [4], [36, 3], [3]]);
      const h = ops.maxPool2d(ops.relu(ops.conv2d(x, k, kb, { padding: 1 })), { kernel: 2 });
      const s = ops.slice(h, [0, 0, 0, 0], [2, 4, 3, 3]);
      const flat = ops.reshape(ops.concat([s], 0), [2, 36]);
      const logits = ops.linear(flat, w, b);
      const loss = ops.add(
        ops.softmaxCrossEntropy(logits, y),
        ops.sum(ops.logSoftmax(ops.div(logits, logits))),
      );
      const ps = [k, kb, w, b];
      const g = backward(tape, loss);
      momentumStep(
        ps,
        ps.map((p) => g.get(p.id)!),
        zerosState(tape, ps, 'buf'),
        { lr: 0.05, momentum: 0.9 },
      );
      return tape;
    },
  },
];

/**
 * Golden digests pin an op's output bits, whatever scheme a task hashes its runs with: they are SHA-256
 * tensor digests, as the RepOps spec defines them (docs/REPOPS.md).
 */
export const GOLDEN_SCHEME: TensorDigestScheme = 'sha256';

/** Digest of a whole tape: canonical JSON of [op, phase, output digest] per node in tape order. */
export function tapeDigest(tape: Tape): Digest {
  return digestJson(
    'pinpoint.golden.tape',
    tape.nodes.map((n) => [n.op, n.phase, tensorDigest(n.out, GOLDEN_SCHEME)]),
  );
}

export interface GoldenTable {
  version: string;
  digests: Record<string, Digest>;
}

/** Every golden digest: op cases by case name, step cases by step name. */
export function computeGolden(): GoldenTable {
  const digests: Record<string, Digest> = {};
  for (const k of OP_CASES) digests[k.name] = tensorDigest(runOpCase(k), GOLDEN_SCHEME);
  for (const s of STEP_CASES) digests[s.name] = tapeDigest(s.build());
  return { version: REPOPS_SPEC_VERSION, digests };
}
