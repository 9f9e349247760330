/**
 * A small real proof bundle for import tests: the iris-mlp task trained for a few steps by core/train
 * and written by core/proof (the same path `pinpoint train` takes), so a test drops genuine bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { parseTaskText } from '../../core/train/task.ts';
import { prepareTask, train } from '../../core/train/train.ts';

export function smallProof(repoRoot: string, opts: { name?: string; steps?: number } = {}): Uint8Array {
  const text = readFileSync(join(repoRoot, 'tasks/iris-mlp.json'), 'utf8');
  const task = {
    ...parseTaskText(text, 'tasks/iris-mlp.json'),
    name: opts.name ?? 'iris-mlp-drop-test',
    steps: opts.steps ?? 6,
    checkpointEvery: 3,
  };
  const run = train(prepareTask(task), { mode: 'fast' });
  return bundleFromRun(run, keyFromSeed('drop-test-key'));
}
