import { tensorDigest as digestUnder, type TensorBits } from '../../hash/digest.ts';
import type { Digest } from '../../hash/hex.ts';
import type { TensorDigestScheme } from '../../hash/tensor-scheme.ts';

export { canonicalJson, digestBytes, digestJson } from '../../hash/digest.ts';
export { toHex } from '../../hash/hex.ts';
export { merkleProof, merkleRoot, verifyMerkleProof } from '../../hash/merkle.ts';
export { sha256 } from '../../platform/hash.ts';

/** A tensor's digest; the scheme is the task's (`task.tensorDigest`), "sha256" when not given. */
export function tensorDigest(t: TensorBits, scheme: TensorDigestScheme = 'sha256'): Digest {
  return digestUnder(t, scheme);
}
