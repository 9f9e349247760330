// BLAKE3 compression of up to four inputs at once, one input per i32x4 lane (core/hash/blake3.ts is the
// specification; core/hash/blake3-portable.ts builds the chunk/parent tree from calls to compress4).
// Integer arithmetic only: the result is the specification's bits by construction, tested against it.
// The rounds are a loop (message words permuted between rounds) rather than unrolled, which keeps the
// module under the 4 KB Chromium allows to compile synchronously on a page's main thread.

const IV0: i32 = 0x6a09e667;
const IV1: i32 = 0xbb67ae85;
const IV2: i32 = 0x3c6ef372;
const IV3: i32 = 0xa54ff53a;
const IV4: i32 = 0x510e527f;
const IV5: i32 = 0x9b05688c;
const IV6: i32 = 0x1f83d9ab;
const IV7: i32 = 0x5be0cd19;

// @ts-ignore: decorator
@inline function add3(a: v128, b: v128, c: v128): v128 {
  return i32x4.add(i32x4.add(a, b), c);
}
// Rotations by 16 and 8 bits are byte moves: one shuffle instead of two shifts and an or.
// @ts-ignore: decorator
@inline function rotr16(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}
// @ts-ignore: decorator
@inline function rotr8(x: v128): v128 {
  return i8x16.shuffle(x, x, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
}
// @ts-ignore: decorator
@inline function rotr12(x: v128): v128 {
  return v128.or(i32x4.shr_u(x, 12), i32x4.shl(x, 20));
}
// @ts-ignore: decorator
@inline function rotr7(x: v128): v128 {
  return v128.or(i32x4.shr_u(x, 7), i32x4.shl(x, 25));
}
// 4×4 transpose, first half (rows r0, r1 interleaved) and second half of its output.
// @ts-ignore: decorator
@inline function lo01(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 0, 4, 1, 5);
}
// @ts-ignore: decorator
@inline function hi01(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 2, 6, 3, 7);
}
// @ts-ignore: decorator
@inline function lo02(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 0, 1, 4, 5);
}
// @ts-ignore: decorator
@inline function hi02(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 2, 3, 6, 7);
}

/**
 * `lanes` (1…4) inputs at inp + lane·stride, each nBlocks 64-byte blocks compressed in sequence from the IV
 * (a chunk, or with nBlocks = 1 a parent block): block counter counter + lane·counterStep (high word 0),
 * flags `flags`, plus flagsStart on the first block and flagsEnd on the last, whose length is lastLen.
 * Lane l's 8-word result goes to out + 32·l, for l < lanes only (out may overlap the inputs: all reads of
 * a block precede the stores).
 */
