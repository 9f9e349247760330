/*
 * BLAKE3 (hash mode, 32-byte output) of many messages per call: the tensor digests of tasks with
 * "tensorDigest": "blake3" (core/hash/tensor-scheme.ts; the digest queue calls blake3_messages), checked
 * against core/hash/blake3.ts (the specification) and the official test vectors.
 *
 *   blake3Many(prefixes, datas, out[, { canonicalNaNs }]): true
 *     prefixes, datas: arrays of n typed arrays or ArrayBuffers; out: a Uint8Array of 32·n bytes.
 *     Hash i = BLAKE3(prefixes[i] ‖ bytes of datas[i]) goes to out[32i .. 32i+32).
 *     canonicalNaNs: the data are binary32 words (little-endian) hashed with every NaN as 0x7fc00000, as
 *     core/hash/digest.ts canonicalBytes does, without writing the data (prefix words untouched). Prefix
 *     and data lengths must then be multiples of 4.
 *
 * Work is cut into jobs of one compression chain each: a chunk (1 KiB of a message = up to 16 blocks; a
 * message of at most one chunk is a single job whose last block is the root) or a parent node (one block:
 * two child chaining values). All chunks of all messages form the first batch of jobs, longest first; then
 * each tree level of all messages at once (neighbours paired, an odd last CV moved up unchanged — the same
 * tree as the spec's "left subtree = largest power of two of chunks"). With AVX-512 a batch runs 16 jobs at
 * a time, one per 32-bit lane, each lane taking the next job as soon as its own ends, so small tensors
 * share lanes and a large one fills all 16 lanes with its own chunks; when all 16 lanes start full chunks
 * together (the common case for large tensors) their 16 blocks run with the chaining values in registers.
 * With AVX2 only: 8 lanes the same way (rotations by 16 and 8 as byte shuffles), the job giving every
 * block. Otherwise: the portable C compression, one job after another. Integer operations only. CVs are kept
 * as host words and read back as parent blocks' bytes: little-endian hosts only (the addon is x86-only).
 *
 * Measured (`npm run bench blake3`, docs/ARCHITECTURE.md "Hashing"): one nanoGPT step's op outputs
 * (674 messages, 152 MB) 5.5 GB/s against sha256Many's 3.2. One 6 MB message, same run (load 4 on 2
 * cores): AVX-512 4.7 GB/s, AVX2 1.6 GB/s, portable C 0.4 GB/s.
 */
#include <stdlib.h>
#include <string.h>
#include "addon.h"
#include "lanes.h"
#include "sha256.h"

#define LANES 16
#define BLOCK 64
#define CHUNK 1024
#define CHUNK_START 1u
#define CHUNK_END 2u
#define PARENT 4u
#define ROOT 8u
/* Bytes ahead of each lane's block to prefetch: +15–20 % on a step's 152 MB (256…1024 measured alike). */
#define PREFETCH_AHEAD 512

static const uint32_t IV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

