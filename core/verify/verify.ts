/**
 * The probabilistic verifier. Given a loaded (already digest- and signature-checked) bundle it:
 *  1. rebuilds the task (dataset digest, RepOps version, state layout) and checks checkpoint 0 is the
 *     seeded initial state (no pre-trained start) and every step's batch digest is the seeded data order;
 *  2. picks steps: q Fiat–Shamir samples from the run commitment, plus per epoch the top-Q checkpoint
 *     intervals by update norm (Jia et al. 2021; or every step with `all`);
 *  3. replays from the nearest checkpoint, comparing every replayed step's record (stateAfter, loss,
 *     batch digest, and in trace mode each op digest) with the committed one, stopping an interval at
 *     its first mismatch and naming the step (and the first differing op);
 *     and, when the bundle has a step-metrics section, the step's learning rate, norms and accuracy;
 *  4. recomputes the reported final metrics from the final checkpoint;
 *  5. reports steps checked, ops replayed, compute as a fraction of full replay, and the detection
 *     probability against a forger of a fraction f of the steps.
 */
import { canonicalJson } from '../hash/digest.ts';
import { tensorDigestQueue } from '../platform/hash.ts';
import type { LoadedBundle } from '../proof/read.ts';
import type { TapeNode } from '../repops/index.ts';
import { metricsMismatch, type StepMetrics } from '../train/metrics.ts';
import { batchDigest } from '../train/order.ts';
import { stateDigest, type TrainState } from '../train/state.ts';
import { type MicroBatchWorkers, runStep, type StepResult, type TrainContext } from '../train/step.ts';
import { evaluate, initialState, prepareTask } from '../train/train.ts';
import {
  detectionProbability,
  fiatShamirSteps,
  type IntervalUpdate,
  intervalUpdates,
  missProbability,
  topQ,
} from './sampling.ts';

export interface VerifyOptions {
  /** Fiat–Shamir samples (default 8). */
  readonly samples?: number;
  /** Per epoch, the checkpoint intervals with the largest updates to replay in full (default 0). */
  readonly topQ?: number;
  /** Replay every step (full re-execution). */
  readonly all?: boolean;
  /** Forged fractions f to report detection probabilities for. */
  readonly fractions?: readonly number[];
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Threads that record micro-batches of replayed steps concurrently (StepOptions.workers): the same bits.
   * Called once with the context verify prepares from the bundle's task (none: one thread).
   */
  readonly workers?: (ctx: TrainContext) => MicroBatchWorkers | undefined;
}

export interface VerifyFailure {
  readonly step: number;
  /** Which committed value disagrees: stateAfter, loss, batchDigest, opDigest, checkpoint, task, metrics, replay. */
  readonly field: string;
  readonly message: string;
  /** For op-digest mismatches: the first differing tape node. */
  readonly op?: { readonly index: number; readonly name: string; readonly label?: string };
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly task: string;
  readonly mode: 'fast' | 'trace';
  readonly steps: number;
  readonly samples: readonly number[];
  readonly topQ: readonly IntervalUpdate[];
  /** Distinct steps replayed and compared with their records. */
  readonly stepsChecked: number;
  readonly checkedSteps: readonly number[];
  readonly batchDigestsChecked: number;
  readonly opsReplayed: number;
  readonly flopsReplayed: number;
  /** Replay compute ÷ full re-execution compute (flops; every step has the same graph). */
  readonly computeFraction: number;
  /**
   * Per forged fraction f: `probability` = 1 − C(T−m, n)/C(T, n) (m = ⌈f·T⌉) over the n steps actually
   * replayed and compared (`stepsChecked`) — exact for a forger whose forged steps are a uniformly random
   * f of the run, whatever the structure of the checked set; `worstCase` = the same over the Fiat–Shamir
   * samples alone, a lower bound for any placement of the forged steps (every sample is checked).
   */
  readonly detection: readonly {
    readonly f: number;
    readonly probability: number;
    readonly worstCase: number;
    /** 1 − probability and 1 − worstCase, computed directly (exact where 1 − p rounds to 0 in doubles). */
    readonly miss: number;
    readonly worstCaseMiss: number;
  }[];
  readonly failures: readonly VerifyFailure[];
}

