/**
 * Test helpers: ulp error of a binary32 result against a float64 (or better) reference, and samplers
 * over the binary32 bit patterns. Not a test file itself.
 */
const F64 = new Float64Array(1);
const U32x2 = new Uint32Array(F64.buffer);
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

export function f32FromBits(b: number): number {
  U32[0] = b >>> 0;
  return F32[0];
}

export function bitsOfF32(x: number): number {
  F32[0] = x;
  return U32[0];
}

/** The binary32 ulp at the magnitude of `ref` (2^(e−23), with e clamped to the subnormal exponent −126). */
export function ulp32(ref: number): number {
  F64[0] = Math.abs(ref);
  const e = ((U32x2[1] >>> 20) & 0x7ff) - 1023; // little-endian host (x86/arm)
  const ee = Math.max(e, -126);
  return 2 ** (ee - 23);
}

/** |got − ref| in binary32 ulps of ref; special values must match exactly (Inf/NaN → 0 or Infinity). */
export function ulpError(got: number, ref: number): number {
  if (Number.isNaN(ref)) return Number.isNaN(got) ? 0 : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(ref)) return got === ref ? 0 : Number.POSITIVE_INFINITY;
  // A reference beyond the binary32 range rounds to ±Inf: a correctly rounded result is Inf.
  if (Math.abs(ref) >= 3.4028235677973366e38)
    return got === Math.sign(ref) * Number.POSITIVE_INFINITY ? 0 : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(got)) return Number.POSITIVE_INFINITY;
  return Math.abs(got - ref) / ulp32(ref);
}

/** Deterministic xorshift32 sampler of binary32 values: random bit patterns (all exponents), finite only. */
export function* randomFloats(
  count: number,
  seed = 0x9e3779b9,
  lo = -Infinity,
  hi = Infinity,
): Generator<number> {
  let s = seed >>> 0 || 1;
  let made = 0;
  while (made < count) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const x = f32FromBits(s);
    if (!Number.isFinite(x) || x < lo || x > hi) continue;
    made++;
    yield x;
  }
}

/** Every binary32 in [lo, hi] visited with a stride in bit-pattern space (positive or negative ranges). */
export function* sweep(lo: number, hi: number, count: number): Generator<number> {
  const a = bitsOfF32(Math.fround(lo));
  const b = bitsOfF32(Math.fround(hi));
  const neg = lo < 0 || Object.is(lo, -0);
  const [from, to] = neg ? [b, a] : [a, b]; // negative floats: larger bits = more negative
  const step = Math.max(1, Math.floor((to - from) / count));
  for (let u = from; u <= to; u += step) yield f32FromBits(u);
}

export interface UlpStats {
  max: number;
  worstX: number;
  count: number;
  over1: number;
}

export function measure(
  fn: (x: number) => number,
  ref: (x: number) => number,
  inputs: Iterable<number>,
): UlpStats {
  const st: UlpStats = { max: 0, worstX: Number.NaN, count: 0, over1: 0 };
  for (const x of inputs) {
    const e = ulpError(fn(x), ref(x));
    st.count++;
    if (e > 1) st.over1++;
    if (e > st.max || Number.isNaN(e)) {
      st.max = e;
      st.worstX = x;
    }
  }
  return st;
}
