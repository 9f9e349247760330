/**
 * Validation and shape helpers shared by the op definitions. Every failure is a RepOpsError naming the
 * op and the offending shapes / attrs, so bad input never surfaces as a raw TypeError.
 */
import type { Attrs, AttrValue } from './registry.ts';
import { RepOpsError, type Shape, sizeOf, type Tensor } from './tensor.ts';

export const fround = Math.fround;

export function fmtShape(s: Shape): string {
  return `[${s.join(', ')}]`;
}

export function fmtShapes(shapes: readonly Shape[]): string {
  return shapes.map(fmtShape).join(' × ');
}

/** Checks arity and that each input is a well-formed binary32 tensor. */
export function checkInputs(op: string, inputs: readonly Tensor[], arity: number): void {
  if (!Array.isArray(inputs)) throw new RepOpsError(op, 'inputs must be an array of tensors');
  if (arity >= 0 && inputs.length !== arity) {
    throw new RepOpsError(op, `expects ${arity} input(s), got ${inputs.length}`);
  }
  for (let i = 0; i < inputs.length; i++) checkTensor(op, inputs[i], i);
}

export function checkTensor(op: string, t: Tensor, index = 0): void {
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape)) {
    throw new RepOpsError(op, `input ${index} is not a tensor`);
  }
  if (!(t.data instanceof Float32Array)) {
    const got = (t.data as object | undefined)?.constructor?.name ?? typeof t.data;
    throw new RepOpsError(op, `input ${index} has dtype ${got}; RepOps v1 supports float32 only`);
  }
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new RepOpsError(op, `input ${index} has invalid shape ${fmtShape(t.shape)}`);
  }
  if (sizeOf(t.shape) !== t.data.length) {
    throw new RepOpsError(
      op,
      `input ${index}: shape ${fmtShape(t.shape)} does not match ${t.data.length} values`,
    );
  }
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides of a contiguous shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** NumPy broadcasting of two shapes (aligned at the trailing axis). */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = i < r - a.length ? 1 : a[i - (r - a.length)];
    const db = i < r - b.length ? 1 : b[i - (r - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RepOpsError(op, `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` viewed at rank `rank` with 0 on broadcast (size-1 or missing) axes. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const r = outShape.length;
  const own = stridesOf(shape);
  const s = new Array<number>(r).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const j = i + (r - shape.length);
    s[j] = shape[i] === 1 && outShape[j] !== 1 ? 0 : own[i];
  }
  return s;
}

/** Resolves an axis (negative counts from the end) or throws naming the op. */
export function normAxis(op: string, axis: number, rank: number, shape?: Shape): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    const where = shape ? ` for shape ${fmtShape(shape)}` : ` for rank ${rank}`;
    throw new RepOpsError(op, `axis ${axis} out of range${where}`);
  }
  return axis < 0 ? axis + rank : axis;
}

function attr(op: string, attrs: Attrs, name: string): AttrValue | undefined {
  if (attrs === null || typeof attrs !== 'object') throw new RepOpsError(op, 'attrs must be an object');
  return attrs[name];
}

/** A finite number attr, rounded to binary32 (all RepOps hyperparameters are binary32 values). */
export function f32Attr(op: string, attrs: Attrs, name: string, dflt?: number): number {
  const v = attr(op, attrs, name) ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RepOpsError(op, `attr ${name} must be a finite number, got ${String(v)}`);
  }
  return fround(v);
}

export function intAttr(op: string, attrs: Attrs, name: string, dflt?: number, min = -2147483648): number {
  const v = attr(op, attrs, name) ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new RepOpsError(op, `attr ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  }
  return v;
}

export function boolAttr(op: string, attrs: Attrs, name: string, dflt: boolean): boolean {
  const v = attr(op, attrs, name) ?? dflt;
  if (typeof v !== 'boolean') throw new RepOpsError(op, `attr ${name} must be a boolean, got ${String(v)}`);
  return v;
}

/** Whether v is an array of integers (a loop: a closure made per call is re-optimized after each GC). */
function isIntegerList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (typeof x !== 'number' || !Number.isInteger(x)) return false;
  return true;
}

export function intListAttr(op: string, attrs: Attrs, name: string, dflt?: readonly number[]): number[] {
  const v = attr(op, attrs, name) ?? dflt;
  if (!isIntegerList(v)) {
    throw new RepOpsError(op, `attr ${name} must be an array of integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

export function shapeAttr(op: string, attrs: Attrs, name: string): number[] {
  const s = intListAttr(op, attrs, name);
  if (s.some((d) => d < 0)) throw new RepOpsError(op, `attr ${name} has a negative dimension ${fmtShape(s)}`);
  return s;
}

export function isScalarLike(s: Shape): boolean {
  return sizeOf(s) === 1;
}
