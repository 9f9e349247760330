/**
 * BLAKE3 of the concatenation of some byte arrays, with what every platform has (no native addon): the
 * path of tensor digests under the "blake3" scheme (core/hash/digest.ts) in browsers and in Node without
 * the addon. Same bits as the readable specification (blake3.ts), tested.
 *
 * Two compressors behind one tree driver:
 * - "wasm": WebAssembly SIMD (as/blake3.ts → blake3-wasm-bytes.ts, ~3 KB so even a page's main thread may
 *   compile it synchronously), four chunks — or four parent blocks — at once, one per i32x4 lane;
 * - "js": the same compression in plain JavaScript, one input at a time, state in locals (engines without
 *   WebAssembly SIMD, or a refused compile).
 * Both work in one fixed memory (a WebAssembly.Memory or an ArrayBuffer of the same layout), so a call
 * allocates nothing but its 32-byte result: the parts are copied in segments of SEGMENT_CHUNKS chunks;
 * a full segment followed by more input is a complete subtree, hashed and kept on a stack of subtree CVs
 * (merged like blake3.ts merges chunk CVs); the last segment is hashed as its own tree and folded with
 * the stack. Within a segment the tree is built level by level: pair neighbours, an odd last one moves up.
 */

import { decodeBase64 } from './base64.ts';
import {
  BLAKE3_BLOCK_LEN,
  BLAKE3_CHUNK_LEN,
  blake3Hasher,
  CHUNK_END,
  CHUNK_START,
  PARENT,
  ROOT,
} from './blake3.ts';
import { BLAKE3_WASM_BASE64 } from './blake3-wasm-bytes.ts';

/**
 * Compression of `lanes` (1…4) inputs at inp + lane·stride (byte offsets in the compressor's memory),
 * each nBlocks blocks from the IV, counter + lane·counterStep, flags | flagsStart on the first block |
 * flagsEnd on the last (of length lastLen); lane l's CV to out + 32·l. Exactly as/blake3.ts compress4.
 */
type Compress4 = (
  inp: number,
  stride: number,
  lanes: number,
  nBlocks: number,
  counter: number,
  counterStep: number,
  flags: number,
  flagsStart: number,
  flagsEnd: number,
  lastLen: number,
  out: number,
) => void;

interface Compressor {
  readonly bytes: Uint8Array;
  readonly compress4: Compress4;
  /** Rewrites every NaN among the binary32 words of [at, at + bytes) to 0x7fc00000 (at 4-byte aligned). */
  readonly canonicalNaNs: (at: number, bytes: number) => void;
}

export type PortableBlake3Path = 'wasm' | 'js';

// Memory layout (byte offsets). A segment of 256 KB stays in L2 between its copy in and its hashing.
const SEGMENT_CHUNKS = 256;
/** Bytes copied in and hashed at a time (exported so tests can aim at segment boundaries). */
export const PORTABLE_BLAKE3_SEGMENT = SEGMENT_CHUNKS * BLAKE3_CHUNK_LEN;
const SEGMENT = PORTABLE_BLAKE3_SEGMENT;
/** Subtree CVs of finished segments, then the last segment's CV: at most one per bit of the segment count. */
const STACK = 0;
/** Chunk counters are kept below 2^32 (the compressors set the high word to 0): 4 TiB of input at most. */
const MAX_SEGMENTS = 2 ** 32 / SEGMENT_CHUNKS;
/** Chunk CVs of the segment being hashed (then parent CVs, in place). */
const CVS = 4096;
const INPUT = CVS + 32 * SEGMENT_CHUNKS;
const MEMORY_BYTES = INPUT + SEGMENT;
const PAGE = 65536;
/** The JavaScript compression reads message words through a Uint32Array, i.e. in the engine's byte order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `lanes` (≤ 4) consecutive full chunks at `at`, counters from `counter` on: their CVs to out, out + 32, … */
function fullChunks(c: Compressor, at: number, lanes: number, counter: number, out: number): void {
  c.compress4(at, BLAKE3_CHUNK_LEN, lanes, 16, counter, 1, 0, CHUNK_START, CHUNK_END, BLAKE3_BLOCK_LEN, out);
}

