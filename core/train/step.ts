/**
 * One deterministic training step on a recorded tape, and the tamper mechanism adversarial solvers use.
 *
 * Tape layout of step t (ids = tape order = the order of op digests):
 *   leaves: parameters (layout order, kind 'param'), optimizer state (kind 'state'), the batch input
 *   (kind 'data', name "x"), the batch targets (kind 'target', name "y"), model constants (kind 'const');
 *   forward nodes; the loss (softmax_cross_entropy); backward nodes (VJPs, gradient `add`s); optional
 *   clipping; optimizer updates. `outputIds` lists the nodes that hold the state after the step.
 */
import { tensorDigest, tensorDigestsOf } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';
import type { TensorDigestScheme } from '../hash/tensor-scheme.ts';
import type { Custody, TensorDigestQueue } from '../platform/hash.ts';
import { recycleBuffers, returnBuffers } from '../repops/buffers.ts';
import {
  apply,
  backward,
  createTape,
  getOp,
  leaf,
  type Tape,
  type TapeNode,
  type Tensor,
  type Var,
  varOf,
  withLabel,
  withPhase,
} from '../repops/index.ts';
import type { Dataset } from './datasets.ts';
import { computeStepMetrics, type StepMetrics } from './metrics.ts';
import type { Model } from './models.ts';
import { applyOptimizer } from './optim.ts';
import { batchDigest, type DataOrder } from './order.ts';
import type { StepRecord } from './record.ts';
import { type StateEntry, stateDigest, type TrainState } from './state.ts';
import { microBatchCount, type TaskSpec } from './task.ts';

export type TraceMode = 'fast' | 'trace';

/** A value known now, or a function that produces it when first needed (pipelined hashing). */
export type Later<T> = T | (() => T);

function now<T>(v: Later<T>): T {
  return typeof v === 'function' ? (v as () => T)() : v;
}

/** Everything a step needs besides the state: built once per run by `prepareTask`. */
export interface TrainContext {
  /** The task with `dataset.digest` filled in (what the bundle commits to). */
  readonly task: TaskSpec;
  readonly dataset: Dataset;
  readonly model: Model;
  readonly order: DataOrder;
  /** Parameters then optimizer state (see docs/TRAINING.md "State digest"). */
  readonly layout: readonly StateEntry[];
  /** The task's tensor-digest scheme (tensorDigestScheme(task)). */
  readonly scheme: TensorDigestScheme;
}

/**
 * Changes what an honest run would compute at chosen steps (for adversarial solvers and tests).
 * `node` is called for every tape node in order with the node as computed so far (after earlier
 * replacements propagated); returning a tensor replaces that node's output and every later node is
 * recomputed from it. `stateIndex` ≥ 0 marks the node that holds stateAfter tensor `stateIndex`.
 */
export interface Tamper {
  batch?(step: number, indices: Uint32Array): Uint32Array;
  node?(step: number, node: TapeNode, stateIndex: number): Tensor | undefined;
}

