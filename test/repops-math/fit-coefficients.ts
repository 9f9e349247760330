/**
 * Generator (run by hand, not a test): fits the polynomial coefficients used by core/repops/math.ts for
 * erf/erfc, in float64, by Lawson-reweighted least squares (near-minimax relative error), and prints
 * them rounded to binary32. `node --import tsx test/repops-math/fit-coefficients.ts`
 * The float64 references live here and in the tests only (core/repops may not use Math.exp etc.).
 */
import { erfcxRef, erfRef } from './reference.ts';

/** Solve the least-squares problem min ||W(Vc − y)|| via Householder QR. */
function lstsq(V: number[][], y: number[], w: number[]): number[] {
  const m = V.length;
  const n = V[0].length;
  const A = V.map((row, i) => row.map((v) => v * w[i]));
  const b = y.map((v, i) => v * w[i]);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += A[i][j] * A[i][j];
    norm = Math.sqrt(norm);
    const alpha = A[j][j] > 0 ? -norm : norm;
    const v = new Array<number>(m).fill(0);
    for (let i = j; i < m; i++) v[i] = A[i][j];
    v[j] -= alpha;
    let vn = 0;
    for (let i = j; i < m; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    for (let c = j; c < n; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * A[i][c];
      s = (2 * s) / vn;
      for (let i = j; i < m; i++) A[i][c] -= s * v[i];
    }
    let s = 0;
    for (let i = j; i < m; i++) s += v[i] * b[i];
    s = (2 * s) / vn;
    for (let i = j; i < m; i++) b[i] -= s * v[i];
  }
  const c = new Array<number>(n).fill(0);
  for (let j = n - 1; j >= 0; j--) {
    let s = b[j];
    for (let k = j + 1; k < n; k++) s -= A[j][k] * c[k];
    c[j] = s / A[j][j];
  }
  return c;
}

/** Fit g(t) ≈ Σ c_i t^i on [a, b] minimising max relative error (Lawson iterations). */
export function fit(
  g: (t: number) => number,
  a: number,
  b: number,
  degree: number,
): { coef: number[]; maxRel: number } {
  const N = 3000;
  const ts: number[] = [];
  for (let i = 0; i < N; i++) ts.push((a + b) / 2 + ((b - a) / 2) * Math.cos((Math.PI * (i + 0.5)) / N));
  const ys = ts.map(g);
  const V = ts.map((t) => Array.from({ length: degree + 1 }, (_, i) => t ** i));
  let w = ys.map((y) => 1 / Math.abs(y));
  const base = w.slice();
  let coef: number[] = [];
  let maxRel = 0;
  let lw = new Array<number>(N).fill(1 / N);
  for (let it = 0; it < 60; it++) {
    w = base.map((bw, i) => bw * Math.sqrt(lw[i]));
    coef = lstsq(V, ys, w);
    const errs = ts.map((_t, i) => Math.abs(V[i].reduce((s, v, k) => s + v * coef[k], 0) - ys[i]) * base[i]);
    maxRel = Math.max(...errs);
    let tot = 0;
    lw = lw.map((l, i) => l * errs[i]);
    for (const l of lw) tot += l;
    lw = lw.map((l) => l / tot);
  }
  return { coef, maxRel };
}

const show = (name: string, r: { coef: number[]; maxRel: number }) =>
  console.log(
    `${name}: maxRel ${r.maxRel.toExponential(3)}\n  [${r.coef.map((c) => Math.fround(c).toPrecision(9)).join(', ')}]` +
      `\n  c0 lo part: ${Math.fround(r.coef[0] - Math.fround(r.coef[0])).toPrecision(9)}`,
  );

if (import.meta.url === `file://${process.argv[1]}`) {
  // erf(x) = x + x·P(x²) on |x| < 0.84375: P(z) = erf(√z)/√z − 1.
  show(
    'ERF_P (z = x², [0, 0.7119])',
    fit(
      (z) => (z === 0 ? 2 / Math.sqrt(Math.PI) - 1 : erfRef(Math.sqrt(z)) / Math.sqrt(z) - 1),
      0,
      0.84375 ** 2,
      6,
    ),
  );
  // erfc(x) = exp(−x²)·G(x), G = erfcx, on [0.84375, 2], [2, 4.5], and G(x) = H(1/x)/x on [4, 10.2].
  show(
    'ERFCX_A (t = x − 1.125, [0.5, 1.75])',
    fit((t) => erfcxRef(t + 1.125), 0.5 - 1.125, 1.75 - 1.125, 10),
  );
  show(
    'ERFCX_B (t = x − 2.75, [1.75, 4])',
    fit((t) => erfcxRef(t + 2.75), 1.75 - 2.75, 4 - 2.75, 10),
  );
  show(
    'ERFCX_C (u = 1/x², [1/10.2², 1/16]) of x·G(x)',
    fit((u) => erfcxRef(1 / Math.sqrt(u)) / Math.sqrt(u), 1 / 10.2 ** 2, 1 / 16, 5),
  );
}
