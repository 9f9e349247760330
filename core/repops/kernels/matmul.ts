/**
 * The RepOps matmul kernel: C = A·B for row-major A[m,k], B[k,n] (binary32).
 *
 * Reduction order (spec/transcendentals.md "Matmul kernel"): for every (i, j),
 *   acc = +0; for p = 0 … k−1 ascending: acc = fround(acc + fround(A[i,p]·B[p,j])); C[i,j] = acc.
 * One binary32 rounding for each product and each addition, no fused multiply-add. Because every output
 * element is an independent sequential chain, any kernel may vectorise or register-block over i and j
 * (the WebAssembly-SIMD kernel does: f32x4.mul then f32x4.add across 4 adjacent j) and still produce
 * identical bits. Note: k = 0 gives +0 everywhere.
 */

import { outputBuffer, overwrittenBuffer } from '../buffers.ts';
import { defineRangeKernel, parallelRows } from '../parallel.ts';
import { reduceSumData } from '../reduce.ts';
import { RepOpsError } from '../tensor.ts';
import { matmulWasmInto, wasmSimdAvailable } from './matmul-wasm.ts';

const fround = Math.fround;

function overlaps(x: Float32Array, y: Float32Array): boolean {
  if (x.buffer !== y.buffer || x.length === 0 || y.length === 0) return false;
  return x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

/** The argument checks every matmul kernel makes (shapes, types, no aliasing of out with A or B). */
export function checkMatmulArgs(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): void {
  for (const [name, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new RepOpsError('matmulKernel', `${name} must be a non-negative integer, got ${v}`);
  }
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) {
    throw new RepOpsError('matmulKernel', 'A and B must be Float32Array');
  }
  if (a.length !== m * k)
    throw new RepOpsError('matmulKernel', `A has ${a.length} values, expected m·k = ${m}·${k}`);
  if (b.length !== k * n)
    throw new RepOpsError('matmulKernel', `B has ${b.length} values, expected k·n = ${k}·${n}`);
  if (out !== undefined && (!(out instanceof Float32Array) || out.length !== m * n)) {
    throw new RepOpsError('matmulKernel', `out must be a Float32Array of m·n = ${m * n} values`);
  }
  if (out !== undefined && (overlaps(out, a) || overlaps(out, b))) {
    throw new RepOpsError('matmulKernel', 'out must not overlap A or B');
  }
}

/** Straightforward reference of the order above (used by tests as the bitwise oracle). */
export function matmulReference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float32Array {
  checkMatmulArgs(a, b, m, k, n);
  const c = outputBuffer(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc = fround(acc + fround(a[i * k + p] * b[p * n + j]));
      c[i * n + j] = acc;
    }
  }
  return c;
}

// Packed operands, reused across calls (grown on demand). Float64Array on purpose: each binary32 is
// widened once at packing time, so the inner loop loads doubles directly instead of paying a
// float32→float64 conversion per load (the kernel is bound by conversion throughput, see
// matmulKernelJs). B is packed into 4-column panels; A into 2-row panels only when each A value is
// reused by at least two column panels (otherwise the packing pass costs more than it saves).
let packA = new Float64Array(0);
let packB = new Float64Array(0);

/**
 * One 2×4 block of C from packed operands: rows i, i+1 (panel `ai` of packA, rows interleaved) ×
 * columns j…j+3 (panel `bj` of packB), the full sequential chain over p for each of the 8 outputs.
 * Only `rows`×`cols` of the block are written (edge blocks compute on zero padding and drop it).
 */