/** `lanes` (≤ 4) parent blocks, i.e. consecutive pairs of CVs, at `at`: their CVs to out, out + 32, … */
function parents(c: Compressor, at: number, lanes: number, flagsEnd: number, out: number): void {
  c.compress4(at, 2 * 32, lanes, 1, 0, 0, PARENT, 0, flagsEnd, BLAKE3_BLOCK_LEN, out);
}

/** The tree over `len` bytes at INPUT (chunk counters from counterBase), its CV (or hash, if root) to out. */
function hashSegment(c: Compressor, len: number, counterBase: number, root: boolean, out: number): void {
  const chunks = Math.max(1, Math.ceil(len / BLAKE3_CHUNK_LEN));
  // The last chunk needs its own call when it is partial or the root; full chunks go four at a time.
  const lastAlone = len % BLAKE3_CHUNK_LEN !== 0 || len === 0 || (root && chunks === 1);
  const regular = lastAlone ? chunks - 1 : chunks;
  for (let i = 0; i < regular; i += 4)
    fullChunks(c, INPUT + i * BLAKE3_CHUNK_LEN, Math.min(4, regular - i), counterBase + i, CVS + 32 * i);
  if (lastAlone) {
    const rest = len - regular * BLAKE3_CHUNK_LEN;
    const blocks = Math.max(1, Math.ceil(rest / BLAKE3_BLOCK_LEN));
    const start = INPUT + regular * BLAKE3_CHUNK_LEN;
    c.bytes.fill(0, start + rest, start + blocks * BLAKE3_BLOCK_LEN);
    const rootFlag = root && chunks === 1 ? ROOT : 0;
    const dest = chunks === 1 ? out : CVS + 32 * regular;
    const lastLen = rest - (blocks - 1) * BLAKE3_BLOCK_LEN;
    const flagsEnd = CHUNK_END | rootFlag;
    c.compress4(start, 0, 1, blocks, counterBase + regular, 0, 0, CHUNK_START, flagsEnd, lastLen, dest);
    if (chunks === 1) return;
  }
  // Parent levels in place: parent i's block is CVs 2i and 2i+1, i.e. the 64 bytes at CVS + 64·i.
  let count = chunks;
  while (count > 2 || (count === 2 && !root)) {
    const half = count >> 1;
    for (let i = 0; i < half; i += 4) parents(c, CVS + 64 * i, Math.min(4, half - i), 0, CVS + 32 * i);
    if (count & 1) c.bytes.copyWithin(CVS + 32 * half, CVS + 32 * (count - 1), CVS + 32 * count);
    count = half + (count & 1);
  }
  if (root) parents(c, CVS, 1, ROOT, out);
  else c.bytes.copyWithin(out, CVS, CVS + 32);
}

// The stack of finished segments' subtree CVs during one blake3Parts call (calls are synchronous and
// never nested, so module state is safe and spares a closure per call).
let segments = 0;
let depth = 0;

/** A full segment followed by more input: hashed as a complete subtree, its CV pushed on the stack. */
function pushSegment(c: Compressor): void {
  if (segments + 1 >= MAX_SEGMENTS) throw new Error('blake3Parts: more than 4 TiB of input');
  hashSegment(c, SEGMENT, segments * SEGMENT_CHUNKS, false, STACK + 32 * depth);
  depth++;
  segments++;
  // Equal-sized neighbours merge (one per trailing zero bit of the segment count), as in blake3.ts.
  for (let total = segments; (total & 1) === 0; total /= 2) {
    depth--;
    const at = STACK + 32 * (depth - 1);
    parents(c, at, 1, 0, at);
  }
}

/** BLAKE3 of the parts; those from index canonicalFrom on get their NaN words canonical as copied in. */
function hashParts(c: Compressor, parts: readonly Uint8Array[], canonicalFrom: number): Uint8Array {
  const mem = c.bytes;
  let fill = 0;
  segments = 0;
  depth = 0;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    for (let i = 0; i < p.length; ) {
      // A full segment is hashed only once more input follows: the last one may need the ROOT flag.
      if (fill === SEGMENT) {
        pushSegment(c);
        fill = 0;
      }
      const take = Math.min(SEGMENT - fill, p.length - i);
      mem.set(take === p.length ? p : p.subarray(i, i + take), INPUT + fill);
      if (k >= canonicalFrom) c.canonicalNaNs(INPUT + fill, take);
      fill += take;
      i += take;
    }
  }
  hashSegment(c, fill, segments * SEGMENT_CHUNKS, depth === 0, STACK + 32 * depth);
  // Fold right to left: each parent block is a stack CV and the CV after it, contiguous in memory.
  for (let d = depth - 1; d >= 0; d--) parents(c, STACK + 32 * d, 1, d === 0 ? ROOT : 0, STACK + 32 * d);
  return mem.slice(STACK, STACK + 32);
}

