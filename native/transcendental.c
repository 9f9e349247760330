/*
 * RepOps GELU and its VJP (the gelu and gelu.vjp0 ops): core/repops/math.ts gelu32 / erfc32 / exp32 is the
 * specification; this is a port of kernels/as/transcendental.ts (the WebAssembly kernels, already equal to
 * it bit for bit) — the same binary32 operations in the same order. Plain C for the scalar functions
 * (every value with its own branch, exactly as math.ts), and AVX-512 (16 lanes) / AVX2 (8 lanes) for the
 * common case |x|/√2 < 4 (gelu-lanes.h, included once per level): every branch computed per lane and the
 * lane's own selected, lanes never mixed; the lanes outside that case (NaN, ±Inf, |x| ≥ 4√2), and the
 * last n mod width elements, run the scalar functions. Built with -ffp-contract=off (no FMA); MXCSR is never touched
 * (subnormals kept, as in JS and WebAssembly). Operates on the caller's Float32Arrays in place.
 *
 *   gelu(x, out, from, to)          out[i] = gelu32(x[i])                               for from ≤ i < to
 *   geluVjp(g, x, out, from, to)    out[i] = g[i]·(½·erfc32(−(x[i]·(1/√2))) + x[i]·p)   (the op's spec)
 *   softmaxRows(x, out, from, to, n)        rows [from, to) of length n: ops/nn.ts softmax (softmax-lanes.h)
 *   softmaxVjpRows(g, y, out, from, to, n)  rows [from, to): softmax.vjp0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addon.h"

static inline uint32_t bits(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}
static inline float from_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}
static inline float pow2i(int k) { return from_bits((uint32_t)(k + 127) << 23); }
/* JavaScript's Math.round (ties toward +∞) of a binary32 value; |v| < 2^23 here, so v + 0.5 is exact. */
static inline int js_round(float v) { return (int)floor((double)v + 0.5); }
/* A decimal constant as the spec makes it: parsed as a double, then rounded to binary32 (Math.fround). */
#define F32(v) ((float)(v))

#define INV_LN2 from_bits(0x3fb8aa3b)
#define LN2_HI from_bits(0x3f317200)
#define LN2_LO from_bits(0x35bfbe8e)
#define EXP_P1 from_bits(0x3e2aaa8f)
#define EXP_P2 from_bits(0xbb355215)
#define EXP_OVERFLOW from_bits(0x42b17217)
#define EXP_UNDERFLOW from_bits(0xc2cff1b4)
#define TWO_M100 from_bits(27u << 23)
#define ERF_SMALL F32(0.1283791670955126)
#define TWO_OVER_SQRT_PI F32(1.1283791670955126)
#define ERFC_A0_LO F32(9.05672159e-9)
#define ERFC_B0_LO F32(4.58384974e-9)
#define ERFC_C0_LO F32(8.47195381e-9)
#define THIRD from_bits(0x3eaaaaab)
#define INV_SQRT2 from_bits(0x3f3504f3)
#define INV_SQRT2_LO from_bits(0x324fe77a)
#define INV_SQRT_2PI F32(0.3989422804014327)
#define TWO_M14 0.00006103515625f

/* ---- scalar: math.ts's operations one by one ------------------------------------------------------------ */
static float exp32(float x) {
  if (x != x) return x;
  if (x > EXP_OVERFLOW) return INFINITY;
  if (x < EXP_UNDERFLOW) return 0.0f;
  float ax = x < 0 ? -x : x;
  if (ax < TWO_M14) return 1.0f + x;
  int k = js_round(x * INV_LN2);
  float kf = (float)k;
  float hi = x - kf * LN2_HI;
  float lo = kf * LN2_LO;
  float r = hi - lo;
  float t = r * r;
  float c = r - t * (EXP_P1 + t * EXP_P2);
  if (k == 0) return 1.0f - ((r * c) / (c - 2.0f) - r);
  float y = 1.0f - (lo - (r * c) / (2.0f - c) - hi);
  if (k > 127) return y * 2.0f * pow2i(127);
  if (k < -125) return y * pow2i(k + 100) * TWO_M100;
  return y * pow2i(k);
}

