/** `pinpoint run`: exit codes, progress on stderr, --json/--html outputs, --timeout. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'pinpoint-run-'));

function pinpoint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [join(root, 'bin/pinpoint.js'), ...args],
      { cwd: root },
      (err, stdout, stderr) => {
        res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

function write(name: string, cells: string[]): string {
  const p = join(tmp, name);
  writeFileSync(
    p,
    `---\ntitle: ${name}\n---\n${cells.map((c, i) => `\n\`\`\`ts {id=c${i + 1}}\n${c}\n\`\`\`\n`).join('')}`,
  );
  return p;
}

describe('pinpoint run', () => {
  it('exit 0, progress on stderr, JSON and HTML written', async () => {
    const nb = write('ok.md', [
      "const n = 2;\nassert(n * n === 4, 'two squared')",
      "chart({ y: [1, 2, 3] }, { title: 'c' })",
    ]);
    const json = join(tmp, 'ok.json');
    const html = join(tmp, 'ok.html');
    const r = await pinpoint(['run', nb, '--json', json, '--html', html]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[1\/2\] c1 ok/);
    assert.match(r.stderr, /✓ two squared/);
    const res = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(res.ok, true);
    assert.equal(res.cells[1].outputs[0].kind, 'chart');
    assert.match(readFileSync(html, 'utf8'), /<svg[^>]*>.*class="series"/s);
  });

  it('exit 1 on a failed assertion and on a timed-out cell', async () => {
    const bad = await pinpoint(['run', write('bad.md', ["assert(false, 'must fail')"])]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /✗ must fail/);
    const slow = await pinpoint(['run', write('slow.md', ['while (true) {}']), '--timeout', '500']);
    assert.equal(slow.code, 1);
    assert.match(slow.stderr, /timeout/);
    assert.match(slow.stderr, /exceeded its time limit of 500 ms/);
  });

  it('exit 2 with file and line on a malformed notebook or bad arguments', async () => {
    const p = join(tmp, 'broken.md');
    writeFileSync(p, '---\ntitle: x\n---\n```ts\n1\n```\n');
    const r = await pinpoint(['run', p]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.md:4: code cell has no id/);
    assert.equal((await pinpoint(['run'])).code, 2);
    assert.equal((await pinpoint(['run', p, '--timeout', 'abc'])).code, 2);
  });
});
