/**
 * A dispute between two proof bundles as the referee runs it (docs/DISPUTE.md "One rule"): every
 * commitment a bundle makes is decided here, so a bundle that `verify` rejects loses against an honest
 * challenger and an honest bundle wins.
 *  - Bundle-level: a bundle that fails validation (readBundle: canonical manifest, task digest,
 *    checkpoint tensors against the step records, op digests against op roots, signature) loses at setup.
 *  - Step records: the two-phase game of referee.ts (run-tree descent, op descent, one-op recompute,
 *    seal and loss checks).
 *  - Other signed claims (final metrics, per-step metrics): when the run roots are equal, the referee
 *    recomputes the final metrics from the final state both records commit to, and the metrics of the
 *    first step whose committed metrics differ by replaying that step from the nearest full checkpoint.
 */
import { canonicalJson } from '../hash/digest.ts';
import type { CheckpointStore } from '../proof/checkpoint-store.ts';
import { type LoadedBundle, openBundle } from '../proof/read.ts';
import { type ByteSource, memorySource } from '../proof/source.ts';
import { REPOPS_SPEC_VERSION } from '../repops/version.ts';
import { metricsMismatch, type StepMetrics } from '../train/metrics.ts';
import type { TrainContext } from '../train/step.ts';
import { evaluate, RunReplayer } from '../train/train.ts';
import { type DisputeResult, runDispute } from './referee.ts';
import { bundleParty, repopsTask } from './repops-task.ts';
import { refereeConfig } from './task.ts';

/** A bundle's bytes in memory, or a source that reads them a section at a time (a file on disk). */
export type BundleInput = (
  | { readonly file: string; readonly bytes: Uint8Array }
  | { readonly file: string; readonly source: ByteSource }
) & {
  /** Full states beside the bundle: its party replays from the nearest checkpoint (ReadOptions). */
  readonly checkpointStore?: CheckpointStore;
};

export type Loaded = { readonly bundle: LoadedBundle } | { readonly file: string; readonly error: string };

export function loadForDispute(b: BundleInput): Loaded {
  try {
    const src = 'bytes' in b ? memorySource(b.bytes) : b.source;
    const bundle = openBundle(src, b.file, {
      repops: REPOPS_SPEC_VERSION,
      ...(b.checkpointStore ? { checkpointStore: b.checkpointStore } : {}),
    });
    bundle.checkPayload(); // every commitment is decided: a bundle with a bad section loses at setup
    return { bundle };
  } catch (err) {
    return { file: b.file, error: err instanceof Error ? err.message : String(err) };
  }
}

export class DisputeInputError extends Error {}

/**
 * Signed manifest fields that the task alone determines (today the state layout; the repops version and
 * task digest are already checked by readBundle): a bundle whose copy differs is invalid, as `verify`
 * says, and loses at setup — otherwise two bundles with equal step records would end in
 * `no-disagreement` and a false layout would win against an honest challenger.
 */
export function derivedFieldError(bundle: LoadedBundle, layout: TrainContext['layout']): string | null {
  if (canonicalJson(bundle.manifest.stateLayout) !== canonicalJson(layout))
    return `${bundle.file}: $.stateLayout differs from the state layout the task defines`;
  return null;
}

/**
 * The parties' signed claims outside the step records, and how the referee recomputes them when the run
 * roots are equal: the final metrics (from the final state), and the metrics of the first step whose
 * committed step metrics differ between the two bundles (replayed from the nearest full checkpoint of
 * the solver's bundle — the same committed states as the challenger's when the roots are equal). A
 * bundle without a step-metrics section (written before it existed) claims none, so none are compared.
 */
function signedClaims(a: LoadedBundle, b: LoadedBundle, ctx: TrainContext) {
  const [ma, mb] = [a.stepMetrics(), b.stepMetrics()];
  let step: number | null = null;
  if (ma && mb) {
    const t = ma.findIndex((m, i) => metricsMismatch(m, mb[i]) !== null);
    if (t >= 0) step = t;
  }
  const claim = (bundle: LoadedBundle, rows: readonly StepMetrics[] | null) => ({
    final: bundle.manifest.metrics,
    step: step === null || !rows ? null : { step, metrics: rows[step] },
  });
  return {
    solver: claim(a, ma),
    challenger: claim(b, mb),
    truth: () => ({
      final: evaluate(ctx, { layout: ctx.layout, tensors: a.finalParams() }),
      step:
        step === null
          ? null
          : {
              step,
              metrics: new RunReplayer(ctx, a.checkpointSteps, (s) => a.checkpoint(s)).step(step, 'fast', {
                metrics: true,
              }).metrics,
            },
    }),
  };
}

export async function disputeBundles(
  solver: Loaded,
  challenger: Loaded,
  opts: { deadlineMs?: number } = {},
): Promise<DisputeResult> {
  const a = 'bundle' in solver ? solver.bundle : null;
  const b = 'bundle' in challenger ? challenger.bundle : null;
  const base = a ?? b;
  if (!base)
    throw new DisputeInputError(
      `neither bundle is valid, nothing to dispute: ${(solver as { error: string }).error}; ${(challenger as { error: string }).error}`,
    );
  if (a && b && a.manifest.taskDigest !== b.manifest.taskDigest) {
    throw new DisputeInputError(
      `${a.file} and ${b.file} are proofs of different tasks (${a.manifest.task.name} ${a.manifest.taskDigest.slice(0, 12)}… vs ${b.manifest.task.name} ${b.manifest.taskDigest.slice(0, 12)}…)`,
    );
  }
  // Records of the two modes differ in their fields (trace records commit an op root), so a fast and a
  // trace bundle of the same honest run would disagree at step 0 and one honest party would lose. The
  // challenger retrains in the solver's mode (it is in the manifest) instead.
  if (a && b && a.manifest.mode !== b.manifest.mode) {
    throw new DisputeInputError(
      `${a.file} is a ${a.manifest.mode}-mode proof and ${b.file} a ${b.manifest.mode}-mode one: a dispute compares records of one mode (retrain the challenger's proof with --mode ${a.manifest.mode})`,
    );
  }
  const task = repopsTask(base.manifest.task);
  const mode = base.manifest.mode;
  const invalidOf = (l: Loaded): string | null =>
    'error' in l ? l.error : derivedFieldError(l.bundle, task.ctx.layout);
  const [badSolver, badChallenger] = [invalidOf(solver), invalidOf(challenger)];
  const invalid = {
    ...(badSolver !== null ? { solver: badSolver } : {}),
    ...(badChallenger !== null ? { challenger: badChallenger } : {}),
  };
  const cfg = {
    ...refereeConfig(task, mode, opts.deadlineMs),
    invalid,
    ...(a && b ? { metadata: signedClaims(a, b, task.ctx) } : {}),
  };
  // A party whose bundle is invalid is never asked anything: it stands in with the other's trace.
  return runDispute(
    bundleParty('bundle' in solver ? solver.bundle.file : solver.file, task, a ?? base),
    bundleParty('bundle' in challenger ? challenger.bundle.file : challenger.file, task, b ?? base),
    cfg,
  );
}
