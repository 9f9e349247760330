// The RepOps transcendentals (math.ts is the specification) as scalar binary32 WebAssembly: the same
// operations in the same order, so the same bits. A JavaScript `Math.fround(a ∘ b)` of two binary32
// values is one f32 operation here. Comparisons with decimal literals that are not binary32 values
// (9.01, 0.55, 10.2) are made in f64, as JavaScript makes them; constants the spec derives by a double
// division are given by their binary32 bits (AssemblyScript would fold such a division in f32). No static data: the imported memory
// belongs to the workspace allocator, so coefficient tables are spelled out in the Horner chains.

import { laneSum } from './shared/lane-sum';

function bits(x: f32): u32 {
  return reinterpret<u32>(x);
}
function fromBits(b: u32): f32 {
  return reinterpret<f32>(b);
}
function pow2(k: i32): f32 {
  return reinterpret<f32>(<u32>((k + 127) << 23));
}
// JavaScript's Math.round (ties toward +∞) of a binary32 value; |v| < 2^23 here, so v + 0.5 is exact.
function jsRound(v: f32): i32 {
  return <i32>Math.floor(<f64>v + 0.5);
}

// ---- exp --------------------------------------------------------------------------------------------
const INV_LN2: f32 = reinterpret<f32>(0x3fb8aa3b);
const LN2_HI: f32 = reinterpret<f32>(0x3f317200);
const LN2_LO: f32 = reinterpret<f32>(0x35bfbe8e);
const EXP_P1: f32 = reinterpret<f32>(0x3e2aaa8f);
const EXP_P2: f32 = reinterpret<f32>(0xbb355215);
const EXP_OVERFLOW: f32 = reinterpret<f32>(0x42b17217);
const EXP_UNDERFLOW: f32 = reinterpret<f32>(0xc2cff1b4);
const TWO_M100: f32 = reinterpret<f32>(27 << 23);

export function exp32(x: f32): f32 {
  if (x != x) return x;
  if (x > EXP_OVERFLOW) return Infinity;
  if (x < EXP_UNDERFLOW) return 0;
  const ax: f32 = x < 0 ? -x : x;
  if (ax < <f32>0.00006103515625) return <f32>1 + x;
  const k = jsRound(x * INV_LN2);
  const kf = <f32>k;
  const hi: f32 = x - kf * LN2_HI;
  const lo: f32 = kf * LN2_LO;
  const r: f32 = hi - lo;
  const t: f32 = r * r;
  const c: f32 = r - t * (EXP_P1 + t * EXP_P2);
  if (k == 0) return <f32>1 - ((r * c) / (c - <f32>2) - r);
  const y: f32 = <f32>1 - (lo - (r * c) / (<f32>2 - c) - hi);
  if (k > 127) return y * <f32>2 * pow2(127);
  if (k < -125) return y * pow2(k + 100) * TWO_M100;
  return y * pow2(k);
}

let partK: i32 = 0;
let partQ: f32 = 0;
let partHi: f32 = 0;
let partLo: f32 = 0;
function expParts(x: f32): void {
  const k = jsRound(x * INV_LN2);
  const kf = <f32>k;
  const hi: f32 = x - kf * LN2_HI;
  const lo: f32 = kf * LN2_LO;
  const r: f32 = hi - lo;
  const t: f32 = r * r;
  const c: f32 = r - t * (EXP_P1 + t * EXP_P2);
  partK = k;
  partQ = hi - (lo - (r * c) / (<f32>2 - c));
  partHi = hi;
  partLo = (r * c) / (<f32>2 - c) - lo;
}

// ---- log --------------------------------------------------------------------------------------------
const LOG_LN2_HI: f32 = reinterpret<f32>(0x3f317180);
const LOG_LN2_LO: f32 = reinterpret<f32>(0x3717f7d1);
const LG1: f32 = reinterpret<f32>(0x3f2aaaaa);
const LG2: f32 = reinterpret<f32>(0x3eccce13);
const LG3: f32 = reinterpret<f32>(0x3e91e9ee);
const LG4: f32 = reinterpret<f32>(0x3e789e26);
const ONE_THIRD: f32 = reinterpret<f32>(0x3eaaaaab);