/* math.ts log32 (fdlibm logf): x = 2^k·m, m ∈ [√2/2, √2), f = m − 1; every operation as the spec rounds it */
#define LOG_LN2_HI from_bits(0x3f317180)
#define LOG_LN2_LO from_bits(0x3717f7d1)
#define LG1 ((float)(0xaaaaaa / 16777216.0)) /* exact binary32 values, as math.ts writes them */
#define LG2 ((float)(0xccce13 / 33554432.0))
#define LG3 ((float)(0x91e9ee / 33554432.0))
#define LG4 ((float)(0xf89e26 / 67108864.0))
static float log32(float x) {
  if (x != x) return x;
  if (x < 0) return NAN;
  if (x == 0) return -INFINITY;
  if (x == INFINITY) return x;
  int32_t k = 0;
  int32_t ix = (int32_t)bits(x);
  if (ix < 0x00800000) { /* subnormal: scale up by 2^25 (exact) */
    k = -25;
    ix = (int32_t)bits(x * 33554432.0f);
  }
  k += (ix >> 23) - 127;
  ix &= 0x007fffff;
  int32_t i = (ix + (0x95f64 << 3)) & 0x800000; /* significand ≥ √2: normalise to m/2, bump k */
  float m = from_bits((uint32_t)(ix | (i ^ 0x3f800000)));
  k += i >> 23;
  float fm = m - 1.0f;
  float dk = (float)k;
  if ((0x007fffff & (0x8000 + ix)) < 0xc000) { /* −2^-9 ≤ f < 2^-9 */
    if (fm == 0) return k == 0 ? 0.0f : dk * LOG_LN2_HI + dk * LOG_LN2_LO;
    float R = (fm * fm) * (0.5f - THIRD * fm);
    if (k == 0) return fm - R;
    return dk * LOG_LN2_HI - ((R - dk * LOG_LN2_LO) - fm);
  }
  float s = fm / (2.0f + fm);
  float z = s * s;
  float w = z * z;
  float t1 = w * (LG2 + w * LG4);
  float t2 = z * (LG1 + w * LG3);
  float R = t2 + t1;
  if (((ix - (0x6147a << 3)) | ((0x6b851 << 3) - ix)) > 0) {
    float hfsq = (0.5f * fm) * fm;
    if (k == 0) return fm - (hfsq - s * (hfsq + R));
    return dk * LOG_LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LOG_LN2_LO)) - fm);
  }
  if (k == 0) return fm - s * (fm - R);
  return dk * LOG_LN2_HI - ((s * (fm - R) - dk * LOG_LN2_LO) - fm);
}

typedef struct {
  int k;
  float q, hi, lo;
} exp_parts_t;
static exp_parts_t exp_parts(float x) {
  exp_parts_t e;
  int k = js_round(x * INV_LN2);
  float kf = (float)k;
  float hi = x - kf * LN2_HI;
  float lo = kf * LN2_LO;
  float r = hi - lo;
  float t = r * r;
  float c = r - t * (EXP_P1 + t * EXP_P2);
  e.k = k;
  e.q = hi - (lo - (r * c) / (2.0f - c));
  e.hi = hi;
  e.lo = (r * c) / (2.0f - c) - lo;
  return e;
}

