/** Node adapter: installs node:crypto's SHA-256 (hardware accelerated) as the project hash backend. */
import { createHash } from 'node:crypto';
import { type Hasher, setSha256Backend } from './hash.ts';

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
}
