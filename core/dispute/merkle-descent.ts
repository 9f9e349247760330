/**
 * Merkle descent over an op tree (phase 2). Bisection by single-leaf membership proofs is not enough:
 * "op m agrees" does not imply "every op before m agrees". Descending the RFC 6962 tree instead — both
 * parties open the two children of the current node, the referee checks H(left, right) against the node it
 * holds and follows the leftmost differing child — ends at the *first* differing leaf in ⌈log2 N⌉ rounds,
 * and every earlier leaf lies in a subtree both parties opened with equal hashes, so all inputs of the
 * found op are agreed.
 *
 * The tree shape and hashing are core/hash/merkle.ts's (leaf = H(tag ‖ 0 ‖ d), node = H(tag ‖ 1 ‖ l ‖ r),
 * left subtree = largest power of two below n). core/hash does not export its internal node hash, so it is
 * restated here; test/dispute/merkle-descent.test.ts checks it against merkleRoot.
 */

import type { Digest } from '../hash/hex.ts';
import { fromHex, toHex, utf8 } from '../hash/hex.ts';
import { type MerkleProof, merkleRoot } from '../hash/merkle.ts';
import { sha256 } from '../platform/hash.ts';

const MERKLE_TAG = utf8('pinpoint.merkle.v1\0');
const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

// Hex decoding is a measurable share of dispute time (core/hash fromHex parses pair by pair), so the
// descent decodes with a table; the result is checked against fromHex/merkleRoot in the tests.
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const hi = NIBBLE[hex.charCodeAt(2 * i)] ?? -1;
    const lo = NIBBLE[hex.charCodeAt(2 * i + 1)] ?? -1;
    if (hi < 0 || lo < 0 || hex.length % 2 !== 0) return fromHex(hex); // throws the project's error
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Size of the left subtree of a node over n leaves: the largest power of two strictly below n. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function nodeBytes(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(MERKLE_TAG, NODE, left, right);
}

function leafBytes(digest: Digest): Uint8Array {
  return sha256(MERKLE_TAG, LEAF, hexBytes(digest));
}

/** Hash of an internal node from its children's hashes (hex). */
export function nodeHash(left: string, right: string): string {
  return toHex(nodeBytes(hexBytes(left), hexBytes(right)));
}

/** Hash of a leaf holding `digest` (hex); equals toHex(core/hash merkleLeaf(digest)). */
export function leafHash(digest: Digest): string {
  return toHex(leafBytes(digest));
}

/**
 * Subtree hashes of one tree, memoised per [lo, hi) so a party answering many descent rounds hashes each
 * leaf once. The root equals core/hash merkleRoot(digests).
 */
export class SubtreeHasher {
  private readonly leaves: readonly Digest[];
  private readonly memo = new Map<number, Uint8Array>();
  constructor(leaves: readonly Digest[]) {
    this.leaves = leaves;
  }
  get count(): number {
    return this.leaves.length;
  }
  root(): string {
    return this.leaves.length === 0 ? merkleRoot([]) : this.hash(0, this.leaves.length);
  }
  hash(lo: number, hi: number): string {
    return toHex(this.bytes(lo, hi));
  }
  private bytes(lo: number, hi: number): Uint8Array {
    const key = lo * 4_294_967_296 + hi;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const k = splitPoint(hi - lo);
    const h =
      hi - lo === 1 ? leafBytes(this.leaves[lo]) : nodeBytes(this.bytes(lo, lo + k), this.bytes(lo + k, hi));
    this.memo.set(key, h);
    return h;
  }
  /** Membership proof for leaf `index`, same as core/hash merkleProof but from the memoised subtrees. */
  proof(index: number): MerkleProof {
    const n = this.leaves.length;
    if (!Number.isInteger(index) || index < 0 || index >= n)
      throw new RangeError(`proof: index ${index} outside 0..${n - 1}`);
    const siblings: string[] = [];
    const walk = (lo: number, hi: number): void => {
      if (hi - lo === 1) return;
      const k = splitPoint(hi - lo);
      if (index < lo + k) {
        walk(lo, lo + k);
        siblings.push(this.hash(lo + k, hi));
      } else {
        walk(lo + k, hi);
        siblings.push(this.hash(lo, lo + k));
      }
    };
    walk(0, n);
    return { index, count: n, siblings };
  }

  children(lo: number, hi: number): { left: string; right: string } {
    if (!(hi - lo >= 2) || lo < 0 || hi > this.leaves.length) {
      throw new RangeError(`op tree has no internal node [${lo}, ${hi}) over ${this.leaves.length} leaves`);
    }
    const k = splitPoint(hi - lo);
    return { left: this.hash(lo, lo + k), right: this.hash(lo + k, hi) };
  }
}

/** Number of descent rounds to reach a leaf of an n-leaf tree: ⌈log2 n⌉. */
export function descentDepth(n: number): number {
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}
