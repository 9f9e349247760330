/*
 * NaN canonicalisation for tensor digests (core/hash/digest.ts canonicalBytes): a tensor is hashed with
 * every NaN written as 0x7fc00000, so a non-canonical NaN is any word w with (w & 0x7fffffff) > 0x7f800000
 * (exponent all ones, mantissa not zero: either sign, quiet or signalling, any payload) and w != 0x7fc00000.
 * Integer compares only, so no floating-point behaviour (signalling NaNs, denormal flushing) is involved.
 *
 *   nanFind(a: Float32Array): number          index of the first non-canonical NaN, or -1
 *   nanCanonicalize(a: Float32Array): number  rewrites them in place to 0x7fc00000; returns how many
 *
 * The digest worker (core/platform/node-digest-queue.ts) canonicalises its own copies in place; the main
 * thread's canonicalBytes asks nanFind whether it needs a copy at all. AVX-512 (16 words per compare),
 * AVX2 (8) or plain C, chosen as the other kernels are (addon.c).
 */
#include "addon.h"

#define ABS_MASK 0x7fffffffu
#define EXP_ALL 0x7f800000u
#define CANONICAL 0x7fc00000u

static inline int bad_word(uint32_t w) { return (w & ABS_MASK) > EXP_ALL && w != CANONICAL; }

/* find: index of the first bad word at or after i (plain C), or n. */
static size_t find_c(const uint32_t *p, size_t i, size_t n) {
  for (; i < n; i++)
    if (bad_word(p[i])) return i;
  return n;
}

static size_t fix_c(uint32_t *p, size_t i, size_t n) {
  size_t count = 0;
  for (; i < n; i++)
    if (bad_word(p[i])) {
      p[i] = CANONICAL;
      count++;
    }
  return count;
}

__attribute__((target("avx512f"))) static inline __mmask16 bad16(__m512i v) {
  const __m512i abs = _mm512_and_si512(v, _mm512_set1_epi32((int)ABS_MASK));
  // abs ≤ 0x7fffffff, so a signed compare is an unsigned one here.
  return _mm512_cmpgt_epi32_mask(abs, _mm512_set1_epi32((int)EXP_ALL)) &
         _mm512_cmpneq_epi32_mask(v, _mm512_set1_epi32((int)CANONICAL));
}

__attribute__((target("avx512f"))) static size_t find_avx512(const uint32_t *p, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __mmask16 m = bad16(_mm512_loadu_si512((const void *)(p + i)));
    if (m) return i + (size_t)__builtin_ctz(m);
  }
  return find_c(p, i, n);
}

__attribute__((target("avx512f"))) static size_t fix_avx512(uint32_t *p, size_t n) {
  size_t i = 0, count = 0;
  const __m512i canonical = _mm512_set1_epi32((int)CANONICAL);
  for (; i + 16 <= n; i += 16) {
    __mmask16 m = bad16(_mm512_loadu_si512((const void *)(p + i)));
    if (m) {
      _mm512_mask_storeu_epi32((void *)(p + i), m, canonical);
      count += (size_t)__builtin_popcount(m);
    }
  }
  return count + fix_c(p, i, n);
}

__attribute__((target("avx2"))) static inline __m256i bad8(__m256i v) {
  const __m256i abs = _mm256_and_si256(v, _mm256_set1_epi32((int)ABS_MASK));
  const __m256i nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32((int)EXP_ALL));
  return _mm256_andnot_si256(_mm256_cmpeq_epi32(v, _mm256_set1_epi32((int)CANONICAL)), nan);
}

__attribute__((target("avx2"))) static size_t find_avx2(const uint32_t *p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    int m = _mm256_movemask_ps(_mm256_castsi256_ps(bad8(_mm256_loadu_si256((const __m256i *)(p + i)))));
    if (m) return i + (size_t)__builtin_ctz((unsigned)m);
  }
  return find_c(p, i, n);
}

__attribute__((target("avx2"))) static size_t fix_avx2(uint32_t *p, size_t n) {
  size_t i = 0, count = 0;
  const __m256i canonical = _mm256_set1_epi32((int)CANONICAL);
  for (; i + 8 <= n; i += 8) {
    __m256i bad = bad8(_mm256_loadu_si256((const __m256i *)(p + i)));
    int m = _mm256_movemask_ps(_mm256_castsi256_ps(bad));
    if (m) {
      _mm256_maskstore_epi32((int *)(p + i), bad, canonical);
      count += (size_t)__builtin_popcount((unsigned)m);
    }
  }
  return count + fix_c(p, i, n);
}

static size_t find_scalar(const uint32_t *p, size_t n) { return find_c(p, 0, n); }
static size_t fix_scalar(uint32_t *p, size_t n) { return fix_c(p, 0, n); }

static size_t (*const finders[])(const uint32_t *, size_t) = {
    [LEVEL_C] = find_scalar, [LEVEL_AVX2] = find_avx2, [LEVEL_AVX512] = find_avx512};
static size_t (*const fixers[])(uint32_t *, size_t) = {
    [LEVEL_C] = fix_scalar, [LEVEL_AVX2] = fix_avx2, [LEVEL_AVX512] = fix_avx512};

size_t nan_find_words(const uint32_t *p, size_t n) { return n ? finders[vector_level()](p, n) : 0; }
size_t nan_fix_words(uint32_t *p, size_t n) { return n ? fixers[vector_level()](p, n) : 0; }

static int one_array(napi_env env, napi_callback_info info, uint32_t **p, size_t *n, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  float *data;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 1 || !f32_array(env, argv[0], &data, n)) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  *p = (uint32_t *)data;
  return 1;
}

static napi_value nan_find(napi_env env, napi_callback_info info) {
  uint32_t *p;
  size_t n;
  if (!one_array(env, info, &p, &n, "nanFind(a: Float32Array)")) return NULL;
  size_t at = n ? finders[vector_level()](p, n) : 0;
  napi_value r;
  napi_create_double(env, at < n ? (double)at : -1.0, &r);
  return r;
}

static napi_value nan_canonicalize(napi_env env, napi_callback_info info) {
  uint32_t *p;
  size_t n;
  if (!one_array(env, info, &p, &n, "nanCanonicalize(a: Float32Array)")) return NULL;
  size_t count = n ? fixers[vector_level()](p, n) : 0;
  napi_value r;
  napi_create_double(env, (double)count, &r);
  return r;
}

void register_hash(napi_env env, napi_value exports) {
  export_function(env, exports, "nanFind", nan_find);
  export_function(env, exports, "nanCanonicalize", nan_canonicalize);
}
