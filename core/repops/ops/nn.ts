/**
 * Row-wise neural-net ops: softmax, log-softmax, softmax cross-entropy, MSE, layer norm, embedding.
 * Softmax-like ops work along the last axis; a "row" is one index of the leading axes. Row sums use the
 * lane order of reduce.ts; the row max is the first maximum in index order (strict >), NaN if any NaN.
 * Every row is computed on its own (all its sums inside it), so the row kernels below may run on any
 * thread for any split of the rows (parallel.ts `rowwise`) without changing a bit.
 */
import { outputBuffer, overwrittenBuffer, releaseTemporary } from '../buffers.ts';
import { nativeNorm } from '../kernels/norm-native.ts';
import { wasmLayerNormRows, wasmLayerNormVjp0Rows, wasmLayerNormVjp1Rows } from '../kernels/norm-wasm.ts';
import {
  nativeCrossEntropyRows,
  nativeCrossEntropyVjpRows,
  nativeSoftmaxRows,
  nativeSoftmaxVjpRows,
} from '../kernels/transcendental-native.ts';
import { wasmExpShift, wasmSoftmaxRows, wasmSoftmaxVjpRows } from '../kernels/transcendental-wasm.ts';
import { exp32, log32 } from '../math.ts';
import { defineRangeKernel, rowwise } from '../parallel.ts';
import { laneSum, reduceSumData, scratchBuffer } from '../reduce.ts';
import type { Attrs } from '../registry.ts';
import { apply } from '../tape.ts';
import { RepOpsError, type Shape, type Tensor } from '../tensor.ts';
import { f32Attr, fmtShape, fround, intAttr, normAxis, shapeAttr, shapesEqual } from '../util.ts';
import { defineOp, mismatch, numel } from './define.ts';

function rowMax(x: Float32Array, off: number, n: number): number {
  let m = x[off];
  for (let i = 1; i < n; i++) {
    const v = x[off + i];
    if (v > m || Number.isNaN(v)) {
      m = v;
      if (Number.isNaN(v)) break;
    }
  }
  return m;
}

function lastAxis(op: string, s: Shape, attrs: Attrs): void {
  if (s.length === 0) throw new RepOpsError(op, 'needs rank ≥ 1');
  const a = normAxis(op, intAttr(op, attrs, 'axis', -1), s.length, s);
  if (a !== s.length - 1)
    throw new RepOpsError(op, `only the last axis is supported, got axis ${a} for shape ${fmtShape(s)}`);
}

function sameShapes(op: string, shapes: readonly Shape[]): Shape {
  for (const s of shapes)
    if (!shapesEqual(s, shapes[0])) throw mismatch(op, shapes, 'operands must have equal shapes');
  return shapes[0];
}

/** e[i] = exp32(x[i] − m) for one row into buf; returns the lane-ordered sum. */
function expRow(x: Float32Array, off: number, n: number, m: number, buf: Float32Array): number {
  // WebAssembly does the same operations (kernels/as/transcendental.ts expShift) ~5× faster.
  if (n < 16 || !wasmExpShift(x, off, n, m, buf))
    for (let i = 0; i < n; i++) buf[i] = exp32(fround(x[off + i] - m));
  return laneSum(buf, 0, n, 1);
}

// Row kernels (rows [from, to) of length n = params[0]), registered under the op's name.
defineRangeKernel('softmax', ([x], out, from, to, [n]) => {
  // The native addon (in place), else WebAssembly, runs these same operations on all the rows in one call
  // (native/softmax-lanes.h, kernels/as/transcendental.ts).
  if (nativeSoftmaxRows(x, out, from, to, n) || wasmSoftmaxRows(x, out, from, to, n)) return;
  for (let off = from * n; off < to * n; off += n) {
    const m = rowMax(x, off, n);
    const e = out.subarray(off, off + n);
    const s = expRow(x, off, n, m, e);
    for (let i = 0; i < n; i++) e[i] = e[i] / s;
  }
});

defineRangeKernel('softmax.vjp0', ([g, y], out, from, to, [n]) => {
  if (nativeSoftmaxVjpRows(g, y, out, from, to, n) || wasmSoftmaxVjpRows(g, y, out, from, to, n)) return;
  const buf = scratchBuffer(n);
  for (let off = from * n; off < to * n; off += n) {
    for (let i = 0; i < n; i++) buf[i] = g[off + i] * y[off + i];
    const d = laneSum(buf, 0, n, 1);
    for (let i = 0; i < n; i++) out[off + i] = y[off + i] * fround(g[off + i] - d);
  }
});

