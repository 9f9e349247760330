/**
 * Comparing two traces of the same step (pure): per-node agree/disagree and the first disagreeing node
 * in tape order — the op a pinpoint dispute would converge to (all its inputs agree, it does not).
 */
import type { NodeMark } from './graph-canvas.ts';

export interface DigestNode {
  id: number;
  op: string;
  inputs: readonly number[];
  digest?: string;
}

export interface TraceComparison {
  marks: Map<number, NodeMark>;
  agree: number;
  disagree: number;
  /** First node (tape order) whose digest differs, or null when the traces agree everywhere. */
  first: number | null;
  /** Disagreeing nodes whose inputs all agree: where a fault entered (the first one is `first`). */
  sources: number[];
}

export function compareTraces(a: readonly DigestNode[], b: readonly DigestNode[]): TraceComparison {
  if (a.length !== b.length)
    throw new Error(`compare traces: ${a.length} ops vs ${b.length} ops — not the same step graph`);
  const marks = new Map<number, NodeMark>();
  const bad = new Set<number>();
  let first: number | null = null;
  const sources: number[] = [];
  const sortedA = [...a].sort((x, y) => x.id - y.id);
  const byIdB = new Map(b.map((n) => [n.id, n]));
  for (const n of sortedA) {
    const m = byIdB.get(n.id);
    if (!m || m.op !== n.op)
      throw new Error(
        `compare traces: node #${n.id} is ${n.op} in one trace and ${m ? m.op : 'missing'} in the other`,
      );
    if (n.digest === m.digest) {
      marks.set(n.id, 'agree');
      continue;
    }
    bad.add(n.id);
    marks.set(n.id, 'disagree');
    if (first === null) first = n.id;
    if (n.inputs.every((i) => !bad.has(i))) sources.push(n.id);
  }
  if (first !== null) marks.set(first, 'culprit');
  return { marks, agree: a.length - bad.size, disagree: bad.size, first, sources };
}
