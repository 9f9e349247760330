/**
 * Optimizer updates and gradient clipping as registered ops, so every parameter/state update of a
 * training step is a tape node the referee can recompute. Hyperparameters are attrs rounded to binary32.
 */
import { parsedPerAttrs } from '../attrs.ts';
import { outputBuffer, overwrittenBuffer } from '../buffers.ts';
import { MIN_WASM_ELEMENTS } from '../kernels/binary-wasm.ts';
import { MIN_NATIVE_ELEMENTS, nativeAdam } from '../kernels/native-elementwise.ts';
import { wasmAdamM, wasmAdamParam, wasmAdamV, wasmScale, wasmSumsq } from '../kernels/optim-wasm.ts';
import { laneSum, scratchBuffer } from '../reduce.ts';
import type { Attrs } from '../registry.ts';
import { RepOpsError, type Shape } from '../tensor.ts';
import { f32Attr, fround, intAttr, shapesEqual } from '../util.ts';
import { defineOp, mismatch, numel } from './define.ts';

function sameShapes(op: string, s: readonly Shape[]): Shape {
  for (const x of s) if (!shapesEqual(x, s[0])) throw mismatch(op, s, 'operands must have equal shapes');
  return s[0];
}

/** b^t in binary32 by right-to-left binary exponentiation (result and base rounded after each ×). */
export function powInt32(b: number, t: number): number {
  let result = 1;
  let base = fround(b);
  while (t > 0) {
    if (t & 1) result = fround(result * base);
    base = fround(base * base);
    t = Math.floor(t / 2);
  }
  return result;
}

/** An update on the native kernel (native/optim.c: `which` and h0…h5 there), or null where it is absent. */
function nativeUpdate(
  which: 0 | 1 | 2 | 3,
  x: Float32Array,
  g: Float32Array,
  y: Float32Array,
  ...h: [number, number, number, number, number, number]
): Float32Array | null {
  const native = x.length >= MIN_NATIVE_ELEMENTS ? nativeAdam() : null;
  if (!native) return null;
  const out = overwrittenBuffer(x.length);
  native(which, x, g, y, out, ...h);
  return out;
}

function hp(
  op: string,
  attrs: Attrs,
  name: string,
  dflt: number | undefined,
  lo: number,
  hi: number,
): number {
  const v = f32Attr(op, attrs, name, dflt);
  if (!(v >= lo && v <= hi)) throw new RepOpsError(op, `attr ${name} = ${v} out of range [${lo}, ${hi}]`);
  return v;
}

defineOp({
  name: 'sgd.param',
  arity: 2,
  shape: (s, attrs) => {
    f32Attr('sgd.param', attrs, 'lr');
    return sameShapes('sgd.param', s);
  },
  compute: ([p, g], attrs) => {
    const lr = f32Attr('sgd.param', attrs, 'lr');
    const out = outputBuffer(p.data.length);
    for (let i = 0; i < out.length; i++) out[i] = p.data[i] - fround(lr * g.data[i]);
    return out;
  },
  flops: ([s]) => 2 * numel(s),
  spec: 'inputs [p, g], attr lr: out = p − lr × g.',
});

defineOp({
  name: 'momentum.buf',
  arity: 2,
  shape: (s, attrs) => {
    hp('momentum.buf', attrs, 'momentum', undefined, 0, 1);
    return sameShapes('momentum.buf', s);
  },
  compute: ([buf, g], attrs) => {
    const mu = hp('momentum.buf', attrs, 'momentum', undefined, 0, 1);
    const out = outputBuffer(buf.data.length);
    for (let i = 0; i < out.length; i++) out[i] = fround(mu * buf.data[i]) + g.data[i];
    return out;
  },
  flops: ([s]) => 2 * numel(s),
  spec: 'inputs [buf, g], attr momentum: out = momentum × buf + g (PyTorch convention, no dampening).',
});