export function log32(x: f32): f32 {
  if (x != x) return x;
  if (x < 0) return NaN;
  if (x == 0) return -Infinity;
  if (x == Infinity) return x;
  let k: i32 = 0;
  let ix: u32 = bits(x);
  if (ix < 0x00800000) {
    k = -25;
    ix = bits(x * <f32>33554432);
  }
  k += <i32>(ix >>> 23) - 127;
  ix &= 0x007fffff;
  const i: u32 = (ix + (0x95f64 << 3)) & 0x800000;
  const m = fromBits(ix | (i ^ 0x3f800000));
  k += <i32>(i >>> 23);
  const fm: f32 = m - <f32>1;
  const dk = <f32>k;
  if ((0x007fffff & (0x8000 + ix)) < 0xc000) {
    if (fm == 0) return k == 0 ? <f32>0 : dk * LOG_LN2_HI + dk * LOG_LN2_LO;
    const R: f32 = fm * fm * (<f32>0.5 - ONE_THIRD * fm);
    if (k == 0) return fm - R;
    return dk * LOG_LN2_HI - (R - dk * LOG_LN2_LO - fm);
  }
  const s: f32 = fm / (<f32>2 + fm);
  const z: f32 = s * s;
  const w: f32 = z * z;
  const t1: f32 = w * (LG2 + w * LG4);
  const t2: f32 = z * (LG1 + w * LG3);
  const R: f32 = t2 + t1;
  const big = (<i32>(ix - (0x6147a << 3)) | <i32>((0x6b851 << 3) - ix)) > 0;
  if (big) {
    const hfsq: f32 = <f32>0.5 * fm * fm;
    if (k == 0) return fm - (hfsq - s * (hfsq + R));
    return dk * LOG_LN2_HI - (hfsq - (s * (hfsq + R) + dk * LOG_LN2_LO) - fm);
  }
  if (k == 0) return fm - s * (fm - R);
  return dk * LOG_LN2_HI - (s * (fm - R) - dk * LOG_LN2_LO - fm);
}

// ---- tanh -------------------------------------------------------------------------------------------
export function tanh32(x: f32): f32 {
  if (x != x) return x;
  const ax: f32 = x < 0 ? -x : x;
  if (ax < <f32>0.000244140625) return x;
  if (<f64>ax < 0.55) {
    const z: f32 = x * x;
    let p: f32 = reinterpret<f32>(0x3a1aac12);
    p = p * z + reinterpret<f32>(0xbabed1b2);
    p = p * z + reinterpret<f32>(0x3b6b69e8);
    p = p * z + reinterpret<f32>(0xbc11371b);
    p = p * z + reinterpret<f32>(0x3cb327a4);
    p = p * z + reinterpret<f32>(0xbd5d0dd1);
    p = p * z + reinterpret<f32>(0x3e088889);
    p = p * z + reinterpret<f32>(0xbeaaaaab);
    return x + x * z * p;
  }
  if (<f64>ax >= 9.01) return x < 0 ? <f32>-1 : <f32>1;
  const e = exp32(<f32>2 * ax);
  const t: f32 = <f32>1 - <f32>2 / (e + <f32>1);
  return x < 0 ? -t : t;
}