// ---------------------------------------------------------------------------------------------------
// The WebAssembly SIMD compressor.

function wasmCompressor(): Compressor | null {
  try {
    if (typeof WebAssembly === 'undefined') return null;
    const bytes = decodeBase64(BLAKE3_WASM_BASE64);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD
    const pages = Math.ceil(MEMORY_BYTES / PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const abort = () => {
      throw new Error('blake3 wasm aborted');
    };
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory, abort } });
    const simd = inst.exports.compress4 as Compress4;
    const words = LITTLE_ENDIAN ? new Uint32Array(memory.buffer) : null;
    // A lone input (a short message, the last chunk, a top parent) wastes three of the four lanes: the
    // JavaScript compression of one input is faster then (measured: ~2× on one chunk).
    const compress4: Compress4 = (
      inp,
      stride,
      lanes,
      nBlocks,
      counter,
      step,
      flags,
      fs,
      fe,
      lastLen,
      out,
    ) => {
      if (lanes === 1 && words)
        compressChain(words, inp >> 2, nBlocks, counter, flags, fs, fe, lastLen, out >> 2);
      else simd(inp, stride, lanes, nBlocks, counter, step, flags, fs, fe, lastLen, out);
    };
    const canonicalNaNs = inst.exports.canonicalNaNs as (at: number, bytes: number) => void;
    return { bytes: new Uint8Array(memory.buffer), compress4, canonicalNaNs };
  } catch {
    return null; // e.g. a browser main thread refusing the synchronous compile
  }
}

// ---------------------------------------------------------------------------------------------------
// The JavaScript compressor: words read through a Uint32Array, so little-endian engines only (all
// current ones); a big-endian one would get the specification hasher.

function jsCompressor(): Compressor | null {
  if (!LITTLE_ENDIAN) return null;
  const buffer = new ArrayBuffer(MEMORY_BYTES);
  const words = new Uint32Array(buffer);
  const compress4: Compress4 = (
    inp,
    stride,
    lanes,
    nBlocks,
    counter,
    counterStep,
    flags,
    fs,
    fe,
    lastLen,
    out,
  ) => {
    for (let l = 0; l < lanes; l++)
      compressChain(
        words,
        (inp + l * stride) >> 2,
        nBlocks,
        counter + l * counterStep,
        flags,
        fs,
        fe,
        lastLen,
        (out + 32 * l) >> 2,
      );
  };
  const canonicalNaNs = (at: number, bytes: number) => {
    for (let i = at >> 2, end = (at + bytes) >> 2; i < end; i++)
      if ((words[i] & 0x7fffffff) > 0x7f800000) words[i] = 0x7fc00000;
  };
  return { bytes: new Uint8Array(buffer), compress4, canonicalNaNs };
}

