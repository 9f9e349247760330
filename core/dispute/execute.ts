/**
 * Executes a task's step graphs node by node (the referee invariant makes this bit-identical to the
 * trainer), optionally through adversarial hooks, and keeps what a party needs to answer a dispute: the
 * step records, the run root and the state before every step (a step's op outputs are recomputed on
 * demand, deterministically, with the same hooks — a "fast mode" party).
 */
import { tensorDigestsOf } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';
import type { Tensor } from '../repops/tensor.ts';
import { SubtreeHasher } from './merkle-descent.ts';
import { stepRecordDigest } from './record.ts';
import type { DisputeTask } from './task.ts';
import type { GraphNode, StepGraph, StepRecord } from './types.ts';

/** Adversarial deviations from honest execution (all optional, all deterministic). */
export interface ExecHooks {
  /** Replace the state a step starts from (stale or forged checkpoint: the record shows it). */
  state?(step: number, state: readonly Tensor[]): readonly Tensor[] | undefined;
  /** Replace a leaf's value while the record keeps the honest state/batch digest (hidden deviation). */
  leaf?(step: number, index: number, node: GraphNode, value: Tensor): Tensor | undefined;
  /** Replace an op's output (alter one op, scale gradients, skip the update …). */
  op?(
    step: number,
    index: number,
    node: GraphNode,
    out: Tensor,
    inputs: readonly Tensor[],
    outputs: readonly Tensor[],
  ): Tensor | undefined;
  /** Rewrite the committed step record. */
  record?(step: number, record: StepRecord): StepRecord | undefined;
}

export interface StepExecution {
  readonly step: number;
  readonly graph: StepGraph;
  readonly outputs: readonly Tensor[];
  readonly digests: readonly Digest[];
  readonly stateBefore: readonly Tensor[];
  readonly stateBeforeDigests: readonly Digest[];
  readonly stateAfter: readonly Tensor[];
  readonly stateAfterDigests: readonly Digest[];
  readonly record: StepRecord;
}

export function copyTensor(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data.slice() };
}

/** Runs one step from `state` (after the state hook has been applied by the caller). */
export function executeStep(
  task: DisputeTask,
  step: number,
  state: readonly Tensor[],
  mode: 'trace' | 'fast',
  hooks: ExecHooks = {},
): StepExecution {
  const graph = task.graph(step);
  const outputs: Tensor[] = [];
  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i];
    let out: Tensor;
    if (node.op === 'leaf') {
      const kind = node.attrs.kind;
      if (kind === 'param' || kind === 'state') {
        const slot = graph.slots.findIndex((s) => s.leaf === i);
        if (slot < 0) throw new Error(`task ${task.name}: step ${step} leaf ${i} reads no state slot`);
        out = state[slot];
      } else {
        out = task.dataLeaf(step, i);
      }
      out = hooks.leaf?.(step, i, node, out) ?? out;
    } else {
      const inputs = node.inputs.map((j) => outputs[j]);
      out = task.recompute(node.op, node.attrs, inputs);
      out = hooks.op?.(step, i, node, out, inputs, outputs) ?? out;
    }
    outputs.push(out);
  }
  const digests = tensorDigestsOf(outputs, task.scheme);
  const stateAfter = graph.slots.map((s) => outputs[s.out]);
  const stateBeforeDigests = tensorDigestsOf(state, task.scheme);
  const stateAfterDigests = graph.slots.map((s) => digests[s.out]);
  const lossIndex = task.lossNode?.(step);
  const loss = lossIndex === undefined ? 0 : outputs[lossIndex].data[0];
  let record: StepRecord = {
    step,
    stateBefore: merkleRoot(stateBeforeDigests),
    stateAfter: merkleRoot(stateAfterDigests),
    batchDigest: task.batchDigest(step),
    loss: Number.isFinite(loss) ? loss : 0,
    ...(mode === 'trace' ? { opRoot: new SubtreeHasher(digests).root(), opCount: digests.length } : {}),
  };
  record = hooks.record?.(step, record) ?? record;
  return {
    step,
    graph,
    outputs,
    digests,
    stateBefore: state,
    stateBeforeDigests,
    stateAfter,
    stateAfterDigests,
    record,
  };
}

/** What a TraceParty answers from (a RunTrace, or a proof bundle: core/dispute/repops-task.ts). */
export interface PartyTrace {
  readonly task: DisputeTask;
  readonly steps: number;
  readonly root: Digest;
  readonly records: readonly StepRecord[];
  readonly recordDigests: readonly Digest[];
  /** The state step t started from. */
  stateBefore(t: number): readonly Tensor[];
  /** Step t's execution (op outputs, digests, state after). */
  step(t: number): StepExecution;
}

/** A party's whole run: records, run root, the state before every step, and on-demand step replays. */
export class RunTrace implements PartyTrace {
  readonly task: DisputeTask;
  readonly mode: 'trace' | 'fast';
  readonly hooks: ExecHooks;
  readonly records: StepRecord[];
  readonly recordDigests: Digest[];
  /** states[t] = state the step t actually started from; states[T] = final state. */
  readonly states: (readonly Tensor[])[];
  readonly root: Digest;
  private cache: StepExecution | null = null;

  constructor(
    task: DisputeTask,
    mode: 'trace' | 'fast',
    hooks: ExecHooks,
    records: StepRecord[],
    states: (readonly Tensor[])[],
  ) {
    this.task = task;
    this.mode = mode;
    this.hooks = hooks;
    this.records = records;
    this.states = states;
    const hash = task.hashStepRecord ?? stepRecordDigest;
    this.recordDigests = records.map((r) => hash(r));
    this.root = new SubtreeHasher(this.recordDigests).root();
  }

  get steps(): number {
    return this.records.length;
  }

  stateBefore(t: number): readonly Tensor[] {
    return this.states[t];
  }

  /** Re-executes step t from its stored starting state with the same hooks (bit-identical). */
  step(t: number): StepExecution {
    if (this.cache?.step === t) return this.cache;
    if (!Number.isInteger(t) || t < 0 || t >= this.records.length)
      throw new RangeError(`step ${t} outside 0..${this.records.length - 1}`);
    this.cache = executeStep(this.task, t, this.states[t], this.mode, this.hooks);
    return this.cache;
  }
}

export interface ExecuteOptions {
  readonly mode?: 'trace' | 'fast';
  readonly hooks?: ExecHooks;
  /** Reuse this run's steps before `fromStep` (must have been run honestly with the same task and mode). */
  readonly base?: RunTrace;
  readonly fromStep?: number;
  /** Number of steps to run (default task.steps). */
  readonly steps?: number;
}

/** Trains (executes) a task, honestly or through hooks. */
export function executeRun(task: DisputeTask, options: ExecuteOptions = {}): RunTrace {
  const mode = options.mode ?? 'trace';
  const hooks = options.hooks ?? {};
  const T = options.steps ?? task.steps;
  const start = options.base ? Math.min(options.fromStep ?? 0, T) : 0;
  const records: StepRecord[] = options.base ? options.base.records.slice(0, start) : [];
  const states: (readonly Tensor[])[] = options.base
    ? options.base.states.slice(0, start + 1)
    : [task.initialState()];
  let state = states[start];
  for (let t = start; t < T; t++) {
    const used = hooks.state?.(t, state) ?? state;
    states[t] = used;
    const ex = executeStep(task, t, used, mode, hooks);
    records.push(ex.record);
    state = ex.stateAfter;
    states[t + 1] = state;
  }
  return new RunTrace(task, mode, hooks, records, states);
}