export interface StepOptions {
  readonly mode: TraceMode;
  /** Keep the tape nodes in the result (dispute parties, the app's step-through). */
  readonly keepTape?: boolean;
  readonly tamper?: Tamper;
  /**
   * Digest of `state` if the caller already knows it (saves hashing the state twice per step). A function
   * when it is still being computed — the previous step's pending result (see `digestQueue`): called only
   * when this step's digests are collected, so the two steps' hashing overlaps the next computation.
   */
  readonly stateBeforeDigest?: Later<Digest>;
  /**
   * Tensor digests of `state` (layout order) if already known — in trace mode they are the digests of
   * the state leaves, so the trainer passes the previous step's output digests instead of re-hashing.
   * A function as for `stateBeforeDigest`.
   */
  readonly stateTensorDigests?: Later<readonly Digest[]>;
  /**
   * Without keepTape: hash on this queue (another thread) instead of inline — the state after the step
   * (copied: the next step reads it) and, in trace mode, every op output. The result then has `finish()`,
   * which waits for the digests and returns the complete result; reading `record` or `afterDigests` before
   * that finishes it too (and waits). Lets the trainer hash step t while step t+1 computes.
   */
  readonly digestQueue?: TensorDigestQueue;
  /** Compute the step metrics (core/train/metrics.ts) into `metrics`: the trainer and the verifier do. */
  readonly metrics?: boolean;
  /**
   * Tensors the caller is done with and nothing else reads (train() passes the state before the previous
   * step when no checkpoint holds it). Their buffers go back to the op buffer pool, so the next step's
   * optimizer outputs reuse them instead of ≈ 10 MB of fresh buffers (nanoGPT): in fast mode with this
   * step's hand-back; in trace mode with a digest queue when this step's digests are taken (the caller
   * takes every earlier step's first, as train() does, so no digest still reads them). A buffer this step's
   * leaves or its state after still use is never handed back.
   */
  readonly recycle?: readonly Tensor[];
  /**
   * Threads that record some of the micro-batches (task.microBatches > 1) while this one records the
   * others: the same tape, so the same bits. Not with keepTape or a tamper hook (then ignored). The
   * workers' node outputs stay valid until the step after next starts: the caller must be done with this
   * step's result (and its queued digests) by then, as train() is.
   */
  readonly workers?: MicroBatchWorkers;
}

export interface StepResult {
  readonly record: StepRecord;
  readonly after: TrainState;
  readonly batch: Uint32Array;
  /** Trace mode (or keepTape): digest of every tape node, in tape order. */
  readonly opDigests?: Digest[];
  /** keepTape only. */
  readonly nodes?: readonly TapeNode[];
  /** Tape ids of the stateAfter tensors, in layout order. */
  readonly outputIds: readonly number[];
  readonly lossId: number;
  /** Tensor digests of `after` (layout order): feed them to the next step's `stateTensorDigests`. */
  readonly afterDigests: readonly Digest[];
  /** Number of tape nodes (= opCount in trace mode). */
  readonly nodeCount: number;
  /** Floating-point operations of the step's non-leaf nodes (RepOps flops model). */
  readonly flops: number;
  /** With `metrics`: learning rate, gradient/update/weight norms, batch accuracy. */
  readonly metrics?: StepMetrics;
  /**
   * Only with `digestQueue`: waits for the queued digests and returns the complete result (the same
   * object on every call).
   */
  readonly finish?: () => StepResult;
}

export class TrainError extends Error {
  constructor(task: string, message: string) {
    super(`task "${task}": ${message}`);
    this.name = 'TrainError';
  }
}

/** Builds the input and target tensors of a batch. */
export function batchTensors(ctx: TrainContext, indices: Uint32Array): { x: Tensor; y: Tensor } {
  const d = ctx.dataset;
  const b = indices.length;
  const xs = d.inputShape.reduce((a, c) => a * c, 1);
  const ys = d.targetShape.reduce((a, c) => a * c, 1);
  const x = new Float32Array(b * xs);
  const y = new Float32Array(b * ys);
  for (let i = 0; i < b; i++) {
    const j = indices[i];
    if (!(j < d.count))
      throw new TrainError(ctx.task.name, `batch index ${j} outside the dataset (0..${d.count - 1})`);
    if (d.stream) {
      const at = j * d.stream.stride;
      x.set(d.stream.ids.subarray(at, at + xs), i * xs);
      y.set(d.stream.ids.subarray(at + 1, at + 1 + ys), i * ys);
    } else {
      x.set(d.x.subarray(j * xs, (j + 1) * xs), i * xs);
      y.set(d.y.subarray(j * ys, (j + 1) * ys), i * ys);
    }
  }
  return { x: { shape: ctx.model.inputShape(b), data: x }, y: { shape: ctx.model.targetShape(b), data: y } };
}

/** Tape ids the step metrics read: each micro-batch's logits and targets, each parameter's gradient (before clipping). */
export interface StepProbes {
  readonly logitsIds: readonly number[];
  readonly targetsIds: readonly number[];
  readonly gradIds: readonly number[];
}

/** What one micro-batch's part of the tape gives the rest of the step. */
export interface SegmentVars {
  readonly loss: Var;
  /** One per parameter, in layout order. */
  readonly grads: readonly Var[];
  readonly logits: Var;
  readonly targets: Var;
}