function block24(
  ap: Float64Array,
  bp: Float64Array,
  c: Float32Array,
  ai: number,
  bj: number,
  k: number,
  o: number,
  n: number,
  rows: number,
  cols: number,
): void {
  const fr = fround;
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  for (let p = 0, r = ai, q = bj; p < k; p++, r += 2, q += 4) {
    const x0 = ap[r];
    const x1 = ap[r + 1];
    const b0 = bp[q];
    const b1 = bp[q + 1];
    const b2 = bp[q + 2];
    const b3 = bp[q + 3];
    c00 = fr(c00 + fr(x0 * b0));
    c01 = fr(c01 + fr(x0 * b1));
    c02 = fr(c02 + fr(x0 * b2));
    c03 = fr(c03 + fr(x0 * b3));
    c10 = fr(c10 + fr(x1 * b0));
    c11 = fr(c11 + fr(x1 * b1));
    c12 = fr(c12 + fr(x1 * b2));
    c13 = fr(c13 + fr(x1 * b3));
  }
  store24(c, o, n, rows, cols, c00, c01, c02, c03, c10, c11, c12, c13);
}

/** Writes the `rows`×`cols` part of a 2×4 block at C offset o. */
function store24(
  c: Float32Array,
  o: number,
  n: number,
  rows: number,
  cols: number,
  c00: number,
  c01: number,
  c02: number,
  c03: number,
  c10: number,
  c11: number,
  c12: number,
  c13: number,
): void {
  if (rows === 2 && cols === 4) {
    c[o] = c00;
    c[o + 1] = c01;
    c[o + 2] = c02;
    c[o + 3] = c03;
    c[o + n] = c10;
    c[o + n + 1] = c11;
    c[o + n + 2] = c12;
    c[o + n + 3] = c13;
    return;
  }
  c[o] = c00;
  if (cols > 1) c[o + 1] = c01;
  if (cols > 2) c[o + 2] = c02;
  if (cols > 3) c[o + 3] = c03;
  if (rows === 2) {
    c[o + n] = c10;
    if (cols > 1) c[o + n + 1] = c11;
    if (cols > 2) c[o + n + 2] = c12;
    if (cols > 3) c[o + n + 3] = c13;
  }
}

/**
 * block24 with A read in place: rows at offsets r0, r1 (r1 = r0 when only one row is left; the
 * duplicate is computed and dropped).
 */
function block24a(
  a: Float32Array,
  bp: Float64Array,
  c: Float32Array,
  r0: number,
  r1: number,
  bj: number,
  k: number,
  o: number,
  n: number,
  rows: number,
  cols: number,
): void {
  const fr = fround;
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  for (let p = 0, q = bj; p < k; p++, q += 4) {
    const x0 = a[r0 + p];
    const x1 = a[r1 + p];
    const b0 = bp[q];
    const b1 = bp[q + 1];
    const b2 = bp[q + 2];
    const b3 = bp[q + 3];
    c00 = fr(c00 + fr(x0 * b0));
    c01 = fr(c01 + fr(x0 * b1));
    c02 = fr(c02 + fr(x0 * b2));
    c03 = fr(c03 + fr(x0 * b3));
    c10 = fr(c10 + fr(x1 * b0));
    c11 = fr(c11 + fr(x1 * b1));
    c12 = fr(c12 + fr(x1 * b2));
    c13 = fr(c13 + fr(x1 * b3));
  }
  store24(c, o, n, rows, cols, c00, c01, c02, c03, c10, c11, c12, c13);
}

/**
 * block24a reading a full 4-column panel of B in place (row stride n) instead of from packB: used
 * when m ≤ 2, where each B value is used by one row pair only and packing would double the traffic.
 */
function block24direct(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  r0: number,
  r1: number,
  j: number,
  k: number,
  o: number,
  n: number,
  rows: number,
): void {
  const fr = fround;
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  for (let p = 0, s = j; p < k; p++, s += n) {
    const x0 = a[r0 + p];
    const x1 = a[r1 + p];
    const b0 = b[s];
    const b1 = b[s + 1];
    const b2 = b[s + 2];
    const b3 = b[s + 3];
    c00 = fr(c00 + fr(x0 * b0));
    c01 = fr(c01 + fr(x0 * b1));
    c02 = fr(c02 + fr(x0 * b2));
    c03 = fr(c03 + fr(x0 * b3));
    c10 = fr(c10 + fr(x1 * b0));
    c11 = fr(c11 + fr(x1 * b1));
    c12 = fr(c12 + fr(x1 * b2));
    c13 = fr(c13 + fr(x1 * b3));
  }
  c[o] = c00;
  c[o + 1] = c01;
  c[o + 2] = c02;
  c[o + 3] = c03;
  if (rows === 2) {
    c[o + n] = c10;
    c[o + n + 1] = c11;
    c[o + n + 2] = c12;
    c[o + n + 3] = c13;
  }
}

