/**
 * Elementwise activations and their VJPs. Transcendentals come from math.ts (our own binary32
 * implementations — see spec/transcendentals.md); everything else is one binary32 operation at a time,
 * in the order written in each op's `spec`.
 */
import { outputBuffer } from '../buffers.ts';
import { nativeGeluRange, nativeGeluVjpRange } from '../kernels/transcendental-native.ts';
import { wasmGeluVjpRange, wasmUnaryRange } from '../kernels/transcendental-wasm.ts';
import { erfc32, exp32, gelu32, log32, sigmoid32, tanh32 } from '../math.ts';
import { defineRangeKernel, elementwise } from '../parallel.ts';
import { apply } from '../tape.ts';
import type { Shape, Tensor } from '../tensor.ts';
import { fround, shapesEqual } from '../util.ts';
import { defineOp, mismatch, numel } from './define.ts';

const same = (s: readonly Shape[]): Shape => s[0];

function sameShapes(name: string) {
  return (s: readonly Shape[]): Shape => {
    for (let i = 1; i < s.length; i++)
      if (!shapesEqual(s[i], s[0])) throw mismatch(name, s, 'operands must have equal shapes');
    return s[0];
  };
}

/** 1/√2 and 1/√(2π) as binary32 values. */
const INV_SQRT2 = fround(Math.SQRT1_2);
const INV_SQRT_2PI = fround(0.3989422804014327);

/**
 * The transcendentals run as WebAssembly (kernels/as/transcendental.ts, the same operations as math.ts,
 * so the same bits) when kernels can run and the range is long enough to pay for the copies.
 */
function useWasm(from: number, to: number): boolean {
  return to - from >= 16;
}

/**
 * A unary op. `f` computes out[from…to); `parallel` ops (the transcendental ones: ~30–150 ns per element)
 * go through `elementwise`, which may split the range across threads (same bits for any split).
 */
function unary(
  name: string,
  spec: string,
  flopsPer: number,
  f: (x: Float32Array, out: Float32Array, from: number, to: number) => void,
  vjpOp: string,
  vjpUsesOut: boolean,
  parallel = false,
): void {
  if (parallel) defineRangeKernel(name, (ins, out, a, b) => f(ins[0], out, a, b));
  defineOp({
    name,
    arity: 1,
    shape: same,
    compute: ([x]) => {
      const n = x.data.length;
      if (parallel) return elementwise(name, [x.data], n);
      const out = outputBuffer(n);
      f(x.data, out, 0, n);
      return out;
    },
    flops: (s) => flopsPer * numel(s[0]),
    spec,
    vjp: ({ inputs: [x], out, grad }) => [apply(vjpOp, [grad, vjpUsesOut ? out : x])],
  });
}

function unaryGrad(
  name: string,
  spec: string,
  flopsPer: number,
  f: (g: Float32Array, v: Float32Array, out: Float32Array, from: number, to: number) => void,
  parallel = false,
): void {
  if (parallel) defineRangeKernel(name, (ins, out, a, b) => f(ins[0], ins[1], out, a, b));
  defineOp({
    name,
    arity: 2,
    shape: sameShapes(name),
    compute: ([g, v]: readonly Tensor[]) => {
      const n = g.data.length;
      if (parallel) return elementwise(name, [g.data, v.data], n);
      const out = outputBuffer(n);
      f(g.data, v.data, out, 0, n);
      return out;
    },
    flops: (s) => flopsPer * numel(s[0]),
    spec,
  });
}

unary(
  'relu',
  'out = x > 0 ? x : (x is NaN ? NaN : +0).',
  1,
  (x, out, from, to) => {
    for (let i = from; i < to; i++) {
      const v = x[i];
      // biome-ignore lint/complexity/useMathMinMax: spelled out so the IEEE cases are visible (NaN stays NaN, −0 → +0)
      out[i] = v > 0 ? v : v <= 0 ? 0 : v;
    }
  },
  'relu.vjp0',
  false,
);
unaryGrad('relu.vjp0', 'inputs [g, x]: out = x > 0 ? g : +0.', 1, (g, x, out, from, to) => {
  for (let i = from; i < to; i++) out[i] = x[i] > 0 ? g[i] : 0;
});

