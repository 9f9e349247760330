/**
 * What the dispute machinery needs from a task: its public step graphs, its data, its initial state and a
 * one-op recompute. Implemented by the synthetic task (core/dispute/synthetic.ts, for property tests and
 * benchmarks) and by the RepOps trainer adapter (core/dispute/repops-task.ts).
 */
import { tensorDigest } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';
import type { TensorDigestScheme } from '../hash/tensor-scheme.ts';
import type { Attrs } from '../repops/registry.ts';
import type { Tensor } from '../repops/tensor.ts';
import type { FlopsFn } from './cost.ts';
import type { RefereeConfig } from './referee.ts';
import type { StepGraph, StepRecord } from './types.ts';

export interface DisputeTask {
  readonly name: string;
  /** How the task's tensors are hashed (core/train/task.ts tensorDigestScheme for a RepOps task). */
  readonly scheme: TensorDigestScheme;
  readonly steps: number;
  /** State slot names in state-digest order. */
  readonly slotNames: readonly string[];
  initialState(): Tensor[];
  graph(step: number): StepGraph;
  /** Value of a data/target/const leaf `index` of step `step` (param/state leaves come from the state). */
  dataLeaf(step: number, index: number): Tensor;
  batchDigest(step: number): Digest;
  recompute(op: string, attrs: Attrs, inputs: readonly Tensor[]): Tensor;
  readonly flops: FlopsFn;
  /** Node index of the step's loss (its first element is the record's loss), if any. */
  lossNode?(step: number): number | undefined;
  hashStepRecord?(r: StepRecord): Digest;
}

export function stateRoot(state: readonly Tensor[], scheme: TensorDigestScheme): Digest {
  return merkleRoot(state.map((t) => tensorDigest(t, scheme)));
}

/** The referee's public knowledge of a task. */
export function refereeConfig(task: DisputeTask, mode: 'trace' | 'fast', deadlineMs = 10_000): RefereeConfig {
  return {
    task: task.name,
    steps: task.steps,
    initialState: stateRoot(task.initialState(), task.scheme),
    scheme: task.scheme,
    mode,
    graph: (t) => task.graph(t),
    recompute: (op, attrs, inputs) => task.recompute(op, attrs, inputs),
    flops: task.flops,
    ...(task.hashStepRecord ? { hashStepRecord: (r: StepRecord) => task.hashStepRecord!(r) } : {}),
    expectedBatchDigest: (t) => task.batchDigest(t),
    ...(task.lossNode ? { lossNode: (t: number) => task.lossNode!(t) } : {}),
    leafDigest: (t, i) => tensorDigest(task.dataLeaf(t, i), task.scheme),
    deadlineMs,
  };
}
