/**
 * add / sub / mul / div with NumPy broadcasting, and their VJPs. Each output element is one binary32
 * operation on the broadcast operands. Gradients of broadcast operands are summed back to the operand's
 * shape with `sumTo` (the lane order of reduce.ts over the broadcast axes, row-major).
 */

import { outputBuffer, overwrittenBuffer, releaseTemporary } from '../buffers.ts';
import { MIN_WASM_ELEMENTS, wasmBinaryRows, wasmBroadcastBinary } from '../kernels/binary-wasm.ts';
import { MIN_NATIVE_ELEMENTS, nativeBinary } from '../kernels/native-elementwise.ts';
import { reduceSumData } from '../reduce.ts';
import { apply } from '../tape.ts';
import type { Shape } from '../tensor.ts';
import { RepOpsError } from '../tensor.ts';
import { broadcastShapes, broadcastStrides, shapeAttr, shapesEqual } from '../util.ts';
import { defineOp, mismatch, numel } from './define.ts';

export const K = { Add: 0, Sub: 1, Mul: 2, Div: 3 } as const;
export type BinaryKind = (typeof K)[keyof typeof K];

function row(
  kind: BinaryKind,
  a: Float32Array,
  ia: number,
  sa: number,
  b: Float32Array,
  ib: number,
  sb: number,
  out: Float32Array,
  io: number,
  n: number,
): void {
  switch (kind) {
    case K.Add:
      for (let i = 0; i < n; i++, ia += sa, ib += sb) out[io + i] = a[ia] + b[ib];
      break;
    case K.Sub:
      for (let i = 0; i < n; i++, ia += sa, ib += sb) out[io + i] = a[ia] - b[ib];
      break;
    case K.Mul:
      for (let i = 0; i < n; i++, ia += sa, ib += sb) out[io + i] = a[ia] * b[ib];
      break;
    case K.Div:
      for (let i = 0; i < n; i++, ia += sa, ib += sb) out[io + i] = a[ia] / b[ib];
      break;
    default:
      throw new Error('unreachable');
  }
}

/**
 * out = a ⊙ b with broadcasting. Storing the double result of one + − × ÷ of two binary32 values into a
 * Float32Array rounds it exactly as binary32 arithmetic would (no double-rounding issue for these ops).
 */
export function broadcastBinary(
  kind: BinaryKind,
  a: Float32Array,
  aShape: Shape,
  b: Float32Array,
  bShape: Shape,
  outShape: Shape,
): Float32Array {
  const n = numel(outShape);
  const native = n >= MIN_NATIVE_ELEMENTS && outShape.length > 0 ? nativeBinary() : null;
  if (native) {
    const out = overwrittenBuffer(n);
    native(kind, a, b, out, outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape));
    return out;
  }
  if (n >= MIN_WASM_ELEMENTS) {
    const w = wasmBinary(kind, a, aShape, b, bShape, outShape, n);
    if (w) return w;
  }
  return broadcastBinarySpec(kind, a, aShape, b, bShape, outShape);
}

/** The same walk on the WebAssembly kernels (kernels/binary-wasm.ts), or null where they cannot run. */
function wasmBinary(
  kind: BinaryKind,
  a: Float32Array,
  aShape: Shape,
  b: Float32Array,
  bShape: Shape,
  outShape: Shape,
  n: number,
): Float32Array | null {
  if (shapesEqual(aShape, bShape)) return wasmBinaryRows(kind, a, 0, 1, b, 0, 1, 1, n);
  if (a.length === n && b.length === 1) return wasmBinaryRows(kind, a, 0, 1, b, 0, 0, 1, n);
  if (b.length === n && a.length === 1) return wasmBinaryRows(kind, a, 0, 0, b, 0, 1, 1, n);
  const last = outShape[outShape.length - 1];
  if (last < 16) return null;
  return wasmBroadcastBinary(
    kind,
    a,
    broadcastStrides(aShape, outShape),
    b,
    broadcastStrides(bShape, outShape),
    outShape,
    n,
  );
}

