/**
 * Data-movement ops (exact: no arithmetic): reshape, transpose, slice, concat, broadcast_to, and the
 * gradient helpers slice.vjp0 (zero padding). Their VJPs are the inverse movements.
 */
import { outputBuffer, overwrittenBuffer } from '../buffers.ts';
import { NATIVE_MAX_RANK, nativeTranspose } from '../kernels/layout.ts';
import { wasmTransposeBatch } from '../kernels/layout-wasm.ts';
import { apply } from '../tape.ts';
import { RepOpsError, type Shape } from '../tensor.ts';
import {
  broadcastShapes,
  broadcastStrides,
  fmtShape,
  intAttr,
  intListAttr,
  normAxis,
  shapeAttr,
  shapesEqual,
  stridesOf,
} from '../util.ts';
import { sumToData } from './binary.ts';
import { defineOp, mismatch, numel } from './define.ts';

/** Copies x (shape xShape) broadcast to outShape. */
export function broadcastToData(x: Float32Array, xShape: Shape, outShape: Shape): Float32Array {
  const n = numel(outShape);
  const out = overwrittenBuffer(n); // every element is written below
  if (n === 0) return out;
  if (shapesEqual(xShape, outShape)) {
    out.set(x);
    return out;
  }
  const st = broadcastStrides(xShape, outShape);
  const r = outShape.length;
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    out[i] = x[off];
    for (let k = r - 1; k >= 0; k--) {
      idx[k]++;
      off += st[k];
      if (idx[k] < outShape[k]) break;
      off -= st[k] * outShape[k];
      idx[k] = 0;
    }
  }
  return out;
}

defineOp({
  name: 'reshape',
  arity: 1,
  shape: ([s], attrs) => {
    const want = intListAttr('reshape', attrs, 'shape');
    const n = numel(s);
    let infer = -1;
    let known = 1;
    want.forEach((d, i) => {
      if (d === -1) {
        if (infer >= 0) throw new RepOpsError('reshape', `at most one -1 in target shape ${fmtShape(want)}`);
        infer = i;
      } else if (d < 0) throw new RepOpsError('reshape', `invalid target shape ${fmtShape(want)}`);
      else known *= d;
    });
    const out = [...want];
    if (infer >= 0) {
      if (known === 0 || n % known !== 0)
        throw mismatch('reshape', [s, want], 'cannot infer the -1 dimension');
      out[infer] = n / known;
    }
    if (numel(out) !== n) throw mismatch('reshape', [s, want], 'element counts differ');
    return out;
  },
  // Tensors are immutable (every writer — tamper hooks, fuzzers — copies first), so the output shares its
  // input's data: a reshape moves no bytes.
  compute: ([x]) => x.data,
  flops: () => 0,
  spec: 'Same values in row-major order, new shape (one -1 may be inferred).',
  vjp: ({ inputs: [x], grad }) => [apply('reshape', [grad], { shape: [...x.out.shape] })],
});

function permAttr(op: string, attrs: Record<string, unknown>, rank: number): number[] {
  const perm =
    attrs.perm === undefined ? [...Array(rank).keys()].reverse() : intListAttr(op, attrs as never, 'perm');
  const seen = new Set(perm);
  let inRange = true;
  for (const p of perm) if (p < 0 || p >= rank) inRange = false;
  if (perm.length !== rank || seen.size !== rank || !inRange) {
    throw new RepOpsError(op, `perm ${JSON.stringify(perm)} is not a permutation of 0..${rank - 1}`);
  }
  return perm;
}

/** { a, b } when perm = [0…a−1, b…r−1, a…b−1] with a < b < r (a swap of two trailing axis groups), else null. */
function groupSwap(perm: readonly number[]): { a: number; b: number } | null {
  const r = perm.length;
  let a = 0;
  while (a < r && perm[a] === a) a++;
  if (a >= r - 1) return null;
  const b = perm[a];
  for (let i = a; i < r; i++) {
    const want = i < a + (r - b) ? b + (i - a) : a + (i - a - (r - b));
    if (perm[i] !== want) return null;
  }
  return { a, b };
}

/**
 * x permuted by perm, into `into` when given (a caller's scratch: x.length values, not overlapping x),
 * else into a pooled output buffer.
 */
