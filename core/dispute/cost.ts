/**
 * Cost of a dispute next to full replication of the run: bisection rounds (against the ⌈log2 T⌉ + ⌈log2 N⌉
 * bound), bytes the parties sent, the referee's work (one op's FLOPs plus the hashing of proofs) and the
 * FLOPs of replaying every step.
 */

import type { Attrs } from '../repops/registry.ts';
import type { StepGraph } from './types.ts';

export interface CostReport {
  readonly rounds: {
    /** Phase-1 bisection rounds (state after step m). */
    readonly steps: number;
    /** Phase-2 descent rounds (children of an op-tree node). */
    readonly ops: number;
    /** All question/answer exchanges, including setup, op-root commit and resolution. */
    readonly messages: number;
    /** ⌈log2 T⌉ + ⌈log2 N⌉ (N of the disputed step, or of step 0 when phase 2 was not reached). */
    readonly bound: number;
  };
  readonly bytes: { readonly solver: number; readonly challenger: number; readonly total: number };
  readonly referee: {
    /** FLOPs of the one recomputed op (0 if the dispute ended earlier). */
    readonly flops: number;
    /** SHA-256 compressions-worth of hashing: record digests, proof paths, tensor digests (in calls). */
    readonly hashCalls: number;
    /** Bytes of revealed tensors the referee hashed. */
    readonly hashedTensorBytes: number;
  };
  readonly replication: {
    readonly steps: number;
    /** FLOPs of replaying every step of the run (T × FLOPs of one step's graph). */
    readonly flops: number;
    /** referee FLOPs / replication FLOPs. */
    readonly ratio: number;
    /** Bytes a replicator must obtain: the initial state plus every step's data leaves (binary32). */
    readonly bytes: number;
  };
}

export type FlopsFn = (op: string, attrs: Attrs, inputShapes: readonly (readonly number[])[]) => number;

/** FLOPs of one step's graph (leaves are free). */
export function graphFlops(graph: StepGraph, flops: FlopsFn): number {
  let total = 0;
  for (const n of graph.nodes) {
    if (n.op === 'leaf') continue;
    total += flops(
      n.op,
      n.attrs,
      n.inputs.map((i) => graph.nodes[i].shape),
    );
  }
  return total;
}

/** Bytes of the state and of one step's data/target/const leaves, from the public graph's shapes. */
export function graphBytes(graph: StepGraph): { state: number; data: number } {
  const size = (i: number) => 4 * graph.nodes[i].shape.reduce((a, b) => a * b, 1);
  let state = 0;
  for (const s of graph.slots) state += size(s.out);
  let data = 0;
  graph.nodes.forEach((n, i) => {
    const kind = n.op === 'leaf' ? String(n.attrs.kind) : '';
    if (kind === 'data' || kind === 'target' || kind === 'const') data += size(i);
  });
  return { state, data };
}

export function ceilLog2(n: number): number {
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

/** Bytes a JSON answer takes on the wire (tensors counted as raw binary32 plus their shape). */
export function wireBytes(value: unknown): number {
  let extra = 0;
  const json = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Float32Array) {
      extra += v.byteLength;
      return 0;
    }
    return v;
  });
  return (json?.length ?? 0) + extra;
}