// ---- exact-product helpers, sigmoid ------------------------------------------------------------------
function productError(a: f32, b: f32, p: f32): f32 {
  const ca: f32 = <f32>4097 * a;
  const ah: f32 = ca - (ca - a);
  const al: f32 = a - ah;
  const cb: f32 = <f32>4097 * b;
  const bh: f32 = cb - (cb - b);
  const bl: f32 = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

function divOnePlus(n: f32, e: f32): f32 {
  const d: f32 = <f32>1 + e;
  const de: f32 = e - (d - <f32>1);
  const q: f32 = n / d;
  const p: f32 = q * d;
  const res: f32 = n - p - productError(q, d, p);
  return q + (res - q * de) / d;
}

export function sigmoid32(x: f32): f32 {
  if (x != x) return x;
  if (x >= 0) return divOnePlus(1, exp32(-x));
  const e = exp32(x);
  if (x < <f32>-17) return e;
  return divOnePlus(e, e);
}

// ---- erf / erfc / gelu ----------------------------------------------------------------------------------
const ERF_SMALL: f32 = <f32>0.1283791670955126;
const TWO_OVER_SQRT_PI: f32 = <f32>1.1283791670955126;
const ERFC_A0_LO: f32 = <f32>9.05672159e-9;
const ERFC_B0_LO: f32 = <f32>4.58384974e-9;
const ERFC_C0_LO: f32 = <f32>8.47195381e-9;
const THIRD: f32 = reinterpret<f32>(0x3eaaaaab);

// x·P(x²) for erf's small range (ERF_P, Horner from the top coefficient)
function erfPoly(t: f32): f32 {
  let p: f32 = <f32>0.0000884593755;
  p = p * t + <f32>-0.000824227871;
  p = p * t + <f32>0.0052087428;
  p = p * t + <f32>-0.026862096;
  p = p * t + <f32>0.112837367;
  p = p * t + <f32>-0.376126349;
  p = p * t + <f32>0.128379166;
  return p;
}

function erfSmallCorrection(ax: f32): f32 {
  if (ax < <f32>0.00006103515625) return ax * ERF_SMALL;
  return ax * erfPoly(ax * ax);
}

let gHi: f32 = 0;
let gLo: f32 = 0;
function erfcxParts(y: f32): void {
  if (y < <f32>4) {
    let p2: f32;
    let c0: f32;
    let c1: f32;
    let c0lo: f32;
    let t: f32;
    if (y < <f32>1.75) {
      t = y - <f32>1.125;
      p2 = <f32>0.0000928814115;
      p2 = p2 * t + <f32>-0.000279903528;
      p2 = p2 * t + <f32>0.000699304044;
      p2 = p2 * t + <f32>-0.00189299823;
      p2 = p2 * t + <f32>0.00495041395;
      p2 = p2 * t + <f32>-0.0122409472;
      p2 = p2 * t + <f32>0.0286195762;
      p2 = p2 * t + <f32>-0.0627937987;
      p2 = p2 * t + <f32>0.127882272;
      c1 = <f32>-0.238058493;
      c0 = <f32>0.395698071;
      c0lo = ERFC_A0_LO;
    } else {
      t = y - <f32>2.75;
      p2 = <f32>4.75548632e-7;
      p2 = p2 * t + <f32>-0.00000261898049;
      p2 = p2 * t + <f32>0.00000928333975;
      p2 = p2 * t + <f32>-0.0000343467873;
      p2 = p2 * t + <f32>0.000130826113;
      p2 = p2 * t + <f32>-0.000482337433;
      p2 = p2 * t + <f32>0.00171972183;
      p2 = p2 * t + <f32>-0.00593431434;
      p2 = p2 * t + <f32>0.0197585747;
      c1 = <f32>-0.0632376373;
      c0 = <f32>0.193662092;
      c0lo = ERFC_B0_LO;
    }
    const c1t: f32 = c1 * t;
    const c1tErr = productError(c1, t, c1t);
    const sum: f32 = c0 + c1t;
    const bb: f32 = sum - c0;
    const sumErr: f32 = c0 - (sum - bb) + (c1t - bb);
    gHi = sum;
    gLo = c0lo + c1tErr + sumErr + t * t * p2;
    return;
  }
  const u: f32 = <f32>1 / (y * y);
  let p: f32 = <f32>-6.32552099;
  p = p * u + <f32>3.01660466;
  p = p * u + <f32>-1.03205943;
  p = p * u + <f32>0.422609776;
  p = p * u + <f32>-0.282089293;
  const c0: f32 = <f32>0.564189553;
  const q0: f32 = c0 / y;
  const prod: f32 = q0 * y;
  const r0: f32 = c0 - prod - productError(q0, y, prod);
  gHi = q0;
  gLo = (r0 + ERFC_C0_LO + u * p) / y;
}

function expm1Small(b: f32): f32 {
  let t: f32 = <f32>1 - <f32>(<f64>b * 0.2); // 0.2 is a double in the spec: f64 product, one rounding
  t = <f32>1 - b * <f32>0.25 * t;
  t = <f32>1 - b * THIRD * t;
  t = <f32>1 - b * <f32>0.5 * t;
  return -b * t;
}

function erfcTail(y: f32, a: f32, b: f32, s: f32, dy: f32): f32 {
  expParts(-a);
  const k = partK;
  const h = partHi;
  const l = partLo;
  const em = expm1Small(b);
  erfcxParts(y);
  const g: f32 = gHi + gLo;
  const c: f32 = dy == 0 ? <f32>0 : (<f32>2 * y - TWO_OVER_SQRT_PI / g) * dy;
  const wl: f32 = l + em + partQ * em + c;
  const p: f32 = gHi * h;
  const pe = productError(gHi, h, p);
  const small: f32 = pe + gLo + gLo * h + g * wl;
  let hi: f32 = gHi + p;
  const bb: f32 = hi - gHi;
  let lo: f32 = gHi - (hi - bb) + (p - bb) + small;
  if (s != 1) {
    const sp: f32 = s * hi;
    lo = productError(s, hi, sp) + s * lo;
    hi = sp;
  }
  const v: f32 = hi + lo;
  if (k >= -126) return v * pow2(k);
  return v * pow2(k + 100) * TWO_M100;
}

let sqA: f32 = 0;
let sqB: f32 = 0;
function squareSplit(x: f32): void {
  const z = fromBits(bits(x) & 0xfffff000);
  const d: f32 = x - z;
  sqA = z * z;
  sqB = <f32>2 * z * d + d * d;
}

export function erf32(x: f32): f32 {
  if (x != x || x == 0) return x;
  const ax: f32 = x < 0 ? -x : x;
  let r: f32;
  if (ax < <f32>0.84375) r = ax + erfSmallCorrection(ax);
  else if (ax >= <f32>4) r = 1;
  else {
    squareSplit(ax);
    r = <f32>1 - erfcTail(ax, sqA, sqB, 1, 0);
  }
  return x < 0 ? -r : r;
}

function erfcSmallPos(x: f32, dy: f32): f32 {
  const corr: f32 = x < <f32>0.00006103515625 ? x * ERF_SMALL : x * erfPoly(x * x);
  const base: f32 = x < <f32>0.25 ? <f32>1 : <f32>0.5;
  const av: f32 = x < <f32>0.25 ? x : x - <f32>0.5;
  const sum: f32 = av + corr;
  const bb: f32 = sum - av;
  const e1: f32 = av - (sum - bb) + (corr - bb);
  const h: f32 = base - sum;
  const e2: f32 = base - h - sum;
  const d: f32 = dy == 0 ? <f32>0 : dy * (TWO_OVER_SQRT_PI * exp32(-(x * x)));
  return h + (e2 - e1 - d);
}

export function erfc32(x: f32): f32 {
  if (x != x) return x;
  const ax: f32 = x < 0 ? -x : x;
  if (x < <f32>0.5 && x > <f32>-0.84375)
    return x >= 0 ? erfcSmallPos(x, 0) : <f32>1 + (ax + erfSmallCorrection(ax));
  if (x <= <f32>-4) return 2;
  if (<f64>x >= 10.2) return 0;
  squareSplit(ax);
  const t = erfcTail(ax, sqA, sqB, 1, 0);
  return x < 0 ? <f32>2 - t : t;
}

const INV_SQRT2: f32 = reinterpret<f32>(0x3f3504f3);
const INV_SQRT2_LO: f32 = reinterpret<f32>(0x324fe77a); // f32(SQRT1_2 − 0.7071067690849304)
const INV_SQRT_2PI: f32 = <f32>0.3989422804014327;

export function gelu32(x: f32): f32 {
  if (x != x) return x;
  if (x == Infinity) return x;
  if (x == -Infinity) return <f32>-0.0;
  const ax: f32 = x < 0 ? -x : x;
  const ay: f32 = ax * INV_SQRT2;
  if (<f64>ay >= 10.2) return x < 0 ? <f32>-0.0 : x;
  const dy: f32 = productError(ax, INV_SQRT2, ay) + ax * INV_SQRT2_LO;
  let t: f32;
  if (ay < <f32>0.5) {
    if (x >= 0) {
      const e: f32 = erf32(ay) + dy * (TWO_OVER_SQRT_PI * exp32(-(ay * ay)));
      const hx: f32 = <f32>0.5 * x;
      return hx + hx * e;
    }
    t = <f32>0.5 * erfcSmallPos(ay, dy);
  } else {
    squareSplit(ax);
    const a = sqA;
    const b = sqB;
    if (x < 0) return erfcTail(ay, <f32>0.5 * a, <f32>0.5 * b, <f32>0.5 * x, dy);
    t = <f32>0.5 * erfcTail(ay, <f32>0.5 * a, <f32>0.5 * b, 1, dy);
  }
  const phi: f32 = x < 0 ? t : <f32>1 - t;
  return x * phi;
}

// ---- GELU, four lanes at a time ----------------------------------------------------------------------
// gelu32's common case (|x|/√2 < 4: both small-argument paths and the A/B pieces of erfcx) computed per
// lane with f32x4 operations — each lane performs exactly gelu32's operations for its own branch (all
// branches are computed and the lane's one is selected; lanes never mix). A vector with any lane outside
// that case (NaN, ±Inf, |x|/√2 ≥ 4) runs gelu32 lane by lane. Ranges that make the scalar branches
// unnecessary: for |x|/√2 < 0.5, exp32(−y²) has k = 0 (|−y²·log2 e| < 0.37); for |x|/√2 < 4,
// k ≥ −24 in erfcTail (so the 2^-100 rescaling is never taken) and s ≠ 1 exactly when x < 0.
@inline function vsplat(c: f32): v128 {
  return f32x4.splat(c);
}
@inline function vsel(a: v128, b: v128, mask: v128): v128 {
  return v128.bitselect(a, b, mask);
}
@inline function vProductError(a: v128, b: v128, p: v128): v128 {
  const sp = vsplat(<f32>4097);
  const ca = f32x4.mul(sp, a);
  const ah = f32x4.sub(ca, f32x4.sub(ca, a));
  const al = f32x4.sub(a, ah);
  const cb = f32x4.mul(sp, b);
  const bh = f32x4.sub(cb, f32x4.sub(cb, b));
  const bl = f32x4.sub(b, bh);
  return f32x4.add(
    f32x4.add(f32x4.add(f32x4.sub(f32x4.mul(ah, bh), p), f32x4.mul(ah, bl)), f32x4.mul(al, bh)),
    f32x4.mul(al, bl),
  );
}
@inline function vfma(p: v128, t: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(p, t), c); // two roundings, as p·t + c in the spec (no fused multiply-add)
}