static float product_error(float a, float b, float p) {
  float ca = 4097.0f * a;
  float ah = ca - (ca - a);
  float al = a - ah;
  float cb = 4097.0f * b;
  float bh = cb - (cb - b);
  float bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

static float erf_poly(float t) {
  float p = F32(0.0000884593755);
  p = p * t + F32(-0.000824227871);
  p = p * t + F32(0.0052087428);
  p = p * t + F32(-0.026862096);
  p = p * t + F32(0.112837367);
  p = p * t + F32(-0.376126349);
  p = p * t + F32(0.128379166);
  return p;
}

static float erf_small_correction(float ax) {
  if (ax < TWO_M14) return ax * ERF_SMALL;
  return ax * erf_poly(ax * ax);
}

typedef struct {
  float hi, lo;
} pair_t;
static pair_t erfcx_parts(float y) {
  pair_t g;
  if (y < 4.0f) {
    float p2, c0, c1, c0lo, t;
    if (y < 1.75f) {
      t = y - 1.125f;
      p2 = F32(0.0000928814115);
      p2 = p2 * t + F32(-0.000279903528);
      p2 = p2 * t + F32(0.000699304044);
      p2 = p2 * t + F32(-0.00189299823);
      p2 = p2 * t + F32(0.00495041395);
      p2 = p2 * t + F32(-0.0122409472);
      p2 = p2 * t + F32(0.0286195762);
      p2 = p2 * t + F32(-0.0627937987);
      p2 = p2 * t + F32(0.127882272);
      c1 = F32(-0.238058493);
      c0 = F32(0.395698071);
      c0lo = ERFC_A0_LO;
    } else {
      t = y - 2.75f;
      p2 = F32(4.75548632e-7);
      p2 = p2 * t + F32(-0.00000261898049);
      p2 = p2 * t + F32(0.00000928333975);
      p2 = p2 * t + F32(-0.0000343467873);
      p2 = p2 * t + F32(0.000130826113);
      p2 = p2 * t + F32(-0.000482337433);
      p2 = p2 * t + F32(0.00171972183);
      p2 = p2 * t + F32(-0.00593431434);
      p2 = p2 * t + F32(0.0197585747);
      c1 = F32(-0.0632376373);
      c0 = F32(0.193662092);
      c0lo = ERFC_B0_LO;
    }
    float c1t = c1 * t;
    float c1t_err = product_error(c1, t, c1t);
    float sum = c0 + c1t;
    float bb = sum - c0;
    float sum_err = c0 - (sum - bb) + (c1t - bb);
    g.hi = sum;
    g.lo = c0lo + c1t_err + sum_err + t * t * p2;
    return g;
  }
  float u = 1.0f / (y * y);
  float p = F32(-6.32552099);
  p = p * u + F32(3.01660466);
  p = p * u + F32(-1.03205943);
  p = p * u + F32(0.422609776);
  p = p * u + F32(-0.282089293);
  float c0 = F32(0.564189553);
  float q0 = c0 / y;
  float prod = q0 * y;
  float r0 = c0 - prod - product_error(q0, y, prod);
  g.hi = q0;
  g.lo = (r0 + ERFC_C0_LO + u * p) / y;
  return g;
}

static float expm1_small(float b) {
  float t = 1.0f - (float)((double)b * 0.2); /* 0.2 is a double in the spec: f64 product, one rounding */
  t = 1.0f - b * 0.25f * t;
  t = 1.0f - b * THIRD * t;
  t = 1.0f - b * 0.5f * t;
  return -b * t;
}

static float erfc_tail(float y, float a, float b, float s, float dy) {
  exp_parts_t e = exp_parts(-a);
  float em = expm1_small(b);
  pair_t gp = erfcx_parts(y);
  float g = gp.hi + gp.lo;
  float c = dy == 0 ? 0.0f : (2.0f * y - TWO_OVER_SQRT_PI / g) * dy;
  float wl = e.lo + em + e.q * em + c;
  float p = gp.hi * e.hi;
  float pe = product_error(gp.hi, e.hi, p);
  float small = pe + gp.lo + gp.lo * e.hi + g * wl;
  float hi = gp.hi + p;
  float bb = hi - gp.hi;
  float lo = gp.hi - (hi - bb) + (p - bb) + small;
  if (s != 1) {
    float sp = s * hi;
    lo = product_error(s, hi, sp) + s * lo;
    hi = sp;
  }
  float v = hi + lo;
  if (e.k >= -126) return v * pow2i(e.k);
  return v * pow2i(e.k + 100) * TWO_M100;
}

/* x² = a + b with a exact */
static pair_t square_split(float x) {
  pair_t r;
  float z = from_bits(bits(x) & 0xfffff000u);
  float d = x - z;
  r.hi = z * z;
  r.lo = 2.0f * z * d + d * d;
  return r;
}

static float erf32(float x) {
  if (x != x || x == 0) return x;
  float ax = x < 0 ? -x : x;
  float r;
  if (ax < 0.84375f) r = ax + erf_small_correction(ax);
  else if (ax >= 4.0f) r = 1.0f;
  else {
    pair_t sq = square_split(ax);
    r = 1.0f - erfc_tail(ax, sq.hi, sq.lo, 1.0f, 0.0f);
  }
  return x < 0 ? -r : r;
}

static float erfc_small_pos(float x, float dy) {
  float corr = x < TWO_M14 ? x * ERF_SMALL : x * erf_poly(x * x);
  float base = x < 0.25f ? 1.0f : 0.5f;
  float av = x < 0.25f ? x : x - 0.5f;
  float sum = av + corr;
  float bb = sum - av;
  float e1 = av - (sum - bb) + (corr - bb);
  float h = base - sum;
  float e2 = base - h - sum;
  float d = dy == 0 ? 0.0f : dy * (TWO_OVER_SQRT_PI * exp32(-(x * x)));
  return h + (e2 - e1 - d);
}

static float erfc32(float x) {
  if (x != x) return x;
  float ax = x < 0 ? -x : x;
  if (x < 0.5f && x > -0.84375f) return x >= 0 ? erfc_small_pos(x, 0.0f) : 1.0f + (ax + erf_small_correction(ax));
  if (x <= -4.0f) return 2.0f;
  if ((double)x >= 10.2) return 0.0f;
  pair_t sq = square_split(ax);
  float t = erfc_tail(ax, sq.hi, sq.lo, 1.0f, 0.0f);
  return x < 0 ? 2.0f - t : t;
}

static float gelu32(float x) {
  if (x != x) return x;
  if (x == INFINITY) return x;
  if (x == -INFINITY) return -0.0f;
  float ax = x < 0 ? -x : x;
  float ay = ax * INV_SQRT2;
  if ((double)ay >= 10.2) return x < 0 ? -0.0f : x;
  float dy = product_error(ax, INV_SQRT2, ay) + ax * INV_SQRT2_LO;
  float t;
  if (ay < 0.5f) {
    if (x >= 0) {
      float e = erf32(ay) + dy * (TWO_OVER_SQRT_PI * exp32(-(ay * ay)));
      float hx = 0.5f * x;
      return hx + hx * e;
    }
    t = 0.5f * erfc_small_pos(ay, dy);
  } else {
    pair_t sq = square_split(ax);
    if (x < 0) return erfc_tail(ay, 0.5f * sq.hi, 0.5f * sq.lo, 0.5f * x, dy);
    t = 0.5f * erfc_tail(ay, 0.5f * sq.hi, 0.5f * sq.lo, 1.0f, dy);
  }
  float phi = x < 0 ? t : 1.0f - t;
  return x * phi;
}

/* gelu.vjp0's spec for one element */
static inline float gelu_vjp1(float g, float v) {
  float a = 0.5f * erfc32(-(v * INV_SQRT2));
  float p = exp32(v * v * -0.5f) * INV_SQRT_2PI;
  return g * (a + v * p);
}

typedef void (*gelu_fn)(const float *x, float *out, size_t n);
typedef void (*gelu_vjp_fn)(const float *g, const float *x, float *out, size_t n);

static void gelu_scalar(const float *x, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = gelu32(x[i]);
}
static void gelu_vjp_scalar(const float *g, const float *x, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = gelu_vjp1(g[i], x[i]);
}

/* ---- softmax rows: scalar parts shared by every level ------------------------------------------------- */
/* the row's first maximum (strict >), NaN as soon as a NaN is met (ops/nn.ts rowMax) */
static inline float row_max(const float *x, size_t n) {
  float m = x[0];
  for (size_t i = 1; i < n; i++) {
    float v = x[i];
    if (v > m || v != v) {
      m = v;
      if (v != v) break;
    }
  }
  return m;
}
typedef void (*softmax_fn)(const float *x, float *o, size_t rows, size_t n);
typedef void (*softmax_vjp_fn)(const float *g, const float *y, float *o, size_t rows, size_t n);
static void softmax_rows_scalar(const float *x, float *o, size_t rows, size_t n) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * n;
    float *orow = o + r * n;
    float m = row_max(xr, n);
    for (size_t i = 0; i < n; i++) orow[i] = exp32(xr[i] - m);
    float s = lane_sum4(orow, n);
    for (size_t i = 0; i < n; i++) orow[i] = orow[i] / s;
  }
}
static void softmax_vjp_rows_scalar(const float *g, const float *y, float *o, size_t rows, size_t n) {
  for (size_t r = 0; r < rows; r++) {
    const float *gr = g + r * n, *yr = y + r * n;
    float *orow = o + r * n;
    for (size_t i = 0; i < n; i++) orow[i] = gr[i] * yr[i];
    float d = lane_sum4(orow, n);
    for (size_t i = 0; i < n; i++) orow[i] = yr[i] * (gr[i] - d);
  }
}

