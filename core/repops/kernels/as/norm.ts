// Layer norm and its VJPs (ops/nn.ts lnRow and the layer_norm row kernels are the spec): the same
// binary32 operations in the same order. laneSum keeps reduce.ts's four lanes as one f32x4 accumulator
// (lane k takes terms i ≡ k mod 4; the tail goes to lanes 0, 1, 2; then (s0 + s1) + (s2 + s3)).
// A JS `fround(p / q)` of two binary32 values is the binary32 division (double rounding is innocuous
// for ÷ and sqrt), so `/` and `sqrt<f32>` here are the spec's operations.
import { laneSum } from './shared/lane-sum';


// xh[i] = (x[i] − mu) × rstd for one row of length d; returns rstd.
function lnRow(px: usize, pxh: usize, d: i32, eps: f32): f32 {
  const fd = <f32>d;
  const mu: f32 = laneSum(px, d) / fd;
  const vmu = f32x4.splat(mu);
  let i = 0;
  for (; i + 4 <= d; i += 4) {
    const o = <usize>i << 2;
    const c = f32x4.sub(v128.load(px + o), vmu);
    v128.store(pxh + o, f32x4.mul(c, c));
  }
  for (; i < d; i++) {
    const o = <usize>i << 2;
    const c: f32 = load<f32>(px + o) - mu;
    store<f32>(pxh + o, c * c);
  }
  const v: f32 = laneSum(pxh, d) / fd;
  const rstd: f32 = <f32>1 / sqrt<f32>(v + eps);
  const vr = f32x4.splat(rstd);
  i = 0;
  for (; i + 4 <= d; i += 4) {
    const o = <usize>i << 2;
    v128.store(pxh + o, f32x4.mul(f32x4.sub(v128.load(px + o), vmu), vr));
  }
  for (; i < d; i++) {
    const o = <usize>i << 2;
    store<f32>(pxh + o, (load<f32>(px + o) - mu) * rstd);
  }
  return rstd;
}

// out[i] = xh[i] × gamma[i] + beta[i], rows × d.
export function layerNorm(px: usize, pgamma: usize, pbeta: usize, po: usize, rows: i32, d: i32, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * d) << 2;
    const pxh = po + row;
    lnRow(px + row, pxh, d, eps);
    let i = 0;
    for (; i + 4 <= d; i += 4) {
      const o = <usize>i << 2;
      v128.store(pxh + o, f32x4.add(f32x4.mul(v128.load(pxh + o), v128.load(pgamma + o)), v128.load(pbeta + o)));
    }
    for (; i < d; i++) {
      const o = <usize>i << 2;
      store<f32>(pxh + o, load<f32>(pxh + o) * load<f32>(pgamma + o) + load<f32>(pbeta + o));
    }
  }
}

// dx: out[i] = rstd × ((gh[i] − a) − xh[i] × b), gh = g × gamma, a = laneSum(gh) ÷ d, b = laneSum(gh × xh) ÷ d.
// pws: 3·d floats of scratch.
export function layerNormVjp0(
  pg: usize,
  px: usize,
  pgamma: usize,
  po: usize,
  rows: i32,
  d: i32,
  eps: f32,
  pws: usize,
): void {
  const fd = <f32>d;
  const pxh = pws;
  const pgh = pws + (<usize>d << 2);
  const pt = pws + (<usize>(2 * d) << 2);
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * d) << 2;
    const rstd = lnRow(px + row, pxh, d, eps);
    let i = 0;
    for (; i + 4 <= d; i += 4) {
      const o = <usize>i << 2;
      v128.store(pgh + o, f32x4.mul(v128.load(pg + row + o), v128.load(pgamma + o)));
    }
    for (; i < d; i++) {
      const o = <usize>i << 2;
      store<f32>(pgh + o, load<f32>(pg + row + o) * load<f32>(pgamma + o));
    }
    const a: f32 = laneSum(pgh, d) / fd;
    i = 0;
    for (; i + 4 <= d; i += 4) {
      const o = <usize>i << 2;
      v128.store(pt + o, f32x4.mul(v128.load(pgh + o), v128.load(pxh + o)));
    }
    for (; i < d; i++) {
      const o = <usize>i << 2;
      store<f32>(pt + o, load<f32>(pgh + o) * load<f32>(pxh + o));
    }
    const b: f32 = laneSum(pt, d) / fd;
    const va = f32x4.splat(a);
    const vb = f32x4.splat(b);
    const vr = f32x4.splat(rstd);
    i = 0;
    for (; i + 4 <= d; i += 4) {
      const o = <usize>i << 2;
      const u = f32x4.sub(f32x4.sub(v128.load(pgh + o), va), f32x4.mul(v128.load(pxh + o), vb));
      v128.store(po + row + o, f32x4.mul(vr, u));
    }
    for (; i < d; i++) {
      const o = <usize>i << 2;
      store<f32>(po + row + o, rstd * ((load<f32>(pgh + o) - a) - load<f32>(pxh + o) * b));
    }
  }
}

// layer_norm.vjp1's per-element products: prod[i] = xh[i] × g[i], rows × d.
export function layerNormVjp1Rows(px: usize, pg: usize, pprod: usize, rows: i32, d: i32, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * d) << 2;
    const pxh = pprod + row;
    lnRow(px + row, pxh, d, eps);
    let i = 0;
    for (; i + 4 <= d; i += 4) {
      const o = <usize>i << 2;
      v128.store(pxh + o, f32x4.mul(v128.load(pxh + o), v128.load(pg + row + o)));
    }
    for (; i < d; i++) {
      const o = <usize>i << 2;
      store<f32>(pxh + o, load<f32>(pxh + o) * load<f32>(pg + row + o));
    }
  }
}
