/**
 * Proof bundle format v1 (docs/PROOF_FORMAT.md, schema docs/proof-bundle.schema.json).
 * One file:  "PINPROOF" (8 bytes) ‖ u32le version ‖ u32le manifest length M ‖ manifest (M bytes of
 * canonical JSON, UTF-8) ‖ payload (binary sections the manifest points into by offset/length/digest).
 */
import type { Digest } from '../hash/hex.ts';
import type { StepMetricField } from '../train/metrics.ts';
import type { StepRecord } from '../train/record.ts';
import type { StateEntry } from '../train/state.ts';
import type { TaskSpec } from '../train/task.ts';

export const PROOF_MAGIC = 'PINPROOF';
export const PROOF_FORMAT = 'pinpoint.proof';
/** Version 1: every checkpoint stores the full state. Version 2: sparse checkpoints (task.fullCheckpointEvery). */
export const PROOF_VERSION = 2;
export const PROOF_VERSIONS_READ: readonly number[] = [1, 2];
export const HEADER_BYTES = 16;

export type TraceMode = 'fast' | 'trace';

/** A byte range of the payload (offset from the payload start) and its digest. */
export interface SectionRef {
  readonly offset: number;
  readonly length: number;
  /** digestBytes("pinpoint.section.v1", bytes). */
  readonly digest: Digest;
}

export interface CheckpointEntry {
  /** The state before step `step` (step = task.steps means the final state after the last step). */
  readonly step: number;
  /** Merkle root of `tensors` = steps[step].stateBefore (or the last stateAfter). */
  readonly state: Digest;
  /** Tensor digests in stateLayout order. */
  readonly tensors: readonly Digest[];
  /**
   * Raw little-endian binary32 tensors in stateLayout order, concatenated: all of them (`stored` absent
   * or 'full'), the parameters only ('params': the final checkpoint of a v2 bundle), or none (section
   * absent: a commitment — the state is recomputed by replay, or derived from the task at step 0).
   */
  readonly section?: SectionRef;
  readonly stored?: CheckpointStorage;
}

/** Where the step-metrics section is and which metric each column holds (core/train/metrics.ts order). */
export interface StepMetricsRef {
  readonly fields: readonly StepMetricField[];
  readonly section: SectionRef;
}

export type CheckpointStorage = 'full' | 'params' | 'none';

/**
 * What a checkpoint stores (format v2, docs/PROOF_FORMAT.md "Sparse checkpoints"): step 0 nothing (derived
 * from the task), the final step the parameters, multiples of `fullEvery` the full state, others nothing.
 * `fullEvery` undefined = format v1, every checkpoint full.
 */
export function checkpointStorage(
  step: number,
  steps: number,
  fullEvery: number | undefined,
): CheckpointStorage {
  if (fullEvery === undefined) return 'full';
  if (step === 0) return 'none';
  if (step === steps) return 'params';
  return step % fullEvery === 0 ? 'full' : 'none';
}

export interface Manifest {
  readonly format: typeof PROOF_FORMAT;
  readonly version: 1 | 2;
  readonly repops: string;
  readonly task: TaskSpec;
  readonly taskDigest: Digest;
  readonly mode: TraceMode;
  readonly stateLayout: readonly StateEntry[];
  readonly steps: readonly StepRecord[];
  /** Merkle root over the step-record digests. */
  readonly runCommitment: Digest;
  readonly checkpoints: readonly CheckpointEntry[];
  /** Trace mode: 32-byte op digests of every step in step order (steps[t].opCount each). */
  readonly opDigests?: SectionRef;
  /**
   * Per-step metrics (docs/PROOF_FORMAT.md "Step metrics"): T rows of `fields.length` little-endian
   * binary32 values, step 0's row first. Absent in bundles written before the section existed.
   */
  readonly stepMetrics?: StepMetricsRef;
  /** Metrics of the final model on the training set (recomputable from the final checkpoint). */
  readonly metrics: { readonly loss: number; readonly accuracy: number };
  readonly solver: { readonly publicKey: string };
  /** Ed25519 signature (hex, 64 bytes) over the 32 bytes of claimDigest(manifest without signature). */
  readonly signature: string;
}

export type UnsignedManifest = Omit<Manifest, 'signature'>;

/** A problem in a proof bundle: names the file and where (step, field, checkpoint, section). */
export class ProofError extends Error {
  readonly file: string;
  readonly where: string;
  readonly step?: number;
  constructor(file: string, where: string, problem: string, step?: number) {
    super(`${file}: ${where ? `${where}: ` : ''}${problem}`);
    this.name = 'ProofError';
    this.file = file;
    this.where = where;
    if (step !== undefined) this.step = step;
  }
}
