/** Small text formatters shared by the components (pure). */

/** First `n` hex chars of a digest, e.g. "3fa9c2e1". */
export function shortDigest(d: string | null | undefined, n = 8): string {
  if (!d) return '—';
  return d.slice(0, n);
}

/** A number in ≤ 6 significant digits, exponent form for very large/small magnitudes. */
export function fmtNum(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '−∞';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(3);
  return String(Number(v.toPrecision(6)));
}

/** Integer with thin-space thousands separators ("12 345"). */
export function fmtInt(v: number): string {
  const s = String(Math.round(Math.abs(v)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return v < 0 ? `−${grouped}` : grouped;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join('×')}]`;
}

/** Signed delta for balances: "+12", "−30", "±0". */
export function fmtDelta(d: number): string {
  if (d === 0) return '±0';
  return d > 0 ? `+${fmtInt(d)}` : fmtInt(d);
}
