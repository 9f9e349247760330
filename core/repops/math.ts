/**
 * RepOps transcendentals in binary32: exp, log, tanh, sigmoid, erf, erfc and GELU (erf form).
 *
 * JavaScript's Math.exp/log/tanh/… are implementation-defined (results differ between engines and
 * versions), so RepOps computes its own. Every arithmetic step is one IEEE binary32 operation —
 * Math.fround(a ∘ b) for ∘ ∈ {+, −, ×, ÷} and Math.fround(Math.sqrt(a)) on binary32 inputs are exactly
 * the correctly rounded binary32 results — plus exact bit manipulation (exponent extraction and powers
 * of two through a shared Float32Array/Uint32Array view). Constants are exact binary32 values (given
 * as hex significands or as decimals whose binary32 rounding is the constant). Algorithms, constants
 * and measured accuracy: spec/transcendentals.md.
 */

const f = Math.fround;

// One 4-byte scratch cell viewed as float and as uint: exact bit casts (endianness is irrelevant
// because both views have the same width).
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

function bitsOf(x: number): number {
  F32[0] = x;
  return U32[0];
}

function fromBits(b: number): number {
  U32[0] = b >>> 0;
  return F32[0];
}

/** 2^k for −126 ≤ k ≤ 127 (exact binary32 power of two built from its exponent field). */
function pow2(k: number): number {
  return fromBits((k + 127) << 23);
}

// ---------------------------------------------------------------------------------------------------
// exp: Cody–Waite reduction x = k·ln2 + r, |r| ≤ ½ln2, then the rational form of fdlibm/FreeBSD expf:
// c = r − r²(P1 + r²P2), exp(r) = 1 − ((lo − r·c/(2 − c)) − hi), result scaled by 2^k exactly.
// ---------------------------------------------------------------------------------------------------
const INV_LN2 = fromBits(0x3fb8aa3b); // 1.44269502
const LN2_HI = fromBits(0x3f317200); // 0.693145751953125: 15 significant bits, so k·LN2_HI is exact
const LN2_LO = fromBits(0x35bfbe8e); // ln2 − LN2_HI
const EXP_P1 = 0xaaaa8f / 67108864; // 0xaaaa8f·2^-26 ≈ 1.6666625440e-1
const EXP_P2 = -0xb55215 / 4294967296; // −0xb55215·2^-32 ≈ −2.7667332906e-3
const EXP_OVERFLOW = fromBits(0x42b17217); // largest x with finite exp(x) in binary32 (88.7228317)
const EXP_UNDERFLOW = fromBits(0xc2cff1b4); // smallest x whose exp rounds to a non-zero (≈ −103.972076)
const TWO_M100 = fromBits((27 << 23) >>> 0); // 2^-100

export function exp32(x: number): number {
  x = f(x);
  if (Number.isNaN(x)) return x;
  if (x > EXP_OVERFLOW) return Number.POSITIVE_INFINITY;
  if (x < EXP_UNDERFLOW) return 0;
  const ax = x < 0 ? -x : x;
  if (ax < 0.00006103515625) return f(1 + x); // |x| < 2^-14: exp(x) = 1 + x to within ½ ulp
  const k = Math.round(f(x * INV_LN2));
  const hi = f(x - f(k * LN2_HI));
  const lo = f(k * LN2_LO);
  const r = f(hi - lo);
  const t = f(r * r);
  const c = f(r - f(t * f(EXP_P1 + f(t * EXP_P2))));
  if (k === 0) return f(1 - f(f(f(r * c) / f(c - 2)) - r));
  const y = f(1 - f(f(lo - f(f(r * c) / f(2 - c))) - hi));
  if (k > 127) return f(f(y * 2) * pow2(127));
  if (k < -125) return f(f(y * pow2(k + 100)) * TWO_M100);
  return f(y * pow2(k));
}