export function transposeData(
  x: Float32Array,
  shape: Shape,
  perm: readonly number[],
  into?: Float32Array,
): Float32Array {
  const r = shape.length;
  const n = x.length;
  // A permutation writes every element (no zero fill); the WASM path brings its own output.
  if (n === 0 || r === 0) {
    const out = into ?? overwrittenBuffer(n);
    out.set(x);
    return out;
  }
  // The native permute (rank ≤ 8, blocked, vector moves) where a platform adapter installed one.
  const nat = nativeTranspose();
  if (nat !== null && r <= NATIVE_MAX_RANK) {
    const out = into ?? overwrittenBuffer(n);
    nat(x, out, shape, perm);
    return out;
  }
  // Two adjacent groups of trailing axes swapped, leading ones kept — perm = [0…a−1, b…r−1, a…b−1], e.g.
  // the last two axes, or attention's [B,T,H,d] → [B,H,d,T]: a batch of 2-D transposes [rows, cols] with
  // rows = ∏ shape[a…b−1], cols = ∏ shape[b…r−1], on the WASM kernel.
  const g = n >= 256 ? groupSwap(perm) : null;
  if (g) {
    const rows = shape.slice(g.a, g.b).reduce((p, d) => p * d, 1);
    const cols = shape.slice(g.b).reduce((p, d) => p * d, 1);
    const w = wasmTransposeBatch(x, n / (rows * cols), rows, cols, into);
    if (w) return w;
  }
  const out = into ?? overwrittenBuffer(n);
  if (r === 2 && perm[0] === 1) {
    // Tiles of 32×32 keep both the rows read and the rows written in cache.
    const [rows, cols] = shape;
    for (let i0 = 0; i0 < rows; i0 += 32) {
      const i1 = Math.min(i0 + 32, rows);
      for (let j0 = 0; j0 < cols; j0 += 32) {
        const j1 = Math.min(j0 + 32, cols);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = x[i * cols + j];
      }
    }
    return out;
  }
  const xs = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const st = perm.map((p) => xs[p]);
  // Odometer over the outer output axes; the last output axis is one strided run (a plain copy when it
  // is the input's last axis too).
  const last = outShape[r - 1];
  const sl = st[r - 1];
  const idx = new Array<number>(r - 1).fill(0);
  let off = 0;
  for (let o = 0; o < n; o += last) {
    if (sl === 1) out.set(x.subarray(off, off + last), o);
    else for (let j = 0, q = off; j < last; j++, q += sl) out[o + j] = x[q];
    for (let k = r - 2; k >= 0; k--) {
      idx[k]++;
      off += st[k];
      if (idx[k] < outShape[k]) break;
      off -= st[k] * outShape[k];
      idx[k] = 0;
    }
  }
  return out;
}

defineOp({
  name: 'transpose',
  arity: 1,
  shape: ([s], attrs) => {
    const perm = permAttr('transpose', attrs, s.length);
    const out = new Array<number>(perm.length);
    for (let k = 0; k < perm.length; k++) out[k] = s[perm[k]];
    return out;
  },
  compute: ([x], attrs) => transposeData(x.data, x.shape, permAttr('transpose', attrs, x.shape.length)),
  flops: () => 0,
  spec: 'out[i_0..i_{r-1}] = x[j] with j[perm[k]] = i_k (default perm reverses the axes).',
  vjp: ({ inputs: [x], grad, attrs }) => {
    const perm = permAttr('transpose', attrs, x.out.shape.length);
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    return [apply('transpose', [grad], { perm: inv })];
  },
});

function sliceBounds(
  op: string,
  s: Shape,
  attrs: Record<string, unknown>,
): { starts: number[]; ends: number[] } {
  const starts = intListAttr(op, attrs as never, 'starts');
  const ends = intListAttr(op, attrs as never, 'ends');
  if (starts.length !== s.length || ends.length !== s.length) {
    throw new RepOpsError(op, `starts/ends need ${s.length} entries for shape ${fmtShape(s)}`);
  }
  for (let i = 0; i < s.length; i++) {
    if (starts[i] < 0 || ends[i] > s[i] || starts[i] > ends[i]) {
      throw new RepOpsError(
        op,
        `axis ${i}: range [${starts[i]}, ${ends[i]}) out of bounds for shape ${fmtShape(s)}`,
      );
    }
  }
  return { starts, ends };
}

/** Copies the box [starts, ends) of x into out (or, with `scatter`, the reverse: x into the box of out). */
function boxCopy(
  src: Float32Array,
  srcShape: Shape,
  dst: Float32Array,
  dstShape: Shape,
  starts: readonly number[],
  boxShape: Shape,
  scatter: boolean,
): void {
  const big = scatter ? dstShape : srcShape;
  const bs = stridesOf(big);
  const r = boxShape.length;
  const n = numel(boxShape);
  if (n === 0) return;
  let base = 0;
  for (let k = 0; k < r; k++) base += starts[k] * bs[k];
  const inner = r === 0 ? 1 : boxShape[r - 1];
  const outer = n / inner;
  const idx = new Array<number>(Math.max(r - 1, 0)).fill(0);
  let off = base;
  let small = 0;
  for (let o = 0; o < outer; o++) {
    if (scatter) dst.set(src.subarray(small, small + inner), off);
    else dst.set(src.subarray(off, off + inner), small);
    small += inner;
    for (let k = r - 2; k >= 0; k--) {
      idx[k]++;
      off += bs[k];
      if (idx[k] < boxShape[k]) break;
      off -= bs[k] * boxShape[k];
      idx[k] = 0;
    }
  }
}

