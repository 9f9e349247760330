/**
 * A plain Jia-style proof-of-learning checker (Jia et al. 2021) — the baseline the spoofing attacks of
 * Zhang et al. 2022 and Fang et al. 2023 break. The proof is a list of checkpoints every k steps plus the
 * data the prover says it used; the checker picks the top-Q segments per epoch by update norm, replays
 * each from its starting checkpoint with the claimed data, and accepts when the replayed parameters are
 * within distance δ of the next checkpoint. It never looks at individual ops and trusts the claimed data.
 */
import { executeStep, type RunTrace } from '../dispute/execute.ts';
import type { DisputeTask } from '../dispute/task.ts';
import type { Tensor } from '../repops/tensor.ts';

export interface JiaProof {
  /** Checkpoint interval (steps). */
  readonly k: number;
  /** State before steps 0, k, 2k, …, and the final state (length ⌈T/k⌉ + 1). */
  readonly checkpoints: readonly (readonly Tensor[])[];
  /** The data the prover claims it used (plain PoL: the prover's word). */
  data(step: number, index: number): Tensor;
}

export interface JiaOptions {
  /** Distance tolerance δ (L2 over the parameter slots). */
  readonly delta: number;
  /** Segments replayed per epoch (top-Q by update norm). */
  readonly q: number;
  /** Segments per epoch. */
  readonly epochSegments: number;
}

export interface JiaReport {
  readonly passes: boolean;
  readonly segments: number;
  readonly sampled: readonly number[];
  readonly distances: readonly { readonly segment: number; readonly distance: number }[];
  readonly maxDistance: number;
  /** Steps replayed / T. */
  readonly computeFraction: number;
  /** First sampled segment over δ, or null. */
  readonly failedSegment: number | null;
}

/** Indices of the parameter slots (Jia compares weights, not optimizer state). */
export function paramSlots(task: DisputeTask): number[] {
  const g = task.graph(0);
  return g.slots
    .map((s, k) => (s.leaf >= 0 && g.nodes[s.leaf].attrs.kind === 'param' ? k : -1))
    .filter((k) => k >= 0);
}

export function paramDistance(a: readonly Tensor[], b: readonly Tensor[], slots: readonly number[]): number {
  let s = 0;
  for (const k of slots) {
    const x = a[k].data;
    const y = b[k].data;
    for (let e = 0; e < x.length; e++) {
      const d = x[e] - y[e];
      s += d * d;
    }
  }
  return Math.sqrt(s);
}

export function jiaProofOf(
  trace: RunTrace,
  k: number,
  data?: (step: number, index: number) => Tensor,
): JiaProof {
  const T = trace.steps;
  const checkpoints: (readonly Tensor[])[] = [];
  for (let s = 0; s < T; s += k) checkpoints.push(trace.states[s]);
  checkpoints.push(trace.states[T]);
  return { k, checkpoints, data: data ?? ((s, i) => trace.task.dataLeaf(s, i)) };
}

export function jiaCheck(task: DisputeTask, proof: JiaProof, opts: JiaOptions): JiaReport {
  const T = task.steps;
  const slots = paramSlots(task);
  const segments = proof.checkpoints.length - 1;
  const norms = Array.from({ length: segments }, (_, j) =>
    paramDistance(proof.checkpoints[j + 1], proof.checkpoints[j], slots),
  );
  const sampled: number[] = [];
  for (let e = 0; e < segments; e += opts.epochSegments) {
    const ids = Array.from({ length: Math.min(opts.epochSegments, segments - e) }, (_, k) => e + k);
    ids.sort((a, b) => norms[b] - norms[a] || a - b);
    sampled.push(...ids.slice(0, opts.q));
  }
  sampled.sort((a, b) => a - b);
  const claimed: DisputeTask = { ...task, dataLeaf: (s, i) => proof.data(s, i) };
  const distances: { segment: number; distance: number }[] = [];
  let replayed = 0;
  for (const j of sampled) {
    let state = proof.checkpoints[j];
    const end = Math.min((j + 1) * proof.k, T);
    for (let s = j * proof.k; s < end; s++) {
      state = executeStep(claimed, s, state, 'fast').stateAfter;
      replayed++;
    }
    distances.push({ segment: j, distance: paramDistance(state, proof.checkpoints[j + 1], slots) });
  }
  const failed = distances.find((d) => !(d.distance <= opts.delta));
  return {
    passes: failed === undefined,
    segments,
    sampled,
    distances,
    maxDistance: distances.reduce((m, d) => Math.max(m, d.distance), 0),
    computeFraction: replayed / T,
    failedSegment: failed ? failed.segment : null,
  };
}
