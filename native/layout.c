/*
 * RepOps transpose (core/repops/ops/layout.ts transposeData): out[i_0..i_{r-1}] = x[j] with j[perm[k]] = i_k,
 * for any permutation of rank ≤ 8, on the caller's Float32Arrays. Pure data movement: every value is
 * copied as its 32-bit pattern (NaN payloads kept), so any order of moves gives the same bits.
 *
 * The permutation is first reduced: axes of size 1 are dropped and output axes that are adjacent in the
 * input too are merged (attention's [B,T,H,d] → [B,H,d,T] becomes a batch of [T, H·d] 2-D transposes;
 * its [0,2,1,3] head split, runs of d contiguous values). Then either
 *   - the last output axis is contiguous in the input: one memcpy per run, odometer over the rest, or
 *   - it is not: the input's contiguous axis q and the output's last axis form a 2-D transpose, done in
 *     32×32 tiles (reads and writes stay in L1) of 8×8 register blocks (AVX2 unpack/shuffle/permute,
 *     also used at the AVX-512 level: already within 1.3× of a memcpy of the same bytes on the nanoGPT
 *     shapes) or scalar moves.
 *
 *   transpose(x, out: Float32Array, shape: number[], perm: number[])   out.length = x.length = ∏ shape.
 */
#include <string.h>
#include "addon.h"

#define MAX_RANK 8
#define TILE 32

typedef void (*block_fn)(const uint32_t *src, size_t ss, uint32_t *dst, size_t ds, size_t rows, size_t cols);

/* dst[j·ds + i] = src[i·ss + j] for i < rows, j < cols, one value at a time. */
static void scalar_block(const uint32_t *src, size_t ss, uint32_t *dst, size_t ds, size_t rows, size_t cols) {
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) dst[j * ds + i] = src[i * ss + j];
}

