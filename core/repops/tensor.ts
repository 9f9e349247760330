/**
 * The RepOps tensor: IEEE binary32 values in a contiguous row-major Float32Array plus a shape.
 * A plain data type — ops are functions over it (see ops/ and SPEC.md).
 */
export type Shape = readonly number[];

export interface Tensor {
  readonly shape: Shape;
  readonly data: Float32Array;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: Shape, data?: ArrayLike<number> | Float32Array): Tensor {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RepOpsError('tensor', `invalid shape [${shape.join(', ')}]`);
  }
  const n = sizeOf(shape);
  const arr = data instanceof Float32Array ? data : data ? Float32Array.from(data) : new Float32Array(n);
  if (arr.length !== n) {
    throw new RepOpsError('tensor', `shape [${shape.join(', ')}] needs ${n} values, got ${arr.length}`);
  }
  return { shape: [...shape], data: arr };
}

/** Typed error of the RepOps library: names the op and what was wrong (shapes, axes, dtypes, seeds). */
export class RepOpsError extends Error {
  readonly op: string;
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'RepOpsError';
    this.op = op;
  }
}
