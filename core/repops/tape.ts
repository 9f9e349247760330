/**
 * The autograd tape: the recorded graph that training commits to and that disputes bisect.
 * Nodes are appended in execution order, so ids are a topological order (= index in `tape.nodes`).
 * Forward ops, every VJP component, gradient accumulation (`add`) and optimizer updates are all nodes
 * of registered ops, so the referee can recompute any node from its inputs alone:
 *   getOp(n.op).forward(n.inputs.map(i => nodes[i].out), n.attrs)  ≡bitwise≡  n.out
 * A tape created with `record: false` runs exactly the same op code (same bits) but keeps no nodes:
 * use it for inference and evaluation.
 */
import { NO_ATTRS, sealAttrs } from './attrs.ts';
import { type Attrs, getOp } from './registry.ts';
import { RepOpsError, type Tensor } from './tensor.ts';
import { checkTensor, fmtShape, shapesEqual } from './util.ts';

export type Phase = 'leaf' | 'forward' | 'backward' | 'optimizer';
export type LeafKind = 'param' | 'state' | 'data' | 'target' | 'const';

export interface TapeNode {
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly number[];
  readonly attrs: Attrs;
  readonly out: Tensor;
  readonly phase: Phase;
  readonly label?: string;
}

export interface Tape {
  readonly nodes: TapeNode[];
  readonly record: boolean;
  /** Phase stamped on nodes recorded now ('forward' by default; backward/optimizers switch it). */
  phase: Exclude<Phase, 'leaf'>;
  /** requiresGrad per node id (recording tapes only). */
  readonly requiresGrad: boolean[];
  /** Optional label prefix for nodes recorded now (e.g. 'layer1'); see `withLabel`. */
  labelPrefix: string;
}

/** A value on a tape: the node id (-1 on a non-recording tape) and its output tensor. */
export interface Var {
  readonly tape: Tape;
  readonly id: number;
  readonly out: Tensor;
  readonly requiresGrad: boolean;
}

export interface TapeOptions {
  /** false = eager mode: same ops, same bits, nothing kept (inference). Default true. */
  record?: boolean;
}

export function createTape(options: TapeOptions = {}): Tape {
  return { nodes: [], record: options.record ?? true, phase: 'forward', requiresGrad: [], labelPrefix: '' };
}

export interface LeafOptions {
  kind: LeafKind;
  name: string;
  /** Defaults to kind === 'param'. */
  requiresGrad?: boolean;
}

const LEAF_KINDS: readonly LeafKind[] = ['param', 'state', 'data', 'target', 'const'];

/** Adds a leaf (parameter, optimizer state, batch data, target or constant) to the tape. */
export function leaf(tape: Tape, t: Tensor, options: LeafOptions): Var {
  checkTensor('leaf', t);
  if (!LEAF_KINDS.includes(options.kind))
    throw new RepOpsError('leaf', `unknown leaf kind ${String(options.kind)}`);
  if (typeof options.name !== 'string') throw new RepOpsError('leaf', 'leaf name must be a string');
  const requiresGrad = options.requiresGrad ?? options.kind === 'param';
  if (!tape.record) return { tape, id: -1, out: t, requiresGrad: false };
  const id = tape.nodes.length;
  tape.nodes.push({
    id,
    op: 'leaf',
    inputs: [],
    attrs: { kind: options.kind, name: options.name },
    out: t,
    phase: 'leaf',
  });
  tape.requiresGrad.push(requiresGrad);
  return { tape, id, out: t, requiresGrad };
}

/** Runs registered op `op` on vars of one tape, recording a node when the tape records. */
export function apply(op: string, inputs: readonly Var[], attrs: Attrs = NO_ATTRS, label?: string): Var {
  const def = getOp(op);
  if (!Array.isArray(inputs)) throw new RepOpsError(op, 'inputs must be an array of vars');
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) {
    throw new RepOpsError(op, 'attrs must be a plain object');
  }
  if (inputs.length === 0)
    throw new RepOpsError(op, 'needs at least one input var (the tape comes from the inputs)');
  const tape = inputs[0].tape;
  const tensors = new Array<Tensor>(inputs.length);
  for (let k = 0; k < inputs.length; k++) {
    const v = inputs[k];
    if (!v || v.tape !== tape) throw new RepOpsError(op, 'all inputs must be vars of the same tape');
    tensors[k] = v.out;
  }
  // A frozen copy (or the caller's own deeply frozen object) so later mutation by the caller cannot
  // change a recorded node.
  attrs = sealAttrs(op, attrs);
  const out = def.forward(tensors, attrs);
  if (!tape.record) return { tape, id: -1, out, requiresGrad: false };
  const diff = def.differentiable;
  let requiresGrad = false;
  const ids = new Array<number>(inputs.length);
  for (let k = 0; k < inputs.length; k++) {
    ids[k] = inputs[k].id;
    if (inputs[k].requiresGrad && (diff ? diff[k] !== false : true)) requiresGrad = true;
  }
  const id = tape.nodes.length;
  const fullLabel = tape.labelPrefix ? (label ? `${tape.labelPrefix}/${label}` : tape.labelPrefix) : label;
  const node: TapeNode = fullLabel
    ? { id, op, inputs: ids, attrs, out, phase: tape.phase, label: fullLabel }
    : { id, op, inputs: ids, attrs, out, phase: tape.phase };
  tape.nodes.push(node);
  tape.requiresGrad.push(requiresGrad);
  return { tape, id, out, requiresGrad };
}

