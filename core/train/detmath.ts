/**
 * Deterministic sin/cos for dataset generation only (never inside RepOps ops). `Math.sin` is
 * implementation-defined in JavaScript, so a spiral generated with it could differ between engines and
 * change the dataset digest. These use only IEEE binary64 + − × (correctly rounded everywhere) in a
 * fixed order: reduction to [−π, π] then a degree-23 Taylor polynomial (|error| < 1e-9 on that range,
 * ample for a synthetic data set). Results are rounded to binary32 by the caller's Float32Array.
 */
const PI = Math.PI;
const TWO_PI = 2 * Math.PI;

function reduce(x: number): number {
  const k = Math.round(x / TWO_PI); // Math.round is exact (not transcendental): same on every engine
  let r = x - k * TWO_PI;
  if (r > PI) r -= TWO_PI;
  if (r < -PI) r += TWO_PI;
  return r;
}

export function detSin(x: number): number {
  const r = reduce(x);
  const r2 = r * r;
  // Horner over the odd Taylor terms r − r³/3! + … − r²³/23!, highest degree first.
  let term = 1;
  let acc = 0;
  const coeffs: number[] = [];
  for (let n = 1; n <= 23; n += 2) {
    coeffs.push(((n - 1) / 2) % 2 === 0 ? 1 / term : -1 / term);
    term *= (n + 1) * (n + 2);
  }
  for (let i = coeffs.length - 1; i >= 0; i--) acc = acc * r2 + coeffs[i];
  return acc * r;
}

export function detCos(x: number): number {
  return detSin(x + PI / 2);
}
