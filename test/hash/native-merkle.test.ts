/**
 * The native Merkle root (native/merkle.c, installed by core/platform/node-native.ts) equals
 * core/hash/merkle.ts's RFC 6962 tree on every leaf count up to 600 (every power of two and its
 * neighbours, where the left subtree's split changes), at every vector level this CPU has; leaves that are
 * not digests still go through the JS path and its errors. Skipped, saying so, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../core/hash/hex.ts';
import { merkleProof, merkleRoot, setMerkleRootBackend, verifyMerkleProof } from '../../core/hash/merkle.ts';
import { nativeAddonPath } from '../../core/platform/node-native.ts';
import { loadNativeKernels } from '../../core/platform/node-native-load.ts';
import { atLevel, NATIVE_LEVELS, nativeKernel, nativeSkip as skip } from '../helpers/native.ts';

const addon = nativeKernel ? loadNativeKernels(nativeAddonPath() as string) : null;
const nativeRoot = (tag: Uint8Array, leaves: readonly string[]) =>
  (addon as NonNullable<typeof addon>).merkleRoot(tag, Buffer.from(leaves.join(''), 'hex'));

const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);

function jsRoot(leaves: readonly string[]): string {
  setMerkleRootBackend(null);
  try {
    return merkleRoot(leaves);
  } finally {
    setMerkleRootBackend(nativeRoot);
  }
}

for (const level of NATIVE_LEVELS)
  test(`native Merkle root = the JS tree for 2–600 leaves (${level})`, { skip }, (t) => {
    atLevel(level, t, () => {
      setMerkleRootBackend(nativeRoot);
      const counts = [
        2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513,
        600,
      ];
      const pool = Array.from({ length: 600 }, (_, i) =>
        toHex(Uint8Array.from({ length: 32 }, (_, k) => (i * 7 + k * 13) % 256)),
      );
      for (const n of counts)
        assert.equal(merkleRoot(pool.slice(0, n)), jsRoot(pool.slice(0, n)), `${n} leaves`);
      fc.assert(
        fc.property(fc.array(digest, { minLength: 1, maxLength: 300 }), (leaves) => {
          const root = merkleRoot(leaves);
          assert.equal(root, jsRoot(leaves));
          // Proofs are made by the JS tree: they must open the native root.
          const i = leaves.length >> 1;
          assert.ok(verifyMerkleProof(leaves[i], merkleProof(leaves, i), root));
        }),
        { numRuns: 60 },
      );
    });
  });

test('leaves that are not digests keep the JS path and its errors', { skip }, () => {
  setMerkleRootBackend(nativeRoot);
  assert.throws(() => merkleRoot(['zz', 'a'.repeat(64)]), /invalid hex/);
  // Buffer.from(…, 'hex') would take upper case; the JS path refuses it, so merkleRoot still does.
  assert.throws(() => merkleRoot(['A'.repeat(64), 'b'.repeat(64)]), /invalid hex/);
});