// exp32(w) for lanes whose k is 0 (|w·log2 e| < ½): 1 + w below 2^-14, else the k = 0 rational.
@inline function vExpK0(w: v128): v128 {
  const one = vsplat(1);
  const wt = f32x4.mul(w, w);
  const wc = f32x4.sub(w, f32x4.mul(wt, f32x4.add(vsplat(EXP_P1), f32x4.mul(wt, vsplat(EXP_P2)))));
  const eK0 = f32x4.sub(one, f32x4.sub(f32x4.div(f32x4.mul(w, wc), f32x4.sub(wc, vsplat(2))), w));
  return vsel(f32x4.add(one, w), eK0, f32x4.lt(f32x4.abs(w), vsplat(<f32>0.00006103515625)));
}

// Math.round(v) (ties toward +∞) as a float: floor, +1 when the fraction is ≥ ½. For the |v| < 24 used
// here v − floor(v) is exact or (only for −½ < v < 0, fraction > ½) rounds on the right side of ½.
@inline function vRoundHalfUp(v: v128): v128 {
  const fl = f32x4.floor(v);
  return vsel(f32x4.add(fl, vsplat(1)), fl, f32x4.ge(f32x4.sub(v, fl), vsplat(<f32>0.5)));
}

// exp32(w) for −103 < w ≤ 0 with k = round(w/ln2) ≥ −125 (no 2^-100 rescaling): all three paths.
@inline function vExpNeg(w: v128): v128 {
  const kf = vRoundHalfUp(f32x4.mul(w, vsplat(INV_LN2)));
  const hi = f32x4.sub(w, f32x4.mul(kf, vsplat(LN2_HI)));
  const lo = f32x4.mul(kf, vsplat(LN2_LO));
  const r = f32x4.sub(hi, lo);
  const t = f32x4.mul(r, r);
  const c = f32x4.sub(r, f32x4.mul(t, f32x4.add(vsplat(EXP_P1), f32x4.mul(t, vsplat(EXP_P2)))));
  const y = f32x4.sub(
    vsplat(1),
    f32x4.sub(f32x4.sub(lo, f32x4.div(f32x4.mul(r, c), f32x4.sub(vsplat(2), c))), hi),
  );
  const k = i32x4.trunc_sat_f32x4_s(kf);
  const general = f32x4.mul(y, i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23));
  return vsel(vExpK0(w), general, f32x4.eq(kf, vsplat(0)));
}