/* Message word used as input i of round r: the spec's permutation applied r times. */
static const uint8_t SCHEDULE[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},  {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},  {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},  {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

typedef struct {
  const uint8_t *prefix, *data;
  size_t plen, dlen, chunks;
  uint8_t *out;
  uint32_t *level; /* CVs of the tree level being built (8 words each); NULL for a one-chunk message */
  size_t count;    /* CVs in that level */
} message_t;

/* One compression chain. A chunk job reads bytes [start, start + len) of its message; a parent job reads
 * its 64-byte block (two CVs) at parent. */
typedef struct {
  const message_t *m;
  const uint8_t *parent;
  size_t start, len;
  uint64_t counter;
  uint32_t blocks, root;
  uint32_t *cv_out; /* 8 words, or NULL: the hash goes to m->out (root) */
} job_t;

/* Block k of job j: its block length and flags; returns a pointer straight into the data when the block
 * lies inside them (*direct = 1: still to be canonicalised when canon), else the block assembled in
 * scratch, zero-padded (canonicalised here when canon). */
static const uint8_t *job_block(const job_t *j, uint32_t k, uint8_t *scratch, int canon, int *direct,
                                uint32_t *len, uint32_t *flags) {
  if (j->parent) {
    *direct = 0;
    *len = BLOCK;
    *flags = PARENT | (j->root ? ROOT : 0);
    return j->parent;
  }
  const message_t *m = j->m;
  size_t o = j->start + (size_t)BLOCK * k, end = j->start + j->len;
  size_t n = end - o < BLOCK ? end - o : BLOCK;
  *len = (uint32_t)n;
  *flags = (k == 0 ? CHUNK_START : 0) | (k + 1 == j->blocks ? CHUNK_END | (j->root ? ROOT : 0) : 0);
  *direct = o >= m->plen && n == BLOCK;
  if (*direct) return m->data + (o - m->plen);
  memset(scratch, 0, BLOCK);
  if (o < m->plen) memcpy(scratch, m->prefix + o, m->plen - o < n ? m->plen - o : n);
  size_t from = o > m->plen ? o : m->plen, to = o + n;
  if (from < to) {
    memcpy(scratch + (from - o), m->data + (from - m->plen), to - from);
    // Whole words: plen and dlen are multiples of 4 when canon.
    if (canon) canonicalize_words(scratch + (from - o), (to - from) / 4);
  }
  return scratch;
}

static void store_words(uint8_t *out, const uint32_t w[8]) {
  for (int i = 0; i < 8; i++)
    for (int b = 0; b < 4; b++) out[4 * i + b] = (uint8_t)(w[i] >> (8 * b));
}

static void job_done(const job_t *j, const uint32_t cv[8]) {
  if (j->cv_out) memcpy(j->cv_out, cv, 32);
  else store_words(j->m->out, cv);
}

/* ---- portable C: one job after another ---- */

static inline uint32_t rotr32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

#define G(a, b, c, d, x, y)                  \
  do {                                       \
    v[a] = v[a] + v[b] + (x);                \
    v[d] = rotr32(v[d] ^ v[a], 16);          \
    v[c] = v[c] + v[d];                      \
    v[b] = rotr32(v[b] ^ v[c], 12);          \
    v[a] = v[a] + v[b] + (y);                \
    v[d] = rotr32(v[d] ^ v[a], 8);           \
    v[c] = v[c] + v[d];                      \
    v[b] = rotr32(v[b] ^ v[c], 7);           \
  } while (0)

static void compress_c(uint32_t cv[8], const uint8_t block[BLOCK], uint64_t counter, uint32_t len, uint32_t flags) {
  uint32_t m[16], v[16];
  for (int i = 0; i < 16; i++)
    m[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 | (uint32_t)block[4 * i + 2] << 16 |
           (uint32_t)block[4 * i + 3] << 24;
  memcpy(v, cv, 32);
  memcpy(v + 8, IV, 16);
  v[12] = (uint32_t)counter;
  v[13] = (uint32_t)(counter >> 32);
  v[14] = len;
  v[15] = flags;
  for (int r = 0; r < 7; r++) {
    const uint8_t *s = SCHEDULE[r];
    G(0, 4, 8, 12, m[s[0]], m[s[1]]);
    G(1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(2, 6, 10, 14, m[s[4]], m[s[5]]);
    G(3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(0, 5, 10, 15, m[s[8]], m[s[9]]);
    G(1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(2, 7, 8, 13, m[s[12]], m[s[13]]);
    G(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (int i = 0; i < 8; i++) cv[i] = v[i] ^ v[i + 8];
}

static void run_jobs_c(const job_t *jobs, size_t n, int canon) {
  uint8_t scratch[BLOCK];
  for (size_t i = 0; i < n; i++) {
    const job_t *j = &jobs[i];
    uint32_t cv[8];
    memcpy(cv, IV, 32);
    for (uint32_t k = 0; k < j->blocks; k++) {
      int direct;
      uint32_t len, flags;
      const uint8_t *p = job_block(j, k, scratch, canon, &direct, &len, &flags);
      if (canon && direct) {
        memcpy(scratch, p, BLOCK);
        canonicalize_words(scratch, BLOCK / 4);
        p = scratch;
      }
      compress_c(cv, p, j->parent ? 0 : j->counter, len, flags);
    }
    job_done(j, cv);
  }
}

/* ---- AVX-512: 16 jobs at a time, one per lane ---- */

#define LANES_TARGET __attribute__((target("avx512f,avx512bw")))

#define ADD(a, b) _mm512_add_epi32(a, b)
#define GV(a, b, c, d, x, y)                              \
  do {                                                    \
    a = ADD(ADD(a, b), x);                                \
    d = _mm512_ror_epi32(_mm512_xor_si512(d, a), 16);     \
    c = ADD(c, d);                                        \
    b = _mm512_ror_epi32(_mm512_xor_si512(b, c), 12);     \
    a = ADD(ADD(a, b), y);                                \
    d = _mm512_ror_epi32(_mm512_xor_si512(d, a), 8);      \
    c = ADD(c, d);                                        \
    b = _mm512_ror_epi32(_mm512_xor_si512(b, c), 7);      \
  } while (0)

/* The lanes' state: cv[j][l] is word j of lane l's chaining value (updated in place); per lane, the job's
 * counter, the block index k, and what makes the block length, flags and data pointer of block k without
 * asking the job: the last block's index and length, the first and last block's flags, and the blocks
 * [d0, d1) that lie wholly in the data, at base + 64·k. */
typedef struct {
  _Alignas(64) uint32_t cv[8][LANES];
  _Alignas(64) uint32_t counter_lo[LANES];
  _Alignas(64) uint32_t counter_hi[LANES];
  _Alignas(64) uint32_t k[LANES];
  _Alignas(64) uint32_t last[LANES];
  _Alignas(64) uint32_t last_len[LANES];
  _Alignas(64) uint32_t first_flags[LANES];
  _Alignas(64) uint32_t last_flags[LANES];
  _Alignas(64) uint32_t d0[LANES];
  _Alignas(64) uint32_t d1[LANES];
  _Alignas(64) uint64_t base[LANES];
  _Alignas(64) const uint8_t *p[LANES];
} lanes_t;

/* One block in each lane on chaining values held in registers: cv[j] is word j of the 16 lanes. */
LANES_TARGET __attribute__((always_inline)) static inline void compress_regs(__m512i cv[8], const uint8_t *const p[LANES], __mmask16 canon,
                                              __m512i v12, __m512i v13, __m512i v14, __m512i v15) {
  __m512i m[16];
  lanes_load_transposed(p, canon, 0, m); /* BLAKE3 words are little-endian */
  __m512i v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
  __m512i v8 = _mm512_set1_epi32((int)IV[0]), v9 = _mm512_set1_epi32((int)IV[1]), v10 = _mm512_set1_epi32((int)IV[2]),
          v11 = _mm512_set1_epi32((int)IV[3]);
  // Fully unrolled so that every m[] index is a constant and the message stays in registers.
#pragma GCC unroll 7
  for (int r = 0; r < 7; r++) {
    const uint8_t *x = SCHEDULE[r];
    GV(v0, v4, v8, v12, m[x[0]], m[x[1]]);
    GV(v1, v5, v9, v13, m[x[2]], m[x[3]]);
    GV(v2, v6, v10, v14, m[x[4]], m[x[5]]);
    GV(v3, v7, v11, v15, m[x[6]], m[x[7]]);
    GV(v0, v5, v10, v15, m[x[8]], m[x[9]]);
    GV(v1, v6, v11, v12, m[x[10]], m[x[11]]);
    GV(v2, v7, v8, v13, m[x[12]], m[x[13]]);
    GV(v3, v4, v9, v14, m[x[14]], m[x[15]]);
  }
  cv[0] = _mm512_xor_si512(v0, v8);
  cv[1] = _mm512_xor_si512(v1, v9);
  cv[2] = _mm512_xor_si512(v2, v10);
  cv[3] = _mm512_xor_si512(v3, v11);
  cv[4] = _mm512_xor_si512(v4, v12);
  cv[5] = _mm512_xor_si512(v5, v13);
  cv[6] = _mm512_xor_si512(v6, v14);
  cv[7] = _mm512_xor_si512(v7, v15);
}

/* One block in each lane, the chaining values in s (lengths and flags given). */
LANES_TARGET static inline void compress16(lanes_t *s, const uint8_t *const p[LANES], __mmask16 canon, __m512i len,
                                           __m512i flags) {
  __m512i cv[8];
  for (int w = 0; w < 8; w++) cv[w] = _mm512_load_si512(s->cv[w]);
  compress_regs(cv, p, canon, _mm512_load_si512(s->counter_lo), _mm512_load_si512(s->counter_hi), len, flags);
  for (int w = 0; w < 8; w++) _mm512_store_si512(s->cv[w], cv[w]);
}

/* The common case for large tensors: all 16 lanes just started full, non-root chunks whose blocks lie in the
 * data except perhaps block 0 (the prefix). Runs their 16 blocks with the chaining values in registers and
 * no per-block bookkeeping (the flags and length are the same in every lane). */
LANES_TARGET static int uniform_full_chunks(const lanes_t *s, __mmask16 busy, __mmask16 chunk_lanes) {
  if (busy != 0xffff || chunk_lanes != 0xffff) return 0;
  __mmask16 ok = _mm512_cmpeq_epi32_mask(_mm512_load_si512(s->k), _mm512_setzero_si512()) &
                 _mm512_cmpeq_epi32_mask(_mm512_load_si512(s->last), _mm512_set1_epi32(15)) &
                 _mm512_cmpeq_epi32_mask(_mm512_load_si512(s->d1), _mm512_set1_epi32(16)) &
                 _mm512_cmple_epu32_mask(_mm512_load_si512(s->d0), _mm512_set1_epi32(1)) &
                 _mm512_cmpeq_epi32_mask(_mm512_load_si512(s->last_flags), _mm512_set1_epi32(CHUNK_END));
  return ok == 0xffff;
}

LANES_TARGET static void full_chunks16(lanes_t *s, const job_t *const lane[LANES], uint8_t scratch[LANES][BLOCK],
                                       int canon) {
  __m512i cv[8];
  for (int w = 0; w < 8; w++) cv[w] = _mm512_load_si512(s->cv[w]);
  const __m512i lo = _mm512_load_si512(s->counter_lo), hi = _mm512_load_si512(s->counter_hi),
                len = _mm512_set1_epi32(BLOCK), step = _mm512_set1_epi64(BLOCK);
  __m512i p_lo = _mm512_load_si512(s->base), p_hi = _mm512_load_si512(s->base + 8);
  __mmask16 prefixed = _mm512_cmpeq_epi32_mask(_mm512_load_si512(s->d0), _mm512_set1_epi32(1));
  for (uint32_t k = 0; k < 16; k++) {
    _mm512_store_si512((void *)s->p, p_lo);
    _mm512_store_si512((void *)(s->p + 8), p_hi);
    for (int l = 0; l < LANES; l++) _mm_prefetch((const char *)s->p[l] + PREFETCH_AHEAD, _MM_HINT_T0);
    __mmask16 direct = 0xffff;
    if (k == 0) {
      for (unsigned rest = prefixed; rest; rest &= rest - 1) {
        int l = __builtin_ctz(rest), d;
        uint32_t bl, fl;
        s->p[l] = job_block(lane[l], 0, scratch[l], canon, &d, &bl, &fl);
      }
      direct = (__mmask16)~prefixed;
    }
    uint32_t flags = k == 0 ? CHUNK_START : k == 15 ? CHUNK_END : 0;
    compress_regs(cv, s->p, canon ? direct : 0, lo, hi, len, _mm512_set1_epi32((int)flags));
    p_lo = _mm512_add_epi64(p_lo, step);
    p_hi = _mm512_add_epi64(p_hi, step);
  }
  for (int w = 0; w < 8; w++) _mm512_store_si512(s->cv[w], cv[w]);
}

/* Lane l takes job j. */
static void lane_start(lanes_t *s, int l, const job_t *j) {
  for (int w = 0; w < 8; w++) s->cv[w][l] = IV[w];
  s->k[l] = 0;
  s->last[l] = j->blocks - 1;
  if (j->parent) {
    s->counter_lo[l] = s->counter_hi[l] = 0;
    s->last_len[l] = BLOCK;
    s->first_flags[l] = PARENT | (j->root ? ROOT : 0);
    s->last_flags[l] = 0;
    s->d0[l] = 0;
    s->d1[l] = 1;
    s->base[l] = (uint64_t)(uintptr_t)j->parent;
    return;
  }
  const message_t *m = j->m;
  s->counter_lo[l] = (uint32_t)j->counter;
  s->counter_hi[l] = (uint32_t)(j->counter >> 32);
  s->last_len[l] = (uint32_t)(j->len - (size_t)BLOCK * (j->blocks - 1));
  s->first_flags[l] = CHUNK_START;
  s->last_flags[l] = CHUNK_END | (j->root ? ROOT : 0);
  size_t d0 = j->start >= m->plen ? 0 : (m->plen - j->start + BLOCK - 1) / BLOCK, d1 = j->len / BLOCK;
  s->d0[l] = (uint32_t)(d0 < d1 ? d0 : d1);
  s->d1[l] = (uint32_t)d1;
  // Wrapping arithmetic: base + 64·k is only formed for k ≥ d0, where it points into the data.
  s->base[l] = (uint64_t)(uintptr_t)m->data + (uint64_t)j->start - (uint64_t)m->plen;
}

LANES_TARGET static void run_jobs_lanes(const job_t *jobs, size_t n, int canon) {
  lanes_t s;  // on the stack: pool workers may hash at the same time
  _Alignas(64) uint8_t scratch[LANES][BLOCK];
  static const uint8_t idle[BLOCK];
  const job_t *lane[LANES] = {0};
  size_t next = 0;
  __mmask16 busy = 0, chunk_lanes = 0;
  memset(&s, 0, sizeof s);
  for (int l = 0; l < LANES && next < n; l++) {
    lane[l] = &jobs[next++];
    lane_start(&s, l, lane[l]);
    busy |= (__mmask16)(1u << l);
    if (!lane[l]->parent) chunk_lanes |= (__mmask16)(1u << l);
  }
  const __m512i zero = _mm512_setzero_si512(), full = _mm512_set1_epi32(BLOCK);
  while (busy) {
    __mmask16 finished;
    if (uniform_full_chunks(&s, busy, chunk_lanes)) {
      full_chunks16(&s, lane, scratch, canon);
      finished = busy;
    } else {
      __m512i k = _mm512_load_si512(s.k), last = _mm512_load_si512(s.last);
      __mmask16 first_m = _mm512_cmpeq_epi32_mask(k, zero), last_m = _mm512_cmpeq_epi32_mask(k, last);
      __m512i flags = _mm512_or_si512(_mm512_maskz_mov_epi32(first_m, _mm512_load_si512(s.first_flags)),
                                      _mm512_maskz_mov_epi32(last_m, _mm512_load_si512(s.last_flags)));
      __m512i len = _mm512_mask_mov_epi32(full, last_m, _mm512_load_si512(s.last_len));
      __mmask16 direct = busy & _mm512_cmpge_epu32_mask(k, _mm512_load_si512(s.d0)) &
                         _mm512_cmplt_epu32_mask(k, _mm512_load_si512(s.d1));
      // p = base + 64·k in 64-bit lanes, then the few other blocks (prefix, chunk tail, idle lanes) by hand.
      __m512i k_lo = _mm512_cvtepu32_epi64(_mm512_castsi512_si256(k)),
              k_hi = _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(k, 1));
      _mm512_store_si512((void *)s.p, _mm512_add_epi64(_mm512_load_si512(s.base), _mm512_slli_epi64(k_lo, 6)));
      _mm512_store_si512((void *)(s.p + 8), _mm512_add_epi64(_mm512_load_si512(s.base + 8), _mm512_slli_epi64(k_hi, 6)));
      // Ahead of the lanes' streams (16 at once, each 1 KiB from the next for one message's chunks).
      for (int l = 0; l < LANES; l++) _mm_prefetch((const char *)s.p[l] + PREFETCH_AHEAD, _MM_HINT_T0);
      for (unsigned rest = (unsigned)(__mmask16)~direct; rest; rest &= rest - 1) {
        int l = __builtin_ctz(rest);
        if (!lane[l]) {
          s.p[l] = idle;
          continue;
        }
        int d;
        uint32_t bl, fl;
        s.p[l] = job_block(lane[l], s.k[l], scratch[l], canon, &d, &bl, &fl);
      }
      compress16(&s, s.p, canon ? direct & chunk_lanes : 0, len, flags);
      _mm512_store_si512(s.k, _mm512_add_epi32(k, _mm512_set1_epi32(1)));
      finished = busy & last_m;
    }
    for (unsigned done = finished; done; done &= done - 1) {
      int l = __builtin_ctz(done);
      uint32_t cv[8];
      for (int w = 0; w < 8; w++) cv[w] = s.cv[w][l];
      job_done(lane[l], cv);
      __mmask16 bit = (__mmask16)(1u << l);
      if (next < n) {
        lane[l] = &jobs[next++];
        lane_start(&s, l, lane[l]);
        chunk_lanes = lane[l]->parent ? chunk_lanes & (__mmask16)~bit : chunk_lanes | bit;
      } else {
        lane[l] = NULL;
        busy &= (__mmask16)~bit;
      }
    }
  }
}

/* ---- AVX2: 8 jobs at a time, one per lane, simpler bookkeeping (the job gives every block) ---- */

#define AVX2_TARGET __attribute__((target("avx2")))
#define ADD8(a, b) _mm256_add_epi32(a, b)
#define ROR8_SHIFT(x, n) _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - (n)))
/* Rotations by 16 and 8 are byte shuffles. */
#define G8(a, b, c, d, x, y)                                  \
  do {                                                        \
    a = ADD8(ADD8(a, b), x);                                  \
    d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);   \
    c = ADD8(c, d);                                           \
    b = ROR8_SHIFT(_mm256_xor_si256(b, c), 12);               \
    a = ADD8(ADD8(a, b), y);                                  \
    d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot8);    \
    c = ADD8(c, d);                                           \
    b = ROR8_SHIFT(_mm256_xor_si256(b, c), 7);                \
  } while (0)

/* r[i] = 8 words of lane i → r[j] = word j of the 8 lanes. */
AVX2_TARGET static inline void transpose8(__m256i r[8]) {
  __m256i t[8], u[8];
  for (int g = 0; g < 4; g++) {
    t[2 * g] = _mm256_unpacklo_epi32(r[2 * g], r[2 * g + 1]);
    t[2 * g + 1] = _mm256_unpackhi_epi32(r[2 * g], r[2 * g + 1]);
  }
  // u[4h + c], half q: word 4q + c of rows 4h..4h+3.
  for (int h = 0; h < 2; h++) {
    u[4 * h] = _mm256_unpacklo_epi64(t[4 * h], t[4 * h + 2]);
    u[4 * h + 1] = _mm256_unpackhi_epi64(t[4 * h], t[4 * h + 2]);
    u[4 * h + 2] = _mm256_unpacklo_epi64(t[4 * h + 1], t[4 * h + 3]);
    u[4 * h + 3] = _mm256_unpackhi_epi64(t[4 * h + 1], t[4 * h + 3]);
  }
  for (int c = 0; c < 4; c++) {
    r[c] = _mm256_permute2x128_si256(u[c], u[4 + c], 0x20);
    r[4 + c] = _mm256_permute2x128_si256(u[c], u[4 + c], 0x31);
  }
}

typedef struct {
  _Alignas(32) uint32_t cv[8][8];
  _Alignas(32) uint32_t counter_lo[8];
  _Alignas(32) uint32_t counter_hi[8];
  _Alignas(32) uint32_t len[8];
  _Alignas(32) uint32_t flags[8];
} lanes8_t;

AVX2_TARGET static void compress8(lanes8_t *s, const uint8_t *const p[8], unsigned canon) {
  const __m256i rot16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5,
                                         10, 11, 8, 9, 14, 15, 12, 13),
                rot8 = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9,
                                        10, 11, 8, 13, 14, 15, 12);
  const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff), inf = _mm256_set1_epi32(0x7f800000),
                nan = _mm256_set1_epi32((int)CANONICAL_NAN);
  __m256i m[16], lo[8], hi[8];
  for (int l = 0; l < 8; l++) {
    lo[l] = _mm256_loadu_si256((const __m256i *)p[l]);
    hi[l] = _mm256_loadu_si256((const __m256i *)(p[l] + 32));
    if ((canon >> l) & 1) {
      // |w| > +Inf as integers: a NaN (signed compare is fine on |w| ≤ 0x7fffffff).
      lo[l] = _mm256_blendv_epi8(lo[l], nan, _mm256_cmpgt_epi32(_mm256_and_si256(lo[l], abs_mask), inf));
      hi[l] = _mm256_blendv_epi8(hi[l], nan, _mm256_cmpgt_epi32(_mm256_and_si256(hi[l], abs_mask), inf));
    }
  }
  transpose8(lo);
  transpose8(hi);
  for (int j = 0; j < 8; j++) {
    m[j] = lo[j];
    m[8 + j] = hi[j];
  }
  __m256i v0 = _mm256_load_si256((const __m256i *)s->cv[0]), v1 = _mm256_load_si256((const __m256i *)s->cv[1]),
          v2 = _mm256_load_si256((const __m256i *)s->cv[2]), v3 = _mm256_load_si256((const __m256i *)s->cv[3]),
          v4 = _mm256_load_si256((const __m256i *)s->cv[4]), v5 = _mm256_load_si256((const __m256i *)s->cv[5]),
          v6 = _mm256_load_si256((const __m256i *)s->cv[6]), v7 = _mm256_load_si256((const __m256i *)s->cv[7]);
  __m256i v8 = _mm256_set1_epi32((int)IV[0]), v9 = _mm256_set1_epi32((int)IV[1]), v10 = _mm256_set1_epi32((int)IV[2]),
          v11 = _mm256_set1_epi32((int)IV[3]);
  __m256i v12 = _mm256_load_si256((const __m256i *)s->counter_lo), v13 = _mm256_load_si256((const __m256i *)s->counter_hi),
          v14 = _mm256_load_si256((const __m256i *)s->len), v15 = _mm256_load_si256((const __m256i *)s->flags);
#pragma GCC unroll 7
  for (int r = 0; r < 7; r++) {
    const uint8_t *x = SCHEDULE[r];
    G8(v0, v4, v8, v12, m[x[0]], m[x[1]]);
    G8(v1, v5, v9, v13, m[x[2]], m[x[3]]);
    G8(v2, v6, v10, v14, m[x[4]], m[x[5]]);
    G8(v3, v7, v11, v15, m[x[6]], m[x[7]]);
    G8(v0, v5, v10, v15, m[x[8]], m[x[9]]);
    G8(v1, v6, v11, v12, m[x[10]], m[x[11]]);
    G8(v2, v7, v8, v13, m[x[12]], m[x[13]]);
    G8(v3, v4, v9, v14, m[x[14]], m[x[15]]);
  }
  _mm256_store_si256((__m256i *)s->cv[0], _mm256_xor_si256(v0, v8));
  _mm256_store_si256((__m256i *)s->cv[1], _mm256_xor_si256(v1, v9));
  _mm256_store_si256((__m256i *)s->cv[2], _mm256_xor_si256(v2, v10));
  _mm256_store_si256((__m256i *)s->cv[3], _mm256_xor_si256(v3, v11));
  _mm256_store_si256((__m256i *)s->cv[4], _mm256_xor_si256(v4, v12));
  _mm256_store_si256((__m256i *)s->cv[5], _mm256_xor_si256(v5, v13));
  _mm256_store_si256((__m256i *)s->cv[6], _mm256_xor_si256(v6, v14));
  _mm256_store_si256((__m256i *)s->cv[7], _mm256_xor_si256(v7, v15));
}

static void run_jobs_avx2(const job_t *jobs, size_t n, int canon) {
  lanes8_t s;
  uint8_t scratch[8][BLOCK];
  static const uint8_t idle[BLOCK];
  const job_t *lane[8] = {0};
  uint32_t block[8] = {0};
  const uint8_t *p[8];
  size_t next = 0, busy = 0;
  memset(&s, 0, sizeof s);
  for (;;) {
    for (int l = 0; l < 8; l++)
      if (!lane[l] && next < n) {
        const job_t *j = &jobs[next++];
        lane[l] = j;
        block[l] = 0;
        busy++;
        for (int w = 0; w < 8; w++) s.cv[w][l] = IV[w];
        s.counter_lo[l] = j->parent ? 0 : (uint32_t)j->counter;
        s.counter_hi[l] = j->parent ? 0 : (uint32_t)(j->counter >> 32);
      }
    if (busy == 0) break;
    unsigned canon_rows = 0;
    for (int l = 0; l < 8; l++) {
      if (!lane[l]) {
        p[l] = idle;
        continue;
      }
      int direct;
      p[l] = job_block(lane[l], block[l], scratch[l], canon, &direct, &s.len[l], &s.flags[l]);
      _mm_prefetch((const char *)p[l] + PREFETCH_AHEAD, _MM_HINT_T0);
      if (canon && direct) canon_rows |= 1u << l;
    }
    compress8(&s, p, canon_rows);
    for (int l = 0; l < 8; l++)
      if (lane[l] && ++block[l] == lane[l]->blocks) {
        uint32_t cv[8];
        for (int w = 0; w < 8; w++) cv[w] = s.cv[w][l];
        job_done(lane[l], cv);
        lane[l] = NULL;
        busy--;
      }
  }
}

static int lanes_available(void) {
  return vector_level() == LEVEL_AVX512 && __builtin_cpu_supports("avx512bw");
}

static void run_jobs(const job_t *jobs, size_t n, int canon) {
  if (lanes_available()) run_jobs_lanes(jobs, n, canon);
  else if (vector_level() == LEVEL_AVX2) run_jobs_avx2(jobs, n, canon);
  else run_jobs_c(jobs, n, canon);
}

/* Hashes every message (out of each set); 0 when out of memory (nothing written). */
static int blake3_many(message_t *msgs, size_t n, int canon) {
  size_t total_chunks = 0, arena_words = 0;
  for (size_t i = 0; i < n; i++) {
    size_t bytes = msgs[i].plen + msgs[i].dlen;
    msgs[i].chunks = bytes == 0 ? 1 : (bytes + CHUNK - 1) / CHUNK;
    total_chunks += msgs[i].chunks;
    // Levels of ⌈c/2^k⌉ CVs: under 2c + one per level in all.
    if (msgs[i].chunks > 1) arena_words += 8 * (2 * msgs[i].chunks + 64);
  }
  job_t *jobs = malloc((total_chunks ? total_chunks : 1) * sizeof *jobs);
  uint32_t *arena = malloc((arena_words ? arena_words : 1) * sizeof *arena);
  if (!jobs || !arena) {
    free(jobs);
    free(arena);
    return 0;
  }
  // Chunk jobs grouped longest first (a counting sort on 16 - blocks) so the last lanes to finish are short.
  size_t start_of[16] = {0};
  for (size_t i = 0; i < n; i++) {
    size_t last = msgs[i].plen + msgs[i].dlen - (msgs[i].chunks - 1) * CHUNK;
    start_of[0] += msgs[i].chunks - 1;  // full chunks: 16 blocks
    start_of[16 - (last == 0 ? 1 : (last + BLOCK - 1) / BLOCK)]++;
  }
  for (size_t g = 0, sum = 0; g < 16; g++) {
    size_t count = start_of[g];
    start_of[g] = sum;
    sum += count;
  }
  uint32_t *cursor = arena;
  for (size_t i = 0; i < n; i++) {
    message_t *m = &msgs[i];
    size_t bytes = m->plen + m->dlen;
    m->level = m->chunks > 1 ? cursor : NULL;
    m->count = m->chunks;
    if (m->chunks > 1) cursor += 8 * (2 * m->chunks + 64);
    for (size_t c = 0; c < m->chunks; c++) {
      size_t len = bytes - c * CHUNK < CHUNK ? bytes - c * CHUNK : CHUNK;
      uint32_t blocks = len == 0 ? 1 : (uint32_t)((len + BLOCK - 1) / BLOCK);
      job_t *j = &jobs[start_of[16 - blocks]++];
      *j = (job_t){.m = m, .start = c * CHUNK, .len = len, .counter = c, .blocks = blocks,
                   .root = m->chunks == 1, .cv_out = m->chunks == 1 ? NULL : m->level + 8 * c};
    }
  }
  run_jobs(jobs, total_chunks, canon);
  // Parent levels, all messages at once; jobs (at most total_chunks / 2 per level) reuse the array.
  for (;;) {
    size_t nj = 0;
    for (size_t i = 0; i < n; i++) {
      message_t *m = &msgs[i];
      if (m->count < 2) continue;
      uint32_t *next = m->level + 8 * m->count;
      size_t pairs = m->count / 2;
      for (size_t k = 0; k < pairs; k++)
        jobs[nj++] = (job_t){.m = m, .parent = (const uint8_t *)(m->level + 16 * k), .blocks = 1,
                             .root = m->count == 2, .cv_out = m->count == 2 ? NULL : next + 8 * k};
      if (m->count & 1) memcpy(next + 8 * pairs, m->level + 8 * (m->count - 1), 32);
      m->level = next;
      m->count = (m->count + 1) / 2;
    }
    if (nj == 0) break;
    run_jobs(jobs, nj, canon);
  }
  free(jobs);
  free(arena);
  return 1;
}

/* The optional options object { canonicalNaNs?: boolean }; 0 (thrown) if malformed. */
static int read_options(napi_env env, napi_value v, int *canon, const char *usage) {
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok) return 0;
  if (type == napi_undefined) return 1;
  napi_value c;
  bool b = false;
  if (type != napi_object || napi_get_named_property(env, v, "canonicalNaNs", &c) != napi_ok ||
      napi_typeof(env, c, &type) != napi_ok || (type != napi_undefined && napi_get_value_bool(env, c, &b) != napi_ok)) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  *canon = b;
  return 1;
}

