/**
 * The issue-14 cases end to end through the CLI: a false loss, a tamper absorbed in fast mode (the tool
 * says the proof is honest) that trace mode commits (verify rejects, the dispute pinpoints the op), the
 * verifier's detection figures over the steps it checks, and `pinpoint fuzz`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { percent } from '../../cli/commands/verify.ts';
import { detectionProbability, missProbability } from '../../core/verify/sampling.ts';
import { pinpoint } from '../train/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-sound-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const task = join(dir, 'spirals.json');
writeFileSync(
  task,
  JSON.stringify({
    ...JSON.parse(readFileSync('tasks/spirals-mlp.json', 'utf8')),
    steps: 40,
    checkpointEvery: 10,
  }),
);
const f = (n: string) => join(dir, n);

test('a false loss: verify rejects it and the dispute convicts the solver at that step', async () => {
  assert.equal((await pinpoint(['train', task, '--out', f('good.pinproof')])).code, 0);
  // Node 25 is the loss of a spirals step (inspect lists it).
  const t = await pinpoint(['train', task, '--out', f('loss.pinproof'), '--tamper', '20:25:0:0.5']);
  assert.match(t.stdout, /TAMPERED {4}step 20, node 25/);
  const v = await pinpoint(['verify', f('loss.pinproof'), '--all']);
  assert.equal(v.code, 1);
  assert.match(v.stdout, /FAIL {8}step 20 \[loss\]/);
  const d = await pinpoint(['dispute', f('loss.pinproof'), f('good.pinproof'), '--json']);
  assert.equal(d.code, 3, d.stderr);
  const { verdict } = JSON.parse(d.stdout);
  assert.equal(verdict.step, 20);
  assert.equal(verdict.faults.solver.code, 'wrong-loss');
  assert.equal(verdict.faults.challenger, null);
  // Settled in a ledger, the solver's stake is slashed and the honest challenger's is returned.
  const db = f('loss.db');
  const l = await pinpoint(['dispute', f('loss.pinproof'), f('good.pinproof'), '--ledger', db, '--json']);
  assert.equal(l.code, 3, l.stderr);
  const { ledger } = JSON.parse(l.stdout) as {
    ledger: { moves: { from: string; to: string; reason: string }[] };
  };
  const slashes = ledger.moves.filter((m) => m.reason.startsWith('slash.'));
  assert.ok(slashes.length > 0);
  assert.ok(slashes.every((m) => m.from === 'stake#1' && !m.to.startsWith('solver')));
  assert.ok(ledger.moves.some((m) => m.from === 'stake#2' && m.reason === 'stake.return'));
});

test('an absorbed tamper: honest in fast mode (said so), pinpointed at its op in trace mode', async () => {
  // fc1 pre-activation element 1 at step 5 is negative: −0.001 leaves ReLU, its VJP and everything after equal.
  const fast = await pinpoint(['train', task, '--out', f('m-fast.pinproof'), '--tamper', '5:20:1:-0.001']);
  assert.match(fast.stdout, /no committed value changed .*: the proof is honest/);
  assert.doesNotMatch(fast.stdout, /TAMPERED/);
  assert.equal(readFileSync(f('m-fast.pinproof')).length > 0, true);
  assert.equal((await pinpoint(['verify', f('m-fast.pinproof'), '--all'])).code, 0);

  assert.equal((await pinpoint(['train', task, '--out', f('good-t.pinproof'), '--mode', 'trace'])).code, 0);
  const tr = await pinpoint([
    'train',
    task,
    '--out',
    f('m-trace.pinproof'),
    '--mode',
    'trace',
    '--tamper',
    '5:20:1:-0.001',
  ]);
  assert.match(tr.stdout, /TAMPERED/);
  const v = await pinpoint(['verify', f('m-trace.pinproof'), '--all']);
  assert.match(v.stdout, /FAIL {8}step 5 \[opDigest\] step 5: op 20 /);
  for (const [s, c, code, loser] of [
    ['m-trace.pinproof', 'good-t.pinproof', 3, 'solver'],
    ['good-t.pinproof', 'm-trace.pinproof', 0, 'challenger'],
  ] as const) {
    const d = await pinpoint(['dispute', f(s), f(c), '--json']);
    assert.equal(d.code, code, d.stderr);
    const { verdict } = JSON.parse(d.stdout);
    assert.deepEqual([verdict.loser, verdict.step, verdict.op], [loser, 5, 20]);
  }
});

test('a fast and a trace proof of the same run are not disputed (an honest party would lose at step 0)', async () => {
  for (const [s, c] of [
    ['good.pinproof', 'good-t.pinproof'],
    ['good-t.pinproof', 'good.pinproof'],
  ]) {
    const d = await pinpoint(['dispute', f(s), f(c)]);
    assert.equal(d.code, 1);
    assert.match(
      d.stderr,
      /-mode proof and .* a (fast|trace)-mode one: a dispute compares records of one mode/,
    );
  }
});

test('tamper arguments out of range list the valid range', async () => {
  const e = await pinpoint(['train', task, '--out', f('x.pinproof'), '--tamper', '5:3:99']);
  assert.match(e.stderr, /element 99 is outside node 3 \(leaf, 32 values: valid 0\.\.31\)/);
  const n = await pinpoint(['train', task, '--out', f('x.pinproof'), '--tamper', '5:999']);
  assert.match(n.stderr, /node 999 is outside step 5's tape \(\d+ nodes: valid 0\.\.\d+\)/);
});

test('verify reports detection over the steps it checked (hypergeometric) and over its samples', async () => {
  const v = await pinpoint(['verify', f('good.pinproof'), '--samples', '3', '--json']);
  const r = JSON.parse(v.stdout);
  assert.ok(r.stepsChecked >= r.samples.length);
  for (const d of r.detection) {
    assert.equal(d.probability, detectionProbability(40, r.stepsChecked, d.f));
    assert.equal(d.worstCase, detectionProbability(40, r.samples.length, d.f));
  }
  // The printed figures come from the miss chance: never "100 %" unless no placement escapes.
  const text = (await pinpoint(['verify', f('good.pinproof'), '--samples', '3'])).stdout;
  for (const d of r.detection) {
    assert.equal(d.miss, missProbability(40, r.stepsChecked, d.f));
    assert.ok(Math.abs(d.miss - (1 - d.probability)) < 1e-12);
    assert.match(text, new RegExp(`f=${d.f}: ${percent(d.miss).replace(/[.+]/g, '\\$&')}`));
  }
  assert.equal(percent(4e-4), '99.96 %');
  assert.equal(percent(1e-17), '100 % − 1.0e-15 %');
  assert.equal(percent(0), '100 %');
  assert.equal(percent(0.5), '50.0 %');
  // Independent check of the formula: f = 0.25 of 40 steps = 10 forged; 3 samples miss all with
  // (30·29·28)/(40·39·38).
  assert.ok(Math.abs(detectionProbability(40, 3, 0.25) - (1 - (30 * 29 * 28) / (40 * 39 * 38))) < 1e-15);
});

test('pinpoint fuzz: counts by outcome, no wrong case', async () => {
  const r = await pinpoint(['fuzz', '--cases', '25', '--seed', '7', '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.outcomes.WRONG, 0);
  assert.equal(
    Object.values(out.outcomes as Record<string, number>).reduce((a, b) => a + b, 0),
    25,
  );
  assert.ok(out.outcomes.pinpointed > 10);
  const ops = JSON.parse(
    (await pinpoint(['fuzz', '--cases', '8', '--seed', '3', '--fields', 'op,loss', '--json'])).stdout,
  );
  assert.ok(Object.keys(ops.pinpointedByField).every((k) => / (op|loss)$/.test(k)));
  assert.match(
    (await pinpoint(['fuzz', '--fields', 'op,weights'])).stderr,
    /--fields: unknown field "weights" \(valid: op, loss, batch, checkpoint, metrics, stepMetrics, layout\)/,
  );
  const bad = await pinpoint(['fuzz', '--cases', '0']);
  assert.match(bad.stderr, /--cases must be an integer ≥ 1/);
});
