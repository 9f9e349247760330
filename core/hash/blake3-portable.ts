/**
 * BLAKE3 of the concatenation of some byte arrays, with what every platform has (no native addon): the
 * path of tensor digests under the "blake3" scheme (core/hash/digest.ts) in browsers and in Node without
 * the addon. Today the readable specification (blake3.ts) itself.
 */
import { blake3Hasher } from './blake3.ts';

export function blake3Parts(parts: readonly Uint8Array[]): Uint8Array {
  const h = blake3Hasher();
  for (const p of parts) h.update(p);
  return h.digest();
}