defineRangeKernel('log_softmax', ([x], out, from, to, [n]) => {
  const buf = scratchBuffer(n);
  for (let off = from * n; off < to * n; off += n) {
    const m = rowMax(x, off, n);
    const ls = log32(expRow(x, off, n, m, buf));
    for (let i = 0; i < n; i++) out[off + i] = fround(x[off + i] - m) - ls;
  }
});

defineRangeKernel('log_softmax.vjp0', ([g, y], out, from, to, [n]) => {
  for (let off = from * n; off < to * n; off += n) {
    const sg = laneSum(g, off, n, 1);
    for (let i = 0; i < n; i++) out[off + i] = g[off + i] - fround(exp32(y[off + i]) * sg);
  }
});

/** A fresh output shaped like the inputs, computed row by row (last axis) by row kernel `kernel`. */
function lastAxisRows(kernel: string, ins: readonly Float32Array[], shape: Shape): Float32Array {
  const n = shape[shape.length - 1];
  const out = overwrittenBuffer(ins[0].length); // every row kernel writes its whole row
  if (n === 0) return out;
  rowwise(kernel, ins, out, out.length / n, [n]);
  return out;
}

defineOp({
  name: 'softmax',
  arity: 1,
  shape: ([s], attrs) => {
    lastAxis('softmax', s, attrs);
    return s;
  },
  compute: ([x]) => lastAxisRows('softmax', [x.data], x.shape),
  flops: ([s]) => 4 * numel(s),
  spec: 'Per row: m = row max; e[i] = exp32(x[i] − m); s = lane sum of e; out[i] = e[i] ÷ s.',
  vjp: ({ out, grad }) => [apply('softmax.vjp0', [grad, out])],
});

defineOp({
  name: 'softmax.vjp0',
  arity: 2,
  shape: (s) => sameShapes('softmax.vjp0', s),
  compute: ([g, y]) => lastAxisRows('softmax.vjp0', [g.data, y.data], g.shape),
  flops: ([s]) => 4 * numel(s),
  spec: 'inputs [g, y = softmax(x)]: per row d = lane sum of g[i] × y[i]; out[i] = y[i] × (g[i] − d).',
});

defineOp({
  name: 'log_softmax',
  arity: 1,
  shape: ([s], attrs) => {
    lastAxis('log_softmax', s, attrs);
    return s;
  },
  compute: ([x]) => lastAxisRows('log_softmax', [x.data], x.shape),
  flops: ([s]) => 4 * numel(s),
  spec: 'Per row: m = row max; s = lane sum of exp32(x[i] − m); out[i] = (x[i] − m) − log32(s).',
  vjp: ({ out, grad }) => [apply('log_softmax.vjp0', [grad, out])],
});

defineOp({
  name: 'log_softmax.vjp0',
  arity: 2,
  shape: (s) => sameShapes('log_softmax.vjp0', s),
  compute: ([g, y]) => lastAxisRows('log_softmax.vjp0', [g.data, y.data], g.shape),
  flops: ([s]) => 3 * numel(s),
  spec: 'inputs [g, y = log_softmax(x)]: per row sg = lane sum of g; out[i] = g[i] − exp32(y[i]) × sg.',
});

/** Checks targets of softmax_cross_entropy: integer class indices in [0, C) stored as float32. */
function checkTargets(op: string, logits: Tensor, targets: Tensor): void {
  const c = logits.shape[1];
  const t = targets.data;
  for (let r = 0; r < t.length; r++) {
    const v = t[r];
    if (!Number.isInteger(v) || v < 0 || v >= c) {
      throw new RepOpsError(
        op,
        `target ${r} is ${v}; targets must be integer class indices in [0, ${c}) (logits ${fmtShape(logits.shape)})`,
      );
    }
  }
}

function ceShape(op: string, s: readonly Shape[]): void {
  const [l, t] = s;
  if (l.length !== 2 || t.length !== 1 || t[0] !== l[0]) {
    throw mismatch(op, s, 'expects logits [N, C] and targets [N] (class indices as float32)');
  }
  if (l[1] === 0) throw mismatch(op, s, 'needs at least one class');
}

