/**
 * Independent float64 re-implementations of the RepOps forward ops (the finite-difference oracle).
 * Written straightforwardly from the math, not from the RepOps code: plain loops, Math.* in double.
 */
import { randomUint32 } from '../../core/repops/prng.ts';

export interface T64 {
  shape: number[];
  data: Float64Array;
}
export type Attrs64 = Record<string, unknown>;
export type Ref = (x: T64[], attrs: Attrs64) => T64;

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Multi-index of flat index i. */
const unravel = (i: number, s: readonly number[]) => {
  const idx = new Array<number>(s.length);
  for (let k = s.length - 1; k >= 0; k--) {
    idx[k] = i % s[k];
    i = Math.floor(i / s[k]);
  }
  return idx;
};
const ravel = (idx: readonly number[], s: readonly number[]) => idx.reduce((acc, v, k) => acc * s[k] + v, 0);

function bshape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[i - (r - a.length)] ?? 1;
    const db = b[i - (r - b.length)] ?? 1;
    out.push(Math.max(da, db));
  }
  return out;
}
/** Value of x at broadcast output multi-index idx. */
function at(x: T64, idx: number[]): number {
  const off = idx.length - x.shape.length;
  const j = x.shape.map((d, k) => (d === 1 ? 0 : idx[k + off]));
  return x.data[ravel(j, x.shape)];
}
function binary(f: (a: number, b: number) => number): Ref {
  return ([a, b]) => {
    const shape = bshape(a.shape, b.shape);
    const data = new Float64Array(size(shape));
    for (let i = 0; i < data.length; i++) {
      const idx = unravel(i, shape);
      data[i] = f(at(a, idx), at(b, idx));
    }
    return { shape, data };
  };
}
function unary(f: (x: number) => number): Ref {
  return ([x]) => ({ shape: [...x.shape], data: x.data.map(f) });
}

/** erfc(x) for x ≥ 2 by its continued fraction (evaluated bottom-up; 60 terms is far past convergence). */
function erfcCf(x: number): number {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** erfc in double: series for |x| < 2, continued fraction beyond (no cancellation in the tails). */
export function erfc64(x: number): number {
  if (x >= 2) return erfcCf(x);
  if (x <= -2) return 2 - erfcCf(-x);
  return 1 - erf64(x);
}

export function erf64(x: number): number {
  if (Math.abs(x) >= 2) return Math.sign(x) * (1 - erfcCf(Math.abs(x)));
  // Maclaurin series; |x| < 2 keeps the cancellation far inside double precision.
  let sum = 0;
  let term = x;
  for (let n = 0; n < 200; n++) {
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function reduce(x: T64, axes: number[], keep: boolean, mean: boolean): T64 {
  const r = x.shape.length;
  const ax = axes.map((a) => (a < 0 ? a + r : a));
  const outShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const data = new Float64Array(size(outShape));
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, k) => (ax.includes(k) ? 0 : v));
    data[ravel(idx, outShape)] += x.data[i];
  }
  const n = size(ax.map((a) => x.shape[a]));
  if (mean) for (let i = 0; i < data.length; i++) data[i] /= n;
  return { shape: keep ? outShape : x.shape.filter((_, i) => !ax.includes(i)), data };
}

function rows(x: T64, f: (row: Float64Array) => Float64Array): T64 {
  const d = x.shape[x.shape.length - 1];
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < out.length; o += d) out.set(f(x.data.subarray(o, o + d)), o);
  return { shape: [...x.shape], data: out };
}
const logsumexp = (r: Float64Array) => {
  const m = Math.max(...r);
  return m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
};

function matmul(a: T64, b: T64): T64 {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * n + j];
      data[i * n + j] = s;
    }
  return { shape: [m, n], data };
}