/**
 * Adds the state leaves of a step's tape (ids 0 … L−1, layout order): the same on every tape of the step,
 * so a micro-batch recorded on a worker's tape has the ids it has on the step's.
 */
export function stateLeaves(ctx: TrainContext, tape: Tape, state: TrainState): Var[] {
  const nParams = ctx.model.params.length;
  const vars: Var[] = [];
  for (let i = 0; i < state.tensors.length; i++)
    vars.push(
      leaf(tape, state.tensors[i], {
        kind: ctx.layout[i].kind,
        name: ctx.layout[i].name,
        requiresGrad: i < nParams,
      }),
    );
  return vars;
}

/** Micro-batch k's batch indices: the k-th of microBatchCount(task) equal consecutive slices. */
export function microBatchIndices(ctx: TrainContext, indices: Uint32Array, k: number): Uint32Array {
  const b = indices.length / microBatchCount(ctx.task);
  return indices.subarray(k * b, (k + 1) * b);
}

/**
 * Records micro-batch k of a step: its data and target leaves, the forward pass, the loss and the backward
 * pass from that loss. With one micro-batch the nodes are unlabelled (the tape every task had before
 * micro-batches); with more each is labelled `micro<k>/…`.
 */
export function recordSegment(
  ctx: TrainContext,
  tape: Tape,
  params: readonly Var[],
  indices: Uint32Array,
  k: number,
): SegmentVars {
  const body = (): SegmentVars => {
    const { x, y } = batchTensors(ctx, microBatchIndices(ctx, indices, k));
    const xv = leaf(tape, x, { kind: 'data', name: 'x' });
    const yv = leaf(tape, y, { kind: 'target', name: 'y' });
    const logits = ctx.model.forward(tape, params, xv);
    const loss = apply('softmax_cross_entropy', [logits, yv], {}, 'loss');
    const gradMap = backward(tape, loss);
    const grads: Var[] = [];
    for (const p of params) grads.push(gradMap.get(p.id) as Var);
    return { loss, grads, logits, targets: yv };
  };
  return microBatchCount(ctx.task) === 1 ? body() : withLabel(tape, `micro${k}`, body);
}

/**
 * The step's loss and gradients from its micro-batches': each summed in micro-batch order (a left fold of
 * `add`s) and multiplied by a constant leaf 1 / K (phase 'backward', label `accumulate`). One micro-batch:
 * its own, no nodes.
 */
function accumulate(tape: Tape, segs: readonly SegmentVars[]): { loss: Var; grads: Var[] } {
  if (segs.length === 1) return { loss: segs[0].loss, grads: [...segs[0].grads] };
  const scale = leaf(
    tape,
    { shape: [], data: Float32Array.of(1 / segs.length) },
    { kind: 'const', name: 'scale' },
  );
  const mean = (vs: readonly Var[]): Var => {
    let acc = vs[0];
    for (let k = 1; k < vs.length; k++) acc = apply('add', [acc, vs[k]]);
    return apply('mul', [acc, scale]);
  };
  return withPhase(tape, 'backward', () =>
    withLabel(tape, 'accumulate', () => ({
      loss: mean(segs.map((s) => s.loss)),
      grads: segs[0].grads.map((_, p) => mean(segs.map((s) => s.grads[p]))),
    })),
  );
}

/**
 * Runs micro-batches on other threads (Node adapter: core/train/node-microbatch.ts). `start` hands
 * micro-batches [from, to) of step `step` to them; `finish` waits and returns the outputs of the nodes they
 * recorded after the state leaves, in tape order: the same bits as recording them here (same ops, same
 * inputs), which the step's tape then holds. The buffers stay valid until the step after next starts.
 * Only for a step without a tamper hook whose tape no one keeps.
 */
export interface MicroBatchWorkers {
  /** Threads besides the caller's. */
  readonly threads: number;
  start(state: TrainState, step: number, from: number, to: number): void;
  finish(): Float32Array[];
}

