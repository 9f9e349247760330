/**
 * Internal (import RepOps through index.ts or registry.ts, not this file first).
 * `defineOp` wraps an op's kernel with input validation so every registered op rejects malformed
 * tensors, wrong arity and wrong dtypes with a RepOpsError naming the op and the shapes.
 */
import { checkAttrs, NO_ATTRS } from '../attrs.ts';
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
    forward(inputs, given) {
      const attrs = given ?? NO_ATTRS;
      checkInputs(s.name, inputs, s.arity);
      checkAttrs(s.name, attrs);
      const shapes = new Array<Shape>(inputs.length);
      for (let i = 0; i < inputs.length; i++) shapes[i] = inputs[i].shape;
      const outShape = shapeChecked(shapes, attrs);
      const data = s.compute(inputs, attrs, outShape);
      return { shape: [...outShape], data };
    },
  });
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
