/**
 * The one summation order of RepOps (SPEC.md "Reductions"). A sum of terms t_0 … t_{n-1} keeps
 * LANES = 4 binary32 accumulators that start at +0; term i is added to accumulator i mod 4 in increasing
 * i; the result is (acc0 + acc1) + (acc2 + acc3). This is the order a 4-wide SIMD loop produces naturally,
 * so a WebAssembly-SIMD or GPU kernel can follow it exactly. Every RepOps sum, mean, norm, softmax
 * denominator and non-matmul dot product uses it (the matmul kernel's order is in spec/).
 */
import { MIN_WASM_ELEMENTS, wasmSumMiddle, wasmSumRows } from './kernels/binary-wasm.ts';
import { nativeSlot } from './kernels/wasm-runtime.ts';
import { fround } from './util.ts';

/**
 * Column sums db[j] = Σ_i g[i,j] of g [m, n] in this module's lane order (term i into accumulator i mod 4,
 * then (acc0 + acc1) + (acc2 + acc3)), natively (native/matmul.c `columnSums`): rows streamed into 4·n
 * accumulators, vectorised across columns, reading g in place — the sums over rows of linear.vjp2,
 * layer_norm.vjp1/vjp2 and broadcast gradients (reduceSumData's one-middle-axis case with one block).
 */
export type NativeColumnSums = (g: Float32Array, out: Float32Array, m: number, n: number) => void;
const columnSums = nativeSlot<NativeColumnSums>();
export const setNativeColumnSums = columnSums.set;

export const LANES = 4;

/** Lane-ordered sum of x[off], x[off + stride], … (n terms). */
export function laneSum(x: Float32Array, off: number, n: number, stride: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n4 = n - (n & 3);
  let p = off;
  let i = 0;
  if (stride === 1) {
    for (; i < n4; i += 4, p += 4) {
      s0 = fround(s0 + x[p]);
      s1 = fround(s1 + x[p + 1]);
      s2 = fround(s2 + x[p + 2]);
      s3 = fround(s3 + x[p + 3]);
    }
  } else {
    const st2 = 2 * stride;
    const st3 = 3 * stride;
    const st4 = 4 * stride;
    for (; i < n4; i += 4, p += st4) {
      s0 = fround(s0 + x[p]);
      s1 = fround(s1 + x[p + stride]);
      s2 = fround(s2 + x[p + st2]);
      s3 = fround(s3 + x[p + st3]);
    }
  }
  if (i < n) s0 = fround(s0 + x[p]);
  if (i + 1 < n) s1 = fround(s1 + x[p + stride]);
  if (i + 2 < n) s2 = fround(s2 + x[p + 2 * stride]);
  return fround(fround(s0 + s1) + fround(s2 + s3));
}

let scratch = new Float32Array(1024);

/** A reusable scratch buffer of at least n floats (ops gather terms into it, then laneSum them). */
export function scratchBuffer(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Sum of a contiguous tensor over `axes` (sorted, distinct). For each output element (row-major over the
 * kept axes) the terms are the input elements in row-major order over the reduced axes.
 */
export function reduceSumData(
  x: Float32Array,
  shape: readonly number[],
  axes: readonly number[],
): Float32Array {
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) reduced[a] = true;
  // Size-1 axes and runs of adjacent axes that are all reduced (or all kept) do not change which terms
  // meet in which order (row-major), so merge them: [B, T, C] over (0, 1) is [B·T, C] over 0.
  const mDims: number[] = [];
  const mRed: boolean[] = [];
  for (let i = 0; i < rank; i++) {
    if (shape[i] === 1) continue;
    if (shape[i] === 0) {
      mDims.length = 0;
      break;
    }
    if (mDims.length > 0 && mRed[mRed.length - 1] === reduced[i]) mDims[mDims.length - 1] *= shape[i];
    else {
      mDims.push(shape[i]);
      mRed.push(reduced[i]);
    }
  }
  if (mDims.length > 0 && mDims.length < rank) {
    const mAxes: number[] = [];
    for (let i = 0; i < mRed.length; i++) if (mRed[i]) mAxes.push(i);
    return reduceSumData(x, mDims, mAxes);
  }
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const keptDims: number[] = [];
  const keptStrides: number[] = [];
  const redDims: number[] = [];
  const redStrides: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (reduced[i]) {
      redDims.push(shape[i]);
      redStrides.push(strides[i]);
    } else {
      keptDims.push(shape[i]);
      keptStrides.push(strides[i]);
    }
  }
  let outSize = 1;
  for (const d of keptDims) outSize *= d;
  let n = 1;
  for (const d of redDims) n *= d;
  const out = new Float32Array(outSize);
  if (n === 0) return out;
  const kIdx = new Array<number>(keptDims.length).fill(0);
  // Fast path: one reduced axis that is not the last — stream rows with 4 lane rows of accumulators
  // (contiguous reads; exactly the same additions in the same order as laneSum per column).
  if (redDims.length === 1 && redStrides[0] > 1) {
    const s = redStrides[0];
    const outer = outSize / s;
    const native = outer === 1 ? columnSums.get() : null;
    if (native !== null) {
      native(x, out, n, s);
      return out;
    }
    if (outSize * n >= MIN_WASM_ELEMENTS) {
      const w = wasmSumMiddle(x, outer, n, s);
      if (w) return w;
    }
    const acc = scratchBuffer(4 * s);
    for (let o = 0; o < outer; o++) {
      acc.fill(0, 0, 4 * s);
      let p = o * n * s;
      for (let i = 0; i < n; i++, p += s) {
        const lane = (i & 3) * s;
        for (let j = 0; j < s; j++) acc[lane + j] += x[p + j];
      }
      const ob = o * s;
      for (let j = 0; j < s; j++)
        out[ob + j] = fround(acc[j] + acc[s + j]) + fround(acc[2 * s + j] + acc[3 * s + j]);
    }
    return out;
  }
  // One reduced axis, the last: a contiguous lane sum per output.
  if (redDims.length === 1) {
    if (outSize * n >= MIN_WASM_ELEMENTS && redStrides[0] === 1) {
      const w = wasmSumRows(x, outSize, n);
      if (w) return w;
    }
    let base = 0;
    for (let o = 0; o < outSize; o++) {
      out[o] = laneSum(x, base, n, redStrides[0]);
      base = advance(kIdx, keptDims, keptStrides, base);
    }
    return out;
  }
  const buf = scratchBuffer(n);
  const rIdx = new Array<number>(redDims.length).fill(0);
  let base = 0;
  for (let o = 0; o < outSize; o++) {
    let off = base;
    rIdx.fill(0);
    for (let i = 0; i < n; i++) {
      buf[i] = x[off];
      off = advance(rIdx, redDims, redStrides, off);
    }
    out[o] = laneSum(buf, 0, n, 1);
    base = advance(kIdx, keptDims, keptStrides, base);
  }
  return out;
}

/** Odometer step over `dims` (row-major); returns the new flat offset. */
export function advance(
  idx: number[],
  dims: readonly number[],
  strides: readonly number[],
  off: number,
): number {
  for (let k = dims.length - 1; k >= 0; k--) {
    idx[k]++;
    off += strides[k];
    if (idx[k] < dims[k]) return off;
    off -= strides[k] * dims[k];
    idx[k] = 0;
  }
  return off;
}
