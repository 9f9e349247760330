/**
 * Binary32 bit patterns for the bit-identity tests of kernels and thread splits.
 * NaN bits are not part of any commitment: JavaScript engines may change a NaN's sign or payload whenever a
 * float passes through a JS number (V8 differs between its tiers), and the tensor digest canonicalises every
 * NaN to 0x7fc00000. Every other pattern (−0, subnormals, ±Inf) must agree bit for bit.
 */
import fc from 'fast-check';

/** The bit patterns of `a` as the tensor digest sees them (every NaN as 0x7fc00000). */
export const canonicalBits = (a: Float32Array): number[] =>
  Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (w, i) =>
    Number.isNaN(a[i]) ? 0x7fc00000 : w,
  );

/** The edge patterns: quiet and payload NaNs of both signs, ±Inf, ±0, the smallest subnormals, 1. */
export const EDGE_WORDS = [
  0x7fc00000, 0xffc00001, 0x7f800000, 0xff800000, 0x80000000, 0x00000000, 0x00000001, 0x807fffff, 0x3f800000,
] as const;

/**
 * A u32 binary32 bit pattern: any pattern (weight `any`), an edge pattern (weight 1) or an ordinary value
 * in [−maxAbs, maxAbs] (weight `ordinary`, where kernels branch on magnitude).
 */
export function binary32Word(opts: { maxAbs?: number; any?: number; ordinary?: number } = {}) {
  const maxAbs = opts.maxAbs ?? 12;
  return fc.oneof(
    { weight: opts.any ?? 3, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
    { weight: 1, arbitrary: fc.constantFrom(...EDGE_WORDS) },
    {
      weight: opts.ordinary ?? 4,
      arbitrary: fc
        .float({ min: Math.fround(-maxAbs), max: Math.fround(maxAbs), noNaN: true })
        .map((v) => new Uint32Array(new Float32Array([v]).buffer)[0]),
    },
  );
}

/** n floats whose bit patterns cycle through `words` (stride 7, from `salt`): arrays of any length from a few
 * generated words, with edge patterns landing at varied positions. */
export function fillWords(n: number, words: readonly number[], salt: number): Float32Array {
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++) w[i] = words[(i * 7 + salt) % words.length];
  return new Float32Array(w.buffer);
}

/**
 * A tensor of shape dims whose data repeats words (zeros when there are none), as a view `pad` words into a
 * buffer with `pad` spare words on each side: digests must read exactly the view.
 */
export function paddedTensor(
  dims: readonly number[],
  words: readonly number[],
  pad: number,
): { shape: number[]; data: Float32Array } {
  const n = dims.reduce((a, b) => a * b, 1);
  const bits = new Uint32Array(n + 2 * pad);
  for (let i = 0; i < bits.length; i++) bits[i] = words.length ? words[i % words.length] : 0;
  return { shape: [...dims], data: new Float32Array(bits.buffer, 4 * pad, n) };
}
