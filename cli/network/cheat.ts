/** How a demo solver cheats: with probability `rate` (decided from its seed and the task) it alters one forward op. */
import { alterOp } from '../../core/attacks/hooks.ts';
import type { ExecHooks } from '../../core/dispute/execute.ts';
import { hash32 } from '../../core/dispute/synthetic.ts';
import type { DisputeTask } from '../../core/dispute/task.ts';

function seedNumber(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export function attackHooksAlterOp(
  task: DisputeTask,
  spec: { task: string; steps: number },
  seed: string,
  rate: number,
): { hooks: ExecHooks; at: { step: number; op: number } } | null {
  const r = hash32(seedNumber(seed), seedNumber(spec.task));
  if (r / 2 ** 32 >= rate) return null;
  const step = hash32(r, 1) % spec.steps;
  const g = task.graph(step);
  const ops = g.nodes.flatMap((n, i) => (n.op !== 'leaf' && n.phase === 'forward' ? [i] : []));
  const op = ops[hash32(r, 2) % ops.length];
  // 4096 ulps: large enough that no clamp or rounding absorbs it before it is committed.
  return { hooks: alterOp(step, op, 0, 4096), at: { step, op } };
}
