/*
 * RepOps add / sub / mul / div with NumPy broadcasting (core/repops/ops/binary.ts broadcastBinarySpec):
 * each output element is one IEEE binary32 operation on its two operands, so any vector width gives the
 * same bits (NaN payloads aside, which the tensor digest canonicalises). Reads the caller's Float32Arrays
 * in place: no copy into WebAssembly memory.
 *
 *   binary(kind, a, b, out, shape, sa, sb)   kind 0 + 1 − 2 × 3 ÷; shape the output's dims; sa/sb the
 *   operands' element strides per output axis (0 where broadcast). Rows of the last axis, odometer over
 *   the rest, as the spec walks them.
 */
#include "addon.h"

#define MAX_RANK 16

/* One row: out[i] = a[i·sa] ∘ b[i·sb]. The vector paths cover unit and zero strides (the broadcast cases);
 * any other stride takes the scalar loop. */
#define SCALAR_ROW(OP)                                                                                    \
  for (; i < n; i++) out[i] = a[i * sa] OP b[i * sb];

#define VECTOR_ROW(V, W, LOAD, SET1, STORE, FN)                                                           \
  if (sa == 1 && sb == 1)                                                                                \
    for (; i + W <= n; i += W) STORE(out + i, FN(LOAD(a + i), LOAD(b + i)));                             \
  else if (sa == 1 && sb == 0) {                                                                         \
    V vb = SET1(b[0]);                                                                                   \
    for (; i + W <= n; i += W) STORE(out + i, FN(LOAD(a + i), vb));                                      \
  } else if (sa == 0 && sb == 1) {                                                                       \
    V va = SET1(a[0]);                                                                                   \
    for (; i + W <= n; i += W) STORE(out + i, FN(va, LOAD(b + i)));                                      \
  }

typedef void (*row_fn)(int kind, const float *a, size_t sa, const float *b, size_t sb, float *out, size_t n);

static void row_c(int kind, const float *a, size_t sa, const float *b, size_t sb, float *out, size_t n) {
  size_t i = 0;
  switch (kind) {
    case 0: SCALAR_ROW(+) break;
    case 1: SCALAR_ROW(-) break;
    case 2: SCALAR_ROW(*) break;
    default: SCALAR_ROW(/) break;
  }
}

__attribute__((target("avx2"))) static void row_avx2(int kind, const float *a, size_t sa, const float *b,
                                                     size_t sb, float *out, size_t n) {
  size_t i = 0;
  switch (kind) {
    case 0: VECTOR_ROW(__m256, 8, _mm256_loadu_ps, _mm256_set1_ps, _mm256_storeu_ps, _mm256_add_ps) SCALAR_ROW(+) break;
    case 1: VECTOR_ROW(__m256, 8, _mm256_loadu_ps, _mm256_set1_ps, _mm256_storeu_ps, _mm256_sub_ps) SCALAR_ROW(-) break;
    case 2: VECTOR_ROW(__m256, 8, _mm256_loadu_ps, _mm256_set1_ps, _mm256_storeu_ps, _mm256_mul_ps) SCALAR_ROW(*) break;
    default: VECTOR_ROW(__m256, 8, _mm256_loadu_ps, _mm256_set1_ps, _mm256_storeu_ps, _mm256_div_ps) SCALAR_ROW(/) break;
  }
}

__attribute__((target("avx512f"))) static void row_avx512(int kind, const float *a, size_t sa, const float *b,
                                                          size_t sb, float *out, size_t n) {
  size_t i = 0;
  switch (kind) {
    case 0: VECTOR_ROW(__m512, 16, _mm512_loadu_ps, _mm512_set1_ps, _mm512_storeu_ps, _mm512_add_ps) SCALAR_ROW(+) break;
    case 1: VECTOR_ROW(__m512, 16, _mm512_loadu_ps, _mm512_set1_ps, _mm512_storeu_ps, _mm512_sub_ps) SCALAR_ROW(-) break;
    case 2: VECTOR_ROW(__m512, 16, _mm512_loadu_ps, _mm512_set1_ps, _mm512_storeu_ps, _mm512_mul_ps) SCALAR_ROW(*) break;
    default: VECTOR_ROW(__m512, 16, _mm512_loadu_ps, _mm512_set1_ps, _mm512_storeu_ps, _mm512_div_ps) SCALAR_ROW(/) break;
  }
}

static const row_fn rows[] = {[LEVEL_C] = row_c, [LEVEL_AVX2] = row_avx2, [LEVEL_AVX512] = row_avx512};

static napi_value binary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *a, *b, *out;
  size_t la, lb, lo, kind, shape[MAX_RANK], sa[MAX_RANK], sb[MAX_RANK];
  uint32_t r = 0, ra = 0, rb = 0;
  if (argc != 7 || !size_args(env, argv, 1, &kind, "binary: kind must be 0..3") || kind > 3 ||
      !f32_array(env, argv[1], &a, &la) || !f32_array(env, argv[2], &b, &lb) || !f32_array(env, argv[3], &out, &lo) ||
      !size_list(env, argv[4], shape, &r, MAX_RANK) || !size_list(env, argv[5], sa, &ra, MAX_RANK) ||
      !size_list(env, argv[6], sb, &rb, MAX_RANK) ||
      r == 0 || ra != r || rb != r) {
    napi_throw_type_error(env, NULL,
                          "binary(kind, a, b, out: Float32Array, shape, sa, sb: non-negative integer arrays of one rank 1..16)");
    return NULL;
  }
  // Bounds: the output's size and the last element each operand is read at.
  size_t n = 1, last_a = 0, last_b = 0;
  for (uint32_t d = 0; d < r; d++) {
    n *= shape[d];
    if (shape[d]) {
      last_a += (shape[d] - 1) * sa[d];
      last_b += (shape[d] - 1) * sb[d];
    }
  }
  if (lo < n || (n && (last_a >= la || last_b >= lb))) {
    napi_throw_range_error(env, NULL, "binary: operand too short for the given shape and strides");
    return NULL;
  }
  if (n == 0) return NULL;
  row_fn row = rows[vector_level()];
  size_t last = shape[r - 1], idx[MAX_RANK] = {0}, ia = 0, ib = 0;
  for (size_t o = 0; o < n; o += last) {
    row((int)kind, a + ia, sa[r - 1], b + ib, sb[r - 1], out + o, last);
    for (int d = (int)r - 2; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < shape[d]) break;
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
  return NULL;
}

void register_binary(napi_env env, napi_value exports) { export_function(env, exports, "binary", binary); }
