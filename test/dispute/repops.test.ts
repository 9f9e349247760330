/**
 * Integration with the real trainer (core/train) and proof bundles (core/proof): the dispute executor
 * reproduces the trainer's records bit for bit, bundle-backed parties dispute to the tampered op, and
 * `pinpoint dispute` / `pinpoint attack` work end to end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main.ts';
import { getAttack } from '../../core/attacks/scenarios.ts';
import { executeRun } from '../../core/dispute/execute.ts';
import { runDispute } from '../../core/dispute/referee.ts';
import { bundleParty, repopsTask } from '../../core/dispute/repops-task.ts';
import { refereeConfig } from '../../core/dispute/task.ts';
import { parseTranscript } from '../../core/dispute/transcript.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { readBundle } from '../../core/proof/read.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { runStep } from '../../core/train/step.ts';
import { parseTaskText } from '../../core/train/task.ts';
import { initialState, perturbNode, prepareTask, stepOpDigests, train } from '../../core/train/train.ts';

useNodeSha256();
const spec = {
  ...parseTaskText(readFileSync('tasks/spirals-mlp.json', 'utf8'), 'tasks/spirals-mlp.json'),
  steps: 12,
  checkpointEvery: 4,
};
const ctx = prepareTask(spec);
const task = repopsTask(spec, ctx);
const honest = train(ctx, { mode: 'trace' });
const key = keyFromSeed('dispute-test');

test('the dispute executor reproduces the trainer bit for bit (referee invariant on a real task)', () => {
  const mine = executeRun(task, { mode: 'trace' });
  assert.deepEqual(mine.records, honest.records);
  for (const t of [0, 5, 11]) assert.deepEqual(mine.step(t).digests, stepOpDigests(honest, t));
});

test('bundles: a tampered op in a proof is pinpointed at its step and node; the honest bundle wins', async () => {
  const t = 6;
  // Tamper the first parameter update of step t (an Adam output: it persists into every later state).
  const nodeId = runStep(ctx, initialState(ctx), t, { mode: 'fast', keepTape: true }).outputIds[0];
  const bad = train(ctx, { mode: 'trace', tamper: perturbNode(t, nodeId, 3, 1e-3) });
  const hb = readBundle(bundleFromRun(honest, key), 'honest.pinproof');
  const bb = readBundle(bundleFromRun(bad, key), 'bad.pinproof');
  const r = await runDispute(
    bundleParty('bad', task, bb),
    bundleParty('honest', task, hb),
    refereeConfig(task, 'trace'),
  );
  assert.deepEqual(
    [r.verdict.loser, r.verdict.step, r.verdict.op, r.verdict.stage],
    ['solver', t, nodeId, 'recompute'],
    r.verdict.reason,
  );
  const N = task.graph(t).nodes.length;
  assert.ok(
    r.transcript.cost.rounds.steps + r.transcript.cost.rounds.ops <=
      Math.ceil(Math.log2(12)) + Math.ceil(Math.log2(N)),
  );
  // The referee recomputed with the real RepOps op.
  assert.equal(r.transcript.recompute?.op, task.graph(t).nodes[nodeId].op);
});

test('pinpoint dispute CLI: exit code, verdict line and transcript file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-dispute-'));
  const bad = train(ctx, {
    mode: 'fast',
    tamper: perturbNode(
      3,
      runStep(ctx, initialState(ctx), 3, { mode: 'fast', keepTape: true }).outputIds[1],
      0,
      1e-3,
    ),
  });
  const good = train(ctx, { mode: 'fast' });
  writeFileSync(join(dir, 'good.pinproof'), bundleFromRun(good, key));
  writeFileSync(join(dir, 'bad.pinproof'), bundleFromRun(bad, key));
  const out = join(dir, 't.json');
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  let code: number;
  try {
    code = await main([
      'dispute',
      join(dir, 'bad.pinproof'),
      join(dir, 'good.pinproof'),
      '--transcript',
      out,
    ]);
  } finally {
    console.log = log;
  }
  assert.equal(code, 3, lines.join('\n'));
  assert.match(lines[0], /^solver loses at step 3/);
  const tr = parseTranscript(readFileSync(out, 'utf8'), out);
  assert.equal(tr.verdict.step, 3);
  assert.equal(tr.mode, 'fast');
  // Fast-mode bundles: the replayed ops agree, the record's stateAfter is not backed by them.
  assert.equal(tr.verdict.faults.solver?.code, 'wrong-state-after');
});

test('an attack scenario on the real MLP task', async () => {
  const o = await getAttack('gradient-scaling').run({ task, seed: 2 });
  assert.ok(o.asExpected, o.verdict.reason);
  assert.equal(o.verdict.loser, 'solver');
  assert.match(o.verdict.opName ?? '', /\.vjp|add/);
});

test('CNN and transformer tasks: executor matches the trainer; a tamper inside attention is pinpointed', async () => {
  for (const f of ['digits-cnn', 'chars-transformer']) {
    const s = { ...parseTaskText(readFileSync(`tasks/${f}.json`, 'utf8'), f), steps: 2 };
    const c = prepareTask(s);
    const tk = repopsTask(s, c);
    const mine = executeRun(tk, { mode: 'trace' });
    assert.deepEqual(mine.records, train(c, { mode: 'trace' }).records, f);
    if (f !== 'chars-transformer') continue;
    const g = tk.graph(1);
    const i = g.nodes.findIndex((n) => n.op.startsWith('softmax') && n.phase === 'forward');
    assert.ok(i > 0, 'transformer graph has a forward softmax');
    const { alterOp } = await import('../../core/attacks/hooks.ts');
    const { TraceParty } = await import('../../core/dispute/party.ts');
    const bad = executeRun(tk, { mode: 'trace', base: mine, fromStep: 1, hooks: alterOp(1, i, 0, 1 << 12) });
    const r = await runDispute(
      new TraceParty('honest', mine),
      new TraceParty('bad', bad),
      refereeConfig(tk, 'trace'),
    );
    assert.deepEqual([r.verdict.loser, r.verdict.step, r.verdict.op], ['challenger', 1, i], r.verdict.reason);
    assert.ok(r.transcript.cost.rounds.ops <= Math.ceil(Math.log2(g.nodes.length)));
  }
});
