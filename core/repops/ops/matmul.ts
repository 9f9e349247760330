/**
 * matmul and linear (x·W + b) and their VJPs, all on the math module's `matmulKernel`
 * (kernels/matmul.ts; order: for each output, acc = +0, then acc = acc + a[i,p]×b[p,j] for p ascending,
 * one rounding per × and per +). Transposed operands are materialised (exact copies) before the kernel —
 * in effect: an Aᵀ operand is read in place by matmulKernelAT, which gives the same bits.
 */
import { overwrittenBuffer } from '../buffers.ts';
import {
  columnSumsKernel,
  matmulBatchKernel,
  matmulBiasKernel,
  matmulKernel,
  matmulKernelAT,
} from '../kernels/matmul.ts';
import { defineRangeKernel, rowwise } from '../parallel.ts';
import { apply } from '../tape.ts';
import type { Shape } from '../tensor.ts';
import { defineOp, mismatch } from './define.ts';
import { transposeData } from './layout.ts';

const MM =
  'matmulKernel order (kernels/matmul.ts): per output, sequential k-ascending sum from +0 of rounded products';

function rank2(op: string, shapes: readonly Shape[]): void {
  for (const s of shapes) if (s.length !== 2) throw mismatch(op, shapes, 'operands must be rank-2');
}

function mmShape(op: string, a: Shape, b: Shape, shapes: readonly Shape[]): Shape {
  rank2(op, [a, b]);
  if (a[1] !== b[0]) throw mismatch(op, shapes, `inner dimensions differ (${a[1]} vs ${b[0]})`);
  return [a[0], b[1]];
}

// The materialised transposes (Wᵀ of matmul.vjp0, the B_iᵀ of batch_matmul.vjp0) are temporaries, never op
// outputs: they go into one scratch buffer per thread, reused call after call (grown on demand), instead of
// taking buffers from the output pool that the step's outputs then miss.
let scratch = new Float32Array(0);
function transposeScratch(x: Float32Array, s: Shape, perm: readonly number[]): Float32Array {
  if (scratch.length < x.length) scratch = new Float32Array(Math.max(x.length, 2 * scratch.length));
  return transposeData(x, s, perm, scratch.subarray(0, x.length));
}

const t2 = (x: Float32Array, s: Shape) => transposeScratch(x, s, [1, 0]);

defineOp({
  name: 'matmul',
  arity: 2,
  shape: (s) => mmShape('matmul', s[0], s[1], s),
  compute: ([a, b]) => matmulKernel(a.data, b.data, a.shape[0], a.shape[1], b.shape[1]),
  flops: ([a, b]) => 2 * a[0] * a[1] * b[1],
  spec: `A[m,k]·B[k,n]: ${MM}.`,
  vjp: ({ inputs: [a, b], grad, needs }) => [
    needs[0] ? apply('matmul.vjp0', [grad, b]) : null,
    needs[1] ? apply('matmul.vjp1', [a, grad]) : null,
  ],
});

defineOp({
  name: 'matmul.vjp0',
  arity: 2,
  shape: (s) => {
    rank2('matmul.vjp0', s);
    return mmShape('matmul.vjp0', s[0], [s[1][1], s[1][0]], s);
  },
  compute: ([g, b]) => matmulKernel(g.data, t2(b.data, b.shape), g.shape[0], g.shape[1], b.shape[0]),
  flops: ([g, b]) => 2 * g[0] * g[1] * b[0],
  spec: `inputs [g, B]: dA = g·Bᵀ (Bᵀ materialised), ${MM}.`,
});

defineOp({
  name: 'matmul.vjp1',
  arity: 2,
  shape: (s) => {
    rank2('matmul.vjp1', s);
    return mmShape('matmul.vjp1', [s[0][1], s[0][0]], s[1], s);
  },
  compute: ([a, g]) => matmulKernelAT(a.data, g.data, a.shape[1], a.shape[0], g.shape[1]),
  flops: ([a, g]) => 2 * a[0] * a[1] * g[1],
  spec: `inputs [A, g]: dB = Aᵀ·g (Aᵀ materialised), ${MM}.`,
});

defineOp({
  name: 'linear',
  arity: 3,
  shape: (s) => {
    const out = mmShape('linear', s[0], s[1], s);
    if (s[2].length !== 1 || s[2][0] !== out[1])
      throw mismatch('linear', s, `bias must have shape [${out[1]}]`);
    return out;
  },
  compute: ([x, w, b]) => matmulBiasKernel(x.data, w.data, b.data, x.shape[0], x.shape[1], w.shape[1]),
  flops: ([x, w]) => 2 * x[0] * x[1] * w[1] + x[0] * w[1],
  spec: `inputs [x[m,k], W[k,n], b[n]]: out[i,j] = (x·W)[i,j] + b[j]; x·W by ${MM}; bias added after the sum.`,
  vjp: ({ inputs: [x, w], grad, needs }) => [
    needs[0] ? apply('matmul.vjp0', [grad, w]) : null,
    needs[1] ? apply('matmul.vjp1', [x, grad]) : null,
    needs[2] ? apply('linear.vjp2', [grad]) : null,
  ],
});

