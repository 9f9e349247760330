/**
 * Bench-only: the JS kernel's inner loop (one 2×4 block over Float64Array panels, 8 chains) with
 * and without the spec's binary32 roundings. The unrounded loop is NOT a valid kernel — it exists
 * to show what the two `Math.fround`s per multiply-add cost: V8 has no binary32 arithmetic for JS,
 * so each rounding is a float64→float32→float64 conversion pair on the FP pipes, and those
 * conversions (4 per multiply-add), not loads or loop overhead, bound the JS kernel.
 */
const fround = Math.fround;

export function blockRounded(ap: Float64Array, bp: Float64Array, k: number): number {
  const fr = fround;
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  for (let p = 0, r = 0, q = 0; p < k; p++, r += 2, q += 4) {
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
  return c00 + c01 + c02 + c03 + c10 + c11 + c12 + c13;
}

export function blockUnrounded(ap: Float64Array, bp: Float64Array, k: number): number {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  for (let p = 0, r = 0, q = 0; p < k; p++, r += 2, q += 4) {
    const x0 = ap[r];
    const x1 = ap[r + 1];
    const b0 = bp[q];
    const b1 = bp[q + 1];
    const b2 = bp[q + 2];
    const b3 = bp[q + 3];
    c00 = c00 + x0 * b0;
    c01 = c01 + x0 * b1;
    c02 = c02 + x0 * b2;
    c03 = c03 + x0 * b3;
    c10 = c10 + x1 * b0;
    c11 = c11 + x1 * b1;
    c12 = c12 + x1 * b2;
    c13 = c13 + x1 * b3;
  }
  return c00 + c01 + c02 + c03 + c10 + c11 + c12 + c13;
}