/** nBlocks blocks at word w from the IV (one chunk or one parent): the CV to word o of `mem`. */
function compressChain(
  mem: Uint32Array,
  w: number,
  nBlocks: number,
  counter: number,
  flags: number,
  flagsStart: number,
  flagsEnd: number,
  lastLen: number,
  o: number,
): void {
  let h0 = 0x6a09e667 | 0;
  let h1 = 0xbb67ae85 | 0;
  let h2 = 0x3c6ef372 | 0;
  let h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f | 0;
  let h5 = 0x9b05688c | 0;
  let h6 = 0x1f83d9ab | 0;
  let h7 = 0x5be0cd19 | 0;
  for (let b = 0; b < nBlocks; b++, w += 16) {
    const last = b === nBlocks - 1;
    const f = flags | (b === 0 ? flagsStart : 0) | (last ? flagsEnd : 0);
    let m0 = mem[w] | 0;
    let m1 = mem[w + 1] | 0;
    let m2 = mem[w + 2] | 0;
    let m3 = mem[w + 3] | 0;
    let m4 = mem[w + 4] | 0;
    let m5 = mem[w + 5] | 0;
    let m6 = mem[w + 6] | 0;
    let m7 = mem[w + 7] | 0;
    let m8 = mem[w + 8] | 0;
    let m9 = mem[w + 9] | 0;
    let m10 = mem[w + 10] | 0;
    let m11 = mem[w + 11] | 0;
    let m12 = mem[w + 12] | 0;
    let m13 = mem[w + 13] | 0;
    let m14 = mem[w + 14] | 0;
    let m15 = mem[w + 15] | 0;
    let v0 = h0;
    let v1 = h1;
    let v2 = h2;
    let v3 = h3;
    let v4 = h4;
    let v5 = h5;
    let v6 = h6;
    let v7 = h7;
    let v8 = 0x6a09e667 | 0;
    let v9 = 0xbb67ae85 | 0;
    let v10 = 0x3c6ef372 | 0;
    let v11 = 0xa54ff53a | 0;
    let v12 = counter | 0;
    let v13 = 0; // counter high word: chunk counters stay far below 2^32 here
    let v14 = last ? lastLen : BLAKE3_BLOCK_LEN;
    let v15 = f;
    // biome-ignore format: one line per half of G (spec order: add, xor-rotate, add, xor-rotate)
    for (let round = 0; round < 7; round++) {
      // G on the columns (v0 v4 v8 v12 …) then the diagonals (v0 v5 v10 v15 …), as blake3.ts g().
      v0 = (v0 + v4 + m0) | 0; v12 ^= v0; v12 = (v12 >>> 16) | (v12 << 16); v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 12) | (v4 << 20);
      v0 = (v0 + v4 + m1) | 0; v12 ^= v0; v12 = (v12 >>> 8) | (v12 << 24); v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 7) | (v4 << 25);
      v1 = (v1 + v5 + m2) | 0; v13 ^= v1; v13 = (v13 >>> 16) | (v13 << 16); v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 12) | (v5 << 20);
      v1 = (v1 + v5 + m3) | 0; v13 ^= v1; v13 = (v13 >>> 8) | (v13 << 24); v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 7) | (v5 << 25);
      v2 = (v2 + v6 + m4) | 0; v14 ^= v2; v14 = (v14 >>> 16) | (v14 << 16); v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 12) | (v6 << 20);
      v2 = (v2 + v6 + m5) | 0; v14 ^= v2; v14 = (v14 >>> 8) | (v14 << 24); v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 7) | (v6 << 25);
      v3 = (v3 + v7 + m6) | 0; v15 ^= v3; v15 = (v15 >>> 16) | (v15 << 16); v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 12) | (v7 << 20);
      v3 = (v3 + v7 + m7) | 0; v15 ^= v3; v15 = (v15 >>> 8) | (v15 << 24); v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 7) | (v7 << 25);
      v0 = (v0 + v5 + m8) | 0; v15 ^= v0; v15 = (v15 >>> 16) | (v15 << 16); v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 12) | (v5 << 20);
      v0 = (v0 + v5 + m9) | 0; v15 ^= v0; v15 = (v15 >>> 8) | (v15 << 24); v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 7) | (v5 << 25);
      v1 = (v1 + v6 + m10) | 0; v12 ^= v1; v12 = (v12 >>> 16) | (v12 << 16); v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 12) | (v6 << 20);
      v1 = (v1 + v6 + m11) | 0; v12 ^= v1; v12 = (v12 >>> 8) | (v12 << 24); v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 7) | (v6 << 25);
      v2 = (v2 + v7 + m12) | 0; v13 ^= v2; v13 = (v13 >>> 16) | (v13 << 16); v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 12) | (v7 << 20);
      v2 = (v2 + v7 + m13) | 0; v13 ^= v2; v13 = (v13 >>> 8) | (v13 << 24); v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 7) | (v7 << 25);
      v3 = (v3 + v4 + m14) | 0; v14 ^= v3; v14 = (v14 >>> 16) | (v14 << 16); v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 12) | (v4 << 20);
      v3 = (v3 + v4 + m15) | 0; v14 ^= v3; v14 = (v14 >>> 8) | (v14 << 24); v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 7) | (v4 << 25);
      // The message permutation of blake3.ts (PERMUTATION) for the next round.
      const t0 = m2, t1 = m6, t2 = m3, t3 = m10, t4 = m7, t5 = m0, t6 = m4, t7 = m13;
      const t8 = m1, t9 = m11, t10 = m12, t11 = m5, t12 = m9, t13 = m14, t14 = m15, t15 = m8;
      m0 = t0; m1 = t1; m2 = t2; m3 = t3; m4 = t4; m5 = t5; m6 = t6; m7 = t7;
      m8 = t8; m9 = t9; m10 = t10; m11 = t11; m12 = t12; m13 = t13; m14 = t14; m15 = t15;
    }
    h0 = v0 ^ v8;
    h1 = v1 ^ v9;
    h2 = v2 ^ v10;
    h3 = v3 ^ v11;
    h4 = v4 ^ v12;
    h5 = v5 ^ v13;
    h6 = v6 ^ v14;
    h7 = v7 ^ v15;
  }
  mem[o] = h0;
  mem[o + 1] = h1;
  mem[o + 2] = h2;
  mem[o + 3] = h3;
  mem[o + 4] = h4;
  mem[o + 5] = h5;
  mem[o + 6] = h6;
  mem[o + 7] = h7;
}