/* scalar_block with the full 8×8 blocks transposed in registers (moves and shuffles only). */
__attribute__((target("avx2"))) static void avx2_block(const uint32_t *src, size_t ss, uint32_t *dst, size_t ds,
                                                       size_t rows, size_t cols) {
  size_t r8 = rows - rows % 8, c8 = cols - cols % 8;
  for (size_t i = 0; i < r8; i += 8)
    for (size_t j = 0; j < c8; j += 8) {
      const float *s = (const float *)(src + i * ss + j);
      __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ss), r2 = _mm256_loadu_ps(s + 2 * ss),
             r3 = _mm256_loadu_ps(s + 3 * ss), r4 = _mm256_loadu_ps(s + 4 * ss), r5 = _mm256_loadu_ps(s + 5 * ss),
             r6 = _mm256_loadu_ps(s + 6 * ss), r7 = _mm256_loadu_ps(s + 7 * ss);
      __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
             t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
             t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
      __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee),
             u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee),
             u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee),
             u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
      float *d = (float *)(dst + j * ds + i);
      _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(d + ds, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(d + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(d + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(d + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(d + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(d + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(d + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
  if (c8 < cols) scalar_block(src + c8, ss, dst + c8 * ds, ds, r8, cols - c8);
  if (r8 < rows) scalar_block(src + r8 * ss, ss, dst + r8, ds, rows - r8, cols);
}

static const block_fn blocks[] = {[LEVEL_C] = scalar_block, [LEVEL_AVX2] = avx2_block, [LEVEL_AVX512] = avx2_block};

/* A 2-D transpose of any size in TILE×TILE tiles. */
static void transpose_2d(block_fn block, const uint32_t *src, size_t ss, uint32_t *dst, size_t ds, size_t rows,
                         size_t cols) {
  for (size_t i = 0; i < rows; i += TILE)
    for (size_t j = 0; j < cols; j += TILE)
      block(src + i * ss + j, ss, dst + j * ds + i, ds, rows - i < TILE ? rows - i : TILE,
            cols - j < TILE ? cols - j : TILE);
}

/*
 * The permutation reduced to r output axes of sizes d[k] and input strides s[k] (output row-major):
 * size-1 axes dropped, output axes k−1, k merged where s[k−1] = s[k]·d[k] (adjacent in the input too).
 */
static size_t reduce_axes(size_t rank, const size_t *shape, const size_t *perm, size_t *d, size_t *s) {
  size_t xs[MAX_RANK];
  size_t stride = 1;
  for (size_t k = rank; k-- > 0;) {
    xs[k] = stride;
    stride *= shape[k];
  }
  size_t r = 0;
  for (size_t k = 0; k < rank; k++) {
    size_t dk = shape[perm[k]], sk = xs[perm[k]];
    if (dk == 1) continue;
    if (r > 0 && s[r - 1] == sk * dk) {
      d[r - 1] *= dk;
      s[r - 1] = sk;
    } else {
      d[r] = dk;
      s[r] = sk;
      r++;
    }
  }
  return r;
}

/* The outer axes of a reduced permutation: sizes, input strides, output strides. */
typedef struct {
  size_t count;
  size_t d[MAX_RANK], s[MAX_RANK], t[MAX_RANK];
} outer_t;

static void permute(const uint32_t *x, uint32_t *out, size_t rank, const size_t *shape, const size_t *perm) {
  size_t d[MAX_RANK], s[MAX_RANK], t[MAX_RANK];
  size_t r = reduce_axes(rank, shape, perm, d, s);
  if (r == 0) {
    out[0] = x[0];
    return;
  }
  size_t stride = 1;
  for (size_t k = r; k-- > 0;) {
    t[k] = stride;
    stride *= d[k];
  }
  // Inner work: a contiguous run (last output axis has input stride 1) or a 2-D transpose between the
  // input's contiguous axis q and the last output axis; the other axes form the outer odometer.
  size_t q = r - 1;
  while (s[q] != 1) q--; // exists: the input's last axis of size > 1 has stride 1 and stays innermost
  outer_t o = {0};
  for (size_t k = 0; k < r - 1; k++)
    if (k != q) {
      o.d[o.count] = d[k];
      o.s[o.count] = s[k];
      o.t[o.count] = t[k];
      o.count++;
    }
  size_t idx[MAX_RANK] = {0};
  size_t xi = 0, oi = 0;
  block_fn block = blocks[vector_level()];
  for (;;) {
    if (q == r - 1) memcpy(out + oi, x + xi, d[r - 1] * sizeof *x);
    else transpose_2d(block, x + xi, s[r - 1], out + oi, t[q], d[r - 1], d[q]);
    size_t k = o.count;
    for (; k-- > 0;) {
      idx[k]++;
      xi += o.s[k];
      oi += o.t[k];
      if (idx[k] < o.d[k]) break;
      xi -= o.s[k] * o.d[k];
      oi -= o.t[k] * o.d[k];
      idx[k] = 0;
    }
    if (k == (size_t)-1) return;
  }
}

static napi_value transpose(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *out;
  size_t lx, lo, shape[MAX_RANK], perm[MAX_RANK];
  uint32_t rank, prank;
  if (argc != 4 || !f32_array(env, argv[0], &x, &lx) || !f32_array(env, argv[1], &out, &lo)) {
    napi_throw_type_error(env, NULL, "transpose(x, out: Float32Array, shape, perm: number[])");
    return NULL;
  }
  if (!size_list(env, argv[2], shape, &rank, MAX_RANK) || !size_list(env, argv[3], perm, &prank, MAX_RANK) ||
      prank != rank) {
    napi_throw_type_error(env, NULL, "transpose: shape and perm must be lists of ≤ 8 non-negative integers of one length");
    return NULL;
  }
  int seen[MAX_RANK] = {0};
  size_t n = 1;
  for (uint32_t k = 0; k < rank; k++) {
    if (perm[k] >= rank || seen[perm[k]]++) {
      napi_throw_range_error(env, NULL, "transpose: perm is not a permutation of 0…rank−1");
      return NULL;
    }
    n *= shape[k];
  }
  if (lx != n || lo != n) {
    napi_throw_range_error(env, NULL, "transpose: x and out must both hold ∏ shape values");
    return NULL;
  }
  if (n > 0 && x < out + n && out < x + n) {
    napi_throw_range_error(env, NULL, "transpose: out must not overlap x");
    return NULL;
  }
  if (n > 0) permute((const uint32_t *)x, (uint32_t *)out, rank, shape, perm);
  return NULL;
}

void register_layout(napi_env env, napi_value exports) { export_function(env, exports, "transpose", transpose); }
