/*
 * RepOps matmul as a Node addon: C = A·B in the spec order of core/repops/kernels/matmul.ts — for every
 * output, acc = +0, then acc = acc + A[i,p]·B[p,j] for p ascending, one binary32 rounding for the product
 * and one for the sum (no FMA: built with -ffp-contract=off, and the intrinsics used are separate mul and
 * add). Vectorised across output columns only, so each lane is one output's own sequential chain: the same
 * bits as the JS and WebAssembly kernels (test/repops-math/native-matmul.test.ts). AVX-512 (16 columns per
 * register) or AVX2 (8) chosen at run time; plain C otherwise.
 *
 *   matmul(a, b, c, m, k, n, sar, sac, a0)  A[i,p] = a[a0 + i·sar + p·sac]; B row-major [k, n]; C [m, n].
 */
#include <node_api.h>
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void (*kernel_fn)(const float *a, const float *b, float *c, size_t m, size_t k, size_t n, size_t sar,
                          size_t sac);

static void scalar_cols(const float *a, const float *b, float *c, size_t m, size_t k, size_t n, size_t sar,
                        size_t sac, size_t j0) {
  for (size_t i = 0; i < m; i++)
    for (size_t j = j0; j < n; j++) {
      float acc = 0.0f;
      for (size_t p = 0; p < k; p++) {
        float prod = a[i * sar + p * sac] * b[p * n + j];
        acc = acc + prod;
      }
      c[i * n + j] = acc;
    }
}

static void kernel_scalar(const float *a, const float *b, float *c, size_t m, size_t k, size_t n, size_t sar,
                          size_t sac) {
  scalar_cols(a, b, c, m, k, n, sar, sac, 0);
}

__attribute__((target("avx2"))) static void kernel_avx2(const float *a, const float *b, float *c, size_t m,
                                                        size_t k, size_t n, size_t sar, size_t sac) {
  size_t n16 = n - n % 16;
  size_t i = 0;
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
        _mm256_storeu_ps(c + (i + r) * n + j, acc[r][0]);
        _mm256_storeu_ps(c + (i + r) * n + j + 8, acc[r][1]);
      }
    }
  }
  for (; i < m; i++)
    for (size_t j = 0; j < n16; j += 8) {
      __m256 acc = _mm256_setzero_ps();
      for (size_t p = 0; p < k; p++)
        acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_set1_ps(a[i * sar + p * sac]), _mm256_loadu_ps(b + p * n + j)));
      _mm256_storeu_ps(c + i * n + j, acc);
    }
  scalar_cols(a, b, c, m, k, n, sar, sac, n16);
}

__attribute__((target("avx512f"))) static void kernel_avx512(const float *a, const float *b, float *c, size_t m,
                                                             size_t k, size_t n, size_t sar, size_t sac) {
  size_t n32 = n - n % 32;
  size_t i = 0;
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
        _mm512_storeu_ps(c + (i + r) * n + j, acc[r][0]);
        _mm512_storeu_ps(c + (i + r) * n + j + 16, acc[r][1]);
      }
    }
  }
  for (; i < m; i++)
    for (size_t j = 0; j < n32; j += 16) {
      __m512 acc = _mm512_setzero_ps();
      for (size_t p = 0; p < k; p++)
        acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(a[i * sar + p * sac]), _mm512_loadu_ps(b + p * n + j)));
      _mm512_storeu_ps(c + i * n + j, acc);
    }
  scalar_cols(a, b, c, m, k, n, sar, sac, n32);
}

static kernel_fn kernel = NULL;
static const char *kernel_name = "c";

static void choose(void) {
  if (kernel) return;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    kernel = kernel_avx512;
    kernel_name = "avx512";
  } else if (__builtin_cpu_supports("avx2")) {
    kernel = kernel_avx2;
    kernel_name = "avx2";
  } else {
    kernel = kernel_scalar;
    kernel_name = "c";
  }
}

static int f32_array(napi_env env, napi_value v, float **data, size_t *len) {
  napi_typedarray_type type;
  size_t length;
  void *ptr;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, NULL, NULL) != napi_ok || type != napi_float32_array)
    return 0;
  *data = (float *)ptr;
  *len = length;
  return 1;
}

static napi_value matmul(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *a, *b, *c;
  size_t la, lb, lc;
  double d[6];
  if (argc != 9 || !f32_array(env, argv[0], &a, &la) || !f32_array(env, argv[1], &b, &lb) ||
      !f32_array(env, argv[2], &c, &lc)) {
    napi_throw_type_error(env, NULL, "matmul(a, b, c: Float32Array, m, k, n, sar, sac, a0: number)");
    return NULL;
  }
  for (int i = 0; i < 6; i++)
    if (napi_get_value_double(env, argv[3 + i], &d[i]) != napi_ok || d[i] < 0 || d[i] != (double)(size_t)d[i]) {
      napi_throw_type_error(env, NULL, "matmul: m, k, n, sar, sac, a0 must be non-negative integers");
      return NULL;
    }
  size_t m = (size_t)d[0], k = (size_t)d[1], n = (size_t)d[2], sar = (size_t)d[3], sac = (size_t)d[4], a0 = (size_t)d[5];
  // Bounds: the last element of A read, all of B, all of C.
  size_t last_a = (m && k) ? a0 + (m - 1) * sar + (k - 1) * sac : 0;
  if ((m && k && last_a >= la) || lb < k * n || lc < m * n) {
    napi_throw_range_error(env, NULL, "matmul: operand too short for the given shape");
    return NULL;
  }
  choose();
  if (m && n) kernel(a + a0, b, c, m, k, n, sar, sac);
  return NULL;
}

/* select("avx512" | "avx2" | "c"): use that kernel if this CPU has it (tests run every path); returns the
 * kernel in use. */
static napi_value select_kernel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[16] = {0};
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  choose();
  if (argc == 1 && napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) == napi_ok) {
    if (!strcmp(name, "avx512") && __builtin_cpu_supports("avx512f")) {
      kernel = kernel_avx512;
      kernel_name = "avx512";
    } else if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2")) {
      kernel = kernel_avx2;
      kernel_name = "avx2";
    } else if (!strcmp(name, "c")) {
      kernel = kernel_scalar;
      kernel_name = "c";
    }
  }
  napi_value s;
  napi_create_string_utf8(env, kernel_name, NAPI_AUTO_LENGTH, &s);
  return s;
}

static napi_value which(napi_env env, napi_callback_info info) {
  (void)info;
  choose();
  napi_value s;
  napi_create_string_utf8(env, kernel_name, NAPI_AUTO_LENGTH, &s);
  return s;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "matmul", NAPI_AUTO_LENGTH, matmul, NULL, &f);
  napi_set_named_property(env, exports, "matmul", f);
  napi_create_function(env, "kernel", NAPI_AUTO_LENGTH, which, NULL, &f);
  napi_set_named_property(env, exports, "kernel", f);
  napi_create_function(env, "select", NAPI_AUTO_LENGTH, select_kernel, NULL, &f);
  napi_set_named_property(env, exports, "select", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
