/**
 * Membership openings against a loaded bundle: one step record against the run commitment, or one op
 * digest against its step's opRoot — what a party sends instead of the whole trace.
 */
import type { Digest } from '../hash/hex.ts';
import { type MerkleProof, merkleProof, verifyMerkleProof } from '../hash/merkle.ts';
import { type StepRecord, stepDigest } from '../train/record.ts';
import { ProofError } from './format.ts';
import type { LoadedBundle } from './read.ts';

export interface StepOpening {
  readonly record: StepRecord;
  readonly digest: Digest;
  readonly proof: MerkleProof;
}

export interface OpOpening {
  readonly step: number;
  readonly index: number;
  readonly digest: Digest;
  readonly proof: MerkleProof;
}

export function openStep(b: LoadedBundle, step: number): StepOpening {
  const steps = b.manifest.steps;
  if (!Number.isInteger(step) || step < 0 || step >= steps.length)
    throw new ProofError(b.file, `step ${step}`, `no such step (0..${steps.length - 1})`);
  const digests = steps.map(stepDigest);
  return { record: steps[step], digest: digests[step], proof: merkleProof(digests, step) };
}

export function openOp(b: LoadedBundle, step: number, index: number): OpOpening {
  const ops = b.opDigests(step);
  if (!ops)
    throw new ProofError(
      b.file,
      `step ${step}`,
      'fast-mode bundle: no op digests (replay the step to commit to them)',
      step,
    );
  if (!Number.isInteger(index) || index < 0 || index >= ops.length)
    throw new ProofError(b.file, `step ${step}`, `no op ${index} (0..${ops.length - 1})`, step);
  return { step, index, digest: ops[index], proof: merkleProof(ops, index) };
}

/** Checks a step opening against a run commitment (the record's digest and its path). */
export function checkStepOpening(o: StepOpening, runCommitment: Digest): boolean {
  return (
    stepDigest(o.record) === o.digest &&
    o.proof.index === o.record.step &&
    verifyMerkleProof(o.digest, o.proof, runCommitment)
  );
}

/** Checks an op opening against the opRoot of its (already opened) step record. */
export function checkOpOpening(o: OpOpening, opRoot: Digest): boolean {
  return o.proof.index === o.index && verifyMerkleProof(o.digest, o.proof, opRoot);
}