unary(
  'gelu',
  'Exact (erf) form x·Φ(x) = ½·x·erfc(−x/√2): out = gelu32(x) (math.ts, compensated; spec/transcendentals.md).',
  1,
  (x, out, from, to) => {
    if (nativeGeluRange(x, out, from, to)) return; // in place, no copies: any length
    if (useWasm(from, to) && wasmUnaryRange('gelu', x, out, from, to)) return;
    for (let i = from; i < to; i++) out[i] = gelu32(x[i]);
  },
  'gelu.vjp0',
  false,
  true,
);
unaryGrad(
  'gelu.vjp0',
  'inputs [g, x]: a = 0.5 × erfc32(−(x × f32(1/√2))) (= Φ(x)); p = exp32((x × x) × −0.5) × f32(1/√(2π)); ' +
    'out = g × (a + x × p).',
  10,
  (g, x, out, from, to) => {
    if (nativeGeluVjpRange(g, x, out, from, to)) return;
    if (useWasm(from, to) && wasmGeluVjpRange(g, x, out, from, to)) return;
    for (let i = from; i < to; i++) {
      const v = x[i];
      const a = fround(0.5 * erfc32(-fround(v * INV_SQRT2)));
      const p = fround(exp32(fround(fround(v * v) * -0.5)) * INV_SQRT_2PI);
      out[i] = g[i] * fround(a + fround(v * p));
    }
  },
  true,
);

unary(
  'tanh',
  'out = tanh32(x).',
  1,
  (x, out, from, to) => {
    if (useWasm(from, to) && wasmUnaryRange('tanh', x, out, from, to)) return;
    for (let i = from; i < to; i++) out[i] = tanh32(x[i]);
  },
  'tanh.vjp0',
  true,
  true,
);
unaryGrad('tanh.vjp0', 'inputs [g, y = tanh(x)]: out = g × (1 − y × y).', 3, (g, y, out, from, to) => {
  for (let i = from; i < to; i++) out[i] = g[i] * fround(1 - fround(y[i] * y[i]));
});

unary(
  'sigmoid',
  'out = sigmoid32(x).',
  1,
  (x, out, from, to) => {
    if (useWasm(from, to) && wasmUnaryRange('sigmoid', x, out, from, to)) return;
    for (let i = from; i < to; i++) out[i] = sigmoid32(x[i]);
  },
  'sigmoid.vjp0',
  true,
  true,
);
unaryGrad(
  'sigmoid.vjp0',
  'inputs [g, y = sigmoid(x)]: out = g × (y × (1 − y)).',
  3,
  (g, y, out, from, to) => {
    for (let i = from; i < to; i++) out[i] = g[i] * fround(y[i] * fround(1 - y[i]));
  },
);

unary(
  'exp',
  'out = exp32(x).',
  1,
  (x, out, from, to) => {
    if (useWasm(from, to) && wasmUnaryRange('exp', x, out, from, to)) return;
    for (let i = from; i < to; i++) out[i] = exp32(x[i]);
  },
  'exp.vjp0',
  true,
  true,
);
unaryGrad('exp.vjp0', 'inputs [g, y = exp(x)]: out = g × y.', 1, (g, y, out, from, to) => {
  for (let i = from; i < to; i++) out[i] = g[i] * y[i];
});

unary(
  'log',
  'out = log32(x).',
  1,
  (x, out, from, to) => {
    if (useWasm(from, to) && wasmUnaryRange('log', x, out, from, to)) return;
    for (let i = from; i < to; i++) out[i] = log32(x[i]);
  },
  'log.vjp0',
  false,
  true,
);
unaryGrad('log.vjp0', 'inputs [g, x]: out = g ÷ x.', 1, (g, x, out, from, to) => {
  for (let i = from; i < to; i++) out[i] = g[i] / x[i];
});

defineOp({
  name: 'neg',
  arity: 1,
  shape: same,
  compute: ([x]) => {
    const out = outputBuffer(x.data.length);
    for (let i = 0; i < out.length; i++) out[i] = -x.data[i];
    return out;
  },
  flops: (s) => numel(s[0]),
  spec: 'out = −x (sign flip, exact).',
  vjp: ({ grad }) => [apply('neg', [grad])],
});

defineOp({
  name: 'ones_like',
  arity: 1,
  shape: same,
  compute: ([x]) => new Float32Array(x.data.length).fill(1),
  flops: () => 0,
  spec: 'out = 1 with the shape of x (the backward seed dL/dL).',
});

defineOp({
  name: 'zeros_like',
  arity: 1,
  shape: same,
  compute: ([x]) => outputBuffer(x.data.length),
  flops: () => 0,
  spec: 'out = +0 with the shape of x (gradient of a parameter the loss does not depend on).',
});
