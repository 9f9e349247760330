/**
 * Which hash a run's tensor digests use: a task chooses it (TaskSpec.tensorDigest, absent = "sha256"),
 * and every party of that task — trainer, verifier, referee, app — hashes its tensors the same way. The
 * hashed bytes are the same under both (core/hash/digest.ts tensorDigest); Merkle nodes, step records and
 * every other digest stay SHA-256. "blake3" exists because trace mode hashes every op output: a nanoGPT
 * step's 150 MB take 45–60 ms of a core with SHA-256 and 26–36 ms with BLAKE3 (docs/ARCHITECTURE.md).
 */
export type TensorDigestScheme = 'sha256' | 'blake3';

export const TENSOR_DIGEST_SCHEMES: readonly TensorDigestScheme[] = ['sha256', 'blake3'];

export function isTensorDigestScheme(v: unknown): v is TensorDigestScheme {
  return v === 'sha256' || v === 'blake3';
}

/**
 * Throws, naming `where`, unless v is a scheme: a JavaScript caller (a notebook, a hand-built referee
 * config) may pass anything, and no digest may fall back to a default silently.
 */
export function checkScheme(v: unknown, where: string): asserts v is TensorDigestScheme {
  if (!isTensorDigestScheme(v))
    throw new Error(`${where}: unknown tensor-digest scheme ${JSON.stringify(v)} (sha256 or blake3)`);
}
