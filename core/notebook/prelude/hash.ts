export { digestBytes, digestJson, canonicalJson, tensorDigest } from '../../hash/digest.ts';
export { merkleRoot, merkleProof, verifyMerkleProof } from '../../hash/merkle.ts';
export { sha256 } from '../../platform/hash.ts';
export { toHex } from '../../hash/hex.ts';