/* softmax_cross_entropy rows, scalar (cross-entropy-lanes.h has the vector levels and the spec) */
typedef void (*cross_entropy_fn)(const float *x, const float *t, float *losses, float *buf, size_t rows, size_t c);
typedef void (*cross_entropy_vjp_fn)(const float *x, const float *t, float *o, size_t rows, size_t c, float scale);
static void cross_entropy_rows_scalar(const float *x, const float *t, float *losses, float *buf, size_t rows,
                                      size_t c) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    float m = row_max(xr, c);
    for (size_t i = 0; i < c; i++) buf[i] = exp32(xr[i] - m);
    losses[r] = log32(lane_sum4(buf, c)) - (xr[(size_t)t[r]] - m);
  }
}
static void cross_entropy_vjp_rows_scalar(const float *x, const float *t, float *o, size_t rows, size_t c,
                                          float scale) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    float *orow = o + r * c;
    float m = row_max(xr, c);
    for (size_t i = 0; i < c; i++) orow[i] = exp32(xr[i] - m);
    float s = lane_sum4(orow, c);
    size_t target = (size_t)t[r];
    for (size_t i = 0; i < c; i++) {
      float p = orow[i] / s;
      orow[i] = (i == target ? p - 1.0f : p) * scale;
    }
  }
}

