/**
 * Tensor statistics for the inspector (pure, no DOM): summary stats, a histogram over finite values
 * and the 2-D shape a tensor is drawn as in a heat map.
 */

export interface TensorStats {
  count: number;
  finite: number;
  nans: number;
  infs: number;
  zeros: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation over finite values. */
  std: number;
  /** Euclidean norm over finite values. */
  l2: number;
}

export function tensorStats(values: ArrayLike<number>): TensorStats {
  let finite = 0;
  let nans = 0;
  let infs = 0;
  let zeros = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      nans++;
      continue;
    }
    if (!Number.isFinite(v)) {
      infs++;
      continue;
    }
    finite++;
    if (v === 0) zeros++;
    // −0 orders below +0 (as Math.min/max do): the inspector shows a tensor's signed zeros faithfully.
    if (v < min || (v === 0 && min === 0 && Object.is(v, -0))) min = v;
    if (v > max || (v === 0 && max === 0 && Object.is(max, -0))) max = v;
    sum += v;
    sq += v * v;
  }
  const mean = finite ? sum / finite : Number.NaN;
  // Second pass for the variance: the one-pass formula loses precision when |mean| ≫ std.
  let dev = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) dev += (v - mean) * (v - mean);
  }
  return {
    count: values.length,
    finite,
    nans,
    infs,
    zeros,
    min: finite ? min : Number.NaN,
    max: finite ? max : Number.NaN,
    mean,
    std: finite ? Math.sqrt(dev / finite) : Number.NaN,
    l2: Math.sqrt(sq),
  };
}

export interface Bin {
  x0: number;
  x1: number;
  count: number;
}

/**
 * `bins` equal-width bins over [min, max] of the finite values; the last bin is closed so max is
 * counted. A constant tensor gets one bin of width 0 holding every value.
 */
export function histogram(values: ArrayLike<number>, bins: number): Bin[] {
  if (!Number.isInteger(bins) || bins < 1)
    throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  const s = tensorStats(values);
  if (s.finite === 0) return [];
  if (s.min === s.max) return [{ x0: s.min, x1: s.max, count: s.finite }];
  const width = (s.max - s.min) / bins;
  const out: Bin[] = [];
  for (let b = 0; b < bins; b++)
    // Bin 0 starts at min itself (−0 + 0 would be +0).
    out.push({
      x0: b === 0 ? s.min : s.min + b * width,
      x1: b === bins - 1 ? s.max : s.min + (b + 1) * width,
      count: 0,
    });
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    let b = Math.min(bins - 1, Math.floor((v - s.min) / width));
    // The division rounds (e.g. a tiny value next to a ±3e38 range lands on 1.0): settle on the bin
    // whose drawn edges [x0, x1) really contain v, so counts agree with the edges shown.
    while (b > 0 && v < out[b].x0) b--;
    while (b < bins - 1 && v >= out[b].x1) b++;
    out[b].count++;
  }
  return out;
}

/**
 * Rows × cols a tensor is drawn as: rank 0/1 → one row; rank 2 as is; higher ranks fold the leading
 * dimensions into rows (the last dimension stays the columns, as in row-major memory).
 */
export function heatShape(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [1, shape[0]];
  const cols = shape[shape.length - 1];
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows *= shape[i];
  return [rows, cols];
}
