/**
 * Adversarial training behaviours as execution hooks (core/dispute/execute.ts ExecHooks). Each returns
 * a deterministic deviation from honest training; the cheater then answers the dispute consistently with
 * what it committed (core/attacks/parties.ts adds cheaters who also lie in the dispute).
 */
import type { ExecHooks } from '../dispute/execute.ts';
import type { DisputeTask } from '../dispute/task.ts';
import type { StepGraph } from '../dispute/types.ts';
import type { Tensor } from '../repops/tensor.ts';

function withData(t: Tensor, data: Float32Array): Tensor {
  return { shape: [...t.shape], data };
}

/** Adds `ulps` to the bit pattern of element e (wrapping the index; turns back rather than reach NaN/Inf). */
export function bumpUlps(t: Tensor, element: number, ulps: number): Tensor {
  const data = t.data.slice();
  if (data.length === 0) return withData(t, data);
  const bits = new Uint32Array(data.buffer);
  const k = ((element % data.length) + data.length) % data.length;
  const orig = bits[k];
  bits[k] = (orig + ulps) >>> 0;
  if (!Number.isFinite(data[k])) bits[k] = (orig - ulps) >>> 0;
  return withData(t, data);
}

export function scaleTensor(t: Tensor, s: number): Tensor {
  const data = new Float32Array(t.data.length);
  const fs = Math.fround(s);
  for (let k = 0; k < data.length; k++) data[k] = Math.fround(t.data[k] * fs);
  return withData(t, data);
}

/** Alter one op output at (step, index) by `ulps` units in the last place of one element. */
export function alterOp(step: number, index: number, element = 0, ulps = 1): ExecHooks {
  return { op: (s, i, _n, out) => (s === step && i === index ? bumpUlps(out, element, ulps) : undefined) };
}

/** Nodes producing a state slot (the optimizer's outputs), by node index. */
export function slotProducers(graph: StepGraph): Map<number, number> {
  const m = new Map<number, number>();
  for (const [k, s] of graph.slots.entries()) m.set(s.out, k);
  return m;
}

/** Lazy with the task's graph: skipped steps keep every state slot at its value before the step. */
export function lazy(task: DisputeTask, fromStep: number, every = 1): ExecHooks {
  return {
    op: (s, i, _n, _out, _inputs, outputs) => {
      if (s < fromStep || (s - fromStep) % every !== 0) return undefined;
      const g = task.graph(s);
      const slot = slotProducers(g).get(i);
      if (slot === undefined || g.slots[slot].leaf < 0) return undefined;
      return outputs[g.slots[slot].leaf];
    },
  };
}

/** Hidden weight perturbation: at `step`, the param leaf of `slot` uses a perturbed value; the record keeps the honest state digest. */
export function perturbWeight(
  task: DisputeTask,
  step: number,
  slot: number,
  element: number,
  delta: number,
): ExecHooks {
  return {
    leaf: (s, i, _n, value) => {
      if (s !== step || task.graph(s).slots[slot]?.leaf !== i) return undefined;
      const data = value.data.slice();
      const k = element % data.length;
      data[k] = Math.fround(data[k] + delta);
      return withData(value, data);
    },
  };
}

/** Stale checkpoint: at `step` the cheater resumes from the state it had `back` steps earlier. */
export function staleCheckpoint(step: number, back: number): ExecHooks {
  const seen: (readonly Tensor[])[] = [];
  return {
    state: (s, state) => {
      seen[s] = state;
      return s === step ? seen[Math.max(0, s - back)] : undefined;
    },
  };
}

/** Forged checkpoint: at `step` the state is replaced by made-up values (every element + `delta`). */
export function forgedCheckpoint(step: number, delta = 0.25): ExecHooks {
  return {
    state: (s, state) =>
      s === step
        ? state.map((t) => {
            const data = new Float32Array(t.data.length);
            for (let k = 0; k < data.length; k++) data[k] = Math.fround(t.data[k] + delta);
            return withData(t, data);
          })
        : undefined,
  };
}

/** Wrong data batch: at `step` the data/target leaves hold step `useStep`'s batch; the record claims the right batch. */
export function wrongBatch(task: DisputeTask, step: number, useStep: number): ExecHooks {
  return {
    leaf: (s, i, n) => {
      if (s !== step) return undefined;
      const kind = n.attrs.kind;
      return kind === 'data' || kind === 'target' ? task.dataLeaf(useStep, i) : undefined;
    },
  };
}

/** Wrong data batch, declared: the record states the batch digest of `useStep` (and uses that batch). */
export function declaredWrongBatch(task: DisputeTask, step: number, useStep: number): ExecHooks {
  const hidden = wrongBatch(task, step, useStep);
  return {
    ...hidden,
    record: (s, r) => (s === step ? { ...r, batchDigest: task.batchDigest(useStep) } : undefined),
  };
}

/** Gradient scaling: from `fromStep`, every gradient the optimizer consumes is multiplied by `factor`. */
export function gradientScaling(task: DisputeTask, fromStep: number, factor: number): ExecHooks {
  const feedsOptimizer = (g: StepGraph, i: number): boolean =>
    g.nodes[i].phase === 'backward' &&
    g.nodes.some((n) => n.phase === 'optimizer' && n.op !== 'concat' && n.inputs.includes(i));
  return {
    op: (s, i, n, out) =>
      s >= fromStep && n.phase === 'backward' && feedsOptimizer(task.graph(s), i)
        ? scaleTensor(out, factor)
        : undefined,
  };
}

/** Combine hooks (applied in order; the first that returns a value wins per call). */
export function combine(...hs: ExecHooks[]): ExecHooks {
  return {
    state: (s, st) =>
      hs.reduce<readonly Tensor[] | undefined>((acc, h) => acc ?? h.state?.(s, st), undefined),
    leaf: (s, i, n, v) => hs.reduce<Tensor | undefined>((acc, h) => acc ?? h.leaf?.(s, i, n, v), undefined),
    op: (s, i, n, o, ins, outs) =>
      hs.reduce<Tensor | undefined>((acc, h) => acc ?? h.op?.(s, i, n, o, ins, outs), undefined),
    record: (s, r) =>
      hs.reduce(
        (acc, h) => h.record?.(s, acc ?? r) ?? acc,
        undefined as ReturnType<NonNullable<ExecHooks['record']>>,
      ),
  };
}