/**
 * A 4×1 block of C for the single leftover column when n mod 4 = 1: four A rows (offsets r0…r3,
 * repeated when fewer are left) × the packed column `bj`, 4 independent chains; `rows` are written.
 */
function block41(
  a: Float32Array,
  bp: Float64Array,
  c: Float32Array,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  bj: number,
  k: number,
  o: number,
  n: number,
  rows: number,
): void {
  const fr = fround;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let p = 0; p < k; p++) {
    const y = bp[bj + p];
    c0 = fr(c0 + fr(a[r0 + p] * y));
    c1 = fr(c1 + fr(a[r1 + p] * y));
    c2 = fr(c2 + fr(a[r2 + p] * y));
    c3 = fr(c3 + fr(a[r3 + p] * y));
  }
  c[o] = c0;
  if (rows > 1) c[o + n] = c1;
  if (rows > 2) c[o + 2 * n] = c2;
  if (rows > 3) c[o + 3 * n] = c3;
}

/**
 * JS kernel (the fallback where WebAssembly SIMD is missing, and the path for small products and
 * n < 4 everywhere). B is packed into 4-column panels, p-major, widened to Float64Array (a last
 * panel of 2 or 3 columns is zero-padded; a single leftover column is packed on its own and done in
 * 4×1 blocks). A is packed the same way into 2-row panels when it is reused by ≥ 2 column panels
 * and m·k·n ≥ 65536, read in place otherwise; with m ≤ 2, B's full panels are read in place too.
 * Every output is one chain in a local, `fround` after every product and every sum, p ascending
 * from +0: exactly the spec order; padded lanes are computed but never written. Loop order: B panel
 * outer (32·k bytes, stays in L1), row pairs inner. Same bits as matmulReference (tested with
 * random shapes and IEEE specials).
 *
 * Why not faster: V8 has no binary32 arithmetic for JS, so each of the two roundings per multiply-add
 * is a float64→float32→float64 conversion pair (4 conversions per multiply-add); that conversion
 * throughput, not memory or loop overhead, bounds every JS formulation of this order (docs/REPOPS.md).
 */
