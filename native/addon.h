/*
 * Shared plumbing of the Pinpoint native addon (build/Release/pinpoint_native.node): argument checks, the
 * vector level every kernel module dispatches on, and one register_* function per module (addon.c calls
 * them). Every kernel computes exactly its RepOps specification's binary32 operations in the spec order
 * (built with -ffp-contract=off: no fused multiply-add), so the same bits as the JS and WebAssembly kernels.
 */
#ifndef PINPOINT_ADDON_H
#define PINPOINT_ADDON_H
#include <node_api.h>
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { LEVEL_C = 0, LEVEL_AVX2 = 1, LEVEL_AVX512 = 2 } vector_level_t;

/* The vector width in use: the widest this CPU has, unless a test selected another (addon.c). */
vector_level_t vector_level(void);

/* A Float32Array's data and length, or 0 when v is not one. */
int f32_array(napi_env env, napi_value v, float **data, size_t *len);
/* The bytes of a typed array (any element type) or an ArrayBuffer; 0 if v is neither. */
int byte_view(napi_env env, napi_value v, const uint8_t **data, size_t *len);

/* Reads count non-negative integer arguments into out; throws a TypeError with message and returns 0
 * otherwise. */
int size_args(napi_env env, const napi_value *argv, size_t count, size_t *out, const char *message);

/* Reads a JS array of at most max non-negative integers into out (its length into count), or returns 0. */
int size_list(napi_env env, napi_value v, size_t *out, uint32_t *count, uint32_t max);

void export_function(napi_env env, napi_value exports, const char *name, napi_callback cb);

/* reduce.ts laneSum: lane k takes terms i ≡ k mod 4 (one SSE register: exactly 4 lanes), tail terms into
 * lanes 0, 1, 2, then (s0 + s1) + (s2 + s3). */
static inline float lane_sum4(const float *p, size_t n) {
  size_t n4 = n - (n & 3);
  __m128 acc = _mm_setzero_ps();
  size_t i = 0;
  for (; i < n4; i += 4) acc = _mm_add_ps(acc, _mm_loadu_ps(p + i));
  float s[4];
  _mm_storeu_ps(s, acc);
  if (i < n) s[0] = s[0] + p[i];
  if (i + 1 < n) s[1] = s[1] + p[i + 1];
  if (i + 2 < n) s[2] = s[2] + p[i + 2];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

/* hash.c: index of the first non-canonical NaN word (n when none), and rewriting them all in place. */
size_t nan_find_words(const uint32_t *p, size_t n);
size_t nan_fix_words(uint32_t *p, size_t n);

/* One per kernel module. */
void register_matmul(napi_env env, napi_value exports);
void register_layout(napi_env env, napi_value exports);
void register_hash(napi_env env, napi_value exports);
void register_binary(napi_env env, napi_value exports);
void register_optim(napi_env env, napi_value exports);
void register_transcendental(napi_env env, napi_value exports);
void register_nn(napi_env env, napi_value exports);
void register_digests(napi_env env, napi_value exports);
void register_sha256_lanes(napi_env env, napi_value exports);
void register_merkle(napi_env env, napi_value exports);
void register_blake3(napi_env env, napi_value exports);

#endif
