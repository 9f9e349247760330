/*
 * Multi-buffer SHA-256 (FIPS 180-4) for the tensor digest worker: many independent messages hashed 16 at a
 * time, one per 32-bit lane of AVX-512 registers (the isa-l_crypto "sha256_mb" idea). Plain SHA-256 of each
 * message, so the same digests as node:crypto: only the throughput changes, never the proof format.
 *
 *   sha256Many(prefixes, datas, out[, { tail, canonicalNaNs }]): boolean
 *     prefixes, datas: arrays of n typed arrays or ArrayBuffers; out: a Uint8Array of 32·n bytes.
 *     Digest i = SHA-256(prefixes[i] ‖ bytes of datas[i]) goes to out[32i .. 32i+32).
 *     tail (default TAIL_LANES): once no message is waiting and at most this many lanes are still busy,
 *     each of them finishes alone with the SHA extensions (one long message in 16-lane registers would run
 *     at 1/16 of their width). 0 = lanes only (tests use it to run both paths on every message).
 *     canonicalNaNs: the data are binary32 words (little-endian) hashed with every NaN as 0x7fc00000, as
 *     core/hash/digest.ts canonicalBytes does (native/hash.c's test), without writing the data: the digest
 *     worker's separate NaN pass over every tensor is folded into the loads. Prefix and data lengths must
 *     then be multiples of 4 (a tensor digest's prefix is 24 + 4·rank bytes).
 *     Returns false, computing nothing, below AVX-512 (with AVX512BW) so the caller keeps node:crypto.
 *
 * Longest messages go first and a lane takes the next waiting message when its own ends, so the lanes stay
 * full until the last few long ones. A 64-byte block lying inside a message's data is read straight from it
 * (unaligned loads); only the first (prefix + data start) and the last one or two (0x80, zeros, the bit
 * length big-endian) are assembled in per-lane scratch. 16 blocks (one per lane) become the 16 schedule
 * words of all lanes by a 16×16 dword transpose (4 stages of 16 shuffles) plus a byte swap. Gathers
 * (32 vpgatherqd per 16 blocks: the lanes' pointers are 64-bit) were measured 25 % slower on this Zen 4
 * (2.4 vs 3.3 GB/s, 16 lanes of 2 MB messages). Integer operations only: no floating point.
 */
#include <stdlib.h>
#include <string.h>
#include "addon.h"
#include "lanes.h"
#include "sha256.h"

#define LANES 16
/* Busy lanes at or under which the rest finish one at a time with the SHA extensions. Measured on Zen 4:
 * 16 lanes ≈ 3.1 GB/s in all, one SHA-NI stream ≈ 1.7 GB/s, so one lane is worth about 1/9 of a stream. */
#define TAIL_LANES 8

typedef struct {
  const uint8_t *prefix, *data;
  size_t plen, dlen, blocks;
  uint8_t *out;
} message_t;


/* Block k of message m: a pointer into its data when the block lies inside it (*direct = 1: still to be
 * canonicalised when canon), else assembled in scratch (canonicalised here when canon). */
static const uint8_t *block_at(const message_t *m, size_t k, uint8_t *scratch, int canon, int *direct) {
  size_t o = 64 * k, total = m->plen + m->dlen;
  *direct = o >= m->plen && o + 64 <= total;
  if (*direct) return m->data + (o - m->plen);
  memset(scratch, 0, 64);
  if (o < m->plen) memcpy(scratch, m->prefix + o, m->plen - o < 64 ? m->plen - o : 64);
  size_t from = o > m->plen ? o : m->plen, to = o + 64 < total ? o + 64 : total;
  if (from < to) {
    memcpy(scratch + (from - o), m->data + (from - m->plen), to - from);
    // Whole words: plen and dlen are multiples of 4 when canon.
    if (canon) canonicalize_words(scratch + (from - o), (to - from) / 4);
  }
  if (total >= o && total < o + 64) scratch[total - o] = 0x80;
  if (k + 1 == m->blocks) {
    uint64_t bits = (uint64_t)total * 8;
    for (int i = 0; i < 8; i++) scratch[63 - i] = (uint8_t)(bits >> (8 * i));
  }
  return scratch;
}