defineOp({
  name: 'momentum.param',
  arity: 2,
  shape: (s, attrs) => {
    f32Attr('momentum.param', attrs, 'lr');
    return sameShapes('momentum.param', s);
  },
  compute: ([p, buf], attrs) => {
    const lr = f32Attr('momentum.param', attrs, 'lr');
    const out = outputBuffer(p.data.length);
    for (let i = 0; i < out.length; i++) out[i] = p.data[i] - fround(lr * buf.data[i]);
    return out;
  },
  flops: ([s]) => 2 * numel(s),
  spec: 'inputs [p, buf (the new buffer)], attr lr: out = p − lr × buf.',
});

defineOp({
  name: 'adam.m',
  arity: 2,
  shape: (s, attrs) => {
    hp('adam.m', attrs, 'beta1', 0.9, 0, 1);
    return sameShapes('adam.m', s);
  },
  compute: ([m, g], attrs) => {
    const b1 = hp('adam.m', attrs, 'beta1', 0.9, 0, 1);
    const c = fround(1 - b1);
    const n = nativeUpdate(0, m.data, g.data, m.data, b1, c, 0, 0, 0, 0);
    if (n) return n;
    if (m.data.length >= MIN_WASM_ELEMENTS) {
      const w = wasmAdamM(m.data, g.data, b1, c);
      if (w) return w;
    }
    const out = outputBuffer(m.data.length);
    for (let i = 0; i < out.length; i++) out[i] = fround(b1 * m.data[i]) + fround(c * g.data[i]);
    return out;
  },
  flops: ([s]) => 3 * numel(s),
  spec: 'inputs [m, g], attr beta1 (0.9): out = beta1 × m + (1 − beta1) × g.',
});

defineOp({
  name: 'adam.v',
  arity: 2,
  shape: (s, attrs) => {
    hp('adam.v', attrs, 'beta2', 0.999, 0, 1);
    return sameShapes('adam.v', s);
  },
  compute: ([v, g], attrs) => {
    const b2 = hp('adam.v', attrs, 'beta2', 0.999, 0, 1);
    const c = fround(1 - b2);
    const n = nativeUpdate(1, v.data, g.data, v.data, b2, c, 0, 0, 0, 0);
    if (n) return n;
    if (v.data.length >= MIN_WASM_ELEMENTS) {
      const w = wasmAdamV(v.data, g.data, b2, c);
      if (w) return w;
    }
    const out = outputBuffer(v.data.length);
    for (let i = 0; i < out.length; i++) {
      const gi = g.data[i];
      out[i] = fround(b2 * v.data[i]) + fround(c * fround(gi * gi));
    }
    return out;
  },
  flops: ([s]) => 4 * numel(s),
  spec: 'inputs [v, g], attr beta2 (0.999): out = beta2 × v + (1 − beta2) × (g × g).',
});

/** Adam's attrs and bias corrections, read once per attrs object adamStep shares between parameters. */
const adamAttrs = parsedPerAttrs((attrs: Attrs) => {
  const op = 'adam.param';
  const lr = f32Attr(op, attrs, 'lr');
  const b1 = hp(op, attrs, 'beta1', 0.9, 0, 1);
  const b2 = hp(op, attrs, 'beta2', 0.999, 0, 1);
  const eps = f32Attr(op, attrs, 'eps', 1e-8);
  const wd = f32Attr(op, attrs, 'weightDecay', 0);
  const t = intAttr(op, attrs, 'step', undefined, 1);
  return { lr, eps, wd, bc1: fround(1 - powInt32(b1, t)), bc2: fround(1 - powInt32(b2, t)) };
});