// Row r of logits [N, C = params[0]] with target t[r]: its loss (forward) or its gradient row (vjp0).
defineRangeKernel('softmax_cross_entropy.rows', ([x, t], losses, from, to, [c]) => {
  // The native addon runs these same operations on all the rows in one call (native/cross-entropy-lanes.h).
  if (nativeCrossEntropyRows(x, t, losses, from, to, c)) return;
  const buf = scratchBuffer(c);
  for (let r = from; r < to; r++) {
    const off = r * c;
    const m = rowMax(x, off, c);
    const ls = log32(expRow(x, off, c, m, buf));
    losses[r] = ls - fround(x[off + t[r]] - m);
  }
});

defineRangeKernel('softmax_cross_entropy.vjp0', ([x, t], out, from, to, [c, scale]) => {
  if (nativeCrossEntropyVjpRows(x, t, out, from, to, c, scale)) return;
  for (let r = from; r < to; r++) {
    const off = r * c;
    const e = out.subarray(off, off + c);
    const s = expRow(x, off, c, rowMax(x, off, c), e);
    const target = t[r];
    for (let i = 0; i < c; i++) {
      const p = fround(e[i] / s);
      e[i] = fround(i === target ? p - 1 : p) * scale;
    }
  }
});

defineOp({
  name: 'softmax_cross_entropy',
  arity: 2,
  differentiable: [true, false],
  shape: (s) => {
    ceShape('softmax_cross_entropy', s);
    return [];
  },
  compute: ([x, t]) => {
    checkTargets('softmax_cross_entropy', x, t);
    const [rows, c] = x.shape;
    const losses = outputBuffer(rows);
    rowwise('softmax_cross_entropy.rows', [x.data, t.data], losses, rows, [c], rows * c);
    // The mean's chain over rows stays on this thread.
    return Float32Array.of(laneSum(losses, 0, rows, 1) / fround(rows));
  },
  flops: ([l]) => 4 * numel(l) + l[0],
  spec:
    'inputs [logits[N,C], targets[N] (class indices stored as float32)]: per row m = row max, s = lane sum of ' +
    'exp32(x[i] − m), l = log32(s) − (x[t] − m); out (shape []) = lane sum of l over rows ÷ f32(N).',
  vjp: ({ inputs: [x, t], grad }) => [apply('softmax_cross_entropy.vjp0', [grad, x, t]), null],
});

defineOp({
  name: 'softmax_cross_entropy.vjp0',
  arity: 3,
  shape: (s) => {
    if (numel(s[0]) !== 1) throw mismatch('softmax_cross_entropy.vjp0', s, 'gradient must be a scalar');
    ceShape('softmax_cross_entropy.vjp0', s.slice(1));
    return s[1];
  },
  compute: ([g, x, t]) => {
    checkTargets('softmax_cross_entropy.vjp0', x, t);
    const [rows, c] = x.shape;
    const scale = fround(g.data[0] / fround(rows));
    const out = overwrittenBuffer(rows * c); // both row kernels write every element of their rows
    rowwise('softmax_cross_entropy.vjp0', [x.data, t.data], out, rows, [c, scale]);
    return out;
  },
  flops: ([, l]) => 5 * numel(l),
  spec:
    'inputs [g, logits, targets]: c = g ÷ f32(N); per row p[i] = exp32(x[i] − m) ÷ s (as in the forward); ' +
    'out[i] = (p[i] − [i = t]) × c (the subtraction only at the target).',
});

defineOp({
  name: 'mse',
  arity: 2,
  shape: (s) => {
    sameShapes('mse', s);
    return [];
  },
  compute: ([a, b]) => {
    const n = a.data.length;
    const buf = scratchBuffer(n);
    for (let i = 0; i < n; i++) {
      const d = fround(a.data[i] - b.data[i]);
      buf[i] = d * d;
    }
    return Float32Array.of(laneSum(buf, 0, n, 1) / fround(n));
  },
  flops: ([s]) => 3 * numel(s),
  spec: 'inputs [a, b] (equal shapes): d[i] = a[i] − b[i]; out (shape []) = lane sum of d[i] × d[i] ÷ f32(n).',
  vjp: ({ inputs: [a, b], grad, needs }) => [
    needs[0] ? apply('mse.vjp0', [grad, a, b]) : null,
    needs[1] ? apply('mse.vjp1', [grad, a, b]) : null,
  ],
});