/** Records the full step on a tape; returns the tape and the ids of the loss and the new state. */
export function recordStep(
  ctx: TrainContext,
  state: TrainState,
  step: number,
  indices: Uint32Array,
  workers?: MicroBatchWorkers,
): { tape: Tape; lossId: number; outputIds: number[]; probes: StepProbes } {
  const tape = createTape();
  const nParams = ctx.model.params.length;
  const vars = stateLeaves(ctx, tape, state);
  const params = vars.slice(0, nParams);
  const K = microBatchCount(ctx.task);
  // The caller records micro-batches [0, local); the workers the rest, concurrently.
  const local = workers ? localMicroBatches(K, workers.threads) : K;
  if (workers && local < K) workers.start(state, step, local, K);
  const segs: SegmentVars[] = [];
  for (let k = 0; k < local; k++) segs.push(recordSegment(ctx, tape, params, indices, k));
  if (workers && local < K) spliceRemote(tape, workers.finish(), segs, vars.length, K);
  const { loss, grads } = accumulate(tape, segs);
  const next = applyOptimizer(ctx.task.optimizer, step, params, grads, vars.slice(nParams));
  return {
    tape,
    lossId: loss.id,
    outputIds: [...next.params, ...next.state].map((v) => v.id),
    probes: {
      logitsIds: segs.map((s) => s.logits.id),
      targetsIds: segs.map((s) => s.targets.id),
      gradIds: grads.map((g) => g.id),
    },
  };
}

/** How many of K micro-batches the calling thread records when `threads` others record the rest: an even share, rounded up. */
export function localMicroBatches(K: number, threads: number): number {
  return Math.ceil(K / (threads + 1));
}

/**
 * Appends the micro-batches after the recorded ones (`segs`, from 0) up to K, computed elsewhere (`outs`:
 * their node outputs in tape order), and their vars to `segs`. Every micro-batch records the same ops on
 * the same shapes, so micro-batch 0's nodes (from id L on, m of them) are each one's template: inputs
 * past the state leaves shifted by m per micro-batch, the label's `micro0` renamed.
 */
function spliceRemote(
  tape: Tape,
  outs: readonly Float32Array[],
  segs: SegmentVars[],
  L: number,
  K: number,
): void {
  const from = segs.length;
  const m = (tape.nodes.length - L) / from;
  if (outs.length !== (K - from) * m)
    throw new Error(`micro-batch workers recorded ${outs.length} nodes, expected ${(K - from) * m}`);
  for (let k = from; k < K; k++) {
    const shift = k * m;
    for (let j = 0; j < m; j++) {
      const t = tape.nodes[L + j];
      const data = outs[(k - from) * m + j];
      if (data.length !== t.out.data.length)
        throw new Error(
          `micro-batch ${k} node ${j} (${t.op}): ${data.length} values, expected ${t.out.data.length}`,
        );
      const id = L + shift + j;
      const node: TapeNode = {
        id,
        op: t.op,
        inputs: t.inputs.map((i) => (i < L ? i : i + shift)),
        attrs: t.attrs,
        out: { shape: t.out.shape, data },
        phase: t.phase,
        ...(t.label ? { label: `micro${k}${t.label.slice('micro0'.length)}` } : {}),
      };
      tape.nodes.push(node);
      tape.requiresGrad.push(tape.requiresGrad[L + j]);
    }
    const at = (v: Var): Var => varOf(tape, v.id + shift);
    const s0 = segs[0];
    segs.push({ loss: at(s0.loss), grads: s0.grads.map(at), logits: at(s0.logits), targets: at(s0.targets) });
  }
}