export function matmulKernelJs(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): Float32Array {
  checkMatmulArgs(a, b, m, k, n, out);
  const c = out ?? outputBuffer(m * n);
  if (m === 0 || n === 0) return c;
  const one = n % 4 === 1; // a single leftover column: 4×1 blocks instead of a 4× padded panel
  const n4 = n - (n % 4);
  const np = one ? n4 : n + ((4 - (n % 4)) % 4); // columns covered by 4-column panels
  const direct = m <= 2; // one row pair: full panels read B in place (see block24direct)
  const packed = direct ? 0 : n4; // columns whose panels are packed
  if (packB.length < k * (np - n4 + packed + 1)) packB = new Float64Array(k * (np - n4 + packed + 1));
  const bp = packB;
  let w = 0;
  for (let j = 0; j < packed; j += 4) {
    for (let p = 0, s = j; p < k; p++, s += n) {
      bp[w] = b[s];
      bp[w + 1] = b[s + 1];
      bp[w + 2] = b[s + 2];
      bp[w + 3] = b[s + 3];
      w += 4;
    }
  }
  const tail = w; // 2 or 3 leftover columns: one zero-padded panel here
  if (np > n4) {
    const three = n - n4 === 3;
    for (let p = 0, s = n4; p < k; p++, s += n) {
      bp[w] = b[s];
      bp[w + 1] = b[s + 1];
      bp[w + 2] = three ? b[s + 2] : 0;
      bp[w + 3] = 0;
      w += 4;
    }
  }
  // Pack A too when each A value is reused by ≥ 2 column panels and the product is big enough for
  // the saved conversions to outweigh the packing pass (measured: it costs ~10 % on an 8×8×8).
  const packAll = !direct && np >= 8 && m * k * n >= 65536;
  const mp = m + (m % 2);
  if (packAll) {
    if (packA.length < mp * k) packA = new Float64Array(mp * k);
    w = 0;
    for (let i = 0; i < mp; i += 2) {
      const r0 = i * k;
      const last = i + 1 === m; // odd m: the second row of the last panel is +0 padding
      for (let p = 0; p < k; p++) {
        packA[w] = a[r0 + p];
        packA[w + 1] = last ? 0 : a[r0 + k + p];
        w += 2;
      }
    }
  }
  const ap = packA;
  for (let j = 0; j < np; j += 4) {
    const cols = Math.min(4, n - j);
    const bj = j < n4 ? j * k : tail;
    for (let i = 0; i < m; i += 2) {
      const r0 = i * k;
      const two = i + 1 < m;
      const r1 = two ? r0 + k : r0;
      const o = i * n + j;
      if (packAll) block24(ap, bp, c, r0, bj, k, o, n, two ? 2 : 1, cols);
      else if (direct && j < n4) block24direct(a, b, c, r0, r1, j, k, o, n, two ? 2 : 1);
      else block24a(a, bp, c, r0, r1, bj, k, o, n, two ? 2 : 1, cols);
    }
  }
  if (one) {
    const bj = tail; // n mod 4 = 1: there is no padded panel, the column goes where it would be
    for (let p = 0, s = np; p < k; p++, s += n) bp[bj + p] = b[s];
    for (let i = 0; i < m; i += 4) {
      const r0 = i * k;
      const r1 = i + 1 < m ? r0 + k : r0;
      const r2 = i + 2 < m ? r0 + 2 * k : r0;
      const r3 = i + 3 < m ? r0 + 3 * k : r0;
      block41(a, bp, c, r0, r1, r2, r3, bj, k, i * n + np, n, Math.min(4, m - i));
    }
  }
  return c;
}

/**
 * A native kernel installed by a platform adapter (core/platform/node-native.ts: a Node addon with AVX-512
 * or AVX2 lanes across output columns): A[i,p] = a[a0 + i·sar + p·sac], B row-major, the same order and
 * roundings, so the same bits (test/repops-math/native-matmul.test.ts). 'auto' prefers it to WebAssembly.
 * With `bias`, C[i,j] = chain + bias[j] (one more rounding, after the sum): addBias's order, fused.
 */
export type NativeMatmul = (
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  sar: number,
  sac: number,
  a0: number,
  bias?: Float32Array,
) => void;
let native: NativeMatmul | null = null;

export function setNativeMatmul(f: NativeMatmul | null): void {
  native = f;
}

/**
 * The batched native kernel (native/matmul.c `matmulBatch`): C_e = A_e·B_e for e < batch, each entry exactly
 * NativeMatmul's chains, A_e[i,p] = a[e·strideA + i·sar + p·sac], B_e at b + e·strideB, C_e at c + e·m·n.
 */
export type NativeMatmulBatch = (
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
  sar: number,
  sac: number,
  strideA: number,
  strideB: number,
) => void;
let nativeBatch: NativeMatmulBatch | null = null;

export function setNativeMatmulBatch(f: NativeMatmulBatch | null): void {
  nativeBatch = f;
}

/**
 * out_e = A_e·B_e for e < batch on the calling thread (batch_matmul's range kernel): A_e is a's e-th
 * [m, k] matrix, or with `aT` the transpose of a's e-th [k, m] (read in place); B_e is b's e-th [k, n].
 * One native call where installed (the per-entry calls cost more than a 64×32·32×64 product), else
 * matmulKernel / matmulKernelAT per entry — the same chains either way.
 */
