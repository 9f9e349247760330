/**
 * WebAssembly-SIMD versions of the broadcast binary ops and the lane-order sums (kernels/as/binary.ts).
 * Each function returns null when kernels cannot run; the caller then runs its JavaScript specification
 * (ops/binary.ts, reduce.ts), which gives the same bits (test/repops/kernels-binary.property.test.ts).
 */
import { BINARY_WASM_BASE64 } from './binary-wasm-bytes.ts';
import { kernelModule, workspace } from './wasm-runtime.ts';

interface BinaryKernels {
  binRow(kind: number, pa: number, sa: number, pb: number, sb: number, po: number, n: number): void;
  binRows(
    kind: number,
    pa: number,
    ra: number,
    sa: number,
    pb: number,
    rb: number,
    sb: number,
    po: number,
    rows: number,
    n: number,
  ): void;
  negate(px: number, n: number): void;
  sumMiddle(px: number, po: number, pacc: number, outer: number, n: number, s: number): void;
  sumRows(px: number, po: number, rows: number, n: number): void;
}

/** Below this many elements the copy in/out costs more than the JavaScript loop saves. */
export const MIN_WASM_ELEMENTS = 256;

function kernels(): BinaryKernels | null {
  return kernelModule('binary', BINARY_WASM_BASE64) as unknown as BinaryKernels | null;
}

/**
 * out = a ⊙ b where the output is `rows` rows of `n`; row r reads a from float offset r·ra with inner
 * stride sa ∈ {0, 1}, b likewise. `negate` flips the sign of every output afterwards (exact).
 */
export function wasmBinaryRows(
  kind: number,
  a: Float32Array,
  ra: number,
  sa: number,
  b: Float32Array,
  rb: number,
  sb: number,
  rows: number,
  n: number,
): Float32Array | null {
  const k = kernels();
  const ws = k && workspace();
  if (!k || !ws) return null;
  const pa = ws.put(a);
  const pb = ws.put(b);
  const po = ws.alloc(rows * n);
  k.binRows(kind, pa, ra, sa, pb, rb, sb, po, rows, n);
  return ws.take(po, rows * n);
}

/**
 * The broadcast walk of ops/binary.ts broadcastBinary (rows of the last output axis, odometer over the
 * outer axes) with each row computed by the kernel; `sa`/`sb` are the operands' broadcast strides.
 */
export function wasmBroadcastBinary(
  kind: number,
  a: Float32Array,
  sa: readonly number[],
  b: Float32Array,
  sb: readonly number[],
  outShape: readonly number[],
  n: number,
): Float32Array | null {
  const k = kernels();
  const ws = k && workspace();
  if (!k || !ws) return null;
  const pa = ws.put(a);
  const pb = ws.put(b);
  const po = ws.alloc(n);
  const r = outShape.length;
  const last = outShape[r - 1];
  const isa = sa[r - 1];
  const isb = sb[r - 1];
  const rows = n / last;
  let ia = 0;
  let ib = 0;
  const idx = new Array<number>(r - 1).fill(0);
  for (let o = 0; o < rows; o++) {
    k.binRow(kind, pa + 4 * ia, isa, pb + 4 * ib, isb, po + 4 * o * last, last);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return ws.take(po, n);
}

/** The 4-lane-rows sum of x [outer, n, s] over its middle axis, or null (see reduce.ts). */
export function wasmSumMiddle(x: Float32Array, outer: number, n: number, s: number): Float32Array | null {
  const k = kernels();
  const ws = k && workspace();
  if (!k || !ws) return null;
  const px = ws.put(x);
  const po = ws.alloc(outer * s);
  const pacc = ws.alloc(4 * s);
  k.sumMiddle(px, po, pacc, outer, n, s);
  return ws.take(po, outer * s);
}

/** laneSum of each contiguous row of n in x (rows·n floats), or null. */
export function wasmSumRows(x: Float32Array, rows: number, n: number): Float32Array | null {
  const k = kernels();
  const ws = k && workspace();
  if (!k || !ws) return null;
  const px = ws.put(x.length === rows * n ? x : x.subarray(0, rows * n));
  const po = ws.alloc(rows);
  k.sumRows(px, po, rows, n);
  return ws.take(po, rows);
}