/* ---- AVX2: 8 lanes ------------------------------------------------------------------------------------- */
#define LANES 8
#define TARGET_NAME "avx2"
#define TGT __attribute__((target(TARGET_NAME))) static inline
#define SUFFIX(name) name##_avx2
#define vf __m256
#define vm __m256
#define SPLAT(c) _mm256_set1_ps(c)
#define ADD _mm256_add_ps
#define SUB _mm256_sub_ps
#define MUL _mm256_mul_ps
#define DIV _mm256_div_ps
#define LT(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define GT(a, b) _mm256_cmp_ps(a, b, _CMP_GT_OQ)
#define GE(a, b) _mm256_cmp_ps(a, b, _CMP_GE_OQ)
#define EQ(a, b) _mm256_cmp_ps(a, b, _CMP_EQ_OQ)
#define MAND(a, b) _mm256_and_ps(a, b)
#define MTRUE _mm256_castsi256_ps(_mm256_set1_epi32(-1))
#define MASKBITS(m) ((unsigned)_mm256_movemask_ps(m))
/* a where m, else b (masks are all-ones or all-zero lanes) */
#define SEL(a, b, m) _mm256_blendv_ps(b, a, m)
#define ANDBITS(v, b) _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32((int)(b))))
#define NEG(v) _mm256_xor_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u)))
#define FLOOR(v) _mm256_round_ps(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
/* 2^k as a float for the integer-valued kf: (k + 127) shifted into the exponent field */
#define POW2(kf) _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(kf), _mm256_set1_epi32(127)), 23))
#define LOAD _mm256_loadu_ps
#define STORE _mm256_storeu_ps
TGT vf mul02_avx2(vf b) { /* f32(b·0.2) with the product in f64, per lane */
  __m128 lo = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(b)), _mm256_set1_pd(0.2)));
  __m128 hi = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)), _mm256_set1_pd(0.2)));
  return _mm256_set_m128(hi, lo);
}
#define MUL02 mul02_avx2
#define MOR(a, b) _mm256_or_ps(a, b)
#define UNORD(a, b) _mm256_cmp_ps(a, b, _CMP_UNORD_Q)
#define MAXV _mm256_max_ps
#include "gelu-lanes.h"
#include "softmax-lanes.h"
#include "cross-entropy-lanes.h"
#undef MOR
#undef UNORD
#undef MAXV
#undef vf
#undef vm
#undef LANES
#undef TARGET_NAME
#undef TGT
#undef SUFFIX
#undef SPLAT
#undef ADD
#undef SUB
#undef MUL
#undef DIV
#undef LT
#undef GT
#undef GE
#undef EQ
#undef MAND
#undef MTRUE
#undef MASKBITS
#undef SEL
#undef ANDBITS
#undef NEG
#undef FLOOR
#undef POW2
#undef LOAD
#undef STORE
#undef MUL02