export function matmulBatchKernel(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
  aT: boolean,
): void {
  if (nativeBatch !== null && backend === 'auto' && useWasm(m, k, n)) {
    nativeBatch(a, b, out, batch, m, k, n, aT ? 1 : k, aT ? m : 1, m * k, k * n);
    return;
  }
  for (let e = 0; e < batch; e++) {
    const ae = a.subarray(e * m * k, (e + 1) * m * k);
    const be = b.subarray(e * k * n, (e + 1) * k * n);
    const oe = out.subarray(e * m * n, (e + 1) * m * n);
    if (aT) matmulKernelAT(ae, be, m, k, n, oe);
    else matmulKernel(ae, be, m, k, n, oe);
  }
}

/**
 * linear.vjp2's column sums db[j] = lane-ordered sum over the m rows of g [m, n]: reduceSumData, which runs
 * the native column sums (native/matmul.c `columnSums`, reduce.ts's hook) where installed and kernels are on.
 */
export function columnSumsKernel(g: Float32Array, m: number, n: number): Float32Array {
  return reduceSumData(g, [m, n], [0]);
}

export type MatmulBackend = 'auto' | 'js' | 'wasm';
let backend: MatmulBackend = 'auto';

/**
 * Chooses the implementation behind matmulKernel. All backends produce identical bits (tested), so
 * this is purely a speed knob: 'auto' uses WebAssembly SIMD when available for problems above a few
 * thousand multiply-adds, 'js' forces the JS kernel, 'wasm' forces WebAssembly (falls back to JS only
 * where WebAssembly SIMD does not exist).
 */
export function setMatmulBackend(b: MatmulBackend): void {
  if (b !== 'auto' && b !== 'js' && b !== 'wasm')
    throw new RepOpsError('setMatmulBackend', `unknown backend ${String(b)}`);
  backend = b;
}

export function getMatmulBackend(): MatmulBackend {
  return backend;
}

/** WebAssembly-SIMD kernel (same order, same bits); JS kernel where WebAssembly SIMD is missing. */
export function matmulKernelWasm(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): Float32Array {
  checkMatmulArgs(a, b, m, k, n, out);
  const c = out ?? outputBuffer(m * n);
  return matmulWasmInto(a, b, m, k, n, c) ?? matmulKernelJs(a, b, m, k, n, c);
}

const WASM_MIN_WORK = 4096;

/**
 * The kernel RepOps ops call (order above; backend chosen by setMatmulBackend). Large products are split
 * by output rows across the thread pool (core/repops/parallel.ts): each output keeps its own k-ascending
 * chain, so the bits do not depend on the split.
 */
export function matmulKernel(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): Float32Array {
  if (out === undefined || out.length === m * n) {
    checkMatmulArgs(a, b, m, k, n, out);
    const c = out ?? overwrittenBuffer(m * n); // every kernel stores every output (no zero fill needed)
    // The backend is chosen for the whole product, so every row block runs the same kernel (the JS and
    // WASM kernels agree bit for bit except in NaN payloads, which digests canonicalise anyway).
    if (parallelRows('matmul.rows', [a, b], c, m, [k, n, useWasm(m, k, n) ? 1 : 0], m * k * n)) return c;
    return matmulKernelSerial(a, b, m, k, n, c);
  }
  return matmulKernelSerial(a, b, m, k, n, out);
}

function useWasm(m: number, k: number, n: number): boolean {
  if (backend === 'js') return false;
  return backend === 'wasm' || (m * k * n >= WASM_MIN_WORK && n >= 4 && wasmSimdAvailable());
}

/** matmulKernel on the calling thread; with `bias`, then C[i,j] + bias[j] (fused in the native call). */
function matmulKernelSerial(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
  bias?: Float32Array,
): Float32Array {
  if (native !== null && backend === 'auto' && useWasm(m, k, n)) {
    checkMatmulArgs(a, b, m, k, n, out);
    const c = out ?? overwrittenBuffer(m * n);
    native(a, b, c, m, k, n, k, 1, 0, bias);
    return c;
  }
  const c = useWasm(m, k, n) ? matmulKernelWasm(a, b, m, k, n, out) : matmulKernelJs(a, b, m, k, n, out);
  if (bias !== undefined) addBias(c, bias, m, n);
  return c;
}