// erfSmallCorrection(x) for 0 ≤ x < 0.84375 (and −0)
@inline function vErfCorr(x: v128): v128 {
  const y2 = f32x4.mul(x, x);
  let pe = vsplat(<f32>0.0000884593755);
  pe = vfma(pe, y2, vsplat(<f32>-0.000824227871));
  pe = vfma(pe, y2, vsplat(<f32>0.0052087428));
  pe = vfma(pe, y2, vsplat(<f32>-0.026862096));
  pe = vfma(pe, y2, vsplat(<f32>0.112837367));
  pe = vfma(pe, y2, vsplat(<f32>-0.376126349));
  pe = vfma(pe, y2, vsplat(<f32>0.128379166));
  return vsel(
    f32x4.mul(x, vsplat(ERF_SMALL)),
    f32x4.mul(x, pe),
    f32x4.lt(x, vsplat(<f32>0.00006103515625)),
  );
}

// erfcSmallPos(x, dy) given corr = erfSmallCorrection(x) and d = its `dy == 0 ? 0 : …` term
@inline function vErfcSmallPos(x: v128, corr: v128, d: v128): v128 {
  const half = vsplat(<f32>0.5);
  const low = f32x4.lt(x, vsplat(<f32>0.25));
  const base = vsel(vsplat(1), half, low);
  const av = vsel(x, f32x4.sub(x, half), low);
  const sum = f32x4.add(av, corr);
  const sbb = f32x4.sub(sum, av);
  const e1 = f32x4.add(f32x4.sub(av, f32x4.sub(sum, sbb)), f32x4.sub(corr, sbb));
  const h = f32x4.sub(base, sum);
  const e2 = f32x4.sub(f32x4.sub(base, h), sum);
  return f32x4.add(h, f32x4.sub(f32x4.sub(e2, e1), d));
}

