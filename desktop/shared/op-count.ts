/**
 * The one op-count definition of the app (issue 15): the Proof, Graph and Model views all count and
 * word a step's ops through this module, so the same step shows the same number everywhere.
 *
 * Definition: the nodes of the step's RepOps tape — leaves (parameters, optimizer state, data) plus
 * forward, backward and optimizer ops. Each node has one op digest, and these digests are the Merkle
 * leaves of the step's op root, so the count equals the record's `opCount` (what a dispute bisects over).
 */

/** Phases a tape node can be in (TraceNode / ModelGraphNode). */
export type OpCountPhase = 'leaf' | 'forward' | 'backward' | 'optimizer';

export interface OpCount {
  total: number;
  leaf: number;
  forward: number;
  backward: number;
  optimizer: number;
}

/** The label every view puts in front of the number. */
export const OP_COUNT_LABEL = 'tape ops';

/** Tooltip text explaining the definition (same in every view). */
export const OP_COUNT_DEFINITION =
  "Tape ops: every node of the step's RepOps tape — leaves (parameters, optimizer state, data) + forward + backward + optimizer ops. Each has one op digest; together they are the Merkle leaves of the op root, so this equals the record's opCount, the range a dispute bisects.";

export function countOps(nodes: readonly { phase: string }[]): OpCount {
  const c: OpCount = { total: nodes.length, leaf: 0, forward: 0, backward: 0, optimizer: 0 };
  for (const n of nodes) {
    if (n.phase === 'leaf' || n.phase === 'forward' || n.phase === 'backward' || n.phase === 'optimizer')
      c[n.phase]++;
    else throw new Error(`op count: unknown phase ${JSON.stringify(n.phase)}`);
  }
  return c;
}

/** "853 tape ops (leaf 120 · forward 300 · backward 350 · optimizer 83)"; phases with 0 ops are left out. */
export function formatOpCount(c: OpCount): string {
  const parts = (['leaf', 'forward', 'backward', 'optimizer'] as const)
    .filter((p) => c[p] > 0)
    .map((p) => `${p} ${c[p].toLocaleString('en-US')}`);
  return `${c.total.toLocaleString('en-US')} ${OP_COUNT_LABEL}${parts.length ? ` (${parts.join(' · ')})` : ''}`;
}

/** A recorded count without the per-phase split (the step record stores only the total). */
export function formatRecordedOpCount(total: number): string {
  return `${total.toLocaleString('en-US')} ${OP_COUNT_LABEL}`;
}
