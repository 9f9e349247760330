/**
 * Comparing any two proofs of the same task (issue 15): the Proof view overlays both loss curves and
 * marks the first diverging step, the Graph view colours a step's ops against the second proof, and
 * "Dispute these" runs the pinpoint dispute between them. Implemented in desktop/main/backend/compare.ts.
 */
import type { Digest, DisputeReplay, StepTrace } from './api-views.ts';

/** One side of a comparison. */
export interface CompareSide {
  path: string;
  name: string;
  taskId: string;
  taskDigest: Digest;
  mode: 'fast' | 'trace';
  runCommitment: Digest;
  /** Loss of every step (the curve the Proof view overlays by default). */
  losses: number[];
  /**
   * The committed per-step training metrics, one series per field (core/train/metrics.ts), when the
   * bundle has them; accuracy only when every step has one. The overlay can draw any series both sides have.
   */
  metrics: Partial<Record<CompareMetric, number[]>>;
}

/** Per-step series besides the loss the compare overlay can draw. */
export type CompareMetric = 'lr' | 'gradNorm' | 'updateNorm' | 'weightNorm' | 'accuracy';

export interface CompareSummary {
  a: CompareSide;
  b: CompareSide;
  /**
   * What "differs" means for a step: 'record' = the step record digests (core/dispute/record.ts, what
   * the dispute's phase 1 compares); 'state' when the two proofs were made in different modes (their
   * records have different fields), so only state before/after, batch and loss are compared.
   */
  basis: 'record' | 'state';
  /** First step whose record differs, or null when every step agrees. */
  firstDivergingStep: number | null;
  /** How many steps differ. */
  divergingSteps: number;
  steps: number;
}

/** How one op of a step compares: ✓ same output digest, ✗ differs, ◆ the first that differs. */
export type OpMark = 'agree' | 'disagree' | 'culprit';

export interface CompareStepResult {
  step: number;
  /**
   * The step's trace in each proof (same graph: same task), with the op digests the proof records (trace
   * mode: what it claims, what a dispute compares) or, in fast mode, the digests of its replay.
   */
  a: StepTrace;
  b: StepTrace;
  /** Per op, indexed like `a.nodes`. */
  marks: OpMark[];
  agree: number;
  disagree: number;
  /** First differing op in tape (topological) order — where a dispute lands — or null. */
  first: number | null;
}

export interface CompareApi {
  /** Both proofs' curves and the first diverging step. Two tasks → error code 'task-mismatch' naming both files. */
  'compare.summary': (args: { a: string; b: string }) => Promise<CompareSummary>;
  /** One step's ops classified against the second proof. */
  'compare.step': (args: { a: string; b: string; step: number }) => Promise<CompareStepResult>;
  /**
   * Runs the pinpoint dispute between the two bundles (core/dispute disputeBundles, as `pinpoint dispute a b`:
   * `a` is the solver, `b` the challenger). The result is also listed by 'dispute.list' (id `compare:<n>`)
   * and loaded by 'dispute.load' for the rest of the session.
   */
  'compare.dispute': (args: { a: string; b: string }) => Promise<DisputeReplay>;
}
