/**
 * BLAKE3 in hash mode (32-byte output, any input length): the readable specification the native
 * multi-message kernel (native/blake3.c `blake3Many`) is checked against; tensor digests of tasks with
 * "tensorDigest": "blake3" (core/hash/tensor-scheme.ts, docs/ARCHITECTURE.md "Hashing").
 *
 * The input is cut into 1024-byte chunks of sixteen 64-byte blocks. Each chunk is compressed block by
 * block from the IV with its chunk index as counter, giving a chaining value (CV); the CVs are then combined
 * pairwise in a binary tree whose left subtree always holds the largest power of two of chunks smaller
 * than the total (equivalently: pair neighbours level by level, an odd last one moving up unchanged).
 * The last compression (the last block of a lone chunk, else the topmost parent) carries the ROOT flag and
 * its first eight output words, little-endian, are the hash. Pure TS, no platform API.
 */

const IV = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
/** Message word order of each round after the first (the spec's permutation applied round by round). */
const PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];

export const BLAKE3_BLOCK_LEN = 64;
export const BLAKE3_CHUNK_LEN = 1024;
export const CHUNK_START = 1;
export const CHUNK_END = 2;
export const PARENT = 4;
export const ROOT = 8;

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** The quarter-round mixing columns/diagonals: a, b, c, d are state indices, x and y message words. */
function g(v: Uint32Array, a: number, b: number, c: number, d: number, x: number, y: number): void {
  v[a] = v[a] + v[b] + x;
  v[d] = rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 12);
  v[a] = v[a] + v[b] + y;
  v[d] = rotr(v[d] ^ v[a], 8);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 7);
}

/**
 * The compression function: cv (8 words), one block (16 little-endian words), the 64-bit counter, the
 * block's byte length and flags. Returns the first 8 output words (the new CV; the hash when ROOT is set).
 */
export function compress(
  cv: Uint32Array,
  block: Uint32Array,
  counter: number,
  blockLen: number,
  flags: number,
): Uint32Array {
  const v = new Uint32Array(16);
  v.set(cv, 0);
  v.set(IV.subarray(0, 4), 8);
  v[12] = counter >>> 0;
  v[13] = Math.floor(counter / 0x100000000) >>> 0;
  v[14] = blockLen;
  v[15] = flags;
  let m = Uint32Array.from(block);
  for (let round = 0; round < 7; round++) {
    g(v, 0, 4, 8, 12, m[0], m[1]);
    g(v, 1, 5, 9, 13, m[2], m[3]);
    g(v, 2, 6, 10, 14, m[4], m[5]);
    g(v, 3, 7, 11, 15, m[6], m[7]);
    g(v, 0, 5, 10, 15, m[8], m[9]);
    g(v, 1, 6, 11, 12, m[10], m[11]);
    g(v, 2, 7, 8, 13, m[12], m[13]);
    g(v, 3, 4, 9, 14, m[14], m[15]);
    const prev = m;
    m = Uint32Array.from(PERMUTATION, (p) => prev[p]);
  }
  const out = new Uint32Array(8);
  for (let i = 0; i < 8; i++) out[i] = v[i] ^ v[i + 8];
  return out;
}

/** Up to 64 bytes as 16 little-endian words, zero-padded. */
function blockWords(bytes: Uint8Array): Uint32Array {
  const w = new Uint32Array(16);
  for (let i = 0; i < bytes.length; i++) w[i >> 2] |= bytes[i] << (8 * (i & 3));
  return w;
}

function wordsToBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(4 * words.length);
  for (let i = 0; i < words.length; i++)
    for (let j = 0; j < 4; j++) out[4 * i + j] = (words[i] >>> (8 * j)) & 0xff;
  return out;
}

function parentBlock(left: Uint32Array, right: Uint32Array): Uint32Array {
  const block = new Uint32Array(16);
  block.set(left, 0);
  block.set(right, 8);
  return block;
}

export interface Blake3Hasher {
  update(data: Uint8Array): Blake3Hasher;
  /** The 32-byte hash of everything given so far (the hasher can go on taking updates). */
  digest(): Uint8Array;
}

/**
 * An incremental hasher: the input may arrive in pieces of any length (a tensor digest's prefix, then its
 * data) without being concatenated. Holds the current chunk's CV and unfinished block, and a stack of
 * complete subtree CVs (one per set bit of the number of finished chunks).
 */
export function blake3Hasher(): Blake3Hasher {
  let cv: Uint32Array = IV.slice();
  let chunkCounter = 0;
  let blocksCompressed = 0; // in the current chunk
  const buf = new Uint8Array(BLAKE3_BLOCK_LEN);
  let bufLen = 0;
  const stack: Uint32Array[] = [];

  const startFlag = () => (blocksCompressed === 0 ? CHUNK_START : 0);

  /** A finished chunk's CV joins the stack, merging equal-sized subtrees (counted by trailing zero bits). */
  function pushChunk(chunkCv: Uint32Array): void {
    let right = chunkCv;
    let total = chunkCounter + 1;
    while ((total & 1) === 0) {
      right = compress(IV, parentBlock(stack.pop() as Uint32Array, right), 0, BLAKE3_BLOCK_LEN, PARENT);
      total /= 2;
    }
    stack.push(right);
    chunkCounter++;
    cv = IV.slice();
    blocksCompressed = 0;
  }

  const hasher: Blake3Hasher = {
    update(data) {
      let i = 0;
      while (i < data.length) {
        // A full buffer is compressed only once more input follows: the last block needs CHUNK_END/ROOT.
        if (bufLen === BLAKE3_BLOCK_LEN) {
          if (blocksCompressed === 15) {
            const last = compress(
              cv,
              blockWords(buf),
              chunkCounter,
              BLAKE3_BLOCK_LEN,
              startFlag() | CHUNK_END,
            );
            bufLen = 0;
            pushChunk(last);
          } else {
            cv = compress(cv, blockWords(buf), chunkCounter, BLAKE3_BLOCK_LEN, startFlag());
            blocksCompressed++;
            bufLen = 0;
          }
        }
        const take = Math.min(BLAKE3_BLOCK_LEN - bufLen, data.length - i);
        buf.set(data.subarray(i, i + take), bufLen);
        bufLen += take;
        i += take;
      }
      return hasher;
    },
    digest() {
      const lastBlock = blockWords(buf.subarray(0, bufLen));
      const flags = startFlag() | CHUNK_END;
      if (stack.length === 0)
        return wordsToBytes(compress(cv, lastBlock, chunkCounter, bufLen, flags | ROOT));
      // The current (possibly empty-looking but never absent) chunk is the rightmost leaf; fold the stack.
      let right = compress(cv, lastBlock, chunkCounter, bufLen, flags);
      for (let k = stack.length - 1; k >= 0; k--) {
        const rootFlag = k === 0 ? ROOT : 0;
        right = compress(IV, parentBlock(stack[k], right), 0, BLAKE3_BLOCK_LEN, PARENT | rootFlag);
      }
      return wordsToBytes(right);
    },
  };
  return hasher;
}

/** BLAKE3 (hash mode, 32 bytes) of bytes. */
export function blake3(bytes: Uint8Array): Uint8Array {
  return blake3Hasher().update(bytes).digest();
}