static napi_value blake3_many_napi(napi_env env, napi_callback_info info) {
  static const char *usage =
      "blake3Many(prefixes: (TypedArray | ArrayBuffer)[], datas: (TypedArray | ArrayBuffer)[], out: Uint8Array of "
      "32 bytes per message, options?: { canonicalNaNs?: boolean })";
  size_t argc = 4;
  napi_value argv[4], result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t n, nd;
  bool is_p, is_d;
  const uint8_t *out;
  size_t out_len;
  int canon = 0;
  if (argc < 3 || napi_is_array(env, argv[0], &is_p) != napi_ok || !is_p || napi_is_array(env, argv[1], &is_d) != napi_ok ||
      !is_d || napi_get_array_length(env, argv[0], &n) != napi_ok || napi_get_array_length(env, argv[1], &nd) != napi_ok ||
      n != nd || !byte_view(env, argv[2], &out, &out_len) || out_len != 32 * (size_t)n) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  if (argc > 3 && !read_options(env, argv[3], &canon, usage)) return NULL;
  message_t *msgs = calloc(n ? n : 1, sizeof *msgs);
  if (!msgs) {
    napi_throw_error(env, NULL, "blake3Many: out of memory");
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
      napi_throw_range_error(env, NULL, "blake3Many: canonicalNaNs needs prefix and data lengths in whole 4-byte words");
      return NULL;
    }
    msgs[i].out = (uint8_t *)out + 32 * (size_t)i;
  }
  int done = blake3_many(msgs, n, canon);
  free(msgs);
  if (!done) {
    napi_throw_error(env, NULL, "blake3Many: out of memory");
    return NULL;
  }
  napi_get_boolean(env, true, &result);
  return result;
}

void register_blake3(napi_env env, napi_value exports) {
  export_function(env, exports, "blake3Many", blake3_many_napi);
}

/* sha256.h: the digest queue's messages (an inline prefix, then the data) under the BLAKE3 scheme. */
int blake3_messages(const sha256_message_t *src, size_t n, uint8_t *out, int canon) {
  message_t *msgs = calloc(n ? n : 1, sizeof *msgs);
  if (!msgs) return 0;
  for (size_t i = 0; i < n; i++)
    msgs[i] = (message_t){.prefix = src[i].prefix, .plen = src[i].prefix_len, .data = src[i].data,
                          .dlen = src[i].data_len, .out = out + 32 * i};
  int ok = blake3_many(msgs, n, canon);
  free(msgs);
  return ok;
}