static void write_digest(uint8_t *out, const uint32_t h[8]) {
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(h[i] >> 8);
    out[4 * i + 3] = (uint8_t)h[i];
  }
}

/* ---- one message at a time (sha256.c: SHA extensions or C), for the last few busy lanes ---- */

static void finish_one(const message_t *m, size_t k, uint32_t h[8], int canon) {
  uint8_t scratch[64];
  for (; k < m->blocks; k++) {
    int direct;
    const uint8_t *p = block_at(m, k, scratch, canon, &direct);
    if (canon && direct) {
      memcpy(scratch, p, 64);
      canonicalize_words(scratch, 16);
      p = scratch;
    }
    sha256_compress(h, p, 1);
  }
}

/* ---- 16 messages at a time: AVX-512 lanes ---- */

#define LANES_TARGET __attribute__((target("avx512f,avx512bw")))
#define XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define CH(e, f, g) _mm512_ternarylogic_epi32(e, f, g, 0xCA)  /* e ? f : g */
#define MAJ(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0xE8) /* at least two of three */
#define ROR(x, n) _mm512_ror_epi32(x, n)
#define ADD(a, b) _mm512_add_epi32(a, b)
#define BIG_SIGMA0(a) XOR3(ROR(a, 2), ROR(a, 13), ROR(a, 22))
#define BIG_SIGMA1(e) XOR3(ROR(e, 6), ROR(e, 11), ROR(e, 25))
#define SMALL_SIGMA0(x) XOR3(ROR(x, 7), ROR(x, 18), _mm512_srli_epi32(x, 3))
#define SMALL_SIGMA1(x) XOR3(ROR(x, 17), ROR(x, 19), _mm512_srli_epi32(x, 10))

/* One round with the names rotated by the caller: d and h take the new e and a. */
#define ROUND(a, b, c, d, e, f, g, h, t)                                                                    \
  do {                                                                                                      \
    __m512i t1 = ADD(ADD(ADD(h, BIG_SIGMA1(e)), ADD(CH(e, f, g), _mm512_set1_epi32((int)SHA256_K[t]))), w[(t) & 15]); \
    d = ADD(d, t1);                                                                                         \
    h = ADD(t1, ADD(BIG_SIGMA0(a), MAJ(a, b, c)));                                                           \
  } while (0)

/* One block in each lane: state[j] holds word j of the 16 lanes' states. */
LANES_TARGET static void compress16(uint32_t state[8][LANES], const uint8_t *const p[LANES], __mmask16 canon) {
  __m512i w[16];
  lanes_load_transposed(p, canon, 1, w); /* SHA-256 words are big-endian */
  __m512i a = _mm512_load_si512(state[0]), b = _mm512_load_si512(state[1]), c = _mm512_load_si512(state[2]),
          d = _mm512_load_si512(state[3]), e = _mm512_load_si512(state[4]), f = _mm512_load_si512(state[5]),
          g = _mm512_load_si512(state[6]), h = _mm512_load_si512(state[7]);
  // Unrolled so that every w[] index is a constant and the schedule stays in registers.
#pragma GCC unroll 8
  for (int t = 0; t < 64; t += 8) {
    if (t >= 16)
#pragma GCC unroll 8
      for (int j = t; j < t + 8; j++)
        w[j & 15] = ADD(ADD(SMALL_SIGMA1(w[(j - 2) & 15]), w[(j - 7) & 15]),
                        ADD(SMALL_SIGMA0(w[(j - 15) & 15]), w[j & 15]));
    ROUND(a, b, c, d, e, f, g, h, t);
    ROUND(h, a, b, c, d, e, f, g, t + 1);
    ROUND(g, h, a, b, c, d, e, f, t + 2);
    ROUND(f, g, h, a, b, c, d, e, t + 3);
    ROUND(e, f, g, h, a, b, c, d, t + 4);
    ROUND(d, e, f, g, h, a, b, c, t + 5);
    ROUND(c, d, e, f, g, h, a, b, t + 6);
    ROUND(b, c, d, e, f, g, h, a, t + 7);
  }
  _mm512_store_si512(state[0], ADD(a, _mm512_load_si512(state[0])));
  _mm512_store_si512(state[1], ADD(b, _mm512_load_si512(state[1])));
  _mm512_store_si512(state[2], ADD(c, _mm512_load_si512(state[2])));
  _mm512_store_si512(state[3], ADD(d, _mm512_load_si512(state[3])));
  _mm512_store_si512(state[4], ADD(e, _mm512_load_si512(state[4])));
  _mm512_store_si512(state[5], ADD(f, _mm512_load_si512(state[5])));
  _mm512_store_si512(state[6], ADD(g, _mm512_load_si512(state[6])));
  _mm512_store_si512(state[7], ADD(h, _mm512_load_si512(state[7])));
}

