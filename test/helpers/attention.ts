/** Attention-score inputs for the softmax kernel tests: causally masked rows as a decoder produces them. */
import { randomNormal } from '../../core/repops/prng.ts';

/** A t × t score matrix: N(0, 1) · scale on and below the diagonal, −∞ above (the causal mask). */
export function maskedScores(t: number, scale: number): Float32Array {
  const x = randomNormal(t, 0, t * t);
  for (let i = 0; i < t; i++)
    for (let j = 0; j < t; j++)
      x[i * t + j] = j > i ? Number.NEGATIVE_INFINITY : Math.fround(x[i * t + j] * scale);
  return x;
}

/** Rows of 64 as nanoGPT's attention gives them (12 × 4 heads × 64 × 64): row r masked after column r mod 64. */
export function maskedAttention(seed: number): Float32Array {
  const n = 12 * 4 * 64 * 64;
  const x = randomNormal(seed, 0, n);
  for (let r = 0; r < n / 64; r++)
    for (let j = (r % 64) + 1; j < 64; j++) x[r * 64 + j] = Number.NEGATIVE_INFINITY;
  return x;
}
