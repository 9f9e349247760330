/**
 * Which steps the verifier replays, and what that buys.
 *  - Fiat–Shamir: sample i is H("pinpoint.fs.v1", runCommitment, u32le counter) read as a 48-bit
 *    big-endian integer mod T, drawing counters 0, 1, … until q distinct steps are found. The solver
 *    fixes the commitment before it can know the samples; changing any step changes every sample.
 *  - Top-Q largest updates (Jia et al. 2021, "Proof-of-Learning", Algorithm 2): for each checkpoint
 *    interval [c_i, c_{i+1}) the L2 norm of the parameter change between the two checkpoints; *per epoch*
 *    the Q intervals with the largest norms are replayed in full. Per epoch, not over the whole run,
 *    because update norms shrink as training converges: a global top-Q would only ever look at the
 *    first epochs and leave a late forgery unexamined. An interval belongs to the epoch its first step
 *    is in (epoch = ⌊step / stepsPerEpoch⌋, the data order's batches per epoch).
 *  - Detection probability: a forger who forged m = ⌈f·T⌉ of the T steps is caught if any forged step
 *    is replayed. With n distinct uniform samples P = 1 − C(T−m, n) / C(T, n) (hypergeometric; ≈ 1 −
 *    (1 − f)^n). This is a lower bound: replaying a sampled step t also replays every step from its
 *    checkpoint to t, and the top-Q intervals add more.
 */
import { digestBytes } from '../hash/digest.ts';
import { type Digest, fromHex } from '../hash/hex.ts';
import type { Tensor } from '../repops/tensor.ts';

export function fiatShamirSteps(runCommitment: Digest, steps: number, q: number): number[] {
  const want = Math.min(q, steps);
  const seen = new Set<number>();
  const out: number[] = [];
  const commit = fromHex(runCommitment);
  for (let c = 0; out.length < want; c++) {
    const ctr = new Uint8Array(4);
    new DataView(ctr.buffer).setUint32(0, c, true);
    const h = fromHex(digestBytes('pinpoint.fs.v1', commit, ctr));
    let v = 0;
    for (let i = 0; i < 6; i++) v = v * 256 + h[i];
    const t = v % steps;
    if (!seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

export interface IntervalUpdate {
  readonly from: number;
  readonly to: number;
  /** Epoch of the interval's first step. */
  readonly epoch: number;
  /** L2 norm (binary64) of the parameter change over the interval. */
  readonly norm: number;
}

/** Update norms of consecutive checkpoint intervals, from the parameters at each checkpoint. */
export function intervalUpdates(
  steps: readonly number[],
  params: (step: number) => readonly Tensor[],
  stepsPerEpoch: number,
): IntervalUpdate[] {
  if (!(Number.isInteger(stepsPerEpoch) && stepsPerEpoch > 0))
    throw new Error(`intervalUpdates: stepsPerEpoch must be a positive integer, got ${stepsPerEpoch}`);
  const out: IntervalUpdate[] = [];
  for (let i = 0; i + 1 < steps.length; i++) {
    const a = params(steps[i]);
    const b = params(steps[i + 1]);
    let s = 0;
    for (let k = 0; k < a.length; k++) {
      const x = a[k].data;
      const y = b[k].data;
      for (let j = 0; j < x.length; j++) s += (y[j] - x[j]) * (y[j] - x[j]);
    }
    out.push({
      from: steps[i],
      to: steps[i + 1],
      epoch: Math.floor(steps[i] / stepsPerEpoch),
      norm: Math.sqrt(s),
    });
  }
  return out;
}

/**
 * Per epoch, the Q intervals with the largest update norms (ties: earlier interval first); the result
 * is in epoch order, largest first within an epoch.
 */
export function topQ(updates: readonly IntervalUpdate[], q: number): IntervalUpdate[] {
  const byEpoch = new Map<number, IntervalUpdate[]>();
  for (const u of updates) byEpoch.set(u.epoch, [...(byEpoch.get(u.epoch) ?? []), u]);
  return [...byEpoch.keys()]
    .sort((a, b) => a - b)
    .flatMap((e) =>
      (byEpoch.get(e) ?? []).sort((a, b) => b.norm - a.norm || a.from - b.from).slice(0, Math.max(0, q)),
    );
}

/** 1 − C(T−m, n)/C(T, n) with m = ⌈f·T⌉ forged steps and n distinct uniform samples. */
export function detectionProbability(T: number, n: number, f: number): number {
  return 1 - missProbability(T, n, f);
}

/**
 * 1 − detectionProbability, computed directly so that a miss chance far below double precision's 1-ulp
 * (e.g. 1e-17) is still reported as itself rather than vanishing into a "100 %".
 */
export function missProbability(T: number, n: number, f: number): number {
  const m = Math.min(T, Math.ceil(f * T - 1e-9));
  if (m <= 0 || n <= 0) return 1;
  if (n > T - m) return 0;
  let miss = 1;
  for (let i = 0; i < n; i++) miss *= (T - m - i) / (T - i);
  return miss;
}

/** Smallest n with detectionProbability(T, n, f) ≥ p (how many samples a target confidence needs). */
export function samplesFor(T: number, f: number, p: number): number {
  for (let n = 1; n <= T; n++) if (detectionProbability(T, n, f) >= p) return n;
  return T;
}