// exp(x) = 2^partK · (1 + partQ) with partQ unrounded-to-1 (module-level outputs: no allocation).
// Same reduction and rational as exp32 (exp32(x) = 2^k·fround(1 + q) for the k ≠ 0 path).
let partK = 0;
let partQ = 0;
let partHi = 0; // partQ = partHi + partLo unrounded: partHi exact (x − k·LN2_HI), partLo small
let partLo = 0;
/** For −104 < x < 88.8 (callers guarantee the range): sets partK, partQ. */
function expParts(x: number): void {
  const k = Math.round(f(x * INV_LN2));
  const hi = f(x - f(k * LN2_HI));
  const lo = f(k * LN2_LO);
  const r = f(hi - lo);
  const t = f(r * r);
  const c = f(r - f(t * f(EXP_P1 + f(t * EXP_P2))));
  partK = k;
  partQ = f(hi - f(lo - f(f(r * c) / f(2 - c))));
  partHi = hi;
  partLo = f(f(f(r * c) / f(2 - c)) - lo);
}

// ---------------------------------------------------------------------------------------------------
// log: x = 2^k·m with m ∈ [√2/2, √2), f = m − 1, s = f/(2 + f), log(1+f) = f − (hfsq − s(hfsq + R(s²)))
// (fdlibm/FreeBSD logf), plus k·ln2 in two pieces.
// ---------------------------------------------------------------------------------------------------
const LOG_LN2_HI = fromBits(0x3f317180); // 0.693138122558: low bits zero so k·LOG_LN2_HI is exact
const LOG_LN2_LO = fromBits(0x3717f7d1); // ln2 − LOG_LN2_HI
const LG1 = 0xaaaaaa / 16777216; // 0xaaaaaa·2^-24 ≈ 0.66666662693
const LG2 = 0xccce13 / 33554432; // 0xccce13·2^-25 ≈ 0.40000972152
const LG3 = 0x91e9ee / 33554432; // 0x91e9ee·2^-25 ≈ 0.28498786688
const LG4 = 0xf89e26 / 67108864; // 0xf89e26·2^-26 ≈ 0.24279078841
const ONE_THIRD = f(1 / 3);
const TWO_P25 = 33554432;

export function log32(x: number): number {
  x = f(x);
  if (Number.isNaN(x)) return x;
  if (x < 0) return Number.NaN;
  if (x === 0) return Number.NEGATIVE_INFINITY;
  if (x === Number.POSITIVE_INFINITY) return x;
  let k = 0;
  let ix = bitsOf(x);
  if (ix < 0x00800000) {
    // subnormal: scale up by 2^25 (exact)
    k = -25;
    ix = bitsOf(f(x * TWO_P25));
  }
  k += (ix >>> 23) - 127;
  ix &= 0x007fffff;
  // i = 0x800000 when the significand is ≥ √2 (then normalise to m/2 and bump k).
  const i = (ix + (0x95f64 << 3)) & 0x800000;
  const m = fromBits(ix | (i ^ 0x3f800000));
  k += i >>> 23;
  const fm = f(m - 1);
  const dk = k;
  if ((0x007fffff & (0x8000 + ix)) < 0xc000) {
    // −2^-9 ≤ f < 2^-9
    if (fm === 0) return k === 0 ? 0 : f(f(dk * LOG_LN2_HI) + f(dk * LOG_LN2_LO));
    const R = f(f(fm * fm) * f(0.5 - f(ONE_THIRD * fm)));
    if (k === 0) return f(fm - R);
    return f(f(dk * LOG_LN2_HI) - f(f(R - f(dk * LOG_LN2_LO)) - fm));
  }
  const s = f(fm / f(2 + fm));
  const z = f(s * s);
  const w = f(z * z);
  const t1 = f(w * f(LG2 + f(w * LG4)));
  const t2 = f(z * f(LG1 + f(w * LG3)));
  const R = f(t2 + t1);
  const big = ((ix - (0x6147a << 3)) | ((0x6b851 << 3) - ix)) > 0;
  if (big) {
    const hfsq = f(f(0.5 * fm) * fm);
    if (k === 0) return f(fm - f(hfsq - f(s * f(hfsq + R))));
    return f(f(dk * LOG_LN2_HI) - f(f(hfsq - f(f(s * f(hfsq + R)) + f(dk * LOG_LN2_LO))) - fm));
  }
  if (k === 0) return f(fm - f(s * f(fm - R)));
  return f(f(dk * LOG_LN2_HI) - f(f(f(s * f(fm - R)) - f(dk * LOG_LN2_LO)) - fm));
}