/* ---- AVX-512: 16 lanes (AVX-512F instructions only; masks in k registers) ------------------------------- */
#define LANES 16
#define TARGET_NAME "avx512f"
#define TGT __attribute__((target(TARGET_NAME))) static inline
#define SUFFIX(name) name##_avx512
#define vf __m512
#define vm __mmask16
#define SPLAT(c) _mm512_set1_ps(c)
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define MUL _mm512_mul_ps
#define DIV _mm512_div_ps
#define LT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define GT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ)
#define GE(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ)
#define EQ(a, b) _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ)
#define MAND(a, b) ((__mmask16)((a) & (b)))
#define MTRUE ((__mmask16)0xffff)
#define MASKBITS(m) ((unsigned)(m))
#define SEL(a, b, m) _mm512_mask_blend_ps(m, b, a)
#define ANDBITS(v, b) _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32((int)(b))))
#define NEG(v) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_set1_epi32((int)0x80000000u)))
#define FLOOR(v) _mm512_roundscale_ps(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
#define POW2(kf) _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(kf), _mm512_set1_epi32(127)), 23))
#define LOAD _mm512_loadu_ps
#define STORE _mm512_storeu_ps
TGT vf mul02_avx512(vf b) {
  __m256 lo = _mm512_cvtpd_ps(_mm512_mul_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(b)), _mm512_set1_pd(0.2)));
  __m256 hi = _mm512_cvtpd_ps(
      _mm512_mul_pd(_mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(b), 1))), _mm512_set1_pd(0.2)));
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi), 1));
}
#define MUL02 mul02_avx512
#define MOR(a, b) ((__mmask16)((a) | (b)))
#define UNORD(a, b) _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q)
#define MAXV _mm512_max_ps
#include "gelu-lanes.h"
#include "softmax-lanes.h"
#include "cross-entropy-lanes.h"

static const gelu_fn gelu_kernels[] = {[LEVEL_C] = gelu_scalar, [LEVEL_AVX2] = gelu_avx2, [LEVEL_AVX512] = gelu_avx512};
static const gelu_vjp_fn gelu_vjp_kernels[] = {
    [LEVEL_C] = gelu_vjp_scalar, [LEVEL_AVX2] = gelu_vjp_avx2, [LEVEL_AVX512] = gelu_vjp_avx512};
static const softmax_fn softmax_kernels[] = {
    [LEVEL_C] = softmax_rows_scalar, [LEVEL_AVX2] = softmax_rows_avx2, [LEVEL_AVX512] = softmax_rows_avx512};
static const softmax_vjp_fn softmax_vjp_kernels[] = {
    [LEVEL_C] = softmax_vjp_rows_scalar, [LEVEL_AVX2] = softmax_vjp_rows_avx2, [LEVEL_AVX512] = softmax_vjp_rows_avx512};
static const cross_entropy_fn cross_entropy_kernels[] = {[LEVEL_C] = cross_entropy_rows_scalar,
                                                        [LEVEL_AVX2] = cross_entropy_rows_avx2,
                                                        [LEVEL_AVX512] = cross_entropy_rows_avx512};