defineOp({
  name: 'slice',
  arity: 1,
  shape: ([s], attrs) => {
    const { starts, ends } = sliceBounds('slice', s, attrs);
    return starts.map((st, i) => ends[i] - st);
  },
  compute: ([x], attrs, outShape) => {
    const { starts } = sliceBounds('slice', x.shape, attrs);
    const out = overwrittenBuffer(numel(outShape)); // the box is the whole output
    boxCopy(x.data, x.shape, out, outShape, starts, outShape, false);
    return out;
  },
  flops: () => 0,
  spec: 'out = x[starts[0]:ends[0], …] (step 1, bounds checked, no negative indices).',
  vjp: ({ inputs: [x], grad, attrs }) => [
    apply('slice.vjp0', [grad], { shape: [...x.out.shape], starts: [...(attrs.starts as number[])] }),
  ],
});

defineOp({
  name: 'slice.vjp0',
  arity: 1,
  shape: ([g], attrs) => {
    const shape = shapeAttr('slice.vjp0', attrs, 'shape');
    const starts = intListAttr('slice.vjp0', attrs, 'starts');
    if (
      starts.length !== shape.length ||
      g.length !== shape.length ||
      g.some((d, i) => starts[i] < 0 || starts[i] + d > shape[i])
    ) {
      throw mismatch('slice.vjp0', [g, shape], `gradient box at starts ${fmtShape(starts)} does not fit`);
    }
    return shape;
  },
  compute: ([g], attrs, outShape) => {
    const out = outputBuffer(numel(outShape));
    boxCopy(g.data, g.shape, out, outShape, intListAttr('slice.vjp0', attrs, 'starts'), g.shape, true);
    return out;
  },
  flops: () => 0,
  spec: 'out = +0 of attr shape with the gradient copied into the box at attr starts.',
});

defineOp({
  name: 'concat',
  arity: -1,
  shape: (shapes, attrs) => {
    if (shapes.length === 0) throw new RepOpsError('concat', 'needs at least one input');
    const r = shapes[0].length;
    const axis = normAxis('concat', intAttr('concat', attrs, 'axis', 0), r, shapes[0]);
    const out = [...shapes[0]];
    for (let i = 1; i < shapes.length; i++) {
      const s = shapes[i];
      if (s.length !== r || s.some((d, k) => k !== axis && d !== shapes[0][k])) {
        throw mismatch('concat', shapes, `inputs differ outside axis ${axis}`);
      }
      out[axis] += s[axis];
    }
    return out;
  },
  compute: (inputs, attrs, outShape) => {
    const axis = normAxis('concat', intAttr('concat', attrs, 'axis', 0), outShape.length);
    const out = overwrittenBuffer(numel(outShape)); // the inputs tile the whole output along axis
    const starts = new Array<number>(outShape.length).fill(0);
    for (const t of inputs) {
      boxCopy(t.data, t.shape, out, outShape, starts, t.shape, true);
      starts[axis] += t.shape[axis];
    }
    return out;
  },
  flops: () => 0,
  spec: 'Inputs joined along attr axis in input order.',
  vjp: ({ inputs, grad, attrs, needs }) => {
    const r = grad.out.shape.length;
    const axis = normAxis('concat', intAttr('concat', attrs, 'axis', 0), r);
    let at = 0;
    return inputs.map((x, k) => {
      const starts = new Array<number>(r).fill(0);
      const ends = [...grad.out.shape];
      starts[axis] = at;
      ends[axis] = at + x.out.shape[axis];
      at = ends[axis];
      return needs[k] ? apply('slice', [grad], { starts, ends }) : null;
    });
  },
});

defineOp({
  name: 'broadcast_to',
  arity: 1,
  shape: ([s], attrs) => {
    const target = shapeAttr('broadcast_to', attrs, 'shape');
    if (!shapesEqual(broadcastShapes('broadcast_to', s, target), target)) {
      throw mismatch('broadcast_to', [s, target], 'input does not broadcast to the target');
    }
    return target;
  },
  compute: ([x], _attrs, outShape) => broadcastToData(x.data, x.shape, outShape),
  flops: () => 0,
  spec: 'NumPy broadcast copy to attr shape.',
  vjp: ({ inputs: [x], grad }) => [apply('sum_to', [grad], { shape: [...x.out.shape] })],
});

defineOp({
  name: 'sum_to',
  arity: 1,
  shape: ([s], attrs) => {
    const target = shapeAttr('sum_to', attrs, 'shape');
    if (!shapesEqual(broadcastShapes('sum_to', s, target), s))
      throw mismatch('sum_to', [s, target], 'target does not broadcast to the input');
    return target;
  },
  compute: ([x], _attrs, outShape) => sumToData('sum_to', x.data, x.shape, outShape),
  flops: (s) => numel(s[0]),
  spec: 'Sum over the axes along which attr shape broadcasts to the input (lane order, row-major over those axes).',
  vjp: ({ inputs: [x], grad }) => [apply('broadcast_to', [grad], { shape: [...x.out.shape] })],
});
