/*
 * RepOps layer_norm row kernels (the layer_norm, layer_norm.vjp0 and layer_norm.vjp1.rows range kernels of
 * core/repops/ops/nn.ts, which are the spec): a port of kernels/as/norm.ts, the same binary32 operations in
 * the same order (nn-lanes.h, included once per vector level). Row sums keep reduce.ts's 4-lane order (one
 * SSE register); ÷ and √ are correctly rounded binary32 as in the spec (fround of the double result of two
 * binary32 values). Built with -ffp-contract=off (no FMA); MXCSR untouched. In place on the caller's arrays.
 *
 *   layerNorm(x, gamma, beta, out, from, to, d, eps)     rows [from, to) of length d
 *   layerNormVjp0(g, x, gamma, out, from, to, d, eps)     dx rows
 *   layerNormVjp1Rows(x, g, prod, from, to, d, eps)       prod = xh × g rows (before layer_norm.vjp1's column sums)
 */
#include <stdio.h>
#include <stdlib.h>
#include "addon.h"


/* lane_sum4 of 4 rows (p + k·stride, k < 4) at once: the same operations per row, the 4 chains interleaved */
static inline void lane_sum4x4(const float *p, size_t n, size_t stride, float *out) {
  size_t n4 = n - (n & 3);
  __m128 a0 = _mm_setzero_ps(), a1 = _mm_setzero_ps(), a2 = _mm_setzero_ps(), a3 = _mm_setzero_ps();
  const float *p0 = p, *p1 = p + stride, *p2 = p + 2 * stride, *p3 = p + 3 * stride;
  size_t i = 0;
  for (; i < n4; i += 4) {
    a0 = _mm_add_ps(a0, _mm_loadu_ps(p0 + i));
    a1 = _mm_add_ps(a1, _mm_loadu_ps(p1 + i));
    a2 = _mm_add_ps(a2, _mm_loadu_ps(p2 + i));
    a3 = _mm_add_ps(a3, _mm_loadu_ps(p3 + i));
  }
  __m128 acc[4] = {a0, a1, a2, a3};
  for (int k = 0; k < 4; k++) {
    float s[4];
    const float *q = p + k * stride;
    _mm_storeu_ps(s, acc[k]);
    if (i < n) s[0] = s[0] + q[i];
    if (i + 1 < n) s[1] = s[1] + q[i + 1];
    if (i + 2 < n) s[2] = s[2] + q[i + 2];
    out[k] = (s[0] + s[1]) + (s[2] + s[3]);
  }
}

/* ---- plain C: one lane --------------------------------------------------------------------------------- */
#define LANES 1
#define TGT static inline
#define SUFFIX(name) name##_c
#define vf float
#define SPLAT(c) (c)
#define ADD(a, b) ((a) + (b))
#define SUB(a, b) ((a) - (b))
#define MUL(a, b) ((a) * (b))
#define LOAD(p) (*(p))
#define STORE(p, v) (*(p) = (v))
#include "nn-lanes.h"
#undef LANES
#undef TGT
#undef SUFFIX
#undef vf
#undef SPLAT
#undef ADD
#undef SUB
#undef MUL
#undef LOAD
#undef STORE

/* ---- AVX2: 8 lanes ------------------------------------------------------------------------------------- */
#define LANES 8
#define TGT __attribute__((target("avx2"))) static inline
#define SUFFIX(name) name##_avx2
#define vf __m256
#define SPLAT(c) _mm256_set1_ps(c)
#define ADD _mm256_add_ps
#define SUB _mm256_sub_ps
#define MUL _mm256_mul_ps
#define LOAD _mm256_loadu_ps
#define STORE _mm256_storeu_ps
#include "nn-lanes.h"
#undef LANES
#undef TGT
#undef SUFFIX
#undef vf
#undef SPLAT
#undef ADD
#undef SUB
#undef MUL
#undef LOAD
#undef STORE

/* ---- AVX-512F: 16 lanes -------------------------------------------------------------------------------- */
#define LANES 16
#define TGT __attribute__((target("avx512f"))) static inline
#define SUFFIX(name) name##_avx512
#define vf __m512
#define SPLAT(c) _mm512_set1_ps(c)
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define MUL _mm512_mul_ps
#define LOAD _mm512_loadu_ps
#define STORE _mm512_storeu_ps
#include "nn-lanes.h"

typedef void (*ln_fn)(const float *, const float *, const float *, float *, size_t, size_t, float);
typedef void (*ln_vjp0_fn)(const float *, const float *, const float *, float *, size_t, size_t, float, float *);
typedef void (*ln_vjp1_fn)(const float *, const float *, float *, size_t, size_t, float);
static const ln_fn ln_kernels[] = {
    [LEVEL_C] = layer_norm_rows_c, [LEVEL_AVX2] = layer_norm_rows_avx2, [LEVEL_AVX512] = layer_norm_rows_avx512};
