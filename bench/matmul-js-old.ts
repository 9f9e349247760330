/**
 * Bench-only: the JS matmul kernel as it was before the Float64-panel rewrite (2×4 tiles over a
 * Float32Array B panel), kept verbatim with the same input checks (checkMatmulArgs), so small shapes
 * compare fairly, and bench/repops.bench.ts can show old vs new in one run. Same bits as the current kernel.
 */
import { checkMatmulArgs } from '../core/repops/kernels/matmul.ts';

const fround = Math.fround;

let packBuf = new Float32Array(0);

/**
 * JS kernel: B packed into 4-column panels (p-major, so the inner loop reads memory sequentially),
 * 2×4 register tiles of accumulators held in locals and rounded with fround after every product and
 * every sum; leftover rows / columns use the plain loop. Same bits as matmulReference (tested).
 */
export function matmulKernelJsOld(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): Float32Array {
  checkMatmulArgs(a, b, m, k, n, out);
  const c = out ?? new Float32Array(m * n);
  const fr = fround;
  const n4 = n - (n % 4);
  const m2 = m - (m % 2);
  if (packBuf.length < k * n4) packBuf = new Float32Array(k * n4);
  const bp = packBuf;
  let w = 0;
  for (let j = 0; j < n4; j += 4) {
    for (let p = 0; p < k; p++) {
      const s = p * n + j;
      bp[w] = b[s];
      bp[w + 1] = b[s + 1];
      bp[w + 2] = b[s + 2];
      bp[w + 3] = b[s + 3];
      w += 4;
    }
  }
  for (let i = 0; i < m; i += 2) {
    const two = i < m2;
    const a0 = i * k;
    const a1 = two ? a0 + k : a0;
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0;
      let c01 = 0;
      let c02 = 0;
      let c03 = 0;
      let c10 = 0;
      let c11 = 0;
      let c12 = 0;
      let c13 = 0;
      let q = j * k;
      for (let p = 0; p < k; p++, q += 4) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
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
      const o0 = i * n + j;
      c[o0] = c00;
      c[o0 + 1] = c01;
      c[o0 + 2] = c02;
      c[o0 + 3] = c03;
      if (two) {
        const o1 = o0 + n;
        c[o1] = c10;
        c[o1 + 1] = c11;
        c[o1 + 2] = c12;
        c[o1 + 3] = c13;
      }
    }
    const rows = two ? 2 : 1;
    for (let r = 0; r < rows; r++) {
      const ar = (i + r) * k;
      for (let j = n4; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc = fr(acc + fr(a[ar + p] * b[p * n + j]));
        c[(i + r) * n + j] = acc;
      }
    }
  }
  return c;
}