// ---------------------------------------------------------------------------------------------------
// tanh: odd Taylor polynomial for |x| < 0.55 (truncation < 0.1 ulp), 1 − 2/(exp(2|x|) + 1) above,
// ±1 for |x| ≥ 9.01 (where 1 − tanh|x| < 2^-25).
// ---------------------------------------------------------------------------------------------------
const TANH_C = [
  -1 / 3,
  2 / 15,
  -17 / 315,
  62 / 2835,
  -1382 / 155925,
  21844 / 6081075,
  -929569 / 638512875,
  6404582 / 10854718875,
].map(f);

export function tanh32(x: number): number {
  x = f(x);
  if (Number.isNaN(x)) return x;
  const ax = x < 0 ? -x : x;
  if (ax < 0.000244140625) return x; // |x| < 2^-12 (incl. ±0 and subnormals): tanh x = x to ½ ulp
  if (ax < 0.55) {
    const z = f(x * x);
    let p = TANH_C[7];
    for (let i = 6; i >= 0; i--) p = f(f(p * z) + TANH_C[i]);
    return f(x + f(f(x * z) * p));
  }
  if (ax >= 9.01) return x < 0 ? -1 : 1;
  const e = exp32(f(2 * ax));
  const t = f(1 - f(2 / f(e + 1)));
  return x < 0 ? -t : t;
}

// ---------------------------------------------------------------------------------------------------
// Exact-product helpers (Veltkamp split + Dekker product, all in binary32): a·b = p + e exactly when
// no overflow/underflow occurs. Used to remove rounding errors of a division (sigmoid).
// ---------------------------------------------------------------------------------------------------
const SPLIT = 4097; // 2^12 + 1: splits a 24-bit significand into two 12-bit halves

/** The rounding error of p = fround(a·b): a·b − p (exact). */
function productError(a: number, b: number, p: number): number {
  const ca = f(SPLIT * a);
  const ah = f(ca - f(ca - a));
  const al = f(a - ah);
  const cb = f(SPLIT * b);
  const bh = f(cb - f(cb - b));
  const bl = f(b - bh);
  return f(f(f(f(f(ah * bh) - p) + f(ah * bl)) + f(al * bh)) + f(al * bl));
}

/**
 * n / (1 + e) for 0 ≤ e ≤ 1 and n ∈ {1, e}, with the rounding errors of 1 + e and of the division
 * compensated: d = 1 + e rounded with its exact error de (Fast2Sum), q = n/d, exact residual
 * n − q·d, then q + (residual − q·de)/d. Leaves only the final rounding (plus the input's error).
 */
function divOnePlus(n: number, e: number): number {
  const d = f(1 + e);
  const de = f(e - f(d - 1)); // (1 + e) − d exactly, since d ≥ 1 ≥ e
  const q = f(n / d);
  const p = f(q * d);
  const res = f(f(n - p) - productError(q, d, p)); // n − q·d (n − p is exact by Sterbenz)
  return f(q + f(f(res - f(q * de)) / d));
}

// ---------------------------------------------------------------------------------------------------
// sigmoid: 1/(1 + exp(−x)) for x ≥ 0; e/(1 + e) with e = exp(x) for x < 0 (no cancellation either way),
// both through divOnePlus. For x < −17, 1 + e rounds to 1 and the result is e itself.
// ---------------------------------------------------------------------------------------------------
export function sigmoid32(x: number): number {
  x = f(x);
  if (Number.isNaN(x)) return x;
  if (x >= 0) return divOnePlus(1, exp32(-x));
  const e = exp32(x);
  if (x < -17) return e;
  return divOnePlus(e, e);
}