export function compress4(
  inp: usize,
  stride: usize,
  lanes: i32,
  nBlocks: i32,
  counter: i32,
  counterStep: i32,
  flags: i32,
  flagsStart: i32,
  flagsEnd: i32,
  lastLen: i32,
  out: usize,
): void {
  // Unused lanes read lane 0's input again (never past the caller's bytes) and are not stored.
  const p0 = inp;
  const p1 = lanes > 1 ? inp + stride : inp;
  const p2 = lanes > 2 ? inp + 2 * stride : inp;
  const p3 = lanes > 3 ? inp + 3 * stride : inp;
  const ctr = i32x4.add(i32x4.splat(counter), i32x4.mul(i32x4.splat(counterStep), i32x4(0, 1, 2, 3)));
  let h0 = i32x4.splat(IV0);
  let h1 = i32x4.splat(IV1);
  let h2 = i32x4.splat(IV2);
  let h3 = i32x4.splat(IV3);
  let h4 = i32x4.splat(IV4);
  let h5 = i32x4.splat(IV5);
  let h6 = i32x4.splat(IV6);
  let h7 = i32x4.splat(IV7);
  for (let b = 0; b < nBlocks; b++) {
    const off: usize = <usize>b << 6;
    const last = b == nBlocks - 1;
    let f = flags;
    if (b == 0) f |= flagsStart;
    if (last) f |= flagsEnd;
    const blockLen = last ? lastLen : 64;
    // Message word w of the four lanes in one vector: four 4×4 transposes of the lanes' blocks.
    let a0 = v128.load(p0 + off), a1 = v128.load(p1 + off), a2 = v128.load(p2 + off), a3 = v128.load(p3 + off);
    let s0 = lo01(a0, a1), s1 = hi01(a0, a1), s2 = lo01(a2, a3), s3 = hi01(a2, a3);
    let m0 = lo02(s0, s2), m1 = hi02(s0, s2), m2 = lo02(s1, s3), m3 = hi02(s1, s3);
    a0 = v128.load(p0 + off, 16); a1 = v128.load(p1 + off, 16); a2 = v128.load(p2 + off, 16); a3 = v128.load(p3 + off, 16);
    s0 = lo01(a0, a1); s1 = hi01(a0, a1); s2 = lo01(a2, a3); s3 = hi01(a2, a3);
    let m4 = lo02(s0, s2), m5 = hi02(s0, s2), m6 = lo02(s1, s3), m7 = hi02(s1, s3);
    a0 = v128.load(p0 + off, 32); a1 = v128.load(p1 + off, 32); a2 = v128.load(p2 + off, 32); a3 = v128.load(p3 + off, 32);
    s0 = lo01(a0, a1); s1 = hi01(a0, a1); s2 = lo01(a2, a3); s3 = hi01(a2, a3);
    let m8 = lo02(s0, s2), m9 = hi02(s0, s2), m10 = lo02(s1, s3), m11 = hi02(s1, s3);
    a0 = v128.load(p0 + off, 48); a1 = v128.load(p1 + off, 48); a2 = v128.load(p2 + off, 48); a3 = v128.load(p3 + off, 48);
    s0 = lo01(a0, a1); s1 = hi01(a0, a1); s2 = lo01(a2, a3); s3 = hi01(a2, a3);
    let m12 = lo02(s0, s2), m13 = hi02(s0, s2), m14 = lo02(s1, s3), m15 = hi02(s1, s3);

    let v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
    let v8 = i32x4.splat(IV0), v9 = i32x4.splat(IV1), v10 = i32x4.splat(IV2), v11 = i32x4.splat(IV3);
    let v12 = ctr, v13 = i32x4.splat(0), v14 = i32x4.splat(blockLen), v15 = i32x4.splat(f);
    for (let round = 0; round < 7; round++) {
      v0 = add3(v0, v4, m0); v12 = rotr16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rotr12(v128.xor(v4, v8));
      v0 = add3(v0, v4, m1); v12 = rotr8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rotr7(v128.xor(v4, v8));
      v1 = add3(v1, v5, m2); v13 = rotr16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rotr12(v128.xor(v5, v9));
      v1 = add3(v1, v5, m3); v13 = rotr8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rotr7(v128.xor(v5, v9));
      v2 = add3(v2, v6, m4); v14 = rotr16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rotr12(v128.xor(v6, v10));
      v2 = add3(v2, v6, m5); v14 = rotr8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rotr7(v128.xor(v6, v10));
      v3 = add3(v3, v7, m6); v15 = rotr16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rotr12(v128.xor(v7, v11));
      v3 = add3(v3, v7, m7); v15 = rotr8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rotr7(v128.xor(v7, v11));
      v0 = add3(v0, v5, m8); v15 = rotr16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rotr12(v128.xor(v5, v10));
      v0 = add3(v0, v5, m9); v15 = rotr8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rotr7(v128.xor(v5, v10));
      v1 = add3(v1, v6, m10); v12 = rotr16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rotr12(v128.xor(v6, v11));
      v1 = add3(v1, v6, m11); v12 = rotr8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rotr7(v128.xor(v6, v11));
      v2 = add3(v2, v7, m12); v13 = rotr16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rotr12(v128.xor(v7, v8));
      v2 = add3(v2, v7, m13); v13 = rotr8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rotr7(v128.xor(v7, v8));
      v3 = add3(v3, v4, m14); v14 = rotr16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rotr12(v128.xor(v4, v9));
      v3 = add3(v3, v4, m15); v14 = rotr8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rotr7(v128.xor(v4, v9));
      // The message permutation of blake3.ts (PERMUTATION) for the next round.
      const t0 = m2, t1 = m6, t2 = m3, t3 = m10, t4 = m7, t5 = m0, t6 = m4, t7 = m13;
      const t8 = m1, t9 = m11, t10 = m12, t11 = m5, t12 = m9, t13 = m14, t14 = m15, t15 = m8;
      m0 = t0; m1 = t1; m2 = t2; m3 = t3; m4 = t4; m5 = t5; m6 = t6; m7 = t7;
      m8 = t8; m9 = t9; m10 = t10; m11 = t11; m12 = t12; m13 = t13; m14 = t14; m15 = t15;
    }
    h0 = v128.xor(v0, v8); h1 = v128.xor(v1, v9); h2 = v128.xor(v2, v10); h3 = v128.xor(v3, v11);
    h4 = v128.xor(v4, v12); h5 = v128.xor(v5, v13); h6 = v128.xor(v6, v14); h7 = v128.xor(v7, v15);
  }
  // Back to one lane per 32 bytes: transpose words 0–3 and 4–7.
  let s0 = lo01(h0, h1), s1 = hi01(h0, h1), s2 = lo01(h2, h3), s3 = hi01(h2, h3);
  const l0a = lo02(s0, s2), l1a = hi02(s0, s2), l2a = lo02(s1, s3), l3a = hi02(s1, s3);
  s0 = lo01(h4, h5); s1 = hi01(h4, h5); s2 = lo01(h6, h7); s3 = hi01(h6, h7);
  const l0b = lo02(s0, s2), l1b = hi02(s0, s2), l2b = lo02(s1, s3), l3b = hi02(s1, s3);
  v128.store(out, l0a);
  v128.store(out, l0b, 16);
  if (lanes > 1) {
    v128.store(out, l1a, 32);
    v128.store(out, l1b, 48);
  }
  if (lanes > 2) {
    v128.store(out, l2a, 64);
    v128.store(out, l2b, 80);
  }
  if (lanes > 3) {
    v128.store(out, l3a, 96);
    v128.store(out, l3b, 112);
  }
}

/**
 * Every NaN among the `bytes` / 4 little-endian binary32 words at p (4-byte aligned) rewritten in place as
 * 0x7fc00000, other words untouched (integer compares: what core/hash/digest.ts canonicalBytes does).
 */
export function canonicalNaNs(p: usize, bytes: i32): void {
  const end = p + <usize>bytes;
  const abs = i32x4.splat(0x7fffffff);
  const inf = i32x4.splat(0x7f800000);
  const nan = i32x4.splat(0x7fc00000);
  for (; p + 16 <= end; p += 16) {
    const v = v128.load(p);
    // NaN: exponent all ones and a nonzero fraction, i.e. |bits| above the bits of +Infinity.
    v128.store(p, v128.bitselect(nan, v, i32x4.gt_s(v128.and(v, abs), inf)));
  }
  for (; p < end; p += 4) {
    const w = load<i32>(p);
    if ((w & 0x7fffffff) > 0x7f800000) store<i32>(p, 0x7fc00000);
  }
}