for (const name of ['mse.vjp0', 'mse.vjp1']) {
  const sign = name === 'mse.vjp0' ? 1 : -1;
  defineOp({
    name,
    arity: 3,
    shape: (s) => {
      if (numel(s[0]) !== 1) throw mismatch(name, s, 'gradient must be a scalar');
      return sameShapes(name, s.slice(1));
    },
    compute: ([g, a, b]) => {
      const n = a.data.length;
      const c = fround(fround(2 * g.data[0]) / fround(n));
      const out = outputBuffer(n);
      for (let i = 0; i < n; i++) out[i] = sign * fround(c * fround(a.data[i] - b.data[i]));
      return out;
    },
    flops: ([, s]) => 2 * numel(s),
    spec:
      sign > 0
        ? 'inputs [g, a, b]: c = (2 × g) ÷ f32(n); out[i] = c × (a[i] − b[i]).'
        : 'inputs [g, a, b]: c = (2 × g) ÷ f32(n); out[i] = −(c × (a[i] − b[i])).',
  });
}

// ---- layer norm over the last axis --------------------------------------------------------------

function lnShape(op: string, s: readonly Shape[]): { rows: number; d: number } {
  const x = s[0];
  if (x.length === 0) throw mismatch(op, s, 'input needs rank ≥ 1');
  const d = x[x.length - 1];
  for (let i = 1; i < s.length; i++) {
    if (s[i].length !== 1 || s[i][0] !== d) throw mismatch(op, s, `gamma/beta must have shape [${d}]`);
  }
  return { rows: d === 0 ? 0 : numel(x) / d, d };
}

/** Row stats: writes xhat for one row into `xh` and returns rstd. */
function lnRow(x: Float32Array, off: number, d: number, eps: number, xh: Float32Array): number {
  const fd = fround(d);
  const mu = laneSum(x, off, d, 1) / fd;
  const mf = fround(mu);
  for (let i = 0; i < d; i++) {
    const c = fround(x[off + i] - mf);
    xh[i] = c * c;
  }
  const v = fround(laneSum(xh, 0, d, 1) / fd);
  const rstd = fround(1 / fround(Math.sqrt(fround(v + eps))));
  for (let i = 0; i < d; i++) xh[i] = fround(x[off + i] - mf) * rstd;
  return rstd;
}

const LN_STATS =
  'per row (last axis, length D): mu = lane sum of x ÷ f32(D); c[i] = x[i] − mu; v = lane sum of c[i] × c[i] ÷ f32(D); ' +
  'rstd = 1 ÷ sqrt(v + eps); xh[i] = c[i] × rstd';

// Row kernels (params: D, eps). Each tries the native addon (native/nn.c, in place), then the WASM port
// (kernels/norm-wasm.ts), both the same bits, first.
defineRangeKernel('layer_norm', ([x, gamma, beta], out, from, to, [d, eps]) => {
  const nat = nativeNorm();
  if (nat) return nat.layerNorm(x, gamma, beta, out, from, to, d, eps);
  if (wasmLayerNormRows(x, gamma, beta, out, from, to, d, eps)) return;
  for (let r = from; r < to; r++) {
    const xh = out.subarray(r * d, r * d + d);
    lnRow(x, r * d, d, eps, xh);
    for (let i = 0; i < d; i++) xh[i] = fround(xh[i] * gamma[i]) + beta[i];
  }
});

defineRangeKernel('layer_norm.vjp0', ([g, x, gamma], out, from, to, [d, eps]) => {
  const nat = nativeNorm();
  if (nat) return nat.layerNormVjp0(g, x, gamma, out, from, to, d, eps);
  if (wasmLayerNormVjp0Rows(g, x, gamma, out, from, to, d, eps)) return;
  const fd = fround(d);
  const buf = scratchBuffer(3 * d);
  const xh = buf.subarray(0, d);
  const gh = buf.subarray(d, 2 * d);
  const t = buf.subarray(2 * d, 3 * d);
  for (let r = from; r < to; r++) {
    const off = r * d;
    const rstd = lnRow(x, off, d, eps, xh);
    for (let i = 0; i < d; i++) gh[i] = g[off + i] * gamma[i];
    const a = fround(laneSum(gh, 0, d, 1) / fd);
    for (let i = 0; i < d; i++) t[i] = gh[i] * xh[i];
    const b = fround(laneSum(t, 0, d, 1) / fd);
    for (let i = 0; i < d; i++) out[off + i] = rstd * fround(fround(gh[i] - a) - fround(xh[i] * b));
  }
});

