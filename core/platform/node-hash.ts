/**
 * Node adapter: installs node:crypto's SHA-256 (hardware accelerated) as the project hash backend, and a
 * worker that computes tensor digests off the main thread (trace mode overlaps them with the next step).
 */
import { createHash } from 'node:crypto';
import { type Hasher, setSha256Backend, setTensorDigestQueue } from './hash.ts';
import { nodeDigestQueue } from './node-digest-queue.ts';

export function useNodeSha256(): void {
  setSha256Backend('node:crypto', () => {
    const h = createHash('sha256');
    const hasher: Hasher = {
      update(data) {
        h.update(data);
        return hasher;
      },
      digest: () => new Uint8Array(h.digest()),
    };
    return hasher;
  });
  setTensorDigestQueue(nodeDigestQueue());
}
