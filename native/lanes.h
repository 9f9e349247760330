/*
 * What the multi-buffer hashes share (sha256-lanes.c, blake3.c): NaN words canonicalised as a tensor digest
 * hashes them (core/hash/digest.ts canonicalBytes, native/hash.c bad_word), and 16 rows of 64 bytes loaded
 * as 16 registers of one word per row — a 16×16 dword transpose in 4 stages (gathers measured 25 % slower).
 */
#ifndef PINPOINT_LANES_H
#define PINPOINT_LANES_H
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define CANONICAL_NAN 0x7fc00000u

/* Rewrites every NaN word of p[0..words) as the canonical one. */
static inline void canonicalize_words(uint8_t *p, size_t words) {
  for (size_t i = 0; i < words; i++) {
    uint32_t w;
    memcpy(&w, p + 4 * i, 4);
    if ((w & 0x7fffffffu) > 0x7f800000u && w != CANONICAL_NAN) {
      w = CANONICAL_NAN;
      memcpy(p + 4 * i, &w, 4);
    }
  }
}

/*
 * The 16 words of 16 rows (row i at p[i]) as out[j] = word j of every row; the rows in canon (bit i: row i)
 * with their NaN words canonical first; with byte_swap each word big-endian (SHA-256). Inlined into each
 * caller, where byte_swap is a constant.
 */
__attribute__((target("avx512f,avx512bw"), always_inline)) static inline void lanes_load_transposed(
    const uint8_t *const p[16], __mmask16 canon, int byte_swap, __m512i out[16]) {
  const __m512i swap = _mm512_broadcast_i32x4(_mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000),
                nan = _mm512_set1_epi32((int)CANONICAL_NAN);
  __m512i r[16], t[16];
  for (int i = 0; i < 16; i++) {
    __m512i v = _mm512_loadu_si512((const void *)p[i]);
    if ((canon >> i) & 1) {
      // |w| > +Inf as integers (|w| ≤ 0x7fffffff, so the signed compare is unsigned here): a NaN.
      __mmask16 is_nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(v, abs_mask), inf);
      v = _mm512_mask_mov_epi32(v, is_nan, nan);
    }
    r[i] = byte_swap ? _mm512_shuffle_epi8(v, swap) : v;
  }
  // Within each 128-bit quarter q: t[2g], t[2g+1] interleave rows 2g and 2g+1's words 4q..4q+1, 4q+2..4q+3.
  for (int g = 0; g < 8; g++) {
    t[2 * g] = _mm512_unpacklo_epi32(r[2 * g], r[2 * g + 1]);
    t[2 * g + 1] = _mm512_unpackhi_epi32(r[2 * g], r[2 * g + 1]);
  }
  // r[4g + c], quarter q: word 4q + c of rows 4g..4g+3.
  for (int g = 0; g < 4; g++) {
    r[4 * g] = _mm512_unpacklo_epi64(t[4 * g], t[4 * g + 2]);
    r[4 * g + 1] = _mm512_unpackhi_epi64(t[4 * g], t[4 * g + 2]);
    r[4 * g + 2] = _mm512_unpacklo_epi64(t[4 * g + 1], t[4 * g + 3]);
    r[4 * g + 3] = _mm512_unpackhi_epi64(t[4 * g + 1], t[4 * g + 3]);
  }
  // Word 4q + c of all rows = quarter q of r[c], r[4+c], r[8+c], r[12+c].
  for (int c = 0; c < 4; c++) {
    __m512i lo01 = _mm512_shuffle_i32x4(r[c], r[4 + c], 0x44), lo23 = _mm512_shuffle_i32x4(r[8 + c], r[12 + c], 0x44);
    __m512i hi01 = _mm512_shuffle_i32x4(r[c], r[4 + c], 0xEE), hi23 = _mm512_shuffle_i32x4(r[8 + c], r[12 + c], 0xEE);
    out[c] = _mm512_shuffle_i32x4(lo01, lo23, 0x88);
    out[4 + c] = _mm512_shuffle_i32x4(lo01, lo23, 0xDD);
    out[8 + c] = _mm512_shuffle_i32x4(hi01, hi23, 0x88);
    out[12 + c] = _mm512_shuffle_i32x4(hi01, hi23, 0xDD);
  }
}

#endif