/** Applies a node tamper: replaced outputs propagate to every later node by recomputation. */
function tamperNodes(
  nodes: readonly TapeNode[],
  step: number,
  outputIds: readonly number[],
  hook: NonNullable<Tamper['node']>,
): TapeNode[] {
  const stateIndex = new Map<number, number>();
  for (const [i, id] of outputIds.entries()) stateIndex.set(id, i);
  const out: TapeNode[] = [];
  const changed = new Uint8Array(nodes.length);
  for (const n of nodes) {
    let node = n;
    if (n.op !== 'leaf' && n.inputs.some((i) => changed[i])) {
      node = {
        ...n,
        out: getOp(n.op).forward(
          n.inputs.map((i) => out[i].out),
          n.attrs,
        ),
      };
      changed[n.id] = 1;
    }
    const repl = hook(step, node, stateIndex.get(n.id) ?? -1);
    if (repl) {
      node = { ...node, out: repl };
      changed[n.id] = 1;
    }
    out.push(node);
  }
  return out;
}

/** Step `step` computed (tampered where `tamper` says), nothing hashed. */
function computeStep(
  ctx: TrainContext,
  state: TrainState,
  step: number,
  tamper: Tamper | undefined,
  workers: MicroBatchWorkers | undefined,
) {
  let indices = ctx.order.batch(step);
  if (tamper?.batch) indices = tamper.batch(step, indices);
  const { tape, lossId, outputIds, probes } = recordStep(
    ctx,
    state,
    step,
    indices,
    tamper ? undefined : workers,
  );
  let nodes: readonly TapeNode[] = tape.nodes;
  if (tamper?.node) nodes = tamperNodes(nodes, step, outputIds, tamper.node);
  const after: TrainState = { layout: ctx.layout, tensors: outputsOf(nodes, outputIds) };
  const loss = nodes[lossId].out.data[0];
  if (!Number.isFinite(loss))
    throw new TrainError(
      ctx.task.name,
      `loss is ${loss} at step ${step} (training diverged; lower the learning rate)`,
    );
  return { indices, tape, nodes, lossId, outputIds, probes, after, loss };
}

/**
 * The state after step `step` — `runStep(…).after` without hashing anything (the record's two state
 * digests cost ≈ 10 % of a nanoGPT step): how a replay reaches a later step from a checkpoint. Like a
 * fast step, it hands its dead intermediates (and `spent`) to the op buffer pool (not with a tamper hook).
 */
export function nextState(
  ctx: TrainContext,
  state: TrainState,
  step: number,
  tamper?: Tamper,
  /** As `StepOptions.recycle`: tensors the caller is done with (a replay's state two steps back). */
  spent?: readonly Tensor[],
): TrainState {
  const { nodes, after } = computeStep(ctx, state, step, tamper, undefined);
  if (!tamper) recycleStep(nodes, liveBuffers(nodes, after), spent);
  return after;
}

/**
 * Options that start a step from the state `prev` produced, with its digests — taken when this step
 * finishes, so a pending `prev` (digest queue) is not waited for while this step computes. How train()
 * chains steps; benches do the same.
 */
export function chainedTo(prev: StepResult): Pick<StepOptions, 'stateBeforeDigest' | 'stateTensorDigests'> {
  const full = () => (prev.finish ? prev.finish() : prev);
  return {
    stateBeforeDigest: () => full().record.stateAfter,
    stateTensorDigests: () => full().afterDigests,
  };
}

