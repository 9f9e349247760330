/**
 * Adapter: a core/train task (RepOps model, optimizer, data order) as a DisputeTask, plus a party that
 * answers from a proof bundle. The public structure of step t (ops, inputs, attrs, shapes) and its data
 * leaves come from recording step t once from the initial state: the structure does not depend on the
 * values (attrs such as Adam's step counter depend only on t). That recording is how anyone holding the
 * task spec derives the graph; it is not counted as referee work (the referee recomputes one op).
 */
import type { Digest } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';
import type { LoadedBundle } from '../proof/read.ts';
import { getOp } from '../repops/registry.ts';
import type { Tensor } from '../repops/tensor.ts';
import { runStep, type TrainContext } from '../train/step.ts';
import type { TaskSpec } from '../train/task.ts';
import { initialState, prepareTask } from '../train/train.ts';
import { executeStep, type PartyTrace, type StepExecution } from './execute.ts';
import { TraceParty } from './party.ts';
import { stepRecordDigest } from './record.ts';
import type { DisputeTask } from './task.ts';
import type { GraphNode, NodePhase, StateSlot, StepGraph, StepRecord } from './types.ts';

interface StepInfo {
  graph: StepGraph;
  data: Map<number, Tensor>;
  batchDigest: Digest;
  lossId: number;
}

/** A RepOps training task as a dispute task (graph, data and recompute from core/train and core/repops). */
export function repopsTask(
  spec: TaskSpec,
  ctx: TrainContext = prepareTask(spec),
): DisputeTask & { readonly ctx: TrainContext } {
  const init = initialState(ctx);
  const cache = new Map<number, StepInfo>();
  const info = (t: number): StepInfo => {
    const hit = cache.get(t);
    if (hit) return hit;
    if (!Number.isInteger(t) || t < 0) throw new RangeError(`task ${spec.name}: no step ${t}`);
    const s = runStep(ctx, init, t, { mode: 'fast', keepTape: true });
    const nodes = s.nodes ?? [];
    const graphNodes: GraphNode[] = nodes.map((n) => ({
      op: n.op,
      inputs: [...n.inputs],
      attrs: n.attrs,
      phase: n.phase as NodePhase,
      shape: [...n.out.shape],
      ...(n.label ? { label: n.label } : {}),
    }));
    const slots: StateSlot[] = ctx.layout.map((e, k) => ({
      name: e.name,
      leaf: nodes.findIndex((n) => n.op === 'leaf' && n.attrs.name === e.name && n.attrs.kind === e.kind),
      out: s.outputIds[k],
    }));
    const data = new Map<number, Tensor>();
    nodes.forEach((n, i) => {
      if (
        n.op === 'leaf' &&
        (n.attrs.kind === 'data' || n.attrs.kind === 'target' || n.attrs.kind === 'const')
      )
        data.set(i, n.out);
    });
    const v: StepInfo = {
      graph: { nodes: graphNodes, slots },
      data,
      batchDigest: s.record.batchDigest,
      lossId: s.lossId,
    };
    // Keep a handful of steps: executeRun walks forward, a dispute asks about one step.
    if (cache.size >= 8) cache.delete(cache.keys().next().value as number);
    cache.set(t, v);
    return v;
  };
  return {
    name: spec.name,
    steps: spec.steps,
    slotNames: ctx.layout.map((e) => e.name),
    scheme: ctx.scheme,
    ctx,
    initialState: () => init.tensors.map((t) => ({ shape: [...t.shape], data: t.data.slice() })),
    graph: (t) => info(t).graph,
    dataLeaf: (t, i) => {
      const d = info(t).data.get(i);
      if (!d) throw new Error(`task ${spec.name}: node ${i} of step ${t} is not a data leaf`);
      return d;
    },
    batchDigest: (t) => info(t).batchDigest,
    recompute: (op, attrs, inputs) => getOp(op).forward(inputs, attrs),
    flops: (op, attrs, shapes) => getOp(op).flops(shapes, attrs),
    lossNode: (t) => info(t).lossId,
  };
}

/**
 * A proof bundle as a party's trace: records and run root from the manifest, the state before a step
 * replayed from the bundle's nearest checkpoint, and (trace mode) the op digests stored in the bundle. A
 * bundle whose stored digests are not backed by its checkpoints fails its own membership proofs and loses.
 */
export class BundleTrace implements PartyTrace {
  readonly steps: number;
  readonly root: Digest;
  readonly records: readonly StepRecord[];
  readonly recordDigests: readonly Digest[];
  private readonly states = new Map<number, readonly Tensor[]>();
  private cached: StepExecution | null = null;

  constructor(
    readonly task: DisputeTask,
    readonly bundle: LoadedBundle,
  ) {
    this.records = bundle.manifest.steps;
    this.recordDigests = this.records.map(stepRecordDigest);
    this.root = merkleRoot(this.recordDigests);
    this.steps = this.records.length;
  }

  stateBefore(t: number): readonly Tensor[] {
    const hit = this.states.get(t);
    if (hit) return hit;
    let from = -1;
    for (const c of this.bundle.checkpointSteps) if (c <= t && c > from) from = c;
    if (from < 0) throw new Error(`${this.bundle.file}: no checkpoint at or before step ${t}`);
    let k = from;
    let s: readonly Tensor[] = this.bundle.checkpoint(from).tensors;
    for (const [j, st] of this.states) if (j <= t && j > k) [k, s] = [j, st];
    for (; k < t; k++) s = executeStep(this.task, k, s, 'fast').stateAfter;
    this.states.set(t, s);
    return s;
  }

  step(t: number): StepExecution {
    if (this.cached?.step === t) return this.cached;
    const ex = executeStep(this.task, t, this.stateBefore(t), this.bundle.manifest.mode);
    const stored = this.bundle.opDigests(t);
    this.cached = stored ? { ...ex, digests: stored } : ex;
    return this.cached;
  }
}

export function bundleParty(name: string, task: DisputeTask, bundle: LoadedBundle): TraceParty {
  return new TraceParty(name, new BundleTrace(task, bundle));
}
