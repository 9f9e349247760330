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

/* Reads count non-negative integer arguments into out; throws a TypeError with message and returns 0
 * otherwise. */
int size_args(napi_env env, const napi_value *argv, size_t count, size_t *out, const char *message);

void export_function(napi_env env, napi_value exports, const char *name, napi_callback cb);

/* One per kernel module. */
void register_matmul(napi_env env, napi_value exports);
void register_layout(napi_env env, napi_value exports);
void register_hash(napi_env env, napi_value exports);
void register_binary(napi_env env, napi_value exports);
void register_optim(napi_env env, napi_value exports);
void register_transcendental(napi_env env, napi_value exports);
void register_nn(napi_env env, napi_value exports);

#endif
