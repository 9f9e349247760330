/**
 * Internal (import RepOps through index.ts or registry.ts, not this file first).
 * `defineOp` wraps an op's kernel with input validation so every registered op rejects malformed
 * tensors, wrong arity and wrong dtypes with a RepOpsError naming the op and the shapes.
 */
import { type Attrs, type OpDef, registerOp, type VjpContext } from '../registry.ts';
import type { Var } from '../tape.ts';
import { RepOpsError, type Shape, type Tensor } from '../tensor.ts';
import { checkInputs, fmtShapes } from '../util.ts';

export interface OpSpec {
  name: string;
  /** Fixed number of inputs, or -1 for variadic (concat). */
  arity: number;
  shape(inputShapes: readonly Shape[], attrs: Attrs): Shape;
  /** Kernel: gets validated inputs and the output shape from `shape`. */
  compute(inputs: readonly Tensor[], attrs: Attrs, outShape: Shape): Float32Array;
  flops(inputShapes: readonly Shape[], attrs: Attrs): number;
  vjp?(ctx: VjpContext): (Var | null)[];
  differentiable?: readonly boolean[];
  spec: string;
}

export function defineOp(s: OpSpec): OpDef {
  const shapeChecked = (inputShapes: readonly Shape[], attrs: Attrs): Shape => {
    if (s.arity >= 0 && inputShapes.length !== s.arity) {
      throw new RepOpsError(s.name, `expects ${s.arity} input(s), got ${inputShapes.length}`);
    }
    if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) {
      throw new RepOpsError(s.name, 'attrs must be a plain object');
    }
    return s.shape(inputShapes, attrs);
  };
  return registerOp({
    name: s.name,
    arity: s.arity,
    spec: s.spec,
    differentiable: s.differentiable,
    shape: shapeChecked,
    flops: s.flops,
    vjp: s.vjp,
    forward(inputs, attrs) {
      checkInputs(s.name, inputs, s.arity);
      checkAttrs(s.name, attrs ?? {});
      const outShape = shapeChecked(
        inputs.map((t) => t.shape),
        attrs ?? {},
      );
      const data = s.compute(inputs, attrs ?? {}, outShape);
      return { shape: [...outShape], data };
    },
  });
}

/** Attrs must be JSON-safe: finite numbers, strings, booleans, or flat arrays of those. */
export function checkAttrs(op: string, attrs: Attrs): void {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs))
    throw new RepOpsError(op, 'attrs must be a plain object');
  for (const [k, v] of Object.entries(attrs)) {
    const vals = Array.isArray(v) ? v : [v];
    for (const x of vals) {
      const ok =
        typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
      if (!ok)
        throw new RepOpsError(
          op,
          `attr ${k} is not JSON-safe (finite numbers, strings, booleans): ${String(x)}`,
        );
    }
  }
}

/** Size of a shape. */
export function numel(s: Shape): number {
  let n = 1;
  for (const d of s) n *= d;
  return n;
}

export function mismatch(op: string, shapes: readonly Shape[], what: string): RepOpsError {
  return new RepOpsError(op, `${what} (shapes ${fmtShapes(shapes)})`);
}
