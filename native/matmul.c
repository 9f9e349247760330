/*
 * RepOps matmul: C = A·B in the spec order of core/repops/kernels/matmul.ts — for every
 * output, acc = +0, then acc = acc + A[i,p]·B[p,j] for p ascending, one binary32 rounding for the product
 * and one for the sum (no FMA: built with -ffp-contract=off, and the intrinsics used are separate mul and
 * add). Vectorised across output columns only, so each lane is one output's own sequential chain: the same
 * bits as the JS and WebAssembly kernels (test/repops-math/native-matmul.test.ts). AVX-512 (16 columns per
 * register) or AVX2 (8) chosen at run time (addon.c); plain C otherwise.
 *
 *   matmul(a, b, c, m, k, n, sar, sac, a0[, bias])  A[i,p] = a[a0 + i·sar + p·sac]; B row-major [k, n]; C [m, n].
 *
 * With a bias (linear: core/repops/ops/matmul.ts), each finished chain gets bias[j] added, one more binary32
 * rounding — the spec's "bias added after the sum" — before the store, so no separate pass over C.
 */
#include <stdlib.h>
#include "addon.h"

typedef void (*kernel_fn)(const float *a, const float *b, float *c, size_t m, size_t k, size_t n, size_t sar,
                          size_t sac, const float *bias);

static void scalar_cols(const float *a, const float *b, float *c, size_t m, size_t k, size_t n, size_t sar,
                        size_t sac, const float *bias, size_t j0) {
  for (size_t i = 0; i < m; i++)
    for (size_t j = j0; j < n; j++) {
      float acc = 0.0f;
      for (size_t p = 0; p < k; p++) {
        float prod = a[i * sar + p * sac] * b[p * n + j];
        acc = acc + prod;
      }
      c[i * n + j] = bias ? acc + bias[j] : acc;
    }
}

static void kernel_scalar(const float *a, const float *b, float *c, size_t m, size_t k, size_t n, size_t sar,
                          size_t sac, const float *bias) {
  scalar_cols(a, b, c, m, k, n, sar, sac, bias, 0);
}

#define RB6 6
#define RB12 12

/* acc, or acc + bias[j…] (one rounding per lane) when there is a bias. */
__attribute__((target("avx2"))) static inline __m256 bias8(__m256 acc, const float *bias, size_t j) {
  return bias ? _mm256_add_ps(acc, _mm256_loadu_ps(bias + j)) : acc;
}

__attribute__((target("avx512f"))) static inline __m512 bias16(__m512 acc, const float *bias, size_t j) {
  return bias ? _mm512_add_ps(acc, _mm512_loadu_ps(bias + j)) : acc;
}

