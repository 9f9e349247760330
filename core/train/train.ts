/**
 * The trainer: prepares a task (dataset, model, data order, state layout), initialises the state, runs
 * every step, keeps checkpoints every k steps and evaluates the final model. Also `RunReplayer`, which
 * reconstructs the state before any step from the nearest checkpoint (verifier, dispute parties).
 */
import { type Digest, packDigests, unpackDigests } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';
import { tensorDigestQueue } from '../platform/hash.ts';
import { apply, createTape, leaf, REPOPS_SPEC_VERSION, type Tensor } from '../repops/index.ts';
import { loadDataset } from './datasets.ts';
import type { StepMetrics } from './metrics.ts';
import { buildModel, initParams } from './models.ts';
import { optimizerLayout } from './optim.ts';
import { DataOrder } from './order.ts';
import type { StepRecord } from './record.ts';
import { runSeed } from './seed.ts';
import { type TrainState, tensorDigests } from './state.ts';
import {
  batchTensors,
  chainedTo,
  type MicroBatchWorkers,
  nextState,
  runStep,
  type StepResult,
  type Tamper,
  type TraceMode,
  type TrainContext,
  TrainError,
} from './step.ts';
import { type TaskSpec, tensorDigestScheme } from './task.ts';

/** Resolves a task: checks the RepOps version, builds the dataset (checking its digest) and the model. */
export function prepareTask(task: TaskSpec): TrainContext {
  if (task.repops !== REPOPS_SPEC_VERSION) {
    throw new TrainError(
      task.name,
      `needs RepOps "${task.repops}", this build implements "${REPOPS_SPEC_VERSION}"`,
    );
  }
  // The data belongs to the task, not the instance: generated under the plain seed (see seed.ts).
  const dataset = loadDataset(task.dataset, task.seed);
  const model = buildModel(task.model, dataset);
  if (task.batchSize > dataset.count) {
    throw new TrainError(task.name, `batchSize ${task.batchSize} exceeds the dataset size ${dataset.count}`);
  }
  const order = new DataOrder(runSeed(task), dataset.count, task.batchSize);
  const layout = [
    ...model.params.map((p) => ({ name: p.name, kind: p.kind, shape: [...p.shape] })),
    ...optimizerLayout(model.params, task.optimizer),
  ];
  const resolved: TaskSpec = { ...task, dataset: { ...task.dataset, digest: dataset.digest } };
  return { task: resolved, dataset, model, order, layout, scheme: tensorDigestScheme(task) };
}

export function initialState(ctx: TrainContext): TrainState {
  const params = initParams(ctx.model, runSeed(ctx.task));
  const extra = ctx.layout
    .slice(params.length)
    .map((e) => ({ shape: [...e.shape], data: new Float32Array(e.shape.reduce((a, b) => a * b, 1)) }));
  return { layout: ctx.layout, tensors: [...params, ...extra] };
}

export interface Checkpoint {
  readonly step: number;
  readonly tensors: readonly Tensor[];
}

/** A checkpoint `train` did not keep (TrainOptions.dropCheckpoint): its tensor digests only. */
export interface CheckpointCommitment {
  readonly step: number;
  readonly digests: readonly Digest[];
}

export interface TrainOptions {
  readonly mode: TraceMode;
  readonly tamper?: Tamper;
  /**
   * Called after every step (progress bars, live charts). `result.after` is valid during the call: in fast
   * mode its buffers are reused once the next step is done (StepOptions.recycle).
   */
  readonly onStep?: (result: StepResult, total: number) => void;
  /**
   * Called with each checkpoint's state before the final one, once its tensor digests are known (while
   * the next step's digests are being computed): e.g. to write it to a checkpoint store. The tensors are
   * valid during the call only when the checkpoint is dropped (its buffers then go back to the op pool).
   */
  readonly onCheckpoint?: (step: number, tensors: readonly Tensor[], digests: readonly Digest[]) => void;
  /**
   * Checkpoints to keep as digests only (after onCheckpoint), not in memory: those a sparse bundle stores
   * as commitments. Without it a run keeps every checkpoint's state (RunReplayer.fromRun replays from
   * them), which for a long real-size run is most of its memory.
   */
  readonly dropCheckpoint?: (step: number) => boolean;
  /** Threads that record micro-batches concurrently (StepOptions.workers): the same run, bit for bit. */
  readonly workers?: MicroBatchWorkers;
}

export interface TrainResult {
  readonly task: TaskSpec;
  readonly layout: TrainContext['layout'];
  readonly mode: TraceMode;
  readonly records: StepRecord[];
  readonly checkpoints: Checkpoint[];
  /** The checkpoints dropped by TrainOptions.dropCheckpoint (absent when none were). */
  readonly commitments?: CheckpointCommitment[];
  /**
   * Trace mode: each step's op digests as raw bytes, 32 per tape node in tape order (packDigests; a long
   * run keeps them all until its bundle is written). `stepOpDigests` gives one step's as hex.
   */
  readonly opDigests?: Uint8Array[];
  /** Per step: learning rate, gradient/update/weight norms, batch accuracy (bundle section, not records). */
  readonly stepMetrics: StepMetrics[];
  readonly finalState: TrainState;
  readonly metrics: { loss: number; accuracy: number };
}

