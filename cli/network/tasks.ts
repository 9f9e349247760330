/**
 * Which computation a network task is: core/dispute's seeded synthetic task (the default), or a real
 * RepOps training task bundled under tasks/ (`repops: "iris-mlp"`), trained for `steps` steps from
 * `seed`. Every party derives the same DisputeTask from the spec it was sent, so the spec names a
 * bundled task only (no paths over the network).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../core/chain/node-compile.ts';
import { repopsTask } from '../../core/dispute/repops-task.ts';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import type { DisputeTask } from '../../core/dispute/task.ts';
import { parseTaskText } from '../../core/train/task.ts';

export const TASKS_DIR = join(REPO_ROOT, 'tasks');
/** A bundled task's name: tasks/<name>.json. */
export const TASK_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface NetworkTaskSpec {
  task: string;
  seed: number;
  steps: number;
  /** A bundled RepOps training task (tasks/<name>.json); absent: the synthetic dispute task. */
  repops?: string;
}

const cache = new Map<string, DisputeTask>();

export function disputeTaskFor(spec: NetworkTaskSpec): DisputeTask {
  if (spec.repops === undefined) return syntheticTask({ seed: spec.seed, steps: spec.steps });
  if (!TASK_NAME.test(spec.repops))
    throw new Error(
      `repops task must name a bundled task (tasks/<name>.json), got ${JSON.stringify(spec.repops)}`,
    );
  const key = `${spec.repops}:${spec.seed}:${spec.steps}`;
  let t = cache.get(key);
  if (!t) {
    const file = join(TASKS_DIR, `${spec.repops}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`${file}: no bundled task "${spec.repops}"`);
    }
    const base = parseTaskText(text, file);
    t = repopsTask({ ...base, seed: spec.seed, steps: spec.steps });
    if (cache.size >= 4) cache.delete(cache.keys().next().value as string);
    cache.set(key, t);
  }
  return t;
}