static int longer_first(const void *x, const void *y) {
  const message_t *const *a = x, *const *b = y;
  return (*a)->blocks < (*b)->blocks ? 1 : (*a)->blocks > (*b)->blocks ? -1 : 0;
}

/* Returns 0 when out of memory (nothing hashed). */
static int hash_all(message_t *msgs, size_t n, size_t tail, int canon) {
  if (!sha256_shani()) tail = 0;
  message_t **order = malloc((n ? n : 1) * sizeof *order);
  if (!order) return 0;
  for (size_t i = 0; i < n; i++) order[i] = &msgs[i];
  qsort(order, n, sizeof *order, longer_first);
  _Alignas(64) uint32_t state[8][LANES];
  _Alignas(64) uint8_t scratch[LANES][64];
  static const uint8_t idle[64];
  message_t *lane[LANES] = {0};
  size_t block[LANES] = {0}, next = 0, busy = 0;
  const uint8_t *p[LANES];
  for (;;) {
    // Empty lanes take the next waiting message.
    for (int l = 0; l < LANES; l++)
      if (!lane[l] && next < n) {
        lane[l] = order[next++];
        block[l] = 0;
        busy++;
        for (int j = 0; j < 8; j++) state[j][l] = SHA256_IV[j];
      }
    if (busy == 0) break;
    if (next == n && busy <= tail) {
      for (int l = 0; l < LANES; l++)
        if (lane[l]) {
          uint32_t h[8];
          for (int j = 0; j < 8; j++) h[j] = state[j][l];
          finish_one(lane[l], block[l], h, canon);
          write_digest(lane[l]->out, h);
        }
      break;
    }
    __mmask16 direct_rows = 0;
    for (int l = 0; l < LANES; l++) {
      int direct = 0;
      p[l] = lane[l] ? block_at(lane[l], block[l], scratch[l], canon, &direct) : idle;
      if (canon && direct) direct_rows |= (__mmask16)(1u << l);
    }
    compress16(state, p, direct_rows);
    for (int l = 0; l < LANES; l++)
      if (lane[l] && ++block[l] == lane[l]->blocks) {
        uint32_t h[8];
        for (int j = 0; j < 8; j++) h[j] = state[j][l];
        write_digest(lane[l]->out, h);
        lane[l] = NULL;
        busy--;
      }
  }
  free(order);
  return 1;
}

static int lanes_available(void) {
  return vector_level() == LEVEL_AVX512 && __builtin_cpu_supports("avx512bw");
}