/** Step t's op digests of a trace run, as hex (undefined for a fast run or a step it does not have). */
export function stepOpDigests(run: Pick<TrainResult, 'opDigests'>, t: number): Digest[] | undefined {
  const b = run.opDigests?.[t];
  return b === undefined ? undefined : unpackDigests(b);
}

export function checkpointSteps(task: TaskSpec): number[] {
  const s: number[] = [];
  for (let t = 0; t < task.steps; t += task.checkpointEvery) s.push(t);
  s.push(task.steps);
  return s;
}

export function train(ctx: TrainContext, opts: TrainOptions): TrainResult {
  const T = ctx.task.steps;
  let state = initialState(ctx);
  const initialDigests = tensorDigests(state, ctx.scheme);
  const records: StepRecord[] = [];
  const checkpoints: Checkpoint[] = [];
  const commitments: CheckpointCommitment[] = [];
  const opDigests: Uint8Array[] = [];
  const stepMetrics: StepMetrics[] = [];
  /** Checkpoint `step`'s state, now that its digests are known: handed out, then kept (true) or dropped. */
  const settleCheckpoint = (
    step: number,
    tensors: readonly Tensor[],
    digests: readonly Digest[],
  ): boolean => {
    opts.onCheckpoint?.(step, tensors, digests);
    if (opts.dropCheckpoint?.(step)) {
      commitments.push({ step, digests });
      return false;
    }
    checkpoints.push({ step, tensors });
    return true;
  };
  // Step t's digests (the state after it; in trace mode every op output) are computed on another
  // thread while step t+1 computes; step t+1 takes its state-before digests from step t when it
  // finishes (same digests, same records).
  const queue = tensorDigestQueue();
  let pending: StepResult | null = null;
  const complete = (r: StepResult): StepResult => {
    const full = r.finish ? r.finish() : r;
    records.push(full.record);
    if (full.opDigests) opDigests.push(packDigests(full.opDigests));
    stepMetrics.push(full.metrics as StepMetrics);
    opts.onStep?.(full, T);
    return full;
  };
  // The state before the previous step once nothing reads it (not a checkpoint, its digests taken, its
  // onStep call made): the next step hands its buffers to the op pool.
  let spent: readonly Tensor[] | undefined;
  for (let t = 0; t < T; t++) {
    const checkpoint = t % ctx.task.checkpointEvery === 0;
    const prev = pending;
    const r = runStep(ctx, state, t, {
      ...(spent ? { recycle: spent } : {}),
      mode: opts.mode,
      tamper: opts.tamper,
      ...(prev
        ? chainedTo(prev)
        : { stateTensorDigests: initialDigests, stateBeforeDigest: merkleRoot(initialDigests) }),
      metrics: true,
      ...(queue ? { digestQueue: queue } : {}),
      ...(opts.workers ? { workers: opts.workers } : {}),
    });
    const done = prev ? complete(prev) : null;
    // State t's digests are step t − 1's afterDigests, known once it is complete (the initial ones at 0).
    const kept = checkpoint && settleCheckpoint(t, state.tensors, done ? done.afterDigests : initialDigests);
    // A dropped checkpoint's state is spent like any other once handed out.
    spent = kept ? undefined : state.tensors;
    pending = r;
    state = r.after;
  }
  if (pending) complete(pending);
  checkpoints.push({ step: T, tensors: state.tensors });
  return {
    task: ctx.task,
    layout: ctx.layout,
    mode: opts.mode,
    records,
    checkpoints,
    ...(commitments.length > 0 ? { commitments } : {}),
    ...(opts.mode === 'trace' ? { opDigests } : {}),
    stepMetrics,
    finalState: state,
    metrics: evaluate(ctx, state),
  };
}

/** Evaluation cap for token datasets: every k-th window so at most this many windows are scored. */
export const EVAL_MAX_EXAMPLES = 256;

/**
 * Mean loss and accuracy (argmax = target, first maximum wins) over the training set (token sets:
 * an evenly strided subset of ≤ EVAL_MAX_EXAMPLES windows), in chunks of the batch size on a
 * non-recording tape (same ops, same bits). The mean is a binary64 average of per-chunk losses
 * weighted by chunk rows — a report, not part of any commitment.
 */