/** Runs step `step` from `state`. Deterministic: same inputs → same bits, digests and record. */
export function runStep(ctx: TrainContext, state: TrainState, step: number, opts: StepOptions): StepResult {
  const { indices, tape, nodes, lossId, outputIds, probes, after, loss } = computeStep(
    ctx,
    state,
    step,
    opts.tamper,
    opts.keepTape ? undefined : opts.workers,
  );
  const metrics = opts.metrics ? metricsOf(ctx, state, after, nodes, probes) : undefined;
  const traced = opts.mode === 'trace' || opts.keepTape === true;
  if (opts.digestQueue && !opts.keepTape)
    return deferredStep(ctx, state, step, opts, opts.digestQueue, {
      indices,
      nodes,
      tapeNodes: tape.nodes,
      after,
      loss,
      lossId,
      outputIds,
      metrics,
    });
  // State leaves are tape nodes 0 … L−1 (recordStep adds them first, in layout order); when nothing
  // tampered with them their digests are the known state tensor digests.
  const known = opts.stateTensorDigests === undefined ? undefined : now(opts.stateTensorDigests);
  const reuse = known !== undefined && known.length === ctx.layout.length;
  const opDigests = traced
    ? nodeDigests(nodes, reuse ? (known as readonly Digest[]) : [], tape.nodes, ctx.scheme)
    : undefined;
  const afterDigests = opDigests ? pickAll(opDigests, outputIds) : tensorDigestsOf(after.tensors, ctx.scheme);
  const record: StepRecord = {
    step,
    stateBefore:
      opts.stateBeforeDigest === undefined ? stateDigest(state, ctx.scheme) : now(opts.stateBeforeDigest),
    stateAfter: merkleRoot(afterDigests),
    batchDigest: batchDigest(indices),
    loss,
    ...(opts.mode === 'trace' && opDigests
      ? { opRoot: merkleRoot(opDigests), opCount: opDigests.length }
      : {}),
  };
  if (opts.mode === 'fast' && !opts.keepTape && !opts.tamper)
    recycleStep(nodes, liveBuffers(nodes, after), opts.recycle);
  return {
    record,
    after,
    batch: indices,
    ...(opDigests ? { opDigests } : {}),
    ...(opts.keepTape ? { nodes } : {}),
    ...(metrics ? { metrics } : {}),
    outputIds,
    lossId,
    afterDigests,
    nodeCount: nodes.length,
    flops: tapeFlops(nodes),
  };
}

/** Digest of every node: the known state-leaf digests where the leaf is untampered, the rest hashed in one batch. */
function nodeDigests(
  nodes: readonly TapeNode[],
  known: readonly Digest[],
  tapeNodes: readonly TapeNode[],
  scheme: TensorDigestScheme,
): Digest[] {
  const fresh = nodes.flatMap((n, i) => (i < known.length && n === tapeNodes[i] ? [] : [i]));
  const hashed = tensorDigestsOf(
    fresh.map((i) => nodes[i].out),
    scheme,
  );
  const out = nodes.map((_, i) => known[i]);
  fresh.forEach((i, k) => {
    out[i] = hashed[k];
  });
  return out;
}

/**
 * A step whose digests are computed on a queue (another thread): the state-after tensors (fast mode) or
 * every tape node (trace mode) not already known are submitted; the state leaves' digests come from
 * `stateTensorDigests` when `finish()` runs (they may be the previous step's, still on the queue now).
 * The same digests as the inline path, placed by node index, so the same record.
 */
function deferredStep(
  ctx: TrainContext,
  state: TrainState,
  step: number,
  opts: StepOptions,
  queue: TensorDigestQueue,
  r: {
    indices: Uint32Array;
    nodes: readonly TapeNode[];
    tapeNodes: readonly TapeNode[];
    after: TrainState;
    loss: number;
    lossId: number;
    outputIds: readonly number[];
    metrics: StepMetrics | undefined;
  },
): StepResult {
  const n = r.nodes.length;
  const traced = opts.mode === 'trace';
  const L = ctx.layout.length;
  // Node indices whose digests the record needs: every node (trace) or the state after (fast).
  const wanted = traced ? indicesTo(n) : [...new Set(r.outputIds)];
  // Untampered state leaves are left to `stateTensorDigests` when the caller has them.
  const { leaves, missing } = splitKnownLeaves(
    wanted,
    opts.stateTensorDigests !== undefined ? L : 0,
    r.nodes,
    r.tapeNodes,
  );
  // What outlives the step (null with a tamper hook: then everything is copied and nothing recycled).
  const live = opts.tamper ? null : liveBuffers(r.nodes, r.after);
  const ticket = queue.submit(outputsOf(r.nodes, missing), custodyOf(r.nodes, missing, live), ctx.scheme);
  // The queue has its copies now: as in the inline fast path, the intermediates go back to the pool.
  if (!traced && live) recycleStep(r.nodes, live, opts.recycle);
  // Trace mode: the queue reads the outputs until `take`, so the spent state goes back then (see `recycle`).
  const spent = traced && live ? (opts.recycle ?? []).filter((t) => !live.has(t.data.buffer)) : [];
  // Without a known digest the state before is hashed now (it is the caller's, so it may change later).
  const stateBefore = opts.stateBeforeDigest ?? stateDigest(state, ctx.scheme);
  const batch = batchDigest(r.indices);
  const base = {
    after: r.after,
    batch: r.indices,
    outputIds: r.outputIds,
    lossId: r.lossId,
    nodeCount: n,
    flops: tapeFlops(r.nodes),
    ...(r.metrics ? { metrics: r.metrics } : {}),
  };
  return pendingStep(queue, ticket, base, {
    step,
    traced,
    n,
    L,
    missing,
    leaves,
    batch,
    loss: r.loss,
    scheme: ctx.scheme,
    job: {
      stateBefore,
      known: opts.stateTensorDigests,
      leafTensors: outputsOf(r.nodes, leaves),
      spent: spent.map((t) => t.data),
    },
  });
}