const pairOf = (v: unknown, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : (v as [number, number]);

export const REF: Record<string, Ref> = {
  add: binary((a, b) => a + b),
  sub: binary((a, b) => a - b),
  mul: binary((a, b) => a * b),
  div: binary((a, b) => a / b),
  neg: unary((x) => -x),
  relu: unary((x) => Math.max(x, 0)),
  gelu: unary((x) => 0.5 * x * erfc64(-x / Math.SQRT2)),
  tanh: unary(Math.tanh),
  sigmoid: unary((x) => 1 / (1 + Math.exp(-x))),
  exp: unary(Math.exp),
  log: unary(Math.log),
  reshape: ([x], a) => {
    const want = [...(a.shape as number[])];
    const k = want.indexOf(-1);
    if (k >= 0) want[k] = x.data.length / size(want.filter((d) => d !== -1));
    return { shape: want, data: x.data.slice() };
  },
  transpose: ([x], a) => {
    const perm = (a.perm as number[] | undefined) ?? [...x.shape.keys()].reverse();
    const shape = perm.map((p) => x.shape[p]);
    const data = new Float64Array(x.data.length);
    for (let i = 0; i < data.length; i++) {
      const idx = unravel(i, shape);
      const src = new Array<number>(perm.length);
      perm.forEach((p, k) => {
        src[p] = idx[k];
      });
      data[i] = x.data[ravel(src, x.shape)];
    }
    return { shape, data };
  },
  slice: ([x], a) => {
    const st = a.starts as number[];
    const en = a.ends as number[];
    const shape = st.map((s, i) => en[i] - s);
    const data = new Float64Array(size(shape));
    for (let i = 0; i < data.length; i++)
      data[i] =
        x.data[
          ravel(
            unravel(i, shape).map((v, k) => v + st[k]),
            x.shape,
          )
        ];
    return { shape, data };
  },
  concat: (xs, a) => {
    const axis = (a.axis as number) ?? 0;
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
    const data = new Float64Array(size(shape));
    for (let i = 0; i < data.length; i++) {
      const idx = unravel(i, shape);
      let j = idx[axis];
      let t = 0;
      while (j >= xs[t].shape[axis]) j -= xs[t++].shape[axis];
      idx[axis] = j;
      data[i] = xs[t].data[ravel(idx, xs[t].shape)];
    }
    return { shape, data };
  },
  broadcast_to: ([x], a) => {
    const shape = a.shape as number[];
    const data = new Float64Array(size(shape));
    for (let i = 0; i < data.length; i++) data[i] = at(x, unravel(i, shape));
    return { shape, data };
  },
  sum_to: ([x], a) => {
    const shape = a.shape as number[];
    const data = new Float64Array(size(shape));
    const off = x.shape.length - shape.length;
    for (let i = 0; i < x.data.length; i++) {
      const idx = unravel(i, x.shape)
        .slice(off)
        .map((v, k) => (shape[k] === 1 ? 0 : v));
      data[ravel(idx, shape)] += x.data[i];
    }
    return { shape, data };
  },
  sum: ([x], a) => reduce(x, (a.axes as number[]) ?? [...x.shape.keys()], !!a.keepdims, false),
  mean: ([x], a) => reduce(x, (a.axes as number[]) ?? [...x.shape.keys()], !!a.keepdims, true),
  matmul: ([a, b]) => matmul(a, b),
  batch_matmul: ([a, b]) => {
    const [bs, m, k] = a.shape;
    const n = b.shape[2];
    const data = new Float64Array(bs * m * n);
    for (let i = 0; i < bs; i++) {
      const ai = { shape: [m, k], data: a.data.subarray(i * m * k, (i + 1) * m * k) };
      const bi = { shape: [k, n], data: b.data.subarray(i * k * n, (i + 1) * k * n) };
      data.set(matmul(ai, bi).data, i * m * n);
    }
    return { shape: [bs, m, n], data };
  },
  linear: ([x, w, b]) => {
    const y = matmul(x, w);
    const n = w.shape[1];
    for (let i = 0; i < y.data.length; i++) y.data[i] += b.data[i % n];
    return y;
  },
  softmax: ([x]) => rows(x, (r) => r.map((v) => Math.exp(v - logsumexp(r)))),
  log_softmax: ([x]) => rows(x, (r) => r.map((v) => v - logsumexp(r))),
  softmax_cross_entropy: ([x, t]) => {
    const [n, c] = x.shape;
    let s = 0;
    for (let r = 0; r < n; r++) {
      const row = x.data.subarray(r * c, r * c + c);
      s += logsumexp(row) - row[t.data[r]];
    }
    return { shape: [], data: Float64Array.of(s / n) };
  },
  mse: ([a, b]) => {
    let s = 0;
    for (let i = 0; i < a.data.length; i++) s += (a.data[i] - b.data[i]) ** 2;
    return { shape: [], data: Float64Array.of(s / a.data.length) };
  },
  layer_norm: ([x, g, b], a) => {
    const eps = (a.eps as number) ?? 1e-5;
    return rows(x, (r) => {
      const mu = r.reduce((s, v) => s + v, 0) / r.length;
      const v = r.reduce((s, q) => s + (q - mu) ** 2, 0) / r.length;
      return r.map((q, i) => ((q - mu) / Math.sqrt(v + Math.fround(eps))) * g.data[i] + b.data[i]);
    });
  },
  embedding: ([tab, ids]) => {
    const d = tab.shape[1];
    const data = new Float64Array(ids.data.length * d);
    ids.data.forEach((id, i) => {
      data.set(tab.data.subarray(id * d, id * d + d), i * d);
    });
    return { shape: [...ids.shape, d], data };
  },
  conv2d: ([x, w], a) => {
    const [sh, sw] = pairOf(a.stride, 1);
    const [ph, pw] = pairOf(a.padding, 0);
    const [n, c, h, wd] = x.shape;
    const [o, , kh, kw] = w.shape;
    const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
    const ow = Math.floor((wd + 2 * pw - kw) / sw) + 1;
    const shape = [n, o, oh, ow];
    const data = new Float64Array(size(shape));
    for (let i = 0; i < data.length; i++) {
      const [b, oc, y, xx] = unravel(i, shape);
      let s = 0;
      for (let ch = 0; ch < c; ch++)
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const iy = y * sh - ph + ky;
            const ix = xx * sw - pw + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
            s += x.data[ravel([b, ch, iy, ix], x.shape)] * w.data[ravel([oc, ch, ky, kx], w.shape)];
          }
      data[i] = s;
    }
    return { shape, data };
  },
  maxpool2d: ([x], a) => {
    const [kh, kw] = pairOf(a.kernel, 2);
    const [sh, sw] = pairOf(a.stride, kh === kw ? kh : Number.NaN);
    const [n, c, h, w] = x.shape;
    const shape = [n, c, Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1];
    const data = new Float64Array(size(shape));
    for (let i = 0; i < data.length; i++) {
      const [b, ch, y, xx] = unravel(i, shape);
      let m = -Infinity;
      for (let ky = 0; ky < kh; ky++)
        for (let kx = 0; kx < kw; kx++)
          m = Math.max(m, x.data[ravel([b, ch, y * sh + ky, xx * sw + kx], x.shape)]);
      data[i] = m;
    }
    return { shape, data };
  },
  dropout: ([x], a) => {
    const p = a.p as number;
    const w = randomUint32(
      a.seed as number,
      (a.stream as number) ?? 0,
      x.data.length,
      (a.offset as number) ?? 0,
    );
    return { shape: [...x.shape], data: x.data.map((v, i) => (w[i] / 2 ** 32 >= p ? v / (1 - p) : 0)) };
  },
};
