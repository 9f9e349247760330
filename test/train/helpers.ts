/** Shared test helpers: load a bundled task, optionally shrunk for speed. */
import { readFileSync } from 'node:fs';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { useNodeCorpora } from '../../core/train/node-corpus.ts';
import { parseTask, type TaskSpec } from '../../core/train/task.ts';

useNodeSha256();

useNodeCorpora();

export function bundledTask(
  name: string,
  overrides: Partial<Record<keyof TaskSpec, unknown>> = {},
): TaskSpec {
  const raw = JSON.parse(readFileSync(`tasks/${name}.json`, 'utf8'));
  return parseTask({ ...raw, ...overrides }, `tasks/${name}.json`);
}
