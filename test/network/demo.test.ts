/**
 * `pinpoint network demo` end to end (small: 2 solvers, 1 verifier, cheat rate 0.5; seed "dt3" makes
 * solver-1 cheat and solver-2 honest — asserted, so a changed cheat rule cannot make this vacuous): exit 0, the conservation line says OK, every cheater is caught at
 * its step, the transcript and the ledger mirror are written and the mirror verifies.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../core/chain/node-compile.ts';

test('network demo: cheaters caught on chain, conservation OK, transcript + ledger mirror written', () => {
  const out = mkdtempSync(join(tmpdir(), 'pinpoint-demo-'));
  const r = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'pinpoint.js'),
      'network',
      'demo',
      '--solvers',
      '2',
      '--verifiers',
      '1',
      '--cheat-rate',
      '0.5',
      '--seed',
      'dt3',
      '--steps',
      '32',
      '--out',
      out,
    ],
    { encoding: 'utf8', timeout: 240_000 },
  );
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^conservation: OK/m);
  assert.match(r.stdout, /ledger mirror: .* matches the chain/);
  const t = JSON.parse(readFileSync(join(out, 'network-transcript.json'), 'utf8')) as {
    format: string;
    tasks: {
      cheated: { step: number } | null;
      outcome: string;
      step: number | null;
      transcript: string | null;
    }[];
    conservation: { ok: boolean };
  };
  assert.equal(t.format, 'pinpoint.network-transcript');
  assert.equal(t.conservation.ok, true);
  assert.equal(t.tasks.length, 2);
  assert.deepEqual(
    t.tasks.map((x) => x.cheated !== null),
    [true, false],
    'one cheater, one honest solver',
  );
  for (const task of t.tasks) {
    if (task.cheated) {
      assert.equal(task.outcome, 'caught');
      assert.equal(task.step, task.cheated.step);
      assert.ok(task.transcript && existsSync(task.transcript));
    } else assert.equal(task.outcome, 'paid');
  }
  assert.ok(existsSync(join(out, 'ledger.db')));
});