defineOp({
  name: 'adam.param',
  arity: 3,
  shape: (s, attrs) => {
    adamAttrs(attrs);
    return sameShapes('adam.param', s);
  },
  compute: ([p, m, v], attrs) => {
    const { lr, eps, wd, bc1, bc2 } = adamAttrs(attrs);
    const lrwd = fround(lr * wd);
    const n = nativeUpdate(2, p.data, m.data, v.data, lr, eps, lrwd, wd !== 0 ? 1 : 0, bc1, bc2);
    if (n) return n;
    if (p.data.length >= MIN_WASM_ELEMENTS) {
      const w = wasmAdamParam(p.data, m.data, v.data, { lr, eps, lrwd, wd, bc1, bc2 });
      if (w) return w;
    }
    const out = outputBuffer(p.data.length);
    for (let i = 0; i < out.length; i++) {
      const mh = fround(m.data[i] / bc1);
      const vh = fround(v.data[i] / bc2);
      const u = fround(mh / fround(fround(Math.sqrt(vh)) + eps));
      const pi = wd !== 0 ? fround(p.data[i] - fround(lrwd * p.data[i])) : p.data[i];
      out[i] = pi - fround(lr * u);
    }
    return out;
  },
  flops: ([s]) => 9 * numel(s),
  spec:
    'inputs [p, m (new), v (new)], attrs lr, beta1 (0.9), beta2 (0.999), eps (1e-8), step t ≥ 1, weightDecay (0): ' +
    'bc1 = 1 − pow(beta1, t), bc2 = 1 − pow(beta2, t) (pow: binary32 right-to-left square-and-multiply); ' +
    'u = (m ÷ bc1) ÷ (sqrt(v ÷ bc2) + eps); p1 = weightDecay ≠ 0 ? p − (lr × weightDecay) × p : p (AdamW, decoupled); ' +
    'out = p1 − lr × u.',
});

defineOp({
  name: 'sumsq',
  arity: 1,
  shape: () => [],
  compute: ([g]) => {
    const n = g.data.length;
    if (n >= MIN_WASM_ELEMENTS) {
      const w = wasmSumsq(g.data);
      if (w !== null) return Float32Array.of(w);
    }
    const buf = scratchBuffer(n);
    for (let i = 0; i < n; i++) buf[i] = g.data[i] * g.data[i];
    return Float32Array.of(laneSum(buf, 0, n, 1));
  },
  flops: ([s]) => 2 * numel(s),
  spec: 'out (shape []) = lane sum over all elements (row-major) of g[i] × g[i]. Global norm² = add chain of these in parameter order.',
});

defineOp({
  name: 'clip.scale',
  arity: 1,
  shape: (s, attrs) => {
    if (numel(s[0]) !== 1) throw mismatch('clip.scale', s, 'input must be the scalar squared global norm');
    hp('clip.scale', attrs, 'maxNorm', undefined, 0, Number.MAX_VALUE);
    return [];
  },
  compute: ([total], attrs) => {
    const maxNorm = hp('clip.scale', attrs, 'maxNorm', undefined, 0, Number.MAX_VALUE);
    const norm = fround(Math.sqrt(total.data[0]));
    return Float32Array.of(norm > maxNorm ? fround(maxNorm / fround(norm + fround(1e-6))) : 1);
  },
  flops: () => 3,
  spec: 'inputs [total = squared global norm], attr maxNorm: norm = sqrt(total); out = norm > maxNorm ? maxNorm ÷ (norm + f32(1e-6)) : 1.',
});

defineOp({
  name: 'clip.apply',
  arity: 2,
  shape: (s) => {
    if (numel(s[1]) !== 1) throw mismatch('clip.apply', s, 'scale must be a scalar');
    return s[0];
  },
  compute: ([g, scale]) => {
    const c = scale.data[0];
    const n = nativeUpdate(3, g.data, g.data, g.data, c, 0, 0, 0, 0, 0);
    if (n) return n;
    if (g.data.length >= MIN_WASM_ELEMENTS) {
      const w = wasmScale(g.data, c);
      if (w) return w;
    }
    const out = outputBuffer(g.data.length);
    for (let i = 0; i < out.length; i++) out[i] = g.data[i] * c;
    return out;
  },
  flops: ([s]) => numel(s),
  spec: 'inputs [g, scale]: out = g × scale.',
});