// layer_norm.vjp1's per-element products g[r,i] × xh[r,i], before the column sums.
defineRangeKernel('layer_norm.vjp1.rows', ([x, g], prod, from, to, [d, eps]) => {
  const nat = nativeNorm();
  if (nat) return nat.layerNormVjp1Rows(x, g, prod, from, to, d, eps);
  if (wasmLayerNormVjp1Rows(x, g, prod, from, to, d, eps)) return;
  for (let r = from; r < to; r++) {
    const xh = prod.subarray(r * d, r * d + d);
    lnRow(x, r * d, d, eps, xh);
    for (let i = 0; i < d; i++) xh[i] = xh[i] * g[r * d + i];
  }
});

defineOp({
  name: 'layer_norm',
  arity: 3,
  shape: (s, attrs) => {
    lnShape('layer_norm', s);
    f32Attr('layer_norm', attrs, 'eps', 1e-5);
    return s[0];
  },
  compute: ([x, gamma, beta], attrs) => {
    const eps = f32Attr('layer_norm', attrs, 'eps', 1e-5);
    const { rows, d } = lnShape('layer_norm', [x.shape, gamma.shape, beta.shape]);
    const out = overwrittenBuffer(x.data.length); // every row kernel writes its whole row
    rowwise('layer_norm', [x.data, gamma.data, beta.data], out, rows, [d, eps]);
    return out;
  },
  flops: ([x]) => 8 * numel(x),
  spec: `inputs [x, gamma[D], beta[D]], attr eps (default 1e-5): ${LN_STATS}; out[i] = xh[i] × gamma[i] + beta[i].`,
  vjp: ({ inputs: [x, gamma], grad, attrs, needs }) => {
    const eps = f32Attr('layer_norm', attrs, 'eps', 1e-5);
    return [
      needs[0] ? apply('layer_norm.vjp0', [grad, x, gamma], { eps }) : null,
      needs[1] ? apply('layer_norm.vjp1', [grad, x], { eps }) : null,
      needs[2] ? apply('layer_norm.vjp2', [grad]) : null,
    ];
  },
});

defineOp({
  name: 'layer_norm.vjp0',
  arity: 3,
  shape: (s, attrs) => {
    if (!shapesEqual(s[0], s[1]))
      throw mismatch('layer_norm.vjp0', s, 'gradient and x must have equal shapes');
    lnShape('layer_norm.vjp0', [s[1], s[2]]);
    f32Attr('layer_norm.vjp0', attrs, 'eps', 1e-5);
    return s[1];
  },
  compute: ([g, x, gamma], attrs) => {
    const eps = f32Attr('layer_norm.vjp0', attrs, 'eps', 1e-5);
    const { rows, d } = lnShape('layer_norm.vjp0', [x.shape, gamma.shape]);
    const out = overwrittenBuffer(x.data.length); // every row kernel writes its whole row
    rowwise('layer_norm.vjp0', [g.data, x.data, gamma.data], out, rows, [d, eps]);
    return out;
  },
  flops: ([x]) => 12 * numel(x),
  spec:
    `inputs [g, x, gamma], attr eps: ${LN_STATS}; gh[i] = g[i] × gamma[i]; a = lane sum of gh ÷ f32(D); ` +
    'b = lane sum of gh[i] × xh[i] ÷ f32(D); out[i] = rstd × ((gh[i] − a) − xh[i] × b).',
});