export function evaluate(ctx: TrainContext, state: TrainState): { loss: number; accuracy: number } {
  const d = ctx.dataset;
  const stride = d.kind === 'tokens' ? Math.max(1, Math.ceil(d.count / EVAL_MAX_EXAMPLES)) : 1;
  const all: number[] = [];
  for (let i = 0; i < d.count; i += stride) all.push(i);
  const nParams = ctx.model.params.length;
  let lossSum = 0;
  let rows = 0;
  let correct = 0;
  for (let at = 0; at < all.length; at += ctx.task.batchSize) {
    const idx = Uint32Array.from(all.slice(at, at + ctx.task.batchSize));
    const { x, y } = batchTensors(ctx, idx);
    const tape = createTape({ record: false });
    const params = state.tensors
      .slice(0, nParams)
      .map((t, i) => leaf(tape, t, { kind: 'param', name: ctx.layout[i].name }));
    const logits = ctx.model.forward(tape, params, leaf(tape, x, { kind: 'data', name: 'x' }));
    const loss = apply('softmax_cross_entropy', [logits, leaf(tape, y, { kind: 'target', name: 'y' })]);
    const [n, c] = logits.out.shape;
    lossSum += loss.out.data[0] * n;
    rows += n;
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (logits.out.data[r * c + j] > logits.out.data[r * c + best]) best = j;
      if (best === y.data[r]) correct++;
    }
  }
  return { loss: lossSum / rows, accuracy: correct / rows };
}

/**
 * Reconstructs the state before any step by replaying from the nearest checkpoint at or below it
 * (or from the last state it computed, when that is closer). `checkpoint(step)` returns stored states.
 */
export class RunReplayer {
  private cache: { step: number; state: TrainState } | null = null;
  /** Steps replayed so far (compute accounting). */
  replayed = 0;

  constructor(
    readonly ctx: TrainContext,
    private readonly checkpoints: readonly number[],
    private readonly checkpoint: (step: number) => TrainState,
    private readonly tamper?: Tamper,
  ) {}

  static fromRun(ctx: TrainContext, run: Pick<TrainResult, 'checkpoints'>, tamper?: Tamper): RunReplayer {
    const byStep = new Map(run.checkpoints.map((c) => [c.step, c.tensors]));
    return new RunReplayer(
      ctx,
      run.checkpoints.map((c) => c.step),
      (s) => ({ layout: ctx.layout, tensors: byStep.get(s) as Tensor[] }),
      tamper,
    );
  }

  stateBefore(step: number): TrainState {
    if (!Number.isInteger(step) || step < 0 || step > this.ctx.task.steps) {
      throw new RangeError(`replay: step ${step} outside 0..${this.ctx.task.steps}`);
    }
    let from = -1;
    for (const c of this.checkpoints) if (c <= step && c > from) from = c;
    if (from < 0) throw new RangeError(`replay: no checkpoint at or before step ${step}`);
    let state: TrainState;
    let t: number;
    if (this.cache && this.cache.step <= step && this.cache.step >= from) {
      state = this.cache.state;
      t = this.cache.step;
    } else {
      state = this.checkpoint(from);
      t = from;
    }
    // States this loop makes are dead once the next one is made from them: each goes back to the op pool
    // one step later. Not the starting state (a checkpoint, or a state a caller may still hold).
    const start = state;
    let spent: readonly Tensor[] | undefined;
    for (; t < step; t++) {
      const before = state;
      state = nextState(this.ctx, before, t, this.tamper, spent);
      spent = before === start ? undefined : before.tensors;
      this.replayed++;
    }
    this.cache = { step, state };
    return state;
  }

  /** Step `step` with its full tape (what a dispute party answers from). */
  step(step: number, mode: TraceMode = 'trace', opts: { metrics?: boolean } = {}): StepResult {
    return runStep(this.ctx, this.stateBefore(step), step, {
      mode,
      keepTape: true,
      tamper: this.tamper,
      ...(opts.metrics ? { metrics: true } : {}),
    });
  }
}

/** A tamper adding `delta` to element `index` of node `nodeId`'s output at step `step`. */
export function perturbNode(step: number, nodeId: number, index: number, delta: number): Tamper {
  return {
    node(t, node) {
      if (t !== step || node.id !== nodeId) return undefined;
      const data = node.out.data.slice();
      if (!(index >= 0 && index < data.length))
        throw new RangeError(`perturbNode: element ${index} outside node ${nodeId} (${data.length} values)`);
      data[index] = Math.fround(data[index] + delta);
      return { shape: [...node.out.shape], data };
    },
  };
}

/** A tamper adding `delta` to element `index` of parameter/state tensor `name` as written by step `step`. */
export function perturbState(
  ctx: TrainContext,
  step: number,
  name: string,
  index: number,
  delta: number,
): Tamper {
  const k = ctx.layout.findIndex((e) => e.name === name);
  if (k < 0)
    throw new RangeError(
      `perturbState: no state tensor "${name}" (have ${ctx.layout.map((e) => e.name).join(', ')})`,
    );
  return {
    node(t, node, stateIndex) {
      if (t !== step || stateIndex !== k) return undefined;
      const data = node.out.data.slice();
      if (!(index >= 0 && index < data.length))
        throw new RangeError(`perturbState: element ${index} outside "${name}" (${data.length} values)`);
      data[index] = Math.fround(data[index] + delta);
      return { shape: [...node.out.shape], data };
    },
  };
}
