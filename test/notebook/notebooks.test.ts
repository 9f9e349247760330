/**
 * Every notebook in notebooks/ runs green through the sandboxed runner: all cells ok, at least one
 * assertion each and none failed.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runNotebookFile } from '../../core/notebook/node-runner.ts';

const dir = resolve(import.meta.dirname, '../../notebooks');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .sort();

describe('notebooks/', { concurrency: 2 }, () => {
  it('has at least 8 scenario notebooks', () => {
    assert.ok(files.length >= 8, `found ${files.length}: ${files.join(', ')}`);
  });
  for (const f of files) {
    it(`${f} runs green`, async () => {
      const { result } = await runNotebookFile(join(dir, f), { timeoutMs: 120_000 });
      const failures = result.cells
        .filter((c) => c.status !== 'ok')
        .map((c) => `${c.id}: ${c.status} ${c.error?.name}: ${c.error?.message} (line ${c.error?.cellLine})`);
      assert.deepEqual(failures, []);
      assert.ok(result.assertions.passed >= 1, 'a scenario asserts its outcome');
      assert.equal(result.assertions.failed, 0);
      assert.equal(result.ok, true);
    });
  }
});