/** Runs `fn` with nodes labelled `prefix/...` (nested prefixes join with '/'). */
export function withLabel<T>(tape: Tape, prefix: string, fn: () => T): T {
  const saved = tape.labelPrefix;
  tape.labelPrefix = saved ? `${saved}/${prefix}` : prefix;
  try {
    return fn();
  } finally {
    tape.labelPrefix = saved;
  }
}

/** Runs `fn` with new nodes stamped with `phase`. */
export function withPhase<T>(tape: Tape, phase: Exclude<Phase, 'leaf'>, fn: () => T): T {
  const saved = tape.phase;
  tape.phase = phase;
  try {
    return fn();
  } finally {
    tape.phase = saved;
  }
}

/** The var of an existing node (e.g. to continue from a recorded value). */
export function varOf(tape: Tape, id: number): Var {
  const n = tape.nodes[id];
  if (!n) throw new RepOpsError('tape', `no node ${id}`);
  return { tape, id, out: n.out, requiresGrad: tape.requiresGrad[id] };
}

/**
 * Reverse-mode autodiff from a scalar loss. Records (phase 'backward'): a `ones_like` seed, then for each
 * node in decreasing id order that has a gradient, its VJP components in input order; a second
 * contribution to the same node is accumulated immediately as `add(previous, new)`. Parameters the loss
 * does not depend on get a `zeros_like` gradient. Returns gradient vars keyed by leaf id, for every
 * leaf with requiresGrad, in increasing leaf id.
 */
export function backward(tape: Tape, loss: Var): Map<number, Var> {
  if (!tape.record) throw new RepOpsError('backward', 'tape is not recording (created with record: false)');
  if (loss.tape !== tape || !tape.nodes[loss.id])
    throw new RepOpsError('backward', 'loss is not a var of this tape');
  if (loss.out.data.length !== 1) {
    throw new RepOpsError(
      'backward',
      `loss must have exactly one element, got shape ${fmtShape(loss.out.shape)}`,
    );
  }
  // The pass is a module-level function, not the closure's body: V8 drops the optimized code of a closure
  // once no instance of it lives, and this one was made per call (re-optimized after each collection).
  return withPhase(tape, 'backward', () => backwardPass(tape, loss));
}

/** backward's recording, in phase 'backward'. */
function backwardPass(tape: Tape, loss: Var): Map<number, Var> {
  const grads: (Var | undefined)[] = new Array(loss.id + 1);
  grads[loss.id] = apply('ones_like', [loss]);
  for (let id = loss.id; id >= 0; id--) {
    const g = grads[id];
    const node = tape.nodes[id];
    if (!g || node.phase === 'leaf' || !tape.requiresGrad[id]) continue;
    const def = getOp(node.op);
    const inputs: Var[] = [];
    const needs: boolean[] = [];
    const diff = def.differentiable;
    let anyNeeded = false;
    for (let k = 0; k < node.inputs.length; k++) {
      const v = varOf(tape, node.inputs[k]);
      const need = v.requiresGrad && (diff ? diff[k] !== false : true);
      inputs.push(v);
      needs.push(need);
      anyNeeded ||= need;
    }
    if (!anyNeeded) continue;
    if (!def.vjp) throw new RepOpsError(node.op, 'has no VJP but a gradient flows through it');
    const res = def.vjp({ inputs, out: varOf(tape, id), grad: g, attrs: node.attrs, needs });
    for (let k = 0; k < inputs.length; k++) {
      const r = res[k];
      if (!needs[k] || !r) continue;
      if (!shapesEqual(r.out.shape, inputs[k].out.shape)) {
        throw new RepOpsError(
          node.op,
          `VJP ${k} has shape ${fmtShape(r.out.shape)}, input has ${fmtShape(inputs[k].out.shape)}`,
        );
      }
      const j = node.inputs[k];
      const prev = grads[j];
      grads[j] = prev ? apply('add', [prev, r]) : r;
    }
  }
  const result = new Map<number, Var>();
  for (let id = 0; id < tape.nodes.length; id++) {
    const n = tape.nodes[id];
    if (n.phase !== 'leaf' || !tape.requiresGrad[id]) continue;
    result.set(id, grads[id] ?? apply('zeros_like', [varOf(tape, id)]));
  }
  return result;
}

/** Recomputes node `id` from its recorded inputs (what the dispute referee does). */
export function recomputeNode(nodes: readonly TapeNode[], id: number): Tensor {
  const n = nodes[id];
  if (!n) throw new RepOpsError('tape', `no node ${id}`);
  if (n.op === 'leaf') return n.out;
  return getOp(n.op).forward(
    n.inputs.map((i) => nodes[i].out),
    n.attrs,
  );
}

/** Checks the referee invariant on every node; returns the ids whose recomputation differs bitwise. */
export function checkTape(nodes: readonly TapeNode[]): number[] {
  const bad: number[] = [];
  for (const n of nodes) {
    if (n.op === 'leaf') continue;
    if (!bitwiseEqual(recomputeNode(nodes, n.id), n.out)) bad.push(n.id);
  }
  return bad;
}

/** Bitwise equality as the tensor digest sees it: same shape, same bits, all NaNs equal (canonicalised). */
export function bitwiseEqual(a: Tensor, b: Tensor): boolean {
  if (!shapesEqual(a.shape, b.shape) || a.data.length !== b.data.length) return false;
  const x = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length);
  const y = new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(Number.isNaN(a.data[i]) && Number.isNaN(b.data[i]))) return false;
  }
  return true;
}
