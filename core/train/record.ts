/**
 * Step records and the run commitment. A step record is what the solver commits to for step t; its
 * digest is canonical JSON under domain "pinpoint.step.v1"; the run commitment is the Merkle root over
 * the step-record digests in step order (membership proofs open one step without the others).
 */
import { digestJson } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';

export interface StepRecord {
  readonly step: number;
  /** Digest of the state (params + optimizer state) the step starts from. */
  readonly stateBefore: Digest;
  readonly stateAfter: Digest;
  /** digestBytes("pinpoint.batch.v1", u32le example indices). */
  readonly batchDigest: Digest;
  /** The step's training loss (a binary32 value stored as a JSON number; exact). */
  readonly loss: number;
  /** Trace mode only: Merkle root over the digests of every tape node of the step, in tape order. */
  readonly opRoot?: Digest;
  /** Trace mode only: number of tape nodes (= leaves of opRoot). */
  readonly opCount?: number;
}

export function stepDigest(r: StepRecord): Digest {
  return digestJson('pinpoint.step.v1', r);
}

export function runCommitment(records: readonly StepRecord[]): Digest {
  return merkleRoot(records.map(stepDigest));
}
