// The RepOps transcendentals (math.ts is the specification) as scalar binary32 WebAssembly: the same
// operations in the same order, so the same bits. A JavaScript `Math.fround(a ∘ b)` of two binary32
// values is one f32 operation here. Comparisons with decimal literals that are not binary32 values
// (9.01, 0.55, 10.2) are made in f64, as JavaScript makes them; constants the spec derives by a double
// division are given by their binary32 bits (AssemblyScript would fold such a division in f32). No static data: the imported memory
// belongs to the workspace allocator, so coefficient tables are spelled out in the Horner chains.

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

// ---- array kernels (the ops of ops/unary.ts) ---------------------------------------------------------
// kind: 0 exp, 1 log, 2 tanh, 3 sigmoid, 4 gelu, 5 erf, 6 erfc
export function unaryArray(kind: i32, px: usize, po: usize, n: i32): void {
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
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(px + o);
    const a: f32 = <f32>0.5 * erfc32(-(v * INV_SQRT2));
    const p: f32 = exp32(v * v * <f32>-0.5) * INV_SQRT_2PI;
    store<f32>(po + o, load<f32>(pg + o) * (a + v * p));
  }
}

// One softmax row's exponentials: out[i] = exp32(x[i] − m)
export function expShift(px: usize, po: usize, n: i32, m: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(po + o, exp32(load<f32>(px + o) - m));
  }
}