// erfcTail(y, a, b, ·, dy) for 0.5 ≤ y < 4 up to the prefactor: leaves the unevaluated pair tailHi +
// tailLo and the power of two tailScale (the result is (tailHi + tailLo)·tailScale, or, with a prefactor
// s ≠ 1, (s·tailHi + (err(s·tailHi) + s·tailLo))·tailScale). dyZero: the lanes where dy == 0.
let tailHi: v128 = i32x4.splat(0);
let tailLo: v128 = i32x4.splat(0);
let tailScale: v128 = i32x4.splat(0);
@inline function vErfcTail(y: v128, a: v128, b: v128, dy: v128, dyZero: v128): void {
  const one = vsplat(1);
  const two = vsplat(2);
  const half = vsplat(<f32>0.5);
  // expParts(−a)
  const na = f32x4.neg(a);
  const kf = vRoundHalfUp(f32x4.mul(na, vsplat(INV_LN2)));
  const hi0 = f32x4.sub(na, f32x4.mul(kf, vsplat(LN2_HI)));
  const lo0 = f32x4.mul(kf, vsplat(LN2_LO));
  const r = f32x4.sub(hi0, lo0);
  const rt = f32x4.mul(r, r);
  const c = f32x4.sub(r, f32x4.mul(rt, f32x4.add(vsplat(EXP_P1), f32x4.mul(rt, vsplat(EXP_P2)))));
  const q = f32x4.div(f32x4.mul(r, c), f32x4.sub(two, c));
  const partQv = f32x4.sub(hi0, f32x4.sub(lo0, q));
  const lPart = f32x4.sub(q, lo0);
  // expm1Small(b): the first product is in f64 (0.2 is a double in the spec)
  const b02 = v128.shuffle<f32>(
    f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(b), f64x2.splat(0.2))),
    f32x4.demote_f64x2_zero(
      f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 0, 1)), f64x2.splat(0.2)),
    ),
    0,
    1,
    4,
    5,
  );
  let et = f32x4.sub(one, b02);
  et = f32x4.sub(one, f32x4.mul(f32x4.mul(b, vsplat(<f32>0.25)), et));
  et = f32x4.sub(one, f32x4.mul(f32x4.mul(b, vsplat(THIRD)), et));
  et = f32x4.sub(one, f32x4.mul(f32x4.mul(b, half), et));
  const em = f32x4.mul(f32x4.neg(b), et);
  // erfcxParts(y), pieces A (y < 1.75) and B
  const isA = f32x4.lt(y, vsplat(<f32>1.75));
  const t = f32x4.sub(y, vsel(vsplat(<f32>1.125), vsplat(<f32>2.75), isA));
  let p2 = vsel(vsplat(<f32>0.0000928814115), vsplat(<f32>4.75548632e-7), isA);
  p2 = vfma(p2, t, vsel(vsplat(<f32>-0.000279903528), vsplat(<f32>-0.00000261898049), isA));
  p2 = vfma(p2, t, vsel(vsplat(<f32>0.000699304044), vsplat(<f32>0.00000928333975), isA));
  p2 = vfma(p2, t, vsel(vsplat(<f32>-0.00189299823), vsplat(<f32>-0.0000343467873), isA));
  p2 = vfma(p2, t, vsel(vsplat(<f32>0.00495041395), vsplat(<f32>0.000130826113), isA));
  p2 = vfma(p2, t, vsel(vsplat(<f32>-0.0122409472), vsplat(<f32>-0.000482337433), isA));
  p2 = vfma(p2, t, vsel(vsplat(<f32>0.0286195762), vsplat(<f32>0.00171972183), isA));
  p2 = vfma(p2, t, vsel(vsplat(<f32>-0.0627937987), vsplat(<f32>-0.00593431434), isA));
  p2 = vfma(p2, t, vsel(vsplat(<f32>0.127882272), vsplat(<f32>0.0197585747), isA));
  const c1 = vsel(vsplat(<f32>-0.238058493), vsplat(<f32>-0.0632376373), isA);
  const c0 = vsel(vsplat(<f32>0.395698071), vsplat(<f32>0.193662092), isA);
  const c0lo = vsel(vsplat(ERFC_A0_LO), vsplat(ERFC_B0_LO), isA);
  const c1t = f32x4.mul(c1, t);
  const c1tErr = vProductError(c1, t, c1t);
  const gsum = f32x4.add(c0, c1t);
  const gbb = f32x4.sub(gsum, c0);
  const sumErr = f32x4.add(f32x4.sub(c0, f32x4.sub(gsum, gbb)), f32x4.sub(c1t, gbb));
  const gHiV = gsum;
  const gLoV = f32x4.add(f32x4.add(f32x4.add(c0lo, c1tErr), sumErr), f32x4.mul(f32x4.mul(t, t), p2));
  // the rest of erfcTail
  const g = f32x4.add(gHiV, gLoV);
  const cc = vsel(
    vsplat(0),
    f32x4.mul(f32x4.sub(f32x4.mul(two, y), f32x4.div(vsplat(TWO_OVER_SQRT_PI), g)), dy),
    dyZero,
  );
  const wl = f32x4.add(f32x4.add(f32x4.add(lPart, em), f32x4.mul(partQv, em)), cc);
  const p = f32x4.mul(gHiV, hi0);
  const pe2 = vProductError(gHiV, hi0, p);
  const small = f32x4.add(f32x4.add(f32x4.add(pe2, gLoV), f32x4.mul(gLoV, hi0)), f32x4.mul(g, wl));
  const thi = f32x4.add(gHiV, p);
  const tbb = f32x4.sub(thi, gHiV);
  tailHi = thi;
  tailLo = f32x4.add(f32x4.add(f32x4.sub(gHiV, f32x4.sub(thi, tbb)), f32x4.sub(p, tbb)), small);
  tailScale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(kf), i32x4.splat(127)), 23);
}

// squareSplit(x): x² = sqA + sqB
let vSqA: v128 = i32x4.splat(0);
let vSqB: v128 = i32x4.splat(0);
@inline function vSquareSplit(x: v128): void {
  const z = v128.and(x, i32x4.splat(0xfffff000));
  const d = f32x4.sub(x, z);
  vSqA = f32x4.mul(z, z);
  vSqB = f32x4.add(f32x4.mul(f32x4.mul(vsplat(2), z), d), f32x4.mul(d, d));
}