static const cross_entropy_vjp_fn cross_entropy_vjp_kernels[] = {[LEVEL_C] = cross_entropy_vjp_rows_scalar,
                                                                [LEVEL_AVX2] = cross_entropy_vjp_rows_avx2,
                                                                [LEVEL_AVX512] = cross_entropy_vjp_rows_avx512};

/* ---- napi wrappers -------------------------------------------------------------------------------------- */
static napi_value gelu(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *out;
  size_t lx, lo, r[2];
  if (argc != 4 || !f32_array(env, argv[0], &x, &lx) || !f32_array(env, argv[1], &out, &lo)) {
    napi_throw_type_error(env, NULL, "gelu(x, out: Float32Array, from, to: number)");
    return NULL;
  }
  if (!size_args(env, argv + 2, 2, r, "gelu: from, to must be non-negative integers")) return NULL;
  if (r[0] > r[1] || r[1] > lx || r[1] > lo) {
    napi_throw_range_error(env, NULL, "gelu: range [from, to) outside an operand");
    return NULL;
  }
  if (r[1] > r[0]) gelu_kernels[vector_level()](x + r[0], out + r[0], r[1] - r[0]);
  return NULL;
}

static napi_value gelu_vjp(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *g, *x, *out;
  size_t lg, lx, lo, r[2];
  if (argc != 5 || !f32_array(env, argv[0], &g, &lg) || !f32_array(env, argv[1], &x, &lx) ||
      !f32_array(env, argv[2], &out, &lo)) {
    napi_throw_type_error(env, NULL, "geluVjp(g, x, out: Float32Array, from, to: number)");
    return NULL;
  }
  if (!size_args(env, argv + 3, 2, r, "geluVjp: from, to must be non-negative integers")) return NULL;
  if (r[0] > r[1] || r[1] > lg || r[1] > lx || r[1] > lo) {
    napi_throw_range_error(env, NULL, "geluVjp: range [from, to) outside an operand");
    return NULL;
  }
  if (r[1] > r[0]) gelu_vjp_kernels[vector_level()](g + r[0], x + r[0], out + r[0], r[1] - r[0]);
  return NULL;
}

/* rows [from, to) of length n must lie inside every operand (n·to elements) */
static int row_range(napi_env env, napi_value *argv, size_t *r, const size_t *lens, int count, const char *who) {
  char msg[96];
  snprintf(msg, sizeof msg, "%s: from, to, n must be non-negative integers", who);
  if (!size_args(env, argv, 3, r, msg)) return 0;
  int ok = r[0] <= r[1] && (r[2] == 0 || r[1] <= SIZE_MAX / r[2]);
  for (int i = 0; ok && i < count; i++) ok = r[1] * r[2] <= lens[i];
  if (!ok) {
    snprintf(msg, sizeof msg, "%s: rows [from, to) of length n outside an operand", who);
    napi_throw_range_error(env, NULL, msg);
  }
  return ok;
}

static napi_value softmax_rows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *out;
  size_t lens[2], r[3];
  if (argc != 5 || !f32_array(env, argv[0], &x, &lens[0]) || !f32_array(env, argv[1], &out, &lens[1])) {
    napi_throw_type_error(env, NULL, "softmaxRows(x, out: Float32Array, from, to, n: number)");
    return NULL;
  }
  if (!row_range(env, argv + 2, r, lens, 2, "softmaxRows")) return NULL;
  if (r[1] > r[0] && r[2] > 0) softmax_kernels[vector_level()](x + r[0] * r[2], out + r[0] * r[2], r[1] - r[0], r[2]);
  return NULL;
}

static napi_value softmax_vjp_rows(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *g, *y, *out;
  size_t lens[3], r[3];
  if (argc != 6 || !f32_array(env, argv[0], &g, &lens[0]) || !f32_array(env, argv[1], &y, &lens[1]) ||
      !f32_array(env, argv[2], &out, &lens[2])) {
    napi_throw_type_error(env, NULL, "softmaxVjpRows(g, y, out: Float32Array, from, to, n: number)");
    return NULL;
  }
  if (!row_range(env, argv + 3, r, lens, 3, "softmaxVjpRows")) return NULL;
  if (r[1] > r[0] && r[2] > 0) {
    size_t o = r[0] * r[2];
    softmax_vjp_kernels[vector_level()](g + o, y + o, out + o, r[1] - r[0], r[2]);
  }
  return NULL;
}

