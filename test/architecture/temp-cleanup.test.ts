/**
 * test/helpers/temp-cleanup.ts: a child test process that makes temp dirs with all three mkdtemp forms
 * (named ESM imports, as tests write them) and never removes them leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('temp dirs made by a test process are removed when it exits', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'pinpoint-cleanup-check-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const script = join(work, 'leak-probe.mts');
  writeFileSync(
    script,
    `import { mkdtempSync, mkdtemp, writeFileSync } from 'node:fs';
import { mkdtemp as mkdtempP } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const a = mkdtempSync(join(tmpdir(), 'pinpoint-probe-'));
writeFileSync(join(a, 'f'), 'x');
const b = await mkdtempP(join(tmpdir(), 'pinpoint-probe-'));
const c = await new Promise((res, rej) => mkdtemp(join(tmpdir(), 'pinpoint-probe-'), (e, d) => (e ? rej(e) : res(d))));
console.log(JSON.stringify([a, b, c]));
`,
  );
  const env = { ...process.env, TMPDIR: work };
  const withHelper = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './test/helpers/fc-setup.ts', script],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  assert.equal(withHelper.status, 0, withHelper.stderr);
  const dirs = JSON.parse(withHelper.stdout) as string[];
  assert.equal(dirs.length, 3);
  for (const d of dirs) assert.equal(existsSync(d), false, `${d} left behind`);

  // Control: without the helper the same script leaves its three dirs (so the check above can fail).
  const without = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  assert.equal(without.status, 0, without.stderr);
  for (const d of JSON.parse(without.stdout) as string[]) assert.equal(existsSync(d), true);
});
