export { canonicalJson, digestBytes, digestJson, tensorDigest } from '../../hash/digest.ts';
export { toHex } from '../../hash/hex.ts';
export { merkleProof, merkleRoot, verifyMerkleProof } from '../../hash/merkle.ts';
export { sha256 } from '../../platform/hash.ts';