defineOp({
  name: 'layer_norm.vjp1',
  arity: 2,
  shape: (s, attrs) => {
    if (!shapesEqual(s[0], s[1]) || s[0].length === 0)
      throw mismatch('layer_norm.vjp1', s, 'gradient and x must have equal shapes');
    f32Attr('layer_norm.vjp1', attrs, 'eps', 1e-5);
    return [s[1][s[1].length - 1]];
  },
  compute: ([g, x], attrs) => {
    const eps = f32Attr('layer_norm.vjp1', attrs, 'eps', 1e-5);
    const d = x.shape[x.shape.length - 1];
    const rows = d === 0 ? 0 : x.data.length / d;
    const prod = overwrittenBuffer(x.data.length); // every row kernel writes its whole row
    rowwise('layer_norm.vjp1.rows', [x.data, g.data], prod, rows, [d, eps]);
    // The sum over rows (one chain per column) stays on this thread.
    const dgamma = reduceSumData(prod, [rows, d], [0]);
    releaseTemporary(prod);
    return dgamma;
  },
  flops: ([x]) => 7 * numel(x),
  spec: `inputs [g, x], attr eps: dgamma[i] = lane sum over rows of g[r,i] × xh[r,i] (xh as in the forward: ${LN_STATS}).`,
});

defineOp({
  name: 'layer_norm.vjp2',
  arity: 1,
  shape: ([g]) => {
    if (g.length === 0) throw mismatch('layer_norm.vjp2', [g], 'gradient needs rank ≥ 1');
    return [g[g.length - 1]];
  },
  compute: ([g]) => {
    const d = g.shape[g.shape.length - 1];
    return reduceSumData(g.data, [d === 0 ? 0 : g.data.length / d, d], [0]);
  },
  flops: ([g]) => numel(g),
  spec: 'inputs [g]: dbeta[i] = lane sum over rows (all leading axes, row-major) of g[r,i].',
});

// ---- embedding ------------------------------------------------------------------------------------

function checkIds(op: string, ids: Tensor, v: number): void {
  const t = ids.data;
  for (let i = 0; i < t.length; i++) {
    const x = t[i];
    if (!Number.isInteger(x) || x < 0 || x >= v) {
      throw new RepOpsError(
        op,
        `id ${i} is ${x}; ids must be integers in [0, ${v}) (ids ${fmtShape(ids.shape)})`,
      );
    }
  }
}

defineOp({
  name: 'embedding',
  arity: 2,
  differentiable: [true, false],
  shape: (s) => {
    if (s[0].length !== 2) throw mismatch('embedding', s, 'table must be [V, D]');
    return [...s[1], s[0][1]];
  },
  compute: ([table, ids]) => {
    checkIds('embedding', ids, table.shape[0]);
    const d = table.shape[1];
    const out = overwrittenBuffer(ids.data.length * d); // every row is copied below
    for (let i = 0; i < ids.data.length; i++) {
      const row = ids.data[i] * d;
      out.set(table.data.subarray(row, row + d), i * d);
    }
    return out;
  },
  flops: () => 0,
  spec: 'inputs [table[V,D], ids[...] (integers stored as float32)]: out[..., :] = table[id, :] (exact copy).',
  vjp: ({ inputs: [table, ids], grad }) => [
    apply('embedding.vjp0', [grad, ids], { shape: [...table.out.shape] }),
    null,
  ],
});

defineOp({
  name: 'embedding.vjp0',
  arity: 2,
  shape: (s, attrs) => {
    const shape = shapeAttr('embedding.vjp0', attrs, 'shape');
    if (shape.length !== 2 || !shapesEqual(s[0], [...s[1], shape[1]])) {
      throw mismatch('embedding.vjp0', [...s, shape], 'gradient must be ids shape + [D]');
    }
    return shape;
  },
  compute: ([g, ids], _attrs, outShape) => {
    const [v, d] = outShape;
    checkIds('embedding.vjp0', ids, v);
    const out = outputBuffer(v * d);
    // A row view and the arrays read once: V8 runs this loop ≈ 4× faster than indexing g.data inside it.
    const gd = g.data;
    const id = ids.data;
    for (let i = 0; i < id.length; i++) {
      const row = out.subarray(id[i] * d, id[i] * d + d);
      const src = i * d;
      for (let j = 0; j < d; j++) row[j] += gd[src + j];
    }
    return out;
  },
  flops: ([g]) => numel(g),
  spec:
    'inputs [g, ids], attr shape [V, D]: out = +0; for each id position p in row-major order: ' +
    'out[id_p, :] = out[id_p, :] + g[p, :] (sequential scatter-add in id order).',
});