int sha256_lanes(const sha256_message_t *msgs, size_t n, uint8_t *out, int canon) {
  if (!lanes_available()) return 0;
  message_t *m = calloc(n ? n : 1, sizeof *m);
  if (!m) return 0;
  for (size_t i = 0; i < n; i++) {
    m[i] = (message_t){.prefix = msgs[i].prefix, .data = msgs[i].data, .plen = msgs[i].prefix_len,
                       .dlen = msgs[i].data_len, .out = out + 32 * i};
    m[i].blocks = (m[i].plen + m[i].dlen + 9 + 63) / 64;
  }
  int done = hash_all(m, n, TAIL_LANES, canon);
  free(m);
  return done;
}

/* The optional options object: { tail?: number, canonicalNaNs?: boolean }; 0 (thrown) if malformed. */
static int read_options(napi_env env, napi_value v, size_t *tail, int *canon, const char *usage) {
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok) return 0;
  if (type == napi_undefined) return 1;
  napi_value t, c;
  if (type != napi_object || napi_get_named_property(env, v, "tail", &t) != napi_ok ||
      napi_get_named_property(env, v, "canonicalNaNs", &c) != napi_ok) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  if (napi_typeof(env, t, &type) != napi_ok || (type != napi_undefined && !size_args(env, &t, 1, tail, usage)))
    return 0;
  bool b = false;
  if (napi_typeof(env, c, &type) != napi_ok || (type != napi_undefined && napi_get_value_bool(env, c, &b) != napi_ok)) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  *canon = b;
  return 1;
}

static napi_value sha256_many(napi_env env, napi_callback_info info) {
  static const char *usage =
      "sha256Many(prefixes: (TypedArray | ArrayBuffer)[], datas: (TypedArray | ArrayBuffer)[], out: Uint8Array of "
      "32 bytes per message, options?: { tail?: number, canonicalNaNs?: boolean })";
  size_t argc = 4;
  napi_value argv[4], result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t n, nd;
  bool is_p, is_d;
  const uint8_t *out;
  size_t out_len, tail = TAIL_LANES;
  int canon = 0;
  if (argc < 3 || napi_is_array(env, argv[0], &is_p) != napi_ok || !is_p || napi_is_array(env, argv[1], &is_d) != napi_ok ||
      !is_d || napi_get_array_length(env, argv[0], &n) != napi_ok || napi_get_array_length(env, argv[1], &nd) != napi_ok ||
      n != nd || !byte_view(env, argv[2], &out, &out_len) || out_len != 32 * (size_t)n) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  if (argc > 3 && !read_options(env, argv[3], &tail, &canon, usage)) return NULL;
  if (!lanes_available()) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  message_t *msgs = calloc(n ? n : 1, sizeof *msgs);
  if (!msgs) {
    napi_throw_error(env, NULL, "sha256Many: out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value pv, dv;
    if (napi_get_element(env, argv[0], i, &pv) != napi_ok || napi_get_element(env, argv[1], i, &dv) != napi_ok ||
        !byte_view(env, pv, &msgs[i].prefix, &msgs[i].plen) || !byte_view(env, dv, &msgs[i].data, &msgs[i].dlen)) {
      free(msgs);
      napi_throw_type_error(env, NULL, usage);
      return NULL;
    }
    if (canon && (msgs[i].plen % 4 || msgs[i].dlen % 4)) {
      free(msgs);
      napi_throw_range_error(env, NULL, "sha256Many: canonicalNaNs needs prefix and data lengths in whole 4-byte words");
      return NULL;
    }
    msgs[i].blocks = (msgs[i].plen + msgs[i].dlen + 9 + 63) / 64;
    msgs[i].out = (uint8_t *)out + 32 * (size_t)i;
  }
  int done = hash_all(msgs, n, tail, canon);
  free(msgs);
  if (!done) {
    napi_throw_error(env, NULL, "sha256Many: out of memory");
    return NULL;
  }
  napi_get_boolean(env, true, &result);
  return result;
}

void register_sha256_lanes(napi_env env, napi_value exports) {
  export_function(env, exports, "sha256Many", sha256_many);
}
