/**
 * Merkle trees over digests, RFC 6962 shape: leaf = H(0x00 ‖ leaf), node = H(0x01 ‖ left ‖ right),
 * the left subtree holds the largest power of two strictly below n. Domain-tagged so a Merkle root can
 * never be confused with a tensor digest. Used for ops in a step and for steps in a run.
 */

import { type Digest, fromHex, isDigest, toHex, utf8 } from './hex.ts';
import { sha256 } from './sha256.ts';

const MERKLE_TAG = utf8('pinpoint.merkle.v1\0');
const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export interface MerkleProof {
  /** Index of the opened leaf. */
  index: number;
  /** Number of leaves in the tree. */
  count: number;
  /** Audit path, from the leaf's sibling up to the root's child. */
  siblings: Digest[];
}

export function merkleLeaf(leaf: Digest): Uint8Array {
  return sha256(MERKLE_TAG, LEAF, fromHex(leaf));
}

function node(l: Uint8Array, r: Uint8Array): Uint8Array {
  return sha256(MERKLE_TAG, NODE, l, r);
}

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOf(leaves: Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 1) return leaves[lo];
  const k = split(n);
  return node(rootOf(leaves, lo, lo + k), rootOf(leaves, lo + k, hi));
}

/**
 * The same root computed elsewhere (Node: the native addon, one call per tree instead of a SHA-256 call per
 * node), given the tag and at least two leaves, every one a Digest (64 lowercase hex chars).
 */
export type MerkleRootBackend = (tag: Uint8Array, leaves: readonly Digest[]) => Uint8Array;

let backend: MerkleRootBackend | null = null;

export function setMerkleRootBackend(b: MerkleRootBackend | null): void {
  backend = b;
}

/** Root over the given leaf digests; the empty tree's root is H(tag ‖ 0x02). */
export function merkleRoot(leaves: readonly Digest[]): Digest {
  if (leaves.length === 0) return toHex(sha256(MERKLE_TAG, new Uint8Array([2])));
  // The backend takes digests only; anything else keeps fromHex's checks and errors.
  if (backend !== null && leaves.length > 1 && leaves.every(isDigest))
    return toHex(backend(MERKLE_TAG, leaves));
  return toHex(rootOf(leaves.map(merkleLeaf), 0, leaves.length));
}

/** Membership proof for leaf `index`. */
export function merkleProof(leaves: readonly Digest[], index: number): MerkleProof {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`merkleProof: index ${index} outside 0..${leaves.length - 1}`);
  }
  const hashed = leaves.map(merkleLeaf);
  const siblings: Digest[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = split(hi - lo);
    if (index < lo + k) {
      walk(lo, lo + k);
      siblings.push(toHex(rootOf(hashed, lo + k, hi)));
    } else {
      walk(lo + k, hi);
      siblings.push(toHex(rootOf(hashed, lo, lo + k)));
    }
  };
  walk(0, leaves.length);
  return { index, count: leaves.length, siblings };
}

/** True when `leaf` sits at `proof.index` of a `proof.count`-leaf tree whose root is `root`. */
export function verifyMerkleProof(leaf: Digest, proof: MerkleProof, root: Digest): boolean {
  const { index, count, siblings } = proof;
  if (!Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count) return false;
  if (!isDigest(leaf) || !isDigest(root) || !Array.isArray(siblings) || !siblings.every(isDigest))
    return false;
  // Recompute the path top-down to know at each level whether we are the left or right child.
  const sides: boolean[] = []; // true = our subtree is on the left
  let lo = 0;
  let hi = count;
  while (hi - lo > 1) {
    const k = split(hi - lo);
    if (index < lo + k) {
      sides.push(true);
      hi = lo + k;
    } else {
      sides.push(false);
      lo = lo + k;
    }
  }
  if (sides.length !== siblings.length) return false;
  let acc = merkleLeaf(leaf);
  for (let i = 0; i < siblings.length; i++) {
    const sib = fromHex(siblings[i]);
    acc = sides[sides.length - 1 - i] ? node(acc, sib) : node(sib, acc);
  }
  return toHex(acc) === root;
}