function geluVec(x: v128): v128 {
  const zero = vsplat(0);
  const one = vsplat(1);
  const half = vsplat(<f32>0.5);
  const xNeg = f32x4.lt(x, zero);
  const ax = vsel(f32x4.neg(x), x, xNeg); // x < 0 ? −x : x (−0 stays −0, as in the spec)
  const ay = f32x4.mul(ax, vsplat(INV_SQRT2));
  const dy = f32x4.add(vProductError(ax, vsplat(INV_SQRT2), ay), f32x4.mul(ax, vsplat(INV_SQRT2_LO)));
  const dyZero = f32x4.eq(dy, zero);

  // ay < 0.5 (exp32(−ay²) has k = 0 there)
  const ew = vExpK0(f32x4.neg(f32x4.mul(ay, ay)));
  const corr = vErfCorr(ay);
  const dTerm = f32x4.mul(dy, f32x4.mul(vsplat(TWO_OVER_SQRT_PI), ew));
  // x ≥ 0: e = erf32(ay) + dy·(2/√π)·e^{−ay²}; ½x + ½x·e
  const e = f32x4.add(f32x4.add(ay, corr), dTerm);
  const hx = f32x4.mul(half, x);
  const smallPos = f32x4.add(hx, f32x4.mul(hx, e));
  // x < 0: x · ½·erfcSmallPos(ay, dy)
  const smallNeg = f32x4.mul(x, f32x4.mul(half, vErfcSmallPos(ay, corr, vsel(zero, dTerm, dyZero))));

  // ay ≥ 0.5: erfcTail(ay, a/2, b/2, x < 0 ? x/2 : 1, dy)
  vSquareSplit(ax);
  vErfcTail(ay, f32x4.mul(half, vSqA), f32x4.mul(half, vSqB), dy, dyZero);
  const s = f32x4.mul(half, x); // the prefactor for x < 0 (s ≠ 1 exactly there)
  const sp = f32x4.mul(s, tailHi);
  const slo = f32x4.add(vProductError(s, tailHi, sp), f32x4.mul(s, tailLo));
  const tailNeg = f32x4.mul(f32x4.add(sp, slo), tailScale);
  const tail = f32x4.mul(f32x4.add(tailHi, tailLo), tailScale);
  const tailPos = f32x4.mul(x, f32x4.sub(one, f32x4.mul(half, tail)));

  const isSmall = f32x4.lt(ay, half);
  return vsel(vsel(smallNeg, smallPos, xNeg), vsel(tailNeg, tailPos, xNeg), isSmall);
}

// gelu.vjp0 for lanes with |x|/√2 < 4: a = ½·erfc32(u), u = −(x·(1/√2)); p = exp32((x·x)·−½)·(1/√(2π));
// g·(a + x·p). erfc32(u): (−0.84375, 0.5) small paths, else the tail (2 − tail for u < 0).
function geluVjpVec(g: v128, v: v128): v128 {
  const zero = vsplat(0);
  const one = vsplat(1);
  const half = vsplat(<f32>0.5);
  const u = f32x4.neg(f32x4.mul(v, vsplat(INV_SQRT2)));
  const uNeg = f32x4.lt(u, zero);
  const au = vsel(f32x4.neg(u), u, uNeg);
  const corr = vErfCorr(au);
  const smallPos = vErfcSmallPos(au, corr, zero); // u ≥ 0: au is u itself (−0 included)
  const smallNeg = f32x4.add(one, f32x4.add(au, corr));
  vSquareSplit(au);
  vErfcTail(au, vSqA, vSqB, zero, i32x4.splat(-1));
  const t = f32x4.mul(f32x4.add(tailHi, tailLo), tailScale);
  const isSmall = v128.and(f32x4.lt(u, half), f32x4.gt(u, vsplat(<f32>-0.84375)));
  const erfc = vsel(vsel(smallNeg, smallPos, uNeg), vsel(f32x4.sub(vsplat(2), t), t, uNeg), isSmall);
  const a = f32x4.mul(half, erfc);
  const p = f32x4.mul(vExpNeg(f32x4.mul(f32x4.mul(v, v), vsplat(<f32>-0.5))), vsplat(INV_SQRT_2PI));
  return f32x4.mul(g, f32x4.add(a, f32x4.mul(v, p)));
}

/** out[i] = gelu32(x[i]), four lanes at a time where every lane is in geluVec's range. */
export function geluArray(px: usize, po: usize, n: i32): void {
  const lim = vsplat(<f32>4);
  const inv = vsplat(INV_SQRT2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(px + o);
    // ay < 4 on every lane (false for NaN; ±Inf gives ay = Inf)
    if (i32x4.all_true(f32x4.lt(f32x4.mul(f32x4.abs(x), inv), lim))) v128.store(po + o, geluVec(x));
    else
      for (let j = 0; j < 4; j++) {
        const oj = o + (<usize>j << 2);
        store<f32>(po + oj, gelu32(load<f32>(px + oj)));
      }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(po + o, gelu32(load<f32>(px + o)));
  }
}

// ---- array kernels (the ops of ops/unary.ts) ---------------------------------------------------------
// kind: 0 exp, 1 log, 2 tanh, 3 sigmoid, 4 gelu, 5 erf, 6 erfc
export function unaryArray(kind: i32, px: usize, po: usize, n: i32): void {
  if (kind == 4) {
    geluArray(px, po, n);
    return;
  }
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(px + o);
    let y: f32;
    switch (kind) {
      case 0:
        y = exp32(x);
        break;
      case 1:
        y = log32(x);
        break;
      case 2:
        y = tanh32(x);
        break;
      case 3:
        y = sigmoid32(x);
        break;
      case 4:
        y = gelu32(x);
        break;
      case 5:
        y = erf32(x);
        break;
      default:
        y = erfc32(x);
    }
    store<f32>(po + o, y);
  }
}

