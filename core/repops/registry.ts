/**
 * The op registry: every forward op, every VJP component and every optimizer update is a named,
 * pure, deterministic `OpDef`. The referee of a dispute recomputes one recorded node with
 * `getOp(node.op).forward(inputs, node.attrs)`, so nothing an op computes may depend on anything but
 * its input tensors and its JSON-safe attrs.
 */
import { OPS } from './registry-store.ts';
import type { Var } from './tape.ts';
import { RepOpsError, type Shape, type Tensor } from './tensor.ts';
// Registers every op (side effect), so `getOp` works whichever RepOps module a caller imports first.
// The storage lives in registry-store.ts (imported above), so this import cycle never reads an
// uninitialised binding.
import './ops/all.ts';

export type AttrScalar = number | string | boolean;
export type AttrValue = AttrScalar | readonly AttrScalar[];
/** JSON-safe op attributes (numbers, strings, booleans and flat arrays of those). */
export type Attrs = Readonly<Record<string, AttrValue>>;

/**
 * What a VJP gets: the recorded input and output vars of the forward node, the incoming gradient (a var
 * on the same tape) and which inputs need a gradient. It returns one gradient var per input (or null),
 * recorded through the functional API — so each gradient is itself a registered op node.
 */
export interface VjpContext {
  readonly inputs: readonly Var[];
  readonly out: Var;
  readonly grad: Var;
  readonly attrs: Attrs;
  readonly needs: readonly boolean[];
}

export interface OpDef {
  readonly name: string;
  /** Number of tensor inputs (fixed arity; optional inputs are separate ops, e.g. matmul vs linear). */
  readonly arity: number;
  /** Pure, deterministic forward. Validates its inputs and attrs and throws RepOpsError on bad ones. */
  forward(inputs: readonly Tensor[], attrs: Attrs): Tensor;
  /** Output shape from input shapes and attrs (throws RepOpsError on mismatch). */
  shape(inputShapes: readonly Shape[], attrs: Attrs): Shape;
  /** Floating-point operations (one per binary32 + − × ÷ sqrt; transcendentals count as 1). */
  flops(inputShapes: readonly Shape[], attrs: Attrs): number;
  /** Records the backward pass as other registered ops; absent for ops with no gradient. */
  vjp?(ctx: VjpContext): (Var | null)[];
  /** Which inputs can carry a gradient (defaults to all). Integer-valued inputs (targets, ids) cannot. */
  readonly differentiable?: readonly boolean[];
  /** Human-readable spec note: the exact arithmetic order (mirrored in SPEC.md). */
  readonly spec: string;
}

export function registerOp(def: OpDef): OpDef {
  if (OPS.has(def.name)) throw new RepOpsError(def.name, 'op registered twice');
  OPS.set(def.name, def);
  return def;
}

export function getOp(name: string): OpDef {
  const def = OPS.get(name);
  if (!def) throw new RepOpsError(String(name), 'unknown op (not in the RepOps registry)');
  return def;
}

export function hasOp(name: string): boolean {
  return OPS.has(name);
}

/** All registered op names, sorted. */
export function listOps(): string[] {
  return [...OPS.keys()].sort();
}
