import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descentDepth, nodeHash, SubtreeHasher, splitPoint } from '../../core/dispute/merkle-descent.ts';
import { digestJson } from '../../core/hash/digest.ts';
import { merkleRoot } from '../../core/hash/merkle.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';

useNodeSha256();
const leaves = (n: number, salt = 0): string[] =>
  Array.from({ length: n }, (_, i) => digestJson('test.leaf', { i, salt }));

test('SubtreeHasher root equals core/hash merkleRoot for 1..70 leaves', () => {
  for (let n = 1; n <= 70; n++)
    assert.equal(new SubtreeHasher(leaves(n)).root(), merkleRoot(leaves(n)), `n=${n}`);
});

test('children hash to their parent (nodeHash matches the tree core/hash builds)', () => {
  const h = new SubtreeHasher(leaves(13));
  const c = h.children(0, 13);
  assert.equal(nodeHash(c.left, c.right), merkleRoot(leaves(13)));
  assert.throws(() => h.children(3, 4), /no internal node/);
});

test('descent follows the leftmost differing child to the first differing leaf in ≤ ⌈log2 n⌉ rounds', () => {
  for (let n = 1; n <= 24; n++) {
    for (let first = 0; first < n; first++) {
      const a = leaves(n);
      const b = leaves(n).map((d, i) =>
        i >= first && (i - first) % 3 === 0 ? digestJson('test.other', { i }) : d,
      );
      const ha = new SubtreeHasher(a);
      const hb = new SubtreeHasher(b);
      let lo = 0;
      let hi = n;
      let rounds = 0;
      while (hi - lo > 1) {
        const k = splitPoint(hi - lo);
        const ca = ha.children(lo, hi);
        const cb = hb.children(lo, hi);
        if (ca.left !== cb.left) hi = lo + k;
        else lo += k;
        rounds++;
      }
      assert.equal(lo, first, `n=${n} first=${first}`);
      assert.ok(rounds <= descentDepth(n));
    }
  }
});

test('SubtreeHasher proofs equal core/hash merkleProof and verify', async () => {
  const { merkleProof, verifyMerkleProof } = await import('../../core/hash/merkle.ts');
  for (const n of [1, 2, 3, 7, 16, 29]) {
    const l = leaves(n, 3);
    const h = new SubtreeHasher(l);
    for (let i = 0; i < n; i++) {
      assert.deepEqual(h.proof(i), merkleProof(l, i));
      assert.ok(verifyMerkleProof(l[i], h.proof(i), merkleRoot(l)));
    }
  }
});

test('leafHash equals core/hash merkleLeaf; bad hex gets the project error', async () => {
  const { merkleLeaf } = await import('../../core/hash/merkle.ts');
  const { toHex } = await import('../../core/hash/hex.ts');
  const { leafHash } = await import('../../core/dispute/merkle-descent.ts');
  for (const d of leaves(20, 9)) assert.equal(leafHash(d), toHex(merkleLeaf(d)));
  assert.throws(() => nodeHash('zz', 'ab'), /invalid hex/);
});