export function verifyBundle(bundle: LoadedBundle, opts: VerifyOptions = {}): VerifyReport {
  const m = bundle.manifest;
  const T = m.task.steps;
  const failures: VerifyFailure[] = [];
  const fractions = opts.fractions ?? [0.01, 0.05, 0.1, 0.25];
  const base = { task: m.task.name, mode: m.mode, steps: T };
  const reject = (f: VerifyFailure): VerifyReport => ({
    ok: false,
    ...base,
    samples: [],
    topQ: [],
    stepsChecked: 0,
    checkedSteps: [],
    batchDigestsChecked: 0,
    opsReplayed: 0,
    flopsReplayed: 0,
    computeFraction: 0,
    detection: [],
    failures: [f],
  });

  let ctx: TrainContext;
  try {
    ctx = prepareTask(m.task);
  } catch (err) {
    return reject({ step: 0, field: 'task', message: err instanceof Error ? err.message : String(err) });
  }
  if (canonicalJson(ctx.layout) !== canonicalJson(m.stateLayout)) {
    return reject({
      step: 0,
      field: 'stateLayout',
      message: 'the state layout differs from the one the task defines',
    });
  }
  if (stateDigest(initialState(ctx), ctx.scheme) !== m.steps[0].stateBefore) {
    return reject({
      step: 0,
      field: 'stateBefore',
      message: 'step 0 does not start from the seeded initial state',
    });
  }
  for (let t = 0; t < T; t++) {
    if (batchDigest(ctx.order.batch(t)) !== m.steps[t].batchDigest) {
      failures.push({
        step: t,
        field: 'batchDigest',
        message: `step ${t}: batch is not the seeded data order`,
      });
      break;
    }
  }

  // Which steps to replay: per checkpoint interval, replay from its start to the furthest target in it.
  // Replay starts at full checkpoints; T closes the last interval (v2 bundles keep only its parameters).
  const cps = bundle.checkpointSteps;
  const bounds = cps.includes(T) ? cps : [...cps, T];
  const samples = opts.all ? [] : fiatShamirSteps(m.runCommitment, T, opts.samples ?? 8);
  // Update norms read every full state: only when top-Q asks for them (a checkpoint store may hold many).
  const q = opts.all ? 0 : (opts.topQ ?? 0);
  const updates =
    q > 0
      ? intervalUpdates(
          bounds,
          (s) =>
            s === T ? bundle.finalParams() : bundle.checkpoint(s).tensors.slice(0, ctx.model.params.length),
          ctx.order.batchesPerEpoch,
        )
      : [];
  const top = topQ(updates, q);
  const intervalOf = (t: number) => {
    let c = 0;
    for (const s of cps) if (s <= t) c = s;
    return c;
  };
  const furthest = new Map<number, number>();
  const target = (c: number, t: number) => furthest.set(c, Math.max(furthest.get(c) ?? -1, t));
  if (opts.all) for (let i = 0; i + 1 < bounds.length; i++) target(bounds[i], bounds[i + 1] - 1);
  for (const t of samples) target(intervalOf(t), t);
  for (const u of top) target(u.from, u.to - 1);
  const totalSteps = [...furthest].reduce((n, [c, t]) => n + (t - c + 1), 0);

  // Committed per-step metrics (absent in bundles written before the section existed): every replayed
  // step's recomputed metrics must equal them bit for bit.
  let committedMetrics: readonly StepMetrics[] | null = null;
  try {
    committedMetrics = bundle.stepMetrics();
  } catch (err) {
    failures.push({
      step: 0,
      field: 'metrics',
      message: err instanceof Error ? err.message : String(err),
    });
  }
  const checked: number[] = [];
  let ops = 0;
  let flops = 0;
  let stepFlops = 0;
  let done = 0;
  // As train() does, step t's digests are computed on the digest worker (Node) while step t+1 replays;
  // t is compared once t+1 is computed, and t+1 is dropped unchecked when t fails (as if never run).
  const queue = tensorDigestQueue();
  const workers = opts.workers?.(ctx);
  const settle = (p: Replayed): boolean => {
    let fail: VerifyFailure | null = null;
    try {
      const r = p.r.finish ? p.r.finish() : p.r;
      ops += r.nodeCount;
      flops += r.flops;
      stepFlops = r.flops;
      checked.push(p.t);
      fail = stepMismatch(bundle, ctx, p, r, committedMetrics);
    } catch (err) {
      fail = replayFailure(p.t, err);
    }
    opts.onProgress?.(++done, totalSteps);
    if (fail) failures.push(fail);
    return fail !== null;
  };
  for (const [c, last] of [...furthest].sort((a, b) => a[0] - b[0])) {
    let state: TrainState = bundle.checkpoint(c);
    let pending: Replayed | null = null;
    for (let t = c; t <= last; t++) {
      let r: StepResult;
      try {
        r = runStep(ctx, state, t, {
          mode: m.mode,
          stateBeforeDigest: m.steps[t].stateBefore,
          metrics: committedMetrics !== null,
          ...(queue ? { digestQueue: queue } : { keepTape: m.mode === 'trace' }),
          ...(workers ? { workers } : {}),
        });
      } catch (err) {
        const earlier = pending !== null && settle(pending);
        pending = null;
        if (!earlier) {
          failures.push(replayFailure(t, err));
          opts.onProgress?.(++done, totalSteps);
        }
        break;
      }
      if (pending !== null && settle(pending)) {
        r.finish?.(); // collect its digests from the worker; the step itself is not checked
        pending = null;
        break;
      }
      pending = { t, r, before: state };
      state = r.after;
    }
    if (pending !== null) settle(pending);
  }

  // Final metrics from the final checkpoint.
  try {
    const metrics = evaluate(ctx, { layout: ctx.layout, tensors: bundle.finalParams() });
    if (!Object.is(metrics.loss, m.metrics.loss) || !Object.is(metrics.accuracy, m.metrics.accuracy)) {
      failures.push({
        step: T,
        field: 'metrics',
        message: `reported metrics ${JSON.stringify(m.metrics)} differ from the final checkpoint's ${JSON.stringify(metrics)}`,
      });
    }
  } catch (err) {
    failures.push({
      step: T,
      field: 'metrics',
      message: `evaluating the final checkpoint failed: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  const distinct = [...new Set(checked)].sort((a, b) => a - b);
  const full = stepFlops * T;
  failures.sort((a, b) => a.step - b.step);
  return {
    ok: failures.length === 0,
    ...base,
    samples: [...samples].sort((a, b) => a - b),
    topQ: top,
    stepsChecked: distinct.length,
    checkedSteps: distinct,
    batchDigestsChecked: T,
    opsReplayed: ops,
    flopsReplayed: flops,
    computeFraction: full > 0 ? flops / full : 0,
    detection: fractions.map((f) => ({
      f,
      probability: opts.all ? 1 : detectionProbability(T, distinct.length, f),
      worstCase: opts.all ? 1 : detectionProbability(T, samples.length, f),
      miss: opts.all ? 0 : missProbability(T, distinct.length, f),
      worstCaseMiss: opts.all ? 0 : missProbability(T, samples.length, f),
    })),
    failures,
  };
}

interface Replayed {
  readonly t: number;
  /** The replayed step: pending (digests on the worker) or complete. */
  readonly r: StepResult;
  /** The state it started from (to replay it again with its tape when an op digest differs). */
  readonly before: TrainState;
}

function replayFailure(t: number, err: unknown): VerifyFailure {
  return {
    step: t,
    field: 'replay',
    message: `step ${t}: replay failed: ${err instanceof Error ? err.message : String(err)}`,
  };
}

/** The first committed value of step `p.t` the finished replay `r` disagrees with, or null. */
function stepMismatch(
  bundle: LoadedBundle,
  ctx: TrainContext,
  p: Replayed,
  r: StepResult,
  committedMetrics: readonly StepMetrics[] | null,
): VerifyFailure | null {
  const m = bundle.manifest;
  const t = p.t;
  const rec = m.steps[t];
  if (r.record.batchDigest !== rec.batchDigest)
    return { step: t, field: 'batchDigest', message: `step ${t}: batch digest differs` };
  if (m.mode === 'trace' && r.record.opRoot !== rec.opRoot) {
    // Which op: the node names need the tape, which a queued replay does not keep — replay it again.
    const taped = r.nodes
      ? r
      : runStep(ctx, p.before, t, { mode: 'trace', keepTape: true, stateBeforeDigest: rec.stateBefore });
    return opMismatch(bundle, t, taped.opDigests ?? [], taped.nodes ?? []);
  }
  if (r.record.stateAfter !== rec.stateAfter)
    return {
      step: t,
      field: 'stateAfter',
      message: `step ${t}: replayed state after the step differs from the committed stateAfter`,
    };
  if (!Object.is(r.record.loss, rec.loss))
    return {
      step: t,
      field: 'loss',
      message: `step ${t}: replayed loss ${r.record.loss} differs from the committed ${rec.loss}`,
    };
  if (committedMetrics && r.metrics) {
    const why = metricsMismatch(r.metrics, committedMetrics[t]);
    if (why) return { step: t, field: 'metrics', message: `step ${t}: step metric ${why}` };
  }
  return null;
}

function opMismatch(
  bundle: LoadedBundle,
  t: number,
  mine: readonly string[],
  nodes: readonly TapeNode[],
): VerifyFailure {
  const theirs = bundle.opDigests(t) ?? [];
  let i = 0;
  while (i < mine.length && i < theirs.length && mine[i] === theirs[i]) i++;
  if (i >= mine.length && i >= theirs.length) {
    return { step: t, field: 'opDigest', message: `step ${t}: op root differs` };
  }
  const node = nodes[i];
  return {
    step: t,
    field: 'opDigest',
    message:
      i < mine.length && i < theirs.length
        ? `step ${t}: op ${i} (${node.op}${node.label ? ` "${node.label}"` : ''}, ${node.phase}) is the first op whose output digest differs from the committed one`
        : `step ${t}: the committed trace has ${theirs.length} ops, the replay ${mine.length}`,
    op: { index: i, name: node?.op ?? '?', ...(node?.label ? { label: node.label } : {}) },
  };
}
