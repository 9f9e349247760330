/*
 * RepOps Adam updates and clip scaling (core/repops/ops/optim.ts is the spec): elementwise chains of
 * binary32 × + − ÷ and a correctly rounded sqrt, in the spec's order, so every vector width gives the same
 * bits. Reads the caller's Float32Arrays in place. Hyperparameters arrive as binary32 values (the ops
 * round their attrs with fround), so (float) of them is exact.
 *
 *   adam(which, x, g, y, out, h0, h1, h2, h3, h4, h5, h6)
 *     which 0 adam.m:     out = h0·x + h1·g                              (x = m, h0 = beta1, h1 = 1 − beta1)
 *     which 1 adam.v:     out = h0·x + h1·(g·g)                          (x = v, h0 = beta2, h1 = 1 − beta2)
 *     which 2 adam.param: u = (g ÷ bc1) ÷ (sqrt(y ÷ bc2) + eps); p1 = wd ? x − lrwd·x : x; out = p1 − lr·u
 *                         (x = p, g = m, y = v; h0 lr, h1 eps, h2 lrwd, h3 wd ≠ 0, h4 bc1, h5 bc2)
 *     which 3 clip.apply: out = x·h0
 */
#include <math.h>
#include "addon.h"

typedef struct {
  float h[6];
} hyper_t;

#define ADAM_SCALAR(i)                                                                                   \
  switch (which) {                                                                                       \
    case 0: out[i] = hp.h[0] * x[i] + hp.h[1] * g[i]; break;                                             \
    case 1: out[i] = hp.h[0] * x[i] + hp.h[1] * (g[i] * g[i]); break;                                    \
    case 2: {                                                                                            \
      float u = (g[i] / hp.h[4]) / (sqrtf(y[i] / hp.h[5]) + hp.h[1]);                                    \
      float p1 = hp.h[3] != 0.0f ? x[i] - hp.h[2] * x[i] : x[i];                                         \
      out[i] = p1 - hp.h[0] * u;                                                                         \
      break;                                                                                             \
    }                                                                                                    \
    default: out[i] = x[i] * hp.h[0]; break;                                                             \
  }

typedef void (*adam_fn)(int which, const float *x, const float *g, const float *y, float *out, size_t n, hyper_t hp);

static void adam_c(int which, const float *x, const float *g, const float *y, float *out, size_t n, hyper_t hp) {
  for (size_t i = 0; i < n; i++) ADAM_SCALAR(i)
}

/* The vector body for one register type: V vector, W lanes, P intrinsic prefix. */
#define ADAM_VECTOR(V, W, P)                                                                             \
  size_t i = 0;                                                                                          \
  V h0 = P##_set1_ps(hp.h[0]), h1 = P##_set1_ps(hp.h[1]), h2 = P##_set1_ps(hp.h[2]);                     \
  V h4 = P##_set1_ps(hp.h[4]), h5 = P##_set1_ps(hp.h[5]);                                                \
  for (; i + W <= n; i += W) {                                                                           \
    V xv = P##_loadu_ps(x + i), r;                                                                       \
    switch (which) {                                                                                     \
      case 0: r = P##_add_ps(P##_mul_ps(h0, xv), P##_mul_ps(h1, P##_loadu_ps(g + i))); break;            \
      case 1: {                                                                                          \
        V gv = P##_loadu_ps(g + i);                                                                      \
        r = P##_add_ps(P##_mul_ps(h0, xv), P##_mul_ps(h1, P##_mul_ps(gv, gv)));                          \
        break;                                                                                           \
      }                                                                                                  \
      case 2: {                                                                                          \
        V u = P##_div_ps(P##_div_ps(P##_loadu_ps(g + i), h4),                                            \
                         P##_add_ps(P##_sqrt_ps(P##_div_ps(P##_loadu_ps(y + i), h5)), h1));              \
        V p1 = hp.h[3] != 0.0f ? P##_sub_ps(xv, P##_mul_ps(h2, xv)) : xv;                                \
        r = P##_sub_ps(p1, P##_mul_ps(h0, u));                                                           \
        break;                                                                                           \
      }                                                                                                  \
      default: r = P##_mul_ps(xv, h0); break;                                                            \
    }                                                                                                    \
    P##_storeu_ps(out + i, r);                                                                           \
  }                                                                                                      \
  for (; i < n; i++) ADAM_SCALAR(i)

__attribute__((target("avx2"))) static void adam_avx2(int which, const float *x, const float *g, const float *y,
                                                      float *out, size_t n, hyper_t hp) {
  ADAM_VECTOR(__m256, 8, _mm256)
}

__attribute__((target("avx512f"))) static void adam_avx512(int which, const float *x, const float *g,
                                                           const float *y, float *out, size_t n, hyper_t hp) {
  ADAM_VECTOR(__m512, 16, _mm512)
}

static const adam_fn adams[] = {[LEVEL_C] = adam_c, [LEVEL_AVX2] = adam_avx2, [LEVEL_AVX512] = adam_avx512};

static napi_value adam(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *g, *y, *out;
  size_t lx, lg, ly, lo, which;
  hyper_t hp;
  if (argc != 11 || !size_args(env, argv, 1, &which, "adam: which must be 0..3") || which > 3 ||
      !f32_array(env, argv[1], &x, &lx) || !f32_array(env, argv[2], &g, &lg) || !f32_array(env, argv[3], &y, &ly) ||
      !f32_array(env, argv[4], &out, &lo)) {
    napi_throw_type_error(env, NULL, "adam(which 0..3, x, g, y, out: Float32Array, h0..h5: number)");
    return NULL;
  }
  for (int k = 0; k < 6; k++) {
    double d;
    if (napi_get_value_double(env, argv[5 + k], &d) != napi_ok) {
      napi_throw_type_error(env, NULL, "adam: hyperparameters must be numbers");
      return NULL;
    }
    hp.h[k] = (float)d;
  }
  // Every operand the chosen update reads must hold out's length.
  if ((which != 3 && lg < lo) || (which == 2 && ly < lo) || lx < lo) {
    napi_throw_range_error(env, NULL, "adam: operand shorter than the output");
    return NULL;
  }
  adams[vector_level()]((int)which, x, g, y, out, lo, hp);
  return NULL;
}

void register_optim(napi_env env, napi_value exports) { export_function(env, exports, "adam", adam); }