static const ln_vjp0_fn ln_vjp0_kernels[] = {[LEVEL_C] = layer_norm_vjp0_rows_c,
                                             [LEVEL_AVX2] = layer_norm_vjp0_rows_avx2,
                                             [LEVEL_AVX512] = layer_norm_vjp0_rows_avx512};
static const ln_vjp1_fn ln_vjp1_kernels[] = {[LEVEL_C] = layer_norm_vjp1_rows_c,
                                             [LEVEL_AVX2] = layer_norm_vjp1_rows_avx2,
                                             [LEVEL_AVX512] = layer_norm_vjp1_rows_avx512};

/* ---- napi wrappers -------------------------------------------------------------------------------------- */
/* Reads `arrays` Float32Arrays, then from, to, d and eps; rows [from, to) of length d must lie inside every
 * array but the first `params` ones (gamma/beta: length d). */
static int ln_args(napi_env env, napi_callback_info info, const char *usage, const char *who, size_t arrays,
                   const int *per_row, float **data, size_t *r, float *eps) {
  napi_value argv[8];
  size_t argc = 8;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t lens[4];
  if (argc != arrays + 4) goto usage;
  for (size_t i = 0; i < arrays; i++)
    if (!f32_array(env, argv[i], &data[i], &lens[i])) goto usage;
  char msg[96];
  snprintf(msg, sizeof msg, "%s: from, to, d must be non-negative integers", who);
  if (!size_args(env, argv + arrays, 3, r, msg)) return 0;
  double e;
  if (napi_get_value_double(env, argv[arrays + 3], &e) != napi_ok) goto usage;
  *eps = (float)e;
  int ok = r[0] <= r[1] && (r[2] == 0 || r[1] <= SIZE_MAX / r[2]);
  for (size_t i = 0; ok && i < arrays; i++) ok = per_row[i] ? r[1] * r[2] <= lens[i] : r[2] <= lens[i];
  if (!ok) {
    snprintf(msg, sizeof msg, "%s: rows [from, to) of length d outside an operand", who);
    napi_throw_range_error(env, NULL, msg);
  }
  return ok;
usage:
  napi_throw_type_error(env, NULL, usage);
  return 0;
}

static napi_value layer_norm(napi_env env, napi_callback_info info) {
  static const int per_row[] = {1, 0, 0, 1};
  float *a[4], eps;
  size_t r[3];
  if (!ln_args(env, info, "layerNorm(x, gamma, beta, out: Float32Array, from, to, d, eps: number)", "layerNorm", 4,
               per_row, a, r, &eps))
    return NULL;
  size_t o = r[0] * r[2];
  if (r[1] > r[0] && r[2] > 0) ln_kernels[vector_level()](a[0] + o, a[1], a[2], a[3] + o, r[1] - r[0], r[2], eps);
  return NULL;
}

static napi_value layer_norm_vjp0(napi_env env, napi_callback_info info) {
  static const int per_row[] = {1, 1, 0, 1};
  float *a[4], eps;
  size_t r[3];
  if (!ln_args(env, info, "layerNormVjp0(g, x, gamma, out: Float32Array, from, to, d, eps: number)",
               "layerNormVjp0", 4, per_row, a, r, &eps))
    return NULL;
  if (r[1] <= r[0] || r[2] == 0) return NULL;
  float *ws = malloc(12 * r[2] * sizeof(float));
  if (!ws) {
    napi_throw_error(env, NULL, "layerNormVjp0: out of memory");
    return NULL;
  }
  size_t o = r[0] * r[2];
  ln_vjp0_kernels[vector_level()](a[0] + o, a[1] + o, a[2], a[3] + o, r[1] - r[0], r[2], eps, ws);
  free(ws);
  return NULL;
}

static napi_value layer_norm_vjp1_rows(napi_env env, napi_callback_info info) {
  static const int per_row[] = {1, 1, 1};
  float *a[3], eps;
  size_t r[3];
  if (!ln_args(env, info, "layerNormVjp1Rows(x, g, prod: Float32Array, from, to, d, eps: number)",
               "layerNormVjp1Rows", 3, per_row, a, r, &eps))
    return NULL;
  size_t o = r[0] * r[2];
  if (r[1] > r[0] && r[2] > 0) ln_vjp1_kernels[vector_level()](a[0] + o, a[1] + o, a[2] + o, r[1] - r[0], r[2], eps);
  return NULL;
}

void register_nn(napi_env env, napi_value exports) {
  export_function(env, exports, "layerNorm", layer_norm);
  export_function(env, exports, "layerNormVjp0", layer_norm_vjp0);
  export_function(env, exports, "layerNormVjp1Rows", layer_norm_vjp1_rows);
}