/**
 * The pending result of `deferredStep`, in its own function so that its closures see only what finishing
 * needs (V8 closures of one function share their captured variables: the tape would stay alive). `job` is
 * dropped once finished, so a chain of steps linked by `chainedTo` does not keep its predecessors.
 */
function pendingStep(
  queue: TensorDigestQueue,
  ticket: number,
  base: Omit<StepResult, 'record' | 'afterDigests' | 'finish'>,
  p: {
    step: number;
    traced: boolean;
    n: number;
    L: number;
    missing: readonly number[];
    leaves: readonly number[];
    batch: Digest;
    loss: number;
    scheme: TensorDigestScheme;
    job: {
      stateBefore: Later<Digest>;
      known: Later<readonly Digest[]> | undefined;
      leafTensors: Tensor[];
      spent: Float32Array[];
    };
  },
): StepResult {
  let job: typeof p.job | null = p.job;
  const { step, traced, n, L, missing, leaves, batch, loss, scheme } = p;
  let done: StepResult | null = null;
  const finish = (): StepResult => {
    if (done) return done;
    const j = job as NonNullable<typeof job>;
    const digests: Digest[] = new Array(n);
    const got = queue.take(ticket);
    if (j.spent.length > 0) returnBuffers(j.spent);
    for (let k = 0; k < missing.length; k++) digests[missing[k]] = got[k];
    if (leaves.length > 0) {
      const known = now(j.known as Later<readonly Digest[]>);
      const ok = known.length === L;
      for (let k = 0; k < leaves.length; k++)
        digests[leaves[k]] = ok ? known[leaves[k]] : tensorDigest(j.leafTensors[k], scheme);
    }
    const afterDigests = pickAll(digests, base.outputIds);
    const record: StepRecord = {
      step,
      stateBefore: now(j.stateBefore),
      stateAfter: merkleRoot(afterDigests),
      batchDigest: batch,
      loss,
      ...(traced ? { opRoot: merkleRoot(digests), opCount: n } : {}),
    };
    done = { ...base, record, afterDigests, ...(traced ? { opDigests: digests } : {}) };
    job = null;
    return done;
  };
  return {
    ...base,
    get record() {
      return finish().record;
    },
    get afterDigests() {
      return finish().afterDigests;
    },
    finish,
  };
}

/*
 * Per-step loops over the tape are plain loops or these module-level functions, not closures made in each
 * step: V8 keeps a closure's optimized code only while some instance of it lives, so a closure created
 * per step was re-optimized after every major collection (≈ 140 background Turbofan compiles per 40
 * nanoGPT steps, ≈ 7 ms of the second core per step) and ran unoptimized in between.
 */

