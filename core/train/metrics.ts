/**
 * Per-step training metrics (docs/PROOF_FORMAT.md "Step metrics"): learning rate, global gradient L2
 * norm (before clipping), update L2 norm ‖θ_after − θ_before‖, weight L2 norm (after) and training-batch
 * accuracy. All binary32, computed only with RepOps arithmetic (the `sumsq` op's lane-ordered sum, a
 * left-to-right `add` chain across tensors in parameter order, one correctly rounded binary32 sqrt), so a
 * verifier recomputes them bit for bit on any engine and thread count. They are not part of a step
 * record (the run commitment is unchanged); the bundle commits to them in their own signed section.
 */
import { releaseTemporary } from '../repops/buffers.ts';
import { getOp, type Tensor } from '../repops/index.ts';

const f = Math.fround;

/** Metric columns of the bundle's step-metrics section, in their stored order (loss is in the records). */
export const STEP_METRIC_FIELDS = ['lr', 'gradNorm', 'updateNorm', 'weightNorm', 'accuracy'] as const;
export type StepMetricField = (typeof STEP_METRIC_FIELDS)[number];

export interface StepMetrics {
  /** Learning rate applied at this step (binary32, as the optimizer ops use it). */
  readonly lr: number;
  /** ‖∇θ L‖₂ over all parameters, before any clipping. */
  readonly gradNorm: number;
  /** ‖θ_after − θ_before‖₂ over all parameters (each difference rounded to binary32 first). */
  readonly updateNorm: number;
  /** ‖θ_after‖₂ over all parameters. */
  readonly weightNorm: number;
  /** Fraction of the batch's rows whose argmax logit (first maximum wins) is the target; null: no labels. */
  readonly accuracy: number | null;
}

const sumsq = (t: Tensor): number => getOp('sumsq').forward([t], {}).data[0];
const sub = getOp('sub');

/** Global L2 norm: sqrt(sumsq(t_0) + sumsq(t_1) + …), a binary32 add chain in the given order. */
export function l2Norm(tensors: readonly Tensor[]): number {
  let total = 0;
  for (const t of tensors) total = f(total + sumsq(t));
  return f(Math.sqrt(total));
}

/** ‖a − b‖₂ over tensors of equal shapes; each difference is the binary32 a[i] − b[i]. */
export function diffNorm(a: readonly Tensor[], b: readonly Tensor[]): number {
  let total = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k].data;
    const y = b[k].data;
    if (x.length !== y.length)
      throw new RangeError(`diffNorm: tensor ${k} has ${x.length} vs ${y.length} values`);
    // The `sub` op: one correctly rounded binary32 subtraction per element (its fast kernels, same bits as
    // a plain loop); the differences are a temporary no one else sees.
    const d = sub.forward(
      [
        { shape: [x.length], data: x },
        { shape: [y.length], data: y },
      ],
      {},
    );
    total = f(total + sumsq(d));
    releaseTemporary(d.data);
  }
  return f(Math.sqrt(total));
}

/**
 * Batch accuracy from the step's logits [rows, classes] and targets [rows], one pair per micro-batch:
 * correct ÷ rows over all of them, in binary32.
 */
export function batchAccuracy(logits: readonly Tensor[], targets: readonly Tensor[]): number {
  let correct = 0;
  let all = 0;
  for (let s = 0; s < logits.length; s++) {
    const [rows, c] = logits[s].shape;
    const z = logits[s].data;
    const y = targets[s].data;
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (z[r * c + j] > z[r * c + best]) best = j;
      if (best === y[r]) correct++;
    }
    all += rows;
  }
  return all > 0 ? f(correct / all) : 0;
}

/** The metrics of one step from its tensors (every task's loss is cross-entropy over class targets). */
export function computeStepMetrics(s: {
  readonly lr: number;
  readonly grads: readonly Tensor[];
  readonly paramsBefore: readonly Tensor[];
  readonly paramsAfter: readonly Tensor[];
  /** One per micro-batch (empty: no accuracy). */
  readonly logits: readonly Tensor[];
  readonly targets: readonly Tensor[];
}): StepMetrics {
  return {
    lr: f(s.lr),
    gradNorm: l2Norm(s.grads),
    updateNorm: diffNorm(s.paramsAfter, s.paramsBefore),
    weightNorm: l2Norm(s.paramsAfter),
    accuracy: s.logits.length > 0 ? batchAccuracy(s.logits, s.targets) : null,
  };
}

/** Why two metric sets differ (null if every field is the same binary32 value), naming the first field. */
export function metricsMismatch(got: StepMetrics, committed: StepMetrics): string | null {
  for (const k of STEP_METRIC_FIELDS) {
    if (!Object.is(got[k], committed[k])) return `${k}: replayed ${got[k]}, committed ${committed[k]}`;
  }
  return null;
}