// ---------------------------------------------------------------------------------------------------

let chosen: PortableBlake3Path | 'auto' = 'auto';
const made = new Map<PortableBlake3Path, Compressor | null>();

function compressor(path: PortableBlake3Path): Compressor | null {
  let c = made.get(path);
  if (c === undefined) {
    c = path === 'wasm' ? wasmCompressor() : jsCompressor();
    made.set(path, c);
  }
  return c;
}

function current(): Compressor | null {
  if (chosen !== 'auto') {
    const c = compressor(chosen);
    if (!c) throw new Error(`blake3Parts: the ${chosen} path cannot run on this engine`);
    return c;
  }
  return compressor('wasm') ?? compressor('js');
}

/**
 * Forces one path ('wasm' or 'js'; blake3Parts then throws if this engine cannot run it), or 'auto'
 * (the default: WebAssembly SIMD where it compiles, else JavaScript). For tests and benchmarks.
 */
export function setPortableBlake3Path(path: PortableBlake3Path | 'auto'): void {
  chosen = path;
}

/** The path blake3Parts takes here and now ('spec' on a big-endian engine without WebAssembly SIMD). */
export function portableBlake3Path(): PortableBlake3Path | 'spec' {
  if (chosen !== 'auto') return chosen;
  return compressor('wasm') ? 'wasm' : compressor('js') ? 'js' : 'spec';
}

export function blake3Parts(parts: readonly Uint8Array[]): Uint8Array {
  const c = current();
  if (c) return hashParts(c, parts, parts.length);
  const h = blake3Hasher();
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * BLAKE3 of prefix[0] ‖ prefix[1] ‖ … ‖ data as little-endian binary32 words with every NaN written as
 * 0x7fc00000 — a tensor digest's message (digest.ts tensorDigest: blake3Parts of canonicalBytes) in one
 * pass: NaNs are rewritten in the hasher's own copy of the data, so `data` is neither scanned beforehand,
 * nor copied, nor changed. The prefix must be whole 4-byte words (a tensor digest's is: 24 + 4·rank bytes).
 */
export function blake3CanonicalF32(prefix: readonly Uint8Array[], data: Float32Array): Uint8Array {
  let prefixLen = 0;
  for (const p of prefix) prefixLen += p.length;
  if (prefixLen % 4 !== 0)
    throw new Error(
      `blake3CanonicalF32: the prefix is ${prefixLen} bytes, not a whole number of 4-byte words`,
    );
  const c = LITTLE_ENDIAN ? current() : null;
  if (c)
    return hashParts(
      c,
      [...prefix, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)],
      prefix.length,
    );
  // A big-endian engine: the little-endian canonical words spelled out, then the bytes hashed as they are.
  const le = new DataView(new ArrayBuffer(4 * data.length));
  for (let i = 0; i < data.length; i++)
    if (Number.isNaN(data[i])) le.setUint32(4 * i, 0x7fc00000, true);
    else le.setFloat32(4 * i, data[i], true);
  return blake3Parts([...prefix, new Uint8Array(le.buffer)]);
}