/* Rows [from, to) of logits x[·, c] with targets t (class indices stored as float32): checks the ranges and
 * that every target of those rows is an integer in [0, c), so no kernel reads outside a row. */
static int cross_entropy_args(napi_env env, napi_value *argv, size_t *r, size_t lx, size_t lt, size_t lo,
                              int out_rows_of_c, const float *t, const char *who) {
  char msg[112];
  snprintf(msg, sizeof msg, "%s: from, to, c must be non-negative integers", who);
  if (!size_args(env, argv, 3, r, msg)) return 0;
  size_t from = r[0], to = r[1], c = r[2];
  if (from > to || c == 0 || to > SIZE_MAX / c || to * c > lx || to > lt || (out_rows_of_c ? to * c : to) > lo) {
    snprintf(msg, sizeof msg, "%s: rows [from, to) of c classes outside an operand", who);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  for (size_t i = from; i < to; i++) {
    float v = t[i];
    if (!(v >= 0 && v < (float)c && v == (float)(size_t)v)) {
      snprintf(msg, sizeof msg, "%s: target %zu is not a class index in [0, %zu)", who, i, c);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

/* crossEntropyRows(x, t, losses, from, to, c): losses[r] for rows [from, to) */
static napi_value cross_entropy_rows(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *t, *losses;
  size_t lx, lt, lo, r[3];
  if (argc != 6 || !f32_array(env, argv[0], &x, &lx) || !f32_array(env, argv[1], &t, &lt) ||
      !f32_array(env, argv[2], &losses, &lo)) {
    napi_throw_type_error(env, NULL, "crossEntropyRows(x, t, losses: Float32Array, from, to, c: number)");
    return NULL;
  }
  if (!cross_entropy_args(env, argv + 3, r, lx, lt, lo, 0, t, "crossEntropyRows")) return NULL;
  if (r[1] == r[0]) return NULL;
  float *buf = malloc(r[2] * sizeof(float));
  if (!buf) {
    napi_throw_error(env, NULL, "crossEntropyRows: out of memory");
    return NULL;
  }
  cross_entropy_kernels[vector_level()](x + r[0] * r[2], t + r[0], losses + r[0], buf, r[1] - r[0], r[2]);
  free(buf);
  return NULL;
}

/* crossEntropyVjpRows(x, t, out, from, to, c, scale): gradient rows [from, to) */
static napi_value cross_entropy_vjp_rows(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *t, *out;
  size_t lx, lt, lo, r[3];
  double scale;
  if (argc != 7 || !f32_array(env, argv[0], &x, &lx) || !f32_array(env, argv[1], &t, &lt) ||
      !f32_array(env, argv[2], &out, &lo) || napi_get_value_double(env, argv[6], &scale) != napi_ok) {
    napi_throw_type_error(env, NULL, "crossEntropyVjpRows(x, t, out: Float32Array, from, to, c, scale: number)");
    return NULL;
  }
  if (!cross_entropy_args(env, argv + 3, r, lx, lt, lo, 1, t, "crossEntropyVjpRows")) return NULL;
  if (r[1] > r[0])
    cross_entropy_vjp_kernels[vector_level()](x + r[0] * r[2], t + r[0], out + r[0] * r[2], r[1] - r[0], r[2],
                                              (float)scale);
  return NULL;
}

void register_transcendental(napi_env env, napi_value exports) {
  export_function(env, exports, "gelu", gelu);
  export_function(env, exports, "geluVjp", gelu_vjp);
  export_function(env, exports, "softmaxRows", softmax_rows);
  export_function(env, exports, "softmaxVjpRows", softmax_vjp_rows);
  export_function(env, exports, "crossEntropyRows", cross_entropy_rows);
  export_function(env, exports, "crossEntropyVjpRows", cross_entropy_vjp_rows);
}