__attribute__((target("avx2"))) static void kernel_avx2(const float *a, const float *b, float *c, size_t m,
                                                        size_t k, size_t n, size_t sar, size_t sac,
                                                        const float *bias) {
  size_t n16 = n - n % 16;
  size_t i = 0;
  // As kernel_avx512 with the 16 ymm registers: blocks of RB6 rows × 16 columns (12 accumulators, two B
  // vectors, a broadcast) over A packed per block.
  float *ap = (m >= RB6 && n16) ? malloc(k * RB6 * sizeof *ap) : NULL;
  if (ap) {
    for (; i + RB6 <= m; i += RB6) {
      for (size_t p = 0; p < k; p++)
        for (int r = 0; r < RB6; r++) ap[p * RB6 + r] = a[(i + r) * sar + p * sac];
      for (size_t j = 0; j < n16; j += 16) {
        __m256 acc[RB6][2];
        for (int r = 0; r < RB6; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
        const float *bp = b + j, *aq = ap;
        for (size_t p = 0; p < k; p++, bp += n, aq += RB6) {
          __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
          for (int r = 0; r < RB6; r++) {
            __m256 av = _mm256_set1_ps(aq[r]);
            acc[r][0] = _mm256_add_ps(acc[r][0], _mm256_mul_ps(av, b0));
            acc[r][1] = _mm256_add_ps(acc[r][1], _mm256_mul_ps(av, b1));
          }
        }
        for (int r = 0; r < RB6; r++) {
          _mm256_storeu_ps(c + (i + r) * n + j, bias8(acc[r][0], bias, j));
          _mm256_storeu_ps(c + (i + r) * n + j + 8, bias8(acc[r][1], bias, j + 8));
        }
      }
    }
    free(ap);
  }
  for (; i + 4 <= m; i += 4) {
    for (size_t j = 0; j < n16; j += 16) {
      __m256 acc[4][2];
      for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
      for (size_t p = 0; p < k; p++) {
        __m256 b0 = _mm256_loadu_ps(b + p * n + j), b1 = _mm256_loadu_ps(b + p * n + j + 8);
        for (int r = 0; r < 4; r++) {
          __m256 av = _mm256_set1_ps(a[(i + r) * sar + p * sac]);
          acc[r][0] = _mm256_add_ps(acc[r][0], _mm256_mul_ps(av, b0));
          acc[r][1] = _mm256_add_ps(acc[r][1], _mm256_mul_ps(av, b1));
        }
      }
      for (int r = 0; r < 4; r++) {
        _mm256_storeu_ps(c + (i + r) * n + j, bias8(acc[r][0], bias, j));
        _mm256_storeu_ps(c + (i + r) * n + j + 8, bias8(acc[r][1], bias, j + 8));
      }
    }
  }
  for (; i < m; i++)
    for (size_t j = 0; j < n16; j += 8) {
      __m256 acc = _mm256_setzero_ps();
      for (size_t p = 0; p < k; p++)
        acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_set1_ps(a[i * sar + p * sac]), _mm256_loadu_ps(b + p * n + j)));
      _mm256_storeu_ps(c + i * n + j, bias8(acc, bias, j));
    }
  // The last n mod 16 columns: 8-lane vectors with the lanes past n masked off (loaded as 0, never stored).
  for (size_t j = n16; j < n; j += 8) {
    size_t w = n - j < 8 ? n - j : 8;
    __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)w), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256 bv = bias ? _mm256_maskload_ps(bias + j, mask) : _mm256_setzero_ps();
    size_t i2 = 0;
    for (; i2 + 4 <= m; i2 += 4) {
      __m256 acc[4];
      for (int r = 0; r < 4; r++) acc[r] = _mm256_setzero_ps();
      for (size_t p = 0; p < k; p++) {
        __m256 b0 = _mm256_maskload_ps(b + p * n + j, mask);
        for (int r = 0; r < 4; r++)
          acc[r] = _mm256_add_ps(acc[r], _mm256_mul_ps(_mm256_set1_ps(a[(i2 + r) * sar + p * sac]), b0));
      }
      for (int r = 0; r < 4; r++)
        _mm256_maskstore_ps(c + (i2 + r) * n + j, mask, bias ? _mm256_add_ps(acc[r], bv) : acc[r]);
    }
    for (; i2 < m; i2++) {
      __m256 acc = _mm256_setzero_ps();
      for (size_t p = 0; p < k; p++)
        acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_set1_ps(a[i2 * sar + p * sac]), _mm256_maskload_ps(b + p * n + j, mask)));
      _mm256_maskstore_ps(c + i2 * n + j, mask, bias ? _mm256_add_ps(acc, bv) : acc);
    }
  }
}

