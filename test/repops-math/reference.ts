/**
 * Float64 reference functions for the accuracy tests (independent of core/repops/math.ts). Math.exp,
 * Math.log and Math.tanh are accurate to well under one float64 ulp, i.e. < 10^-8 binary32 ulp.
 * erf/erfc have no Math.* counterpart, so they are computed here from textbook series:
 * erf by the all-positive series erf x = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1}/(2n+1)!! (no cancellation),
 * erfcx(x) = e^{x²} erfc(x) by the Laplace continued fraction for x ≥ 2.5.
 */
const SQRT_PI = Math.sqrt(Math.PI);

export function erfRef(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  if (ax >= 2.5) return Math.sign(x) * (1 - Math.exp(-ax * ax) * erfcxRef(ax));
  let term = ax;
  let sum = ax;
  const z2 = 2 * ax * ax;
  for (let n = 1; n < 200; n++) {
    term *= z2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-18) break;
  }
  const r = (2 / SQRT_PI) * Math.exp(-ax * ax) * sum;
  return x < 0 ? -r : r;
}

/** e^{x²}·erfc(x) for x ≥ 0. */
export function erfcxRef(x: number): number {
  if (x < 2.5) return Math.exp(x * x) * (1 - erfRef(x));
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  let t = x;
  for (let n = 400; n >= 1; n--) t = x + n / 2 / t;
  return 1 / (SQRT_PI * t);
}

/** erfc in float64: relative accuracy ~1e-13 across its range (underflows to 0 beyond ~27). */
export function erfcRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0.5) return 1 - erfRef(x);
  return Math.exp(-x * x) * erfcxRef(x);
}

export function sigmoidRef(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** GELU (erf form) x·Φ(x) = ½·x·erfc(−x/√2). */
export function geluRef(x: number): number {
  return 0.5 * x * erfcRef(-x / Math.SQRT2);
}
