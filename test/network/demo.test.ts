/**
 * `pinpoint network demo` end to end (small: 2 solvers, 1 verifier, cheat rate 0.5; seed "dt3" makes
 * solver-1 cheat and solver-2 honest — asserted, so a changed cheat rule cannot make this vacuous): exit 0, the conservation line says OK, every cheater is caught at
 * its step, the transcript and the ledger mirror are written and the mirror verifies. With `--tasks repops`
 * (iris-mlp, 6 steps) the referee's verdict names the very step and op the cheater altered in the real
 * training graph. Bad `--tasks` values are refused.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { REPO_ROOT } from '../../core/chain/node-compile.ts';

/** Runs `pinpoint network demo` with a small fixed setup plus `extra` into a temp dir removed after the test. */
function runDemo(t: TestContext, extra: string[]): { stdout: string; out: string } {
  const out = mkdtempSync(join(tmpdir(), 'pinpoint-demo-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const args = [
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
  ];
  const r = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'pinpoint.js'), ...args, ...extra, '--out', out],
    {
      encoding: 'utf8',
      timeout: 240_000,
    },
  );
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, out };
}

test('network demo: cheaters caught on chain, conservation OK, transcript + ledger mirror written', (ctx) => {
  const { stdout, out } = runDemo(ctx, ['--steps', '32']);
  assert.match(stdout, /^conservation: OK/m);
  assert.match(stdout, /ledger mirror: .* matches the chain/);
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

test('network demo --tasks repops: a real RepOps training task, the tampered op pinpointed on chain', (ctx) => {
  const { stdout, out } = runDemo(ctx, ['--tasks', 'repops:iris-mlp', '--steps', '6']);
  assert.match(stdout, /RepOps training task iris-mlp/);
  assert.match(stdout, /^conservation: OK/m);
  assert.match(stdout, /ledger mirror: .* matches the chain/);
  const t = JSON.parse(readFileSync(join(out, 'network-transcript.json'), 'utf8')) as {
    tasks: { cheated: { step: number; op: number } | null; outcome: string; transcript: string | null }[];
  };
  assert.deepEqual(
    t.tasks.map((x) => x.cheated !== null),
    [true, false],
    'one cheater, one honest solver',
  );
  for (const task of t.tasks) {
    if (!task.cheated) {
      assert.equal(task.outcome, 'paid');
      continue;
    }
    assert.equal(task.outcome, 'caught');
    assert.ok(task.transcript);
    const d = JSON.parse(readFileSync(task.transcript, 'utf8')) as {
      task: string;
      verdict: { loser: string; step: number; op: number; opName: string };
    };
    // The referee recomputed the very op the cheater altered, in the real training graph.
    assert.equal(d.task, 'iris-mlp');
    assert.equal(d.verdict.loser, 'solver');
    assert.deepEqual([d.verdict.step, d.verdict.op], [task.cheated.step, task.cheated.op]);
    assert.notEqual(d.verdict.opName, 'leaf');
  }
});

test('network demo refuses an unknown task kind or bundled task', () => {
  for (const [arg, msg] of [
    ['repops:no-such-task', /no bundled task/],
    ['repops:../etc', /--tasks must be/],
    ['other', /--tasks must be/],
  ] as const) {
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'pinpoint.js'), 'network', 'demo', '--tasks', arg],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 1, arg);
    assert.match(r.stderr, msg, arg);
  }
});