// gelu.vjp0: a = ½·erfc32(−(x·(1/√2))); p = exp32((x·x)·−½)·(1/√(2π)); out = g·(a + x·p)
export function geluVjp(pg: usize, px: usize, po: usize, n: i32): void {
  const lim = vsplat(<f32>4);
  const inv = vsplat(INV_SQRT2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(px + o);
    if (i32x4.all_true(f32x4.lt(f32x4.mul(f32x4.abs(x), inv), lim)))
      v128.store(po + o, geluVjpVec(v128.load(pg + o), x));
    else for (let j = 0; j < 4; j++) geluVjpOne(pg, px, po, o + (<usize>j << 2));
  }
  for (; i < n; i++) geluVjpOne(pg, px, po, <usize>i << 2);
}

@inline function geluVjpOne(pg: usize, px: usize, po: usize, o: usize): void {
  const v = load<f32>(px + o);
  const a: f32 = <f32>0.5 * erfc32(-(v * INV_SQRT2));
  const p: f32 = exp32(v * v * <f32>-0.5) * INV_SQRT_2PI;
  store<f32>(po + o, load<f32>(pg + o) * (a + v * p));
}

// One softmax row's exponentials: out[i] = exp32(x[i] − m)
export function expShift(px: usize, po: usize, n: i32, m: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(po + o, exp32(load<f32>(px + o) - m));
  }
}

// ---- softmax rows (ops/nn.ts is the spec) ---------------------------------------------------------------
// o[i] = exp32(x[i] − m) with m the row maximum, so w = x[i] − m ≤ 0 or NaN. Four lanes at a time with
// vExpNeg where every lane has −86 ≤ w ≤ 0 (k ≥ −124: no 2^-100 rescaling) or underflows to 0 (w below
// EXP_UNDERFLOW, e.g. a causal mask's −∞); any other lane (NaN, the band just above underflow) sends its
// vector through the scalar exp32.
@inline function expShiftRow(x: usize, o: usize, n: i32, m: f32): void {
  const vm = f32x4.splat(m);
  const zero = f32x4.splat(0);
  const low = vsplat(<f32>-86);
  const under = vsplat(EXP_UNDERFLOW);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const k = <usize>i << 2;
    const w = f32x4.sub(v128.load(x + k), vm);
    const gone = f32x4.lt(w, under);
    if (i32x4.all_true(v128.or(v128.and(f32x4.ge(w, low), f32x4.le(w, zero)), gone)))
      v128.store(o + k, vsel(zero, vExpNeg(w), gone));
    else
      for (let j: usize = 0; j < 16; j += 4) store<f32>(o + k + j, exp32(load<f32>(x + k + j) - m));
  }
  for (; i < n; i++) {
    const k = <usize>i << 2;
    store<f32>(o + k, exp32(load<f32>(x + k) - m));
  }
}

// rows × n: m = the row's first maximum (strict >; NaN as soon as a NaN is met), e[i] = exp32(x[i] − m),
// s = laneSum(e), out[i] = e[i] ÷ s. One call for all rows instead of one per row.
export function softmaxRows(px: usize, po: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * n) << 2;
    const x = px + row;
    const o = po + row;
    let m = load<f32>(x);
    for (let i = 1; i < n; i++) {
      const v = load<f32>(x + (<usize>i << 2));
      if (v > m || isNaN(v)) {
        m = v;
        if (isNaN(v)) break;
      }
    }
    expShiftRow(x, o, n, m);
    const vs = f32x4.splat(laneSum(o, n));
    const s = f32x4.extract_lane(vs, 0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const k = <usize>i << 2;
      v128.store(o + k, f32x4.div(v128.load(o + k), vs));
    }
    for (; i < n; i++) {
      const k = <usize>i << 2;
      store<f32>(o + k, load<f32>(o + k) / s);
    }
  }
}

// softmax.vjp0 rows: d = laneSum(g[i] × y[i]) (products staged in out), out[i] = y[i] × (g[i] − d).
export function softmaxVjpRows(pg: usize, py: usize, po: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * n) << 2;
    const g = pg + row;
    const y = py + row;
    const o = po + row;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const k = <usize>i << 2;
      v128.store(o + k, f32x4.mul(v128.load(g + k), v128.load(y + k)));
    }
    for (; i < n; i++) {
      const k = <usize>i << 2;
      store<f32>(o + k, load<f32>(g + k) * load<f32>(y + k));
    }
    const vd = f32x4.splat(laneSum(o, n));
    const d = f32x4.extract_lane(vd, 0);
    i = 0;
    for (; i + 4 <= n; i += 4) {
      const k = <usize>i << 2;
      v128.store(o + k, f32x4.mul(v128.load(y + k), f32x4.sub(v128.load(g + k), vd)));
    }
    for (; i < n; i++) {
      const k = <usize>i << 2;
      store<f32>(o + k, load<f32>(y + k) * (load<f32>(g + k) - d));
    }
  }
}