// ---------------------------------------------------------------------------------------------------
// erf / erfc. Coefficients: near-minimax (relative error) polynomial fits made in float64 by
// test/repops-math/fit-coefficients.ts, rounded to binary32.
//   |x| < 0.84375:  erf x = x + x·P(x²)                                 (fit error 2.3e-9 rel. of P)
//   y ≥ 0.5:        erfc y = exp(−y²)·G(y), G = erfcx (e^{y²}·erfc y):
//                   [0.5, 1.75) G = A(y − 1.125); [1.75, 4) G = B(y − 2.75); [4, 10.2) G = C(1/y²)/y
//   erf x = 1 − erfc x for 0.84375 ≤ x < 4, 1 beyond; erfc x for 0 ≤ x < 0.5 by a compensated 1 − erf x.
// exp(−y²) keeps full relative accuracy for large y: with z = y rounded to 12 significant bits and
// d = y − z (exact), y² = z² + (2z·d + d²) where z², z·d and d² are all exact binary32 products, so
// exp(−y²) = exp(−z²)·(1 + em), em = expm1(−(2zd + d²)) by its Taylor polynomial (|2zd + d²| < 0.06).
// ---------------------------------------------------------------------------------------------------
const ERF_P = [
  0.128379166, -0.376126349, 0.112837367, -0.026862096, 0.0052087428, -0.000824227871, 0.0000884593755,
].map(f);
const ERFC_A = [
  0.395698071, -0.238058493, 0.127882272, -0.0627937987, 0.0286195762, -0.0122409472, 0.00495041395,
  -0.00189299823, 0.000699304044, -0.000279903528, 0.0000928814115,
].map(f);
const ERFC_B = [
  0.193662092, -0.0632376373, 0.0197585747, -0.00593431434, 0.00171972183, -0.000482337433, 0.000130826113,
  -0.0000343467873, 0.00000928333975, -0.00000261898049, 4.75548632e-7,
].map(f);
const ERFC_C = [0.564189553, -0.282089293, 0.422609776, -1.03205943, 3.01660466, -6.32552099].map(f);
const ERF_SMALL = f(0.1283791670955126); // 2/√π − 1: erf x = x + x·ERF_SMALL for |x| < 2^-14
const TWO_OVER_SQRT_PI = f(1.1283791670955126); // 2/√π (only in a first-order correction term)

function horner(c: readonly number[], t: number): number {
  let p = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) p = f(f(p * t) + c[i]);
  return p;
}

/** erf(ax)/ax − 1 … as x + x·P: erf for 0 ≤ ax < 0.84375, returns x·P(x²) (the correction term). */
function erfSmallCorrection(ax: number): number {
  if (ax < 0.00006103515625) return f(ax * ERF_SMALL);
  return f(ax * horner(ERF_P, f(ax * ax)));
}

// The leading coefficient of each G piece as an unevaluated binary32 pair (hi + lo), so that the only
// rounding of size ½ ulp(G) in erfcTail is its last addition.
const ERFC_A0_LO = f(9.05672159e-9);
const ERFC_B0_LO = f(4.58384974e-9);
const ERFC_C0_LO = f(8.47195381e-9);

// G(y) = e^{y²}·erfc(y) for 0.84375 ≤ y < 10.2 as an unevaluated sum gHi + gLo (module-level outputs:
// no allocation). gHi is a binary32 multiple of ulp-sized parts of the leading coefficient; gLo the small rest.
let gHi = 0;
let gLo = 0;
function erfcxParts(y: number): void {
  if (y < 4) {
    const c = y < 1.75 ? ERFC_A : ERFC_B;
    const t = f(y - (y < 1.75 ? 1.125 : 2.75)); // exact (Sterbenz / same binade)
    // G = c0 + c1·t + t²·p2(t): c1·t exact (Dekker) and c0 + c1·t exact (TwoSum), so the only
    // roundings of size ½ ulp fall on the t²·p2 term (|t²·p2| < G/5).
    let p2 = c[c.length - 1];
    for (let i = c.length - 2; i >= 2; i--) p2 = f(f(p2 * t) + c[i]);
    const c1t = f(c[1] * t);
    const c1tErr = productError(c[1], t, c1t);
    const sum = f(c[0] + c1t);
    const bb = f(sum - c[0]);
    const sumErr = f(f(c[0] - f(sum - bb)) + f(c1t - bb));
    gHi = sum;
    gLo = f(f(f((y < 1.75 ? ERFC_A0_LO : ERFC_B0_LO) + c1tErr) + sumErr) + f(f(t * t) * p2));
    return;
  }
  // G = H(u)/y, u = 1/y²: q0 = c0/y with its exact remainder c0 − q0·y folded into the small part.
  const u = f(1 / f(y * y));
  let p = ERFC_C[ERFC_C.length - 1];
  for (let i = ERFC_C.length - 2; i >= 1; i--) p = f(f(p * u) + ERFC_C[i]);
  const c0 = ERFC_C[0];
  const q0 = f(c0 / y);
  const prod = f(q0 * y);
  const r0 = f(f(c0 - prod) - productError(q0, y, prod)); // c0 − q0·y (c0 − prod exact by Sterbenz)
  gHi = q0;
  gLo = f(f(f(r0 + ERFC_C0_LO) + f(u * p)) / y);
}

