/**
 * The functional API the model code calls: each function runs one registered op on vars of a tape
 * (recording a node when the tape records). Optional `label` names the node in traces and the graph view.
 */
import { apply, type Var } from './tape.ts';

export const add = (a: Var, b: Var, label?: string): Var => apply('add', [a, b], {}, label);
export const sub = (a: Var, b: Var, label?: string): Var => apply('sub', [a, b], {}, label);
export const mul = (a: Var, b: Var, label?: string): Var => apply('mul', [a, b], {}, label);
export const div = (a: Var, b: Var, label?: string): Var => apply('div', [a, b], {}, label);
export const neg = (x: Var, label?: string): Var => apply('neg', [x], {}, label);

export const relu = (x: Var, label?: string): Var => apply('relu', [x], {}, label);
/** GELU, exact erf form: 0.5·x·(1 + erf(x/√2)). */
export const gelu = (x: Var, label?: string): Var => apply('gelu', [x], {}, label);
export const tanh = (x: Var, label?: string): Var => apply('tanh', [x], {}, label);
export const sigmoid = (x: Var, label?: string): Var => apply('sigmoid', [x], {}, label);
export const exp = (x: Var, label?: string): Var => apply('exp', [x], {}, label);
export const log = (x: Var, label?: string): Var => apply('log', [x], {}, label);

/** A[m,k]·B[k,n]. */
export const matmul = (a: Var, b: Var, label?: string): Var => apply('matmul', [a, b], {}, label);
/** A[B,m,k]·B[B,k,n] per batch entry (e.g. attention heads). */
export const batchMatmul = (a: Var, b: Var, label?: string): Var => apply('batch_matmul', [a, b], {}, label);
/** x[m,k]·W[k,n] + b[n] (W is [in, out]). */
export const linear = (x: Var, w: Var, b: Var, label?: string): Var => apply('linear', [x, w, b], {}, label);

export interface ReduceOptions {
  axes?: number[];
  keepdims?: boolean;
}
function reduceAttrs(o: ReduceOptions) {
  return {
    ...(o.axes ? { axes: o.axes } : {}),
    ...(o.keepdims !== undefined ? { keepdims: o.keepdims } : {}),
  };
}
export const sum = (x: Var, o: ReduceOptions = {}, label?: string): Var =>
  apply('sum', [x], reduceAttrs(o), label);
export const mean = (x: Var, o: ReduceOptions = {}, label?: string): Var =>
  apply('mean', [x], reduceAttrs(o), label);

export const reshape = (x: Var, shape: number[], label?: string): Var =>
  apply('reshape', [x], { shape }, label);
export const transpose = (x: Var, perm?: number[], label?: string): Var =>
  apply('transpose', [x], perm ? { perm } : {}, label);
export const slice = (x: Var, starts: number[], ends: number[], label?: string): Var =>
  apply('slice', [x], { starts, ends }, label);
export const concat = (xs: Var[], axis = 0, label?: string): Var => apply('concat', xs, { axis }, label);
export const broadcastTo = (x: Var, shape: number[], label?: string): Var =>
  apply('broadcast_to', [x], { shape }, label);

export const softmax = (x: Var, label?: string): Var => apply('softmax', [x], {}, label);
export const logSoftmax = (x: Var, label?: string): Var => apply('log_softmax', [x], {}, label);
/** Mean cross-entropy of logits [N, C] against targets [N] holding class indices as float32 values. */
export const softmaxCrossEntropy = (logits: Var, targets: Var, label?: string): Var =>
  apply('softmax_cross_entropy', [logits, targets], {}, label);
/** Mean squared error over all elements (equal shapes). */
export const mse = (a: Var, b: Var, label?: string): Var => apply('mse', [a, b], {}, label);
export const layerNorm = (x: Var, gamma: Var, beta: Var, eps = 1e-5, label?: string): Var =>
  apply('layer_norm', [x, gamma, beta], { eps }, label);
/** Rows of table [V, D] at ids (integers stored as float32) → ids.shape + [D]. */
export const embedding = (table: Var, ids: Var, label?: string): Var =>
  apply('embedding', [table, ids], {}, label);

export interface DropoutOptions {
  p: number;
  seed: number;
  stream?: number;
  offset?: number;
}
/** PRNG-driven dropout; pass a fresh (seed, stream, offset) per call so masks never repeat. */
export const dropout = (x: Var, o: DropoutOptions, label?: string): Var =>
  apply('dropout', [x], { p: o.p, seed: o.seed, stream: o.stream ?? 0, offset: o.offset ?? 0 }, label);

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
}
/** NCHW convolution x[N,C,H,W] * W[O,C,KH,KW]; with a bias b[O] it records reshape(b, [O,1,1]) + add. */
export function conv2d(x: Var, w: Var, b?: Var, o: Conv2dOptions = {}, label?: string): Var {
  const attrs = { stride: o.stride ?? 1, padding: o.padding ?? 0 };
  const y = apply('conv2d', [x, w], attrs, label);
  if (!b) return y;
  return apply('add', [y, apply('reshape', [b], { shape: [b.out.shape[0], 1, 1] })], {}, label);
}
export interface PoolOptions {
  kernel?: number | [number, number];
  stride?: number | [number, number];
}
export const maxPool2d = (x: Var, o: PoolOptions = {}, label?: string): Var =>
  apply(
    'maxpool2d',
    [x],
    { kernel: o.kernel ?? 2, ...(o.stride !== undefined ? { stride: o.stride } : {}) },
    label,
  );