/** 0, 1, …, n − 1. */
function indicesTo(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** items[ids[k]] for each k. */
function pickAll<T>(items: readonly T[], ids: readonly number[]): T[] {
  const out = new Array<T>(ids.length);
  for (let k = 0; k < ids.length; k++) out[k] = items[ids[k]];
  return out;
}

/** The output tensors of nodes `ids`. */
function outputsOf(nodes: readonly TapeNode[], ids: readonly number[]): Tensor[] {
  const out = new Array<Tensor>(ids.length);
  for (let k = 0; k < ids.length; k++) out[k] = nodes[ids[k]].out;
  return out;
}

/**
 * `wanted` split into untampered state leaves (index < L and the node the tape recorded: their digests are
 * the caller's) and the rest, each in `wanted`'s order.
 */
function splitKnownLeaves(
  wanted: readonly number[],
  L: number,
  nodes: readonly TapeNode[],
  tapeNodes: readonly TapeNode[],
): { leaves: number[]; missing: number[] } {
  const leaves: number[] = [];
  const missing: number[] = [];
  for (const i of wanted) (i < L && nodes[i] === tapeNodes[i] ? leaves : missing).push(i);
  return { leaves, missing };
}

/**
 * What the queue may do with each submitted tensor (core/hash/sha256.ts Custody): take an op output
 * nothing reads after the step ('give'); read in place what lives on — leaves (parameters, optimizer
 * state, data, model constants) and the state after ('lend': tensors are immutable). With a tamper hook
 * (`live` null) everything is copied (a hook may hand back the same tensor every step and change it).
 */
function custodyOf(
  nodes: readonly TapeNode[],
  missing: readonly number[],
  live: ReadonlySet<ArrayBufferLike> | null,
): Custody[] {
  const out: Custody[] = new Array(missing.length);
  for (let k = 0; k < missing.length; k++) {
    const node = nodes[missing[k]];
    const b = node.out.data.buffer;
    // A worker's micro-batch output lives in its shared arena (MicroBatchWorkers), never in the op pool.
    out[k] =
      live === null
        ? 'copy'
        : node.op === 'leaf' || live.has(b) || !(b instanceof ArrayBuffer)
          ? 'lend'
          : 'give';
  }
  return out;
}

/**
 * The buffers that outlive a step: the leaves' (the state before is leaves 0 … L−1 of an untampered tape,
 * the batch, model constants) and the state after's. Compared by buffer: a reshape or a view shares its
 * input's.
 */
function liveBuffers(nodes: readonly TapeNode[], after: TrainState): Set<ArrayBufferLike> {
  const kept = new Set<ArrayBufferLike>(after.tensors.map((t) => t.data.buffer));
  for (const n of nodes) if (n.op === 'leaf') kept.add(n.out.data.buffer);
  return kept;
}

/** The step's metrics from its (possibly tampered) tape nodes: what the committed values must equal. */
function metricsOf(
  ctx: TrainContext,
  before: TrainState,
  after: TrainState,
  nodes: readonly TapeNode[],
  probes: StepProbes,
): StepMetrics {
  const nParams = ctx.model.params.length;
  return computeStepMetrics({
    lr: ctx.task.optimizer.lr,
    grads: probes.gradIds.map((id) => nodes[id].out),
    paramsBefore: before.tensors.slice(0, nParams),
    paramsAfter: after.tensors.slice(0, nParams),
    logits: probes.logitsIds.map((id) => nodes[id].out),
    targets: probes.targetsIds.map((id) => nodes[id].out),
  });
}

/** Sum of the registry's flop counts over the non-leaf nodes. */
export function tapeFlops(nodes: readonly TapeNode[]): number {
  let f = 0;
  for (const n of nodes) {
    if (n.op !== 'leaf')
      f += getOp(n.op).flops(
        n.inputs.map((i) => nodes[i].out.shape),
        n.attrs,
      );
  }
  return f;
}

/** A finished fast step's intermediate buffers back to the op buffer pool: every node output whose buffer
 * is not in `kept` (the step's `liveBuffers`), and those of the caller's spent tensors (`recycle`). Nothing
 * else holds them: without keepTape or a tamper hook (the only callers) the tape dies with this step. */
function recycleStep(
  nodes: readonly TapeNode[],
  kept: ReadonlySet<ArrayBufferLike>,
  spent: readonly Tensor[] = [],
): void {
  const give = new Map<ArrayBufferLike, Float32Array>();
  for (const n of nodes) {
    const d = n.out.data;
    if (!kept.has(d.buffer)) give.set(d.buffer, d);
  }
  for (const t of spent) if (!kept.has(t.data.buffer)) give.set(t.data.buffer, t.data);
  recycleBuffers(give.values());
}