/** G(x) = e^{x²}·erfc(x) for 0.84375 ≤ x < 10.2 (rounded; used by tests). */
export function erfcx32(x: number): number {
  erfcxParts(f(x));
  return f(gHi + gLo);
}

/** e^{−b} − 1 for |b| < 0.06 by its degree-5 Taylor polynomial (truncation < 2^-33). */
function expm1Small(b: number): number {
  // e^{−b} − 1 = −b(1 − b/2(1 − b/3(1 − b/4(1 − b/5))))
  let t = f(1 - f(b * 0.2));
  t = f(1 - f(f(b * 0.25) * t));
  t = f(1 - f(f(b * THIRD) * t));
  t = f(1 - f(f(b * 0.5) * t));
  return f(-b * t);
}
const THIRD = f(1 / 3);

/**
 * s·erfc(y) for 0.5 ≤ y < 10.2 given y² = a + b (a exact binary32, |b| < 0.06), an optional prefactor
 * s and an optional argument correction dy (the true argument is y + dy, |dy| ≲ 2^-24·y).
 * Evaluated as an unevaluated binary32 pair (double-float style) so that only the last rounding is ½ ulp:
 *   exp(−a) = 2^k(1 + h + l)         (expParts: h exact, l small)
 *   exp(−b) = 1 + em                  (Taylor, |em| < 0.07)
 *   G(y)    = gHi + gLo               (erfcxParts)
 *   G(y + dy) ≈ G(y)(1 + c),  c = (2y − 2/(√π·G))·dy
 *   s·erfc  = 2^k · s · [gHi + gHi·h + (gLo(1 + h) + g·(l + em + (h + l)·em + c))]
 * with gHi·h split exactly (Dekker) and gHi + gHi·h summed exactly (TwoSum).
 */
function erfcTail(y: number, a: number, b: number, s = 1, dy = 0): number {
  expParts(-a);
  const k = partK;
  const h = partHi;
  const l = partLo;
  const em = expm1Small(b);
  erfcxParts(y);
  const g = f(gHi + gLo);
  const c = dy === 0 ? 0 : f(f(f(2 * y) - f(TWO_OVER_SQRT_PI / g)) * dy);
  const wl = f(f(f(l + em) + f(partQ * em)) + c);
  const p = f(gHi * h);
  const pe = productError(gHi, h, p);
  const small = f(f(f(pe + gLo) + f(gLo * h)) + f(g * wl));
  let hi = f(gHi + p);
  const bb = f(hi - gHi);
  let lo = f(f(f(gHi - f(hi - bb)) + f(p - bb)) + small); // TwoSum error of gHi + p, plus the rest
  if (s !== 1) {
    const sp = f(s * hi);
    lo = f(productError(s, hi, sp) + f(s * lo));
    hi = sp;
  }
  const v = f(hi + lo);
  if (k >= -126) return f(v * pow2(k));
  return f(f(v * pow2(k + 100)) * TWO_M100);
}

// x² = sqA + sqB (module-level outputs: no allocation per element).
let sqA = 0;
let sqB = 0;
/** Splits x² = a + b with a = z² exact (z = x with its low 12 significand bits cleared) and b small. */
function squareSplit(x: number): void {
  const z = fromBits(bitsOf(x) & 0xfffff000);
  const d = f(x - z);
  sqA = f(z * z);
  sqB = f(f(f(2 * z) * d) + f(d * d));
}

export function erf32(x: number): number {
  x = f(x);
  if (Number.isNaN(x) || x === 0) return x; // NaN, ±0
  const ax = x < 0 ? -x : x;
  let r: number;
  if (ax < 0.84375) r = f(ax + erfSmallCorrection(ax));
  else if (ax >= 4) r = 1;
  else {
    squareSplit(ax);
    r = f(1 - erfcTail(ax, sqA, sqB));
  }
  return x < 0 ? -r : r;
}

/**
 * erfc(x + dy) for 0 ≤ x < 0.84375 (dy a tiny correction to the argument, see gelu32), compensated:
 * erfc = base − (a + corr) with base = 1, a = x (x < ¼) or base = ½, a = x − ½ (exact), corr = x·P(x²).
 * The sum a + corr and the difference base − s are formed with their exact rounding errors
 * (TwoSum / Fast2Sum), so only corr's own rounding and the final one remain (fdlibm's split alone
 * leaves up to 1 ulp from rounding s).
 */
