/**
 * SHA-256, the one hash function of the project (see docs/ARCHITECTURE.md "Hashing" for the measured
 * choice). The default backend is @noble/hashes (pure JS, synchronous, runs everywhere). Node entry
 * points may install a faster backend (node:crypto, SHA-NI) through `setSha256Backend`; both produce the
 * same bits, which test/hash checks.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { TensorDigestScheme } from './tensor-scheme.ts';

export interface Hasher {
  update(data: Uint8Array): Hasher;
  digest(): Uint8Array;
}

export type HasherFactory = () => Hasher;

const nobleFactory: HasherFactory = () => {
  const h = nobleSha256.create();
  const hasher: Hasher = {
    update(data) {
      h.update(data);
      return hasher;
    },
    digest: () => h.digest(),
  };
  return hasher;
};

let factory: HasherFactory = nobleFactory;
let backendName = 'noble';

/** Replace the SHA-256 implementation (e.g. node:crypto). The backend must be bit-identical SHA-256. */
export function setSha256Backend(name: string, f: HasherFactory): void {
  factory = f;
  backendName = name;
}

export function resetSha256Backend(): void {
  factory = nobleFactory;
  backendName = 'noble';
}

export function sha256Backend(): string {
  return backendName;
}

export function createSha256(): Hasher {
  return factory();
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = factory();
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * What `TensorDigestQueue.submit` may do with a tensor's data until its digests are taken:
 * - 'copy': copy it before `submit` returns (the caller may write it afterwards);
 * - 'lend': read it in place (the caller does not write it until `take` returns — RepOps tensors are
 *   immutable, so a tensor the caller keeps qualifies); a queue that cannot read in place copies it;
 * - 'give': the caller never reads it again; the queue may detach or overwrite it, and hands reusable
 *   buffers to the op buffer pool (core/repops/buffers.ts) once the digests are taken.
 */
export type Custody = 'copy' | 'lend' | 'give';

/**
 * Tensor digests computed off the calling thread (Node: a native thread, core/platform/node-native-digests.ts,
 * or a worker, core/platform/node-digest-queue.ts), so trace mode can hash step t's op outputs while step
 * t+1 computes. `custody[i]` (default 'copy') says what the queue may do with tensor i's data. `take`
 * blocks until that submission's digests — identical to `tensorDigest` of each tensor under `scheme`, in
 * order — are ready. Absent (browsers, tests that reset it): hash inline.
 */
export interface TensorDigestQueue {
  submit(
    tensors: readonly { readonly shape: readonly number[]; readonly data: Float32Array }[],
    custody: readonly Custody[] | undefined,
    scheme: TensorDigestScheme,
  ): number;
  take(ticket: number): string[];
  /** Lent tensors are read in place (no copy): batches hashed here beat hashing them inline. */
  readonly inPlace?: boolean;
}

let digestQueue: TensorDigestQueue | null = null;

export function setTensorDigestQueue(q: TensorDigestQueue | null): void {
  digestQueue = q;
}

export function tensorDigestQueue(): TensorDigestQueue | null {
  return digestQueue;
}