/** The JavaScript specification of broadcastBinary. */
export function broadcastBinarySpec(
  kind: BinaryKind,
  a: Float32Array,
  aShape: Shape,
  b: Float32Array,
  bShape: Shape,
  outShape: Shape,
): Float32Array {
  const n = numel(outShape);
  const out = outputBuffer(n);
  if (n === 0) return out;
  if (shapesEqual(aShape, bShape)) {
    row(kind, a, 0, 1, b, 0, 1, out, 0, n);
    return out;
  }
  const r = outShape.length;
  const last = outShape[r - 1];
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const outer = outShape.slice(0, r - 1);
  const idx = new Array<number>(outer.length).fill(0);
  const outerCount = n / last;
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < outerCount; o++) {
    row(kind, a, ia, sa[r - 1], b, ib, sb[r - 1], out, o * last, last);
    for (let k = outer.length - 1; k >= 0; k--) {
      idx[k]++;
      ia += sa[k];
      ib += sb[k];
      if (idx[k] < outer[k]) break;
      ia -= sa[k] * outer[k];
      ib -= sb[k] * outer[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Sums `x` (shape `from`) down to broadcast-compatible shape `to`. */
export function sumToData(op: string, x: Float32Array, from: Shape, to: Shape): Float32Array {
  if (shapesEqual(from, to)) return x.slice();
  const r = from.length;
  if (to.length > r) throw mismatch(op, [from, to], 'cannot sum to a higher-rank shape');
  const axes: number[] = [];
  for (let i = 0; i < r; i++) {
    const j = i - (r - to.length);
    const t = j < 0 ? 1 : to[j];
    if (t === from[i]) {
      if (j < 0) axes.push(i);
      continue;
    }
    if (t !== 1) throw mismatch(op, [from, to], 'target is not a broadcast source of the gradient shape');
    axes.push(i);
  }
  return reduceSumData(x, from, axes);
}

/**
 * sumToData of a temporary the op just made: when nothing is summed the temporary itself is the output;
 * otherwise it goes back to the buffer pool once summed.
 */
function sumTemp(op: string, t: Float32Array, from: Shape, to: Shape): Float32Array {
  if (shapesEqual(from, to)) return t;
  const out = sumToData(op, t, from, to);
  releaseTemporary(t);
  return out;
}

function binaryShape(name: string) {
  return (s: readonly Shape[]): Shape => broadcastShapes(name, s[0], s[1]);
}

const ewFlops = (s: readonly Shape[]) => numel(broadcastShapes('flops', s[0], s[1]));

function gradShape(op: string, outShape: readonly Shape[], attrs: Record<string, unknown>): Shape {
  const target = shapeAttr(op, attrs as never, 'shape');
  // Validates the target broadcasts to the gradient's shape.
  const b = broadcastShapes(op, target, outShape[0]);
  if (!shapesEqual(b, outShape[0]))
    throw mismatch(op, [outShape[0], target], 'target does not broadcast to the gradient');
  return target;
}

const sumToSpec = (x: string) =>
  `out = lane-order sum of ${x} over the axes along which the operand was broadcast (leading missing axes and ` +
  'size-1 axes of attr shape), terms in row-major order over those axes; a copy when no axis is broadcast.';
const SUM_TO_SPEC = sumToSpec('g');

for (const [name, kind, sym] of [
  ['add', K.Add, '+'],
  ['sub', K.Sub, '−'],
  ['mul', K.Mul, '×'],
  ['div', K.Div, '÷'],
] as const) {
  defineOp({
    name,
    arity: 2,
    shape: binaryShape(name),
    compute: ([a, b], _attrs, outShape) => broadcastBinary(kind, a.data, a.shape, b.data, b.shape, outShape),
    flops: ewFlops,
    spec: `out[i] = a[i'] ${sym} b[i''] (NumPy broadcasting), one binary32 operation per element.`,
    vjp: ({ inputs: [a, b], grad, needs }) => {
      const sa = { shape: [...a.out.shape] };
      const sb = { shape: [...b.out.shape] };
      switch (kind) {
        case K.Add:
          return [
            needs[0] ? apply('add.vjp0', [grad], sa) : null,
            needs[1] ? apply('add.vjp1', [grad], sb) : null,
          ];
        case K.Sub:
          return [
            needs[0] ? apply('sub.vjp0', [grad], sa) : null,
            needs[1] ? apply('sub.vjp1', [grad], sb) : null,
          ];
        case K.Mul:
          return [
            needs[0] ? apply('mul.vjp0', [grad, b], sa) : null,
            needs[1] ? apply('mul.vjp1', [grad, a], sb) : null,
          ];
        default:
          return [
            needs[0] ? apply('div.vjp0', [grad, b], sa) : null,
            needs[1] ? apply('div.vjp1', [grad, a, b], sb) : null,
          ];
      }
    },
  });
}

// add/sub VJPs: the gradient summed back to each operand's shape (sub.vjp1 negated after the sum).
for (const name of ['add.vjp0', 'add.vjp1', 'sub.vjp0', 'sub.vjp1']) {
  const negate = name === 'sub.vjp1';
  defineOp({
    name,
    arity: 1,
    shape: (s, attrs) => gradShape(name, s, attrs),
    compute: ([g], _attrs, outShape) => {
      // Nothing to sum: the gradient itself is the output (tensors are immutable), unless it is negated.
      if (!negate && shapesEqual(g.shape, outShape)) return g.data;
      const r = sumToData(name, g.data, g.shape, outShape);
      if (negate) for (let i = 0; i < r.length; i++) r[i] = -r[i];
      return r;
    },
    flops: (s) => numel(s[0]),
    spec: negate ? `${SUM_TO_SPEC} Then negated (exact).` : SUM_TO_SPEC,
  });
}

// mul VJPs: sumTo(g × other).
for (const name of ['mul.vjp0', 'mul.vjp1']) {
  defineOp({
    name,
    arity: 2,
    shape: (s, attrs) => {
      const outShape = broadcastShapes(name, s[0], s[1]);
      if (!shapesEqual(outShape, s[0]))
        throw mismatch(name, s, 'other operand must broadcast to the gradient');
      return gradShape(name, s, attrs);
    },
    compute: ([g, other], _attrs, outShape) =>
      sumTemp(
        name,
        broadcastBinary(K.Mul, g.data, g.shape, other.data, other.shape, g.shape),
        g.shape,
        outShape,
      ),
    flops: (s) => 2 * numel(s[0]),
    spec: `inputs [g, other]: t[i] = g[i] × other[i'] (broadcast); ${sumToSpec('t')}`,
  });
}

defineOp({
  name: 'div.vjp0',
  arity: 2,
  shape: (s, attrs) => gradShape('div.vjp0', s, attrs),
  compute: ([g, b], _attrs, outShape) =>
    sumTemp('div.vjp0', broadcastBinary(K.Div, g.data, g.shape, b.data, b.shape, g.shape), g.shape, outShape),
  flops: (s) => 2 * numel(s[0]),
  spec: `inputs [g, b]: t[i] = g[i] ÷ b[i'] (broadcast); ${sumToSpec('t')}`,
});

defineOp({
  name: 'div.vjp1',
  arity: 3,
  shape: (s, attrs) => gradShape('div.vjp1', s, attrs),
  compute: ([g, a, b], _attrs, outShape) => {
    const n = numel(g.shape);
    const ab = broadcastShapes('div.vjp1', a.shape, b.shape);
    if (!shapesEqual(broadcastShapes('div.vjp1', ab, g.shape), g.shape)) {
      throw new RepOpsError('div.vjp1', 'operands must broadcast to the gradient shape');
    }
    const ga = broadcastBinary(K.Mul, g.data, g.shape, a.data, a.shape, g.shape);
    const bb = broadcastBinary(K.Mul, b.data, b.shape, b.data, b.shape, b.shape);
    const q = broadcastBinary(K.Div, ga, g.shape, bb, b.shape, g.shape);
    for (let i = 0; i < n; i++) q[i] = -q[i];
    return sumTemp('div.vjp1', q, g.shape, outShape);
  },
  flops: (s) => 3 * numel(s[0]),
  spec: `inputs [g, a, b]: t[i] = −((g[i] × a[i']) ÷ (b[i''] × b[i''])) (broadcast); ${sumToSpec('t')}`,
});