__attribute__((target("avx512f"))) static void kernel_avx512(const float *a, const float *b, float *c, size_t m,
                                                             size_t k, size_t n, size_t sar, size_t sac,
                                                             const float *bias) {
  size_t n32 = n - n % 32;
  size_t i = 0;
  // Blocks of RB12 rows × 32 columns: 24 accumulators, two B vectors and a broadcast fill 27 of the 32
  // registers, so each B load feeds 12 multiply-adds (1.45× the 4-row blocks on nanoGPT shapes). The
  // block's A values are packed first (p-major, 12 per p: one cache line per p even when A is Xᵀ read
  // down columns); each output is still its own chain from +0, p ascending, mul then add.
  float *ap = (m >= RB12 && n32) ? malloc(k * RB12 * sizeof *ap) : NULL;
  if (ap) {
    for (; i + RB12 <= m; i += RB12) {
      for (size_t p = 0; p < k; p++)
        for (int r = 0; r < RB12; r++) ap[p * RB12 + r] = a[(i + r) * sar + p * sac];
      for (size_t j = 0; j < n32; j += 32) {
        __m512 acc[RB12][2];
        for (int r = 0; r < RB12; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
        const float *bp = b + j, *aq = ap;
        for (size_t p = 0; p < k; p++, bp += n, aq += RB12) {
          __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
          for (int r = 0; r < RB12; r++) {
            __m512 av = _mm512_set1_ps(aq[r]);
            acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_mul_ps(av, b0));
            acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_mul_ps(av, b1));
          }
        }
        for (int r = 0; r < RB12; r++) {
          _mm512_storeu_ps(c + (i + r) * n + j, bias16(acc[r][0], bias, j));
          _mm512_storeu_ps(c + (i + r) * n + j + 16, bias16(acc[r][1], bias, j + 16));
        }
      }
    }
    free(ap);
  }
  for (; i + 4 <= m; i += 4) {
    for (size_t j = 0; j < n32; j += 32) {
      __m512 acc[4][2];
      for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
      for (size_t p = 0; p < k; p++) {
        __m512 b0 = _mm512_loadu_ps(b + p * n + j), b1 = _mm512_loadu_ps(b + p * n + j + 16);
        for (int r = 0; r < 4; r++) {
          __m512 av = _mm512_set1_ps(a[(i + r) * sar + p * sac]);
          acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_mul_ps(av, b0));
          acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_mul_ps(av, b1));
        }
      }
      for (int r = 0; r < 4; r++) {
        _mm512_storeu_ps(c + (i + r) * n + j, bias16(acc[r][0], bias, j));
        _mm512_storeu_ps(c + (i + r) * n + j + 16, bias16(acc[r][1], bias, j + 16));
      }
    }
  }
  for (; i < m; i++)
    for (size_t j = 0; j < n32; j += 16) {
      __m512 acc = _mm512_setzero_ps();
      for (size_t p = 0; p < k; p++)
        acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(a[i * sar + p * sac]), _mm512_loadu_ps(b + p * n + j)));
      _mm512_storeu_ps(c + i * n + j, bias16(acc, bias, j));
    }
  // The last n mod 32 columns: 16-lane vectors whose lanes past n are masked off (loaded as 0, never
  // stored), 4 rows at a time — the head's 73 vocabulary columns would otherwise leave 9 to plain C.
  for (size_t j = n32; j < n; j += 16) {
    __mmask16 mask = n - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - j)) - 1);
    __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias + j) : _mm512_setzero_ps();
    size_t i2 = 0;
    for (; i2 + 4 <= m; i2 += 4) {
      __m512 acc[4];
      for (int r = 0; r < 4; r++) acc[r] = _mm512_setzero_ps();
      for (size_t p = 0; p < k; p++) {
        __m512 b0 = _mm512_maskz_loadu_ps(mask, b + p * n + j);
        for (int r = 0; r < 4; r++)
          acc[r] = _mm512_add_ps(acc[r], _mm512_mul_ps(_mm512_set1_ps(a[(i2 + r) * sar + p * sac]), b0));
      }
      for (int r = 0; r < 4; r++)
        _mm512_mask_storeu_ps(c + (i2 + r) * n + j, mask, bias ? _mm512_add_ps(acc[r], bv) : acc[r]);
    }
    for (; i2 < m; i2++) {
      __m512 acc = _mm512_setzero_ps();
      for (size_t p = 0; p < k; p++)
        acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(a[i2 * sar + p * sac]), _mm512_maskz_loadu_ps(mask, b + p * n + j)));
      _mm512_mask_storeu_ps(c + i2 * n + j, mask, bias ? _mm512_add_ps(acc, bv) : acc);
    }
  }
}

