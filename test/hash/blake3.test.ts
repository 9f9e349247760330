/**
 * The TypeScript BLAKE3 (core/hash/blake3.ts) against the official hash-mode test vectors
 * (test/fixtures/blake3-vectors.json, from the BLAKE3 repository), and the incremental hasher against the
 * one-shot hash for any split of the input, and the chunk tree against a recursive restatement of the
 * spec's tree rule (left subtree = largest power of two of chunks below the total).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  BLAKE3_CHUNK_LEN,
  blake3,
  blake3Hasher,
  CHUNK_END,
  CHUNK_START,
  compress,
  PARENT,
  ROOT,
} from '../../core/hash/blake3.ts';
import { BLAKE3_VECTORS, vectorInput } from '../helpers/blake3-vectors.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('BLAKE3 equals the official test vectors (hash mode, 32 bytes)', () => {
  assert.equal(BLAKE3_VECTORS.cases.length, 22);
  for (const c of BLAKE3_VECTORS.cases)
    assert.equal(hex(blake3(vectorInput(c.input_len))), c.hash, `length ${c.input_len}`);
});

test('the incremental hasher equals the one-shot hash however the input is split', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 5000 }),
      fc.array(fc.nat({ max: 5000 }), { maxLength: 6 }),
      (data, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const h = blake3Hasher();
        let from = 0;
        for (const p of [...points, data.length]) {
          h.update(data.subarray(from, p));
          from = p;
        }
        assert.equal(hex(h.digest()), hex(blake3(data)));
      },
    ),
    { numRuns: 150 },
  );
});

/** The spec's tree written recursively, from the exported compression function alone. */
function words(bytes: Uint8Array): Uint32Array {
  const w = new Uint32Array(16);
  for (let i = 0; i < bytes.length; i++) w[i >> 2] |= bytes[i] << (8 * (i & 3));
  return w;
}
// The IV is SHA-256's initial hash value (BLAKE3 spec §2.2), restated here rather than imported.
const IV = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
function chunkCv(chunk: Uint8Array, index: number, root: boolean): Uint32Array {
  const blocks = Math.max(1, Math.ceil(chunk.length / 64));
  let cv: Uint32Array = IV;
  for (let b = 0; b < blocks; b++) {
    const part = chunk.subarray(64 * b, 64 * b + 64);
    const flags = (b === 0 ? CHUNK_START : 0) | (b === blocks - 1 ? CHUNK_END | (root ? ROOT : 0) : 0);
    cv = compress(cv, words(part), index, part.length, flags);
  }
  return cv;
}
function subtree(data: Uint8Array, firstChunk: number, root: boolean): Uint32Array {
  const chunks = Math.max(1, Math.ceil(data.length / BLAKE3_CHUNK_LEN));
  if (chunks === 1) return chunkCv(data, firstChunk, root);
  let left = 1;
  while (left * 2 < chunks) left *= 2;
  const l = subtree(data.subarray(0, left * BLAKE3_CHUNK_LEN), firstChunk, false);
  const r = subtree(data.subarray(left * BLAKE3_CHUNK_LEN), firstChunk + left, false);
  const block = new Uint32Array(16);
  block.set(l, 0);
  block.set(r, 8);
  return compress(IV, block, 0, 64, PARENT | (root ? ROOT : 0));
}

test('the chunk tree equals the recursive tree rule for lengths up to 40 chunks', () => {
  fc.assert(
    fc.property(fc.nat({ max: 40 * BLAKE3_CHUNK_LEN }), fc.integer(), (n, seed) => {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
      const want = new Uint8Array(new Uint32Array(subtree(data, 0, true)).buffer);
      assert.equal(hex(blake3(data)), hex(want));
    }),
    { numRuns: 60 },
  );
});
