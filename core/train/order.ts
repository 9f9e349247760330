/**
 * Data order: which examples form the batch of step t is a pure function of (run seed, dataset size,
 * batch size, t) — the run seed is the task seed, or a key derived from it and the task nonce (seed.ts) —, so a verifier or referee can recompute any single step's batch without replaying
 * the run. Epoch e is a Fisher–Yates permutation of 0..N−1 driven by Philox stream ORDER_STREAM with
 * word offset e·N (word i of the epoch picks j = i + floor(u·(N − i)) with u = uniformFromWord(w)),
 * and step t takes positions [(t mod B_e)·B, (t mod B_e + 1)·B) of epoch floor(t / B_e), where
 * B_e = floor(N / B) batches per epoch (the tail of each epoch is dropped).
 * Each step record commits to the batch as digestBytes("pinpoint.batch.v1", u32le indices…).
 */
import { digestBytes } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { randomUint32, type Seed, uniformFromWord } from '../repops/prng.ts';

export const ORDER_STREAM = 0x6f726472; // "ordr"

export class DataOrder {
  readonly batchesPerEpoch: number;
  private epoch = -1;
  private perm: Uint32Array = new Uint32Array(0);

  constructor(
    readonly seed: Seed,
    readonly count: number,
    readonly batchSize: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > count) {
      throw new RangeError(`data order: batch size ${batchSize} must be in 1..${count} (the dataset size)`);
    }
    this.batchesPerEpoch = Math.floor(count / batchSize);
  }

  /** Example indices of step t's batch. */
  batch(step: number): Uint32Array {
    if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`data order: invalid step ${step}`);
    const e = Math.floor(step / this.batchesPerEpoch);
    if (e !== this.epoch) {
      this.perm = permutation(this.seed, this.count, e);
      this.epoch = e;
    }
    const j = step % this.batchesPerEpoch;
    return this.perm.slice(j * this.batchSize, (j + 1) * this.batchSize);
  }
}

export function permutation(seed: Seed, n: number, epoch: number): Uint32Array {
  const words = randomUint32(seed, ORDER_STREAM, n, epoch * n);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const j = i + Math.floor(uniformFromWord(words[i]) * (n - i));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

export function batchDigest(indices: Uint32Array): Digest {
  const bytes = new Uint8Array(indices.length * 4);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < indices.length; i++) dv.setUint32(4 * i, indices[i], true);
  return digestBytes('pinpoint.batch.v1', bytes);
}