function erfcSmallPos(x: number, dy: number): number {
  const corr = x < 0.00006103515625 ? f(x * ERF_SMALL) : f(x * horner(ERF_P, f(x * x)));
  const base = x < 0.25 ? 1 : 0.5;
  const av = x < 0.25 ? x : f(x - 0.5);
  const sum = f(av + corr);
  const bb = f(sum - av);
  const e1 = f(f(av - f(sum - bb)) + f(corr - bb)); // av + corr − sum, exactly (TwoSum)
  const h = f(base - sum);
  const e2 = f(f(base - h) - sum); // base − sum − h, exactly (Fast2Sum: |base| ≥ |sum|)
  const d = dy === 0 ? 0 : f(dy * f(TWO_OVER_SQRT_PI * exp32(-f(x * x)))); // erf'(x)·dy
  return f(h + f(f(e2 - e1) - d));
}

export function erfc32(x: number): number {
  x = f(x);
  if (Number.isNaN(x)) return x;
  const ax = x < 0 ? -x : x;
  if (x < 0.5 && x > -0.84375) return x >= 0 ? erfcSmallPos(x, 0) : f(1 + f(ax + erfSmallCorrection(ax)));
  if (x <= -4) return 2;
  if (x >= 10.2) return 0;
  squareSplit(ax);
  const t = erfcTail(ax, sqA, sqB);
  return x < 0 ? f(2 - t) : t;
}

const INV_SQRT2 = fromBits(0x3f3504f3); // 1/√2 rounded to binary32
const INV_SQRT2_LO = f(Math.SQRT1_2 - 0.7071067690849304); // 1/√2 − INV_SQRT2 (≈ 1.21e-8)

/**
 * GELU, erf form: gelu(x) = x·Φ(x) = ½·x·erfc(−x/√2). y = |x|/√2 is rounded to binary32 (ay) and its
 * error dy (from the rounding and from the constant) enters as a first-order correction. For y ≥ 0.5
 * the erfc tail needs exp(−x²/2) to full relative accuracy, so x²/2 is split exactly like erfc's x²:
 *   x ≤ −0.5√2:      ½·x·erfc(y)                  (prefactor folded into erfcTail: no underflow loss)
 *   −0.5√2 < x < 0:  x·(½·erfc(y))                (compensated erfcSmallPos)
 *   0 ≤ x < 0.5√2:   ½x + ½x·erf(y)
 *   x ≥ 0.5√2:       x·(1 − ½·erfc(y))
 */
export function gelu32(x: number): number {
  x = f(x);
  if (Number.isNaN(x)) return x;
  if (x === Number.POSITIVE_INFINITY) return x;
  if (x === Number.NEGATIVE_INFINITY) return -0;
  const ax = x < 0 ? -x : x;
  const ay = f(ax * INV_SQRT2); // ≈ |x|/√2
  if (ay >= 10.2) return x < 0 ? -0 : x;
  // |x|/√2 = ay + dy: the rounding error of ay and of the constant, fed to first-order correction terms.
  const dy = f(productError(ax, INV_SQRT2, ay) + f(ax * INV_SQRT2_LO));
  let t: number; // ½·erfc(|x|/√2) = Φ(−|x|)
  if (ay < 0.5) {
    if (x >= 0) {
      // Φ = ½ + ½·erf(y) sits at the bottom of its binade: form ½x + ½x·erf(x/√2) instead of x·Φ.
      const e = f(erf32(ay) + f(dy * f(TWO_OVER_SQRT_PI * exp32(-f(ay * ay)))));
      const hx = f(0.5 * x);
      return f(hx + f(hx * e));
    }
    t = f(0.5 * erfcSmallPos(ay, dy));
  } else {
    squareSplit(ax); // x² = a + b → (x/√2)² = a/2 + b/2 (halving is exact)
    const a = sqA;
    const b = sqB;
    if (x < 0) return erfcTail(ay, f(0.5 * a), f(0.5 * b), f(0.5 * x), dy); // ½·x·erfc(|x|/√2), no underflow loss
    t = f(0.5 * erfcTail(ay, f(0.5 * a), f(0.5 * b), 1, dy));
  }
  const phi = x < 0 ? t : f(1 - t);
  return f(x * phi);
}