/** C[i,j] = C[i,j] + bias[j] for rows i < m, one binary32 rounding each (a double sum of two binary32 values
 * rounds to their binary32 sum): linear's "bias added after the sum". */
function addBias(c: Float32Array, bias: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const r = i * n;
    for (let j = 0; j < n; j++) c[r + j] += bias[j];
  }
}

/**
 * C = A·B + bias: every output's matmulKernel chain, then bias[j] added (one rounding) — linear's order.
 * Split by rows across the pool like matmulKernel; the native kernel adds the bias as it stores C.
 */
export function matmulBiasKernel(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array,
  m: number,
  k: number,
  n: number,
): Float32Array {
  checkMatmulArgs(a, b, m, k, n);
  if (!(bias instanceof Float32Array) || bias.length !== n)
    throw new RepOpsError('matmulKernel', `bias must be a Float32Array of n = ${n} values`);
  const c = overwrittenBuffer(m * n);
  if (parallelRows('matmul.rows', [a, b, bias], c, m, [k, n, useWasm(m, k, n) ? 1 : 0], m * k * n)) return c;
  return matmulKernelSerial(a, b, m, k, n, c, bias);
}

// Rows [from, to) of C = A·B (+ bias when given as a third input) on whichever thread runs them (params:
// k, n, 1 = the WASM kernel).
defineRangeKernel('matmul.rows', (ins, out, from, to, [k, n]) => {
  if (to <= from) return;
  matmulKernelSerial(
    ins[0].subarray(from * k, to * k),
    ins[1],
    to - from,
    k,
    n,
    out.subarray(from * n, to * n),
    ins.length > 2 ? ins[2] : undefined,
  );
});

/**
 * C = Xᵀ·B for X row-major [k, m] — the kernel's order on A = Xᵀ, bit for bit the same as materialising
 * Xᵀ and calling matmulKernel (tested), without the copy: the WASM tiles read X's columns in place.
 */
export function matmulKernelAT(
  x: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): Float32Array {
  checkMatmulArgs(x, b, m, k, n, out);
  const c = out ?? overwrittenBuffer(m * n);
  if (!useWasm(m, k, n)) return matmulKernelSerial(columnsAsRows(x, k, m, 0, m), b, m, k, n, c);
  if (parallelRows('matmul.rowsT', [x, b], c, m, [k, n, m], m * k * n)) return c;
  return matmulATSerial(x, b, m, k, n, c, m, 0);
}

/** Rows of Xᵀ·B for X's columns col0…col0+rows (X row-major, ld columns) on the calling thread. */
function matmulATSerial(
  x: Float32Array,
  b: Float32Array,
  rows: number,
  k: number,
  n: number,
  c: Float32Array,
  ld: number,
  col0: number,
): Float32Array {
  if (native !== null && backend === 'auto') {
    native(x, b, c, rows, k, n, 1, ld, col0);
    return c;
  }
  return (
    matmulWasmInto(x, b, rows, k, n, c, { transposed: true, ld, col0 }) ??
    matmulKernelJs(columnsAsRows(x, k, ld, col0, rows), b, rows, k, n, c)
  );
}

/** Columns col0…col0+count of X [rows, ld] as the rows of a new [count, rows] matrix (exact copies). */
function columnsAsRows(x: Float32Array, rows: number, ld: number, col0: number, count: number): Float32Array {
  const t = outputBuffer(rows * count);
  for (let p = 0; p < rows; p++) for (let i = 0; i < count; i++) t[i * rows + p] = x[p * ld + col0 + i];
  return t;
}

// Rows [from, to) of C = Xᵀ·B (params: k, n, m = X's columns): A's rows are X's columns from…to.
defineRangeKernel('matmul.rowsT', (ins, out, from, to, [k, n, m]) => {
  if (to <= from) return;
  matmulATSerial(ins[0], ins[1], to - from, k, n, out.subarray(from * n, to * n), m, from);
});