defineOp({
  name: 'linear.vjp2',
  arity: 1,
  shape: ([g]) => {
    if (g.length !== 2) throw mismatch('linear.vjp2', [g], 'gradient must be rank-2');
    return [g[1]];
  },
  compute: ([g]) => columnSumsKernel(g.data, g.shape[0], g.shape[1]),
  flops: ([g]) => g[0] * g[1],
  spec: 'inputs [g[m,n]]: db[j] = lane-ordered sum over rows i of g[i,j].',
});

// ---- batched matmul: [B, m, k]·[B, k, n] → [B, m, n] (attention heads) ------------------------------

function bmmShape(op: string, a: Shape, b: Shape, shapes: readonly Shape[]): Shape {
  if (a.length !== 3 || b.length !== 3)
    throw mismatch(op, shapes, 'operands must be rank-3 [batch, rows, cols]');
  if (a[0] !== b[0]) throw mismatch(op, shapes, `batch sizes differ (${a[0]} vs ${b[0]})`);
  if (a[2] !== b[1]) throw mismatch(op, shapes, `inner dimensions differ (${a[2]} vs ${b[1]})`);
  return [a[0], a[1], b[2]];
}

/**
 * Per batch entry: out[i] = A_i·B_i by the kernel, with optional exact transposes of A_i or B_i first.
 * Entries are independent, so they are split across the thread pool by whole entries (parallel.ts).
 */
function bmm(
  a: Float32Array,
  aShape: Shape,
  tA: boolean,
  b: Float32Array,
  bShape: Shape,
  tB: boolean,
): Float32Array {
  const [batch, ar, ac] = aShape;
  const [, br, bc] = bShape;
  const m = tA ? ac : ar;
  const k = tA ? ar : ac;
  const n = tB ? br : bc;
  const out = overwrittenBuffer(batch * m * n); // every entry's kernel stores all of its block
  rowwise('batch_matmul.entries', [a, b], out, batch, [ar, ac, tA ? 1 : 0, br, bc, tB ? 1 : 0]);
  return out;
}

// Batch entries [from, to) of bmm (params: A_i's rows and columns, transpose A_i?, B_i's, transpose B_i?).
defineRangeKernel('batch_matmul.entries', ([a, b], out, from, to, [ar, ac, tA, br, bc, tB]) => {
  const m = tA ? ac : ar;
  const k = tA ? ar : ac;
  const n = tB ? br : bc;
  if (to <= from) return;
  const bs = b.subarray(from * br * bc, to * br * bc);
  // Every B_iᵀ of the range in one transpose (exact copies) rather than one per entry.
  const bt = tB ? transposeScratch(bs, [to - from, br, bc], [0, 2, 1]) : bs;
  const as = a.subarray(from * ar * ac, to * ar * ac);
  matmulBatchKernel(as, bt, out.subarray(from * m * n, to * m * n), to - from, m, k, n, tA === 1);
});

defineOp({
  name: 'batch_matmul',
  arity: 2,
  shape: (s) => bmmShape('batch_matmul', s[0], s[1], s),
  compute: ([a, b]) => bmm(a.data, a.shape, false, b.data, b.shape, false),
  flops: ([a, b]) => 2 * a[0] * a[1] * a[2] * b[2],
  spec: `A[B,m,k]·B[B,k,n]: for each batch entry independently, ${MM}.`,
  vjp: ({ inputs: [a, b], grad, needs }) => [
    needs[0] ? apply('batch_matmul.vjp0', [grad, b]) : null,
    needs[1] ? apply('batch_matmul.vjp1', [a, grad]) : null,
  ],
});

defineOp({
  name: 'batch_matmul.vjp0',
  arity: 2,
  shape: (s) =>
    bmmShape('batch_matmul.vjp0', s[0], s[1].length === 3 ? [s[1][0], s[1][2], s[1][1]] : s[1], s),
  compute: ([g, b]) => bmm(g.data, g.shape, false, b.data, b.shape, true),
  flops: ([g, b]) => 2 * g[0] * g[1] * g[2] * b[1],
  spec: `inputs [g, B]: dA_i = g_i·B_iᵀ per batch entry (B_iᵀ materialised), ${MM}.`,
});

defineOp({
  name: 'batch_matmul.vjp1',
  arity: 2,
  shape: (s) =>
    bmmShape('batch_matmul.vjp1', s[0].length === 3 ? [s[0][0], s[0][2], s[0][1]] : s[0], s[1], s),
  compute: ([a, g]) => bmm(a.data, a.shape, true, g.data, g.shape, false),
  flops: ([a, g]) => 2 * a[0] * a[1] * a[2] * g[2],
  spec: `inputs [A, g]: dB_i = A_iᵀ·g_i per batch entry (A_iᵀ materialised), ${MM}.`,
});
