/**
 * Real proof bundles for the compare tests (backend and e2e): the iris-mlp task trained for a few steps
 * in trace mode by core/train and written by core/proof — an honest run, the same run with one forward
 * op of one step nudged (what `pinpoint train --tamper` does) and a run of another task.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repopsTask } from '../../core/dispute/repops-task.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { parseTaskText, type TaskSpec } from '../../core/train/task.ts';
import { perturbNode, prepareTask, train } from '../../core/train/train.ts';

export interface ComparePair {
  honest: Uint8Array;
  tampered: Uint8Array;
  /** Same model and data, another task name and step count: a different task digest. */
  otherTask: Uint8Array;
  /** The step and op (tape index) the tampered run nudged. */
  tamperStep: number;
  tamperOp: number;
  steps: number;
}

function irisTask(repoRoot: string, name: string, steps: number): TaskSpec {
  const text = readFileSync(join(repoRoot, 'tasks/iris-mlp.json'), 'utf8');
  return { ...parseTaskText(text, 'tasks/iris-mlp.json'), name, steps, checkpointEvery: 4 };
}

export function comparePair(
  repoRoot: string,
  opts: { steps?: number; tamperStep?: number } = {},
): ComparePair {
  const steps = opts.steps ?? 10;
  const tamperStep = opts.tamperStep ?? 6;
  const task = irisTask(repoRoot, 'iris-mlp-compare-test', steps);
  const fwd = repopsTask(task)
    .graph(tamperStep)
    .nodes.flatMap((n, i) => (n.phase === 'forward' ? [i] : []));
  const tamperOp = fwd[Math.floor(fwd.length / 2)];
  const honest = bundleFromRun(train(prepareTask(task), { mode: 'trace' }), keyFromSeed('compare-honest'));
  const tampered = bundleFromRun(
    train(prepareTask(task), { mode: 'trace', tamper: perturbNode(tamperStep, tamperOp, 0, 1e-3) }),
    keyFromSeed('compare-cheat'),
  );
  const otherTask = bundleFromRun(
    train(prepareTask(irisTask(repoRoot, 'iris-mlp-other-task', steps + 2)), { mode: 'trace' }),
    keyFromSeed('compare-honest'),
  );
  return { honest, tampered, otherTask, tamperStep, tamperOp, steps };
}
