/** Where certify engines part: vectors whose digests differ, and the first differing training step. */
import type { EngineResult } from '../../core/certify/engine.ts';
import { STEP_CASES } from '../../core/repops/golden/cases.ts';

export type Difference =
  | {
      readonly kind: 'vector';
      readonly engine: string;
      readonly reference: string;
      readonly vector: string;
      /** A training-step vector (its digest covers a whole tape, not one output). */
      readonly isTape: boolean;
      readonly element?: number;
      readonly referenceBits?: number;
      readonly engineBits?: number;
    }
  | {
      readonly kind: 'run';
      readonly engine: string;
      readonly reference: string;
      readonly task: string;
      readonly step: number;
    };

const TAPE_VECTORS = new Set(STEP_CASES.map((s) => s.name));

/** Compares every engine with the first one that ran (the reference): first differing vector, and per task the first differing step. */
export function findDifferences(ran: readonly { name: string; result: EngineResult }[]): Difference[] {
  if (ran.length < 2) return [];
  const [ref, ...others] = ran;
  const out: Difference[] = [];
  for (const o of others) {
    if (o.result.vectorDigest !== ref.result.vectorDigest) {
      const names = Object.keys(ref.result.vectors);
      const first =
        names.find((n) => o.result.vectors[n] !== ref.result.vectors[n]) ??
        Object.keys(o.result.vectors).find((n) => !(n in ref.result.vectors)) ??
        '(vector set)';
      out.push({
        kind: 'vector',
        engine: o.name,
        reference: ref.name,
        vector: first,
        isTape: TAPE_VECTORS.has(first),
      });
    }
    for (const [task, root] of Object.entries(o.result.runRoots)) {
      const refRoot = ref.result.runRoots[task];
      if (refRoot === undefined || refRoot === root) continue;
      const a = ref.result.stepDigests[task] ?? [];
      const b = o.result.stepDigests[task] ?? [];
      let step = 0;
      while (step < Math.min(a.length, b.length) && a[step] === b[step]) step++;
      out.push({ kind: 'run', engine: o.name, reference: ref.name, task, step });
    }
  }
  return out;
}