static const kernel_fn kernels[] = {[LEVEL_C] = kernel_scalar, [LEVEL_AVX2] = kernel_avx2, [LEVEL_AVX512] = kernel_avx512};

static napi_value matmul(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *a, *b, *c, *bias = NULL;
  size_t la, lb, lc, lbias = 0;
  size_t d[6];
  napi_valuetype bias_type = napi_undefined;
  if (argc == 10) napi_typeof(env, argv[9], &bias_type);
  if (argc < 9 || !f32_array(env, argv[0], &a, &la) || !f32_array(env, argv[1], &b, &lb) ||
      !f32_array(env, argv[2], &c, &lc) || (bias_type != napi_undefined && !f32_array(env, argv[9], &bias, &lbias))) {
    napi_throw_type_error(env, NULL, "matmul(a, b, c: Float32Array, m, k, n, sar, sac, a0: number[, bias: Float32Array])");
    return NULL;
  }
  if (!size_args(env, argv + 3, 6, d, "matmul: m, k, n, sar, sac, a0 must be non-negative integers")) return NULL;
  size_t m = d[0], k = d[1], n = d[2], sar = d[3], sac = d[4], a0 = d[5];
  // Bounds: the last element of A read, all of B, all of C.
  size_t last_a = (m && k) ? a0 + (m - 1) * sar + (k - 1) * sac : 0;
  if ((m && k && last_a >= la) || lb < k * n || lc < m * n || (bias && lbias < n)) {
    napi_throw_range_error(env, NULL, "matmul: operand too short for the given shape");
    return NULL;
  }
  if (m && n) kernels[vector_level()](a + a0, b, c, m, k, n, sar, sac, bias);
  return NULL;
}

/*
 * batch_matmul and its VJPs: C_e = A_e·B_e for e < batch in one call (per entry exactly `matmul`'s kernel;
 * entries are independent), A_e[i,p] = a[e·strideA + i·sar + p·sac], B_e = b + e·strideB row-major [k, n],
 * C_e = c + e·m·n — the per-entry calls from JavaScript cost more than a 64×32·32×64 product.
 *
 *   matmulBatch(a, b, c, batch, m, k, n, sar, sac, strideA, strideB)
 */
static napi_value matmul_batch(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *a, *b, *c;
  size_t la, lb, lc, d[8];
  if (argc != 11 || !f32_array(env, argv[0], &a, &la) || !f32_array(env, argv[1], &b, &lb) ||
      !f32_array(env, argv[2], &c, &lc)) {
    napi_throw_type_error(env, NULL,
                          "matmulBatch(a, b, c: Float32Array, batch, m, k, n, sar, sac, strideA, strideB: number)");
    return NULL;
  }
  if (!size_args(env, argv + 3, 8, d, "matmulBatch: batch, m, k, n, sar, sac, strideA, strideB must be non-negative integers"))
    return NULL;
  size_t batch = d[0], m = d[1], k = d[2], n = d[3], sar = d[4], sac = d[5], sa = d[6], sb = d[7];
  if (!batch || !m || !n) return NULL;
  // Bounds: the last entry's last A element and all of its B; all of C.
  size_t last_a = (batch - 1) * sa + (k ? (m - 1) * sar + (k - 1) * sac : 0);
  if ((k && last_a >= la) || lb < (batch - 1) * sb + k * n || lc < batch * m * n) {
    napi_throw_range_error(env, NULL, "matmulBatch: operand too short for the given shape");
    return NULL;
  }
  kernel_fn kernel = kernels[vector_level()];
  for (size_t e = 0; e < batch; e++) kernel(a + e * sa, b + e * sb, c + e * m * n, m, k, n, sar, sac, NULL);
  return NULL;
}

/*
 * linear.vjp2, db[j] = Σ_i g[i,j], in RepOps' lane order (core/repops/reduce.ts laneSum): term i goes to
 * accumulator i mod 4 (each starting at +0, one rounding per addition, i ascending), then
 * (acc0 + acc1) + (acc2 + acc3). Rows are streamed in order into 4·n accumulators (vectorised across j,
 * which never mixes two columns' chains).
 *
 *   columnSums(g, out: Float32Array, m, n)   g [m, n] row-major; out [n].
 */
