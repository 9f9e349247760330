/**
 * Every notebook in notebooks/ runs green under `pinpoint run` (the real CLI, sandboxed runner): exit
 * code 0, every cell ok, at least one assertion each and none failed — read back from --json.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { NotebookResult } from '../../core/notebook/outputs.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = join(root, 'notebooks');
const out = mkdtempSync(join(tmpdir(), 'pinpoint-notebooks-'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .sort();

function run(file: string, json: string): Promise<{ code: number; stderr: string }> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [join(root, 'bin/pinpoint.js'), 'run', join(dir, file), '--json', json, '--timeout', '120000'],
      { cwd: root, maxBuffer: 16 << 20 },
      (err, _stdout, stderr) => res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

describe('notebooks/', { concurrency: 2 }, () => {
  it('has at least 8 scenario notebooks', () => {
    assert.ok(files.length >= 8, `found ${files.length}: ${files.join(', ')}`);
  });
  for (const f of files) {
    it(`pinpoint run ${f} is green`, async () => {
      const json = join(out, `${f}.json`);
      const { code, stderr } = await run(f, json);
      assert.equal(code, 0, stderr);
      const result = JSON.parse(readFileSync(json, 'utf8')) as NotebookResult;
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
