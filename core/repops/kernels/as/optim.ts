// Optimizer updates and the squared norm (ops/optim.ts is the spec); same operations, same order,
// one f32x4 lane per element (sumsq: one f32x4 accumulator, lane k takes terms i ≡ k mod 4).

// out = b1 × m + c × g
export function adamM(pm: usize, pg: usize, po: usize, n: i32, b1: f32, c: f32): void {
  const vb = f32x4.splat(b1);
  const vc = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(po + o, f32x4.add(f32x4.mul(vb, v128.load(pm + o)), f32x4.mul(vc, v128.load(pg + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(po + o, b1 * load<f32>(pm + o) + c * load<f32>(pg + o));
  }
}

// out = b2 × v + c × (g × g)
export function adamV(pv: usize, pg: usize, po: usize, n: i32, b2: f32, c: f32): void {
  const vb = f32x4.splat(b2);
  const vc = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(pg + o);
    v128.store(po + o, f32x4.add(f32x4.mul(vb, v128.load(pv + o)), f32x4.mul(vc, f32x4.mul(g, g))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(pg + o);
    store<f32>(po + o, b2 * load<f32>(pv + o) + c * (g * g));
  }
}

// u = (m ÷ bc1) ÷ (sqrt(v ÷ bc2) + eps); p1 = wd ? p − lrwd × p : p; out = p1 − lr × u
export function adamParam(
  pp: usize,
  pm: usize,
  pv: usize,
  po: usize,
  n: i32,
  lr: f32,
  eps: f32,
  lrwd: f32,
  wd: i32,
  bc1: f32,
  bc2: f32,
): void {
  const vlr = f32x4.splat(lr);
  const veps = f32x4.splat(eps);
  const vlrwd = f32x4.splat(lrwd);
  const vbc1 = f32x4.splat(bc1);
  const vbc2 = f32x4.splat(bc2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const mh = f32x4.div(v128.load(pm + o), vbc1);
    const vh = f32x4.div(v128.load(pv + o), vbc2);
    const u = f32x4.div(mh, f32x4.add(f32x4.sqrt(vh), veps));
    let p = v128.load(pp + o);
    if (wd) p = f32x4.sub(p, f32x4.mul(vlrwd, p));
    v128.store(po + o, f32x4.sub(p, f32x4.mul(vlr, u)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const mh = load<f32>(pm + o) / bc1;
    const vh = load<f32>(pv + o) / bc2;
    const u = mh / (Mathf.sqrt(vh) + eps);
    let p = load<f32>(pp + o);
    if (wd) p = p - lrwd * p;
    store<f32>(po + o, p - lr * u);
  }
}

// out = g × c
export function scale(pg: usize, po: usize, n: i32, c: f32): void {
  const vc = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(po + o, f32x4.mul(v128.load(pg + o), vc));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(po + o, load<f32>(pg + o) * c);
  }
}

// laneSum of g[i] × g[i]
export function sumsq(pg: usize, n: i32): f32 {
  const n4 = n - (n & 3);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const g = v128.load(pg + (<usize>i << 2));
    acc = f32x4.add(acc, f32x4.mul(g, g));
  }
  let s0 = f32x4.extract_lane(acc, 0);
  let s1 = f32x4.extract_lane(acc, 1);
  let s2 = f32x4.extract_lane(acc, 2);
  const s3 = f32x4.extract_lane(acc, 3);
  const t = pg + (<usize>i << 2);
  if (i < n) s0 = s0 + load<f32>(t) * load<f32>(t);
  if (i + 1 < n) s1 = s1 + load<f32>(t + 4) * load<f32>(t + 4);
  if (i + 2 < n) s2 = s2 + load<f32>(t + 8) * load<f32>(t + 8);
  return (s0 + s1) + (s2 + s3);
}