typedef void (*colsum_fn)(const float *g, float *acc, float *out, size_t m, size_t n);

static void colsum_scalar(const float *g, float *acc, float *out, size_t m, size_t n) {
  for (size_t i = 0; i < m; i++) {
    float *lane = acc + (i & 3) * n;
    for (size_t j = 0; j < n; j++) lane[j] = lane[j] + g[i * n + j];
  }
  for (size_t j = 0; j < n; j++) out[j] = (acc[j] + acc[n + j]) + (acc[2 * n + j] + acc[3 * n + j]);
}

__attribute__((target("avx512f"))) static void colsum_avx512(const float *g, float *acc, float *out, size_t m,
                                                             size_t n) {
  for (size_t i = 0; i < m; i++) {
    float *lane = acc + (i & 3) * n;
    const float *row = g + i * n;
    for (size_t j = 0; j < n; j += 16) {
      __mmask16 mask = n - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - j)) - 1);
      _mm512_mask_storeu_ps(lane + j, mask,
                            _mm512_add_ps(_mm512_maskz_loadu_ps(mask, lane + j), _mm512_maskz_loadu_ps(mask, row + j)));
    }
  }
  for (size_t j = 0; j < n; j += 16) {
    __mmask16 mask = n - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - j)) - 1);
    __m512 s01 = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, acc + j), _mm512_maskz_loadu_ps(mask, acc + n + j));
    __m512 s23 = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, acc + 2 * n + j), _mm512_maskz_loadu_ps(mask, acc + 3 * n + j));
    _mm512_mask_storeu_ps(out + j, mask, _mm512_add_ps(s01, s23));
  }
}

__attribute__((target("avx2"))) static void colsum_avx2(const float *g, float *acc, float *out, size_t m, size_t n) {
  size_t n8 = n - n % 8;
  for (size_t i = 0; i < m; i++) {
    float *lane = acc + (i & 3) * n;
    const float *row = g + i * n;
    size_t j = 0;
    for (; j < n8; j += 8) _mm256_storeu_ps(lane + j, _mm256_add_ps(_mm256_loadu_ps(lane + j), _mm256_loadu_ps(row + j)));
    for (; j < n; j++) lane[j] = lane[j] + row[j];
  }
  for (size_t j = 0; j < n; j++) out[j] = (acc[j] + acc[n + j]) + (acc[2 * n + j] + acc[3 * n + j]);
}

static const colsum_fn colsums[] = {[LEVEL_C] = colsum_scalar, [LEVEL_AVX2] = colsum_avx2, [LEVEL_AVX512] = colsum_avx512};

static napi_value column_sums(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *g, *out;
  size_t lg, lo, d[2];
  if (argc != 4 || !f32_array(env, argv[0], &g, &lg) || !f32_array(env, argv[1], &out, &lo)) {
    napi_throw_type_error(env, NULL, "columnSums(g, out: Float32Array, m, n: number)");
    return NULL;
  }
  if (!size_args(env, argv + 2, 2, d, "columnSums: m, n must be non-negative integers")) return NULL;
  size_t m = d[0], n = d[1];
  if (lg < m * n || lo < n) {
    napi_throw_range_error(env, NULL, "columnSums: operand too short for the given shape");
    return NULL;
  }
  if (!n) return NULL;
  float *acc = calloc(4 * n, sizeof *acc); // +0 in every lane
  if (!acc) {
    napi_throw_error(env, NULL, "columnSums: out of memory");
    return NULL;
  }
  colsums[vector_level()](g, acc, out, m, n);
  free(acc);
  return NULL;
}

void register_matmul(napi_env env, napi_value exports) {
  export_function(env, exports, "matmul", matmul);
  export_function(env, exports, "columnSums", column_sums);
  export_function(env, exports, "matmulBatch", matmul_batch);
}
