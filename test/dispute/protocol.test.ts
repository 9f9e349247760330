/** Protocol edge cases, deadlines, both-lose, the seal check, transcripts and their replay. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alterOp, forgedCheckpoint } from '../../core/attacks/hooks.ts';
import { RefusingParty } from '../../core/attacks/parties.ts';
import { executeRun } from '../../core/dispute/execute.ts';
import { TraceParty } from '../../core/dispute/party.ts';
import { runDispute } from '../../core/dispute/referee.ts';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import { refereeConfig, stateRoot } from '../../core/dispute/task.ts';
import { describeVerdict, parseTranscript, replay, transcriptToJson } from '../../core/dispute/transcript.ts';
import type { DisputeParty, RunClaim } from '../../core/dispute/types.ts';
import { digestJson } from '../../core/hash/digest.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';

useNodeSha256();
const task = syntheticTask({ seed: 5, steps: 20 });
const honest = executeRun(task);
const tampered = executeRun(task, { base: honest, fromStep: 11, hooks: alterOp(11, 9, 2, 1) });

test('trace and fast mode reach the same verdict; fast mode adds one op-root commit round', async () => {
  const fastH = executeRun(task, { mode: 'fast' });
  const fastB = executeRun(task, { mode: 'fast', hooks: alterOp(11, 9, 2, 1) });
  const a = await runDispute(
    new TraceParty('bad', tampered),
    new TraceParty('good', honest),
    refereeConfig(task, 'trace'),
  );
  const b = await runDispute(
    new TraceParty('bad', fastB),
    new TraceParty('good', fastH),
    refereeConfig(task, 'fast'),
  );
  assert.deepEqual([a.verdict.loser, a.verdict.step, a.verdict.op], ['solver', 11, 9]);
  assert.deepEqual([b.verdict.loser, b.verdict.step, b.verdict.op], ['solver', 11, 9]);
  assert.equal(b.transcript.cost.rounds.messages, a.transcript.cost.rounds.messages + 1);
  assert.ok(b.transcript.rounds.some((r) => r.question.kind === 'commit-ops'));
  // Fast-mode records carry no op root, so the run roots differ from trace mode's.
  assert.equal(fastH.records[0].opRoot, undefined);
});

test('a silent party loses at the deadline; two silent parties both lose', async () => {
  const silent = (p: DisputeParty, n: number) => new RefusingParty(`silent-${n}`, p, n);
  const one = await runDispute(
    silent(new TraceParty('bad', tampered), 4),
    new TraceParty('good', honest),
    refereeConfig(task, 'trace', 30),
  );
  assert.equal(one.verdict.loser, 'solver');
  assert.equal(one.verdict.faults.solver?.code, 'timeout');
  const both = await runDispute(
    silent(new TraceParty('bad', tampered), 2),
    silent(new TraceParty('good', honest), 2),
    refereeConfig(task, 'trace', 30),
  );
  assert.equal(both.verdict.loser, 'both');
  assert.equal(both.verdict.outcome, 'both-lose');
});

test('a party that throws loses with its error message recorded', async () => {
  class Broken extends TraceParty {
    override async claim(): Promise<RunClaim> {
      throw new Error('disk on fire');
    }
  }
  const broken = new Broken('broken', honest);
  const r = await runDispute(new TraceParty('bad', tampered), broken, refereeConfig(task, 'trace'));
  assert.equal(r.verdict.loser, 'challenger');
  assert.match(r.verdict.faults.challenger?.detail ?? '', /disk on fire/);
});

test('challenging an identical run is a false challenge', async () => {
  const r = await runDispute(
    new TraceParty('a', honest),
    new TraceParty('b', honest),
    refereeConfig(task, 'trace'),
  );
  assert.equal(r.verdict.loser, 'challenger');
  assert.equal(r.verdict.faults.challenger?.code, 'no-disagreement');
});

test('a wrong initial state is caught at step 0', async () => {
  const bad = executeRun(task, { hooks: forgedCheckpoint(0, 0.5) });
  assert.notEqual(bad.records[0].stateBefore, stateRoot(task.initialState(), 'sha256'));
  const r = await runDispute(
    new TraceParty('bad', bad),
    new TraceParty('good', honest),
    refereeConfig(task, 'trace'),
  );
  assert.deepEqual(
    [r.verdict.loser, r.verdict.step, r.verdict.faults.solver?.code],
    ['solver', 0, 'wrong-initial-state'],
  );
});

test('same ops but a forged stateAfter: the seal check catches the record', async () => {
  const forged = digestJson('forged', 1);
  // (Forged at the last step: a forged *intermediate* record with a correct final state is no
  // disagreement about the result, and an honest challenger does not challenge it — see docs/DISPUTE.md.)
  const bad = executeRun(task, {
    hooks: { record: (s, r) => (s === 19 ? { ...r, stateAfter: forged } : undefined) },
  });
  const r = await runDispute(
    new TraceParty('bad', bad),
    new TraceParty('good', honest),
    refereeConfig(task, 'trace'),
  );
  assert.deepEqual(
    [r.verdict.loser, r.verdict.step, r.verdict.stage, r.verdict.faults.solver?.code],
    ['solver', 19, 'seal', 'wrong-state-after'],
  );
});

test('one-step and one-op edge cases', async () => {
  const t1 = syntheticTask({ seed: 9, steps: 1, forwardOps: 1 });
  const h = executeRun(t1);
  const b = executeRun(t1, { hooks: alterOp(0, 6, 0, 1) });
  const r = await runDispute(new TraceParty('good', h), new TraceParty('bad', b), refereeConfig(t1, 'trace'));
  assert.deepEqual([r.verdict.loser, r.verdict.step, r.verdict.op], ['challenger', 0, 6]);
  assert.equal(r.transcript.cost.rounds.steps, 0);
});

test('the transcript is complete JSON, parses back, and replays frame by frame', async () => {
  const { transcript } = await runDispute(
    new TraceParty('bad', tampered),
    new TraceParty('good', honest),
    refereeConfig(task, 'trace'),
  );
  const back = parseTranscript(transcriptToJson(transcript));
  assert.deepEqual(back, JSON.parse(JSON.stringify(transcript)));
  const frames = [...replay(back)];
  assert.equal(frames.length, back.rounds.length + 2); // rounds + recomputation + verdict
  assert.equal(frames.at(-1)?.verdict?.loser, 'solver');
  assert.equal(frames.at(-2)?.recompute?.op, task.graph(11).nodes[9].op);
  // The step interval only narrows and ends at (t−1, t]; the op interval only narrows and ends at [i, i+1).
  let width = Number.POSITIVE_INFINITY;
  for (const f of frames)
    if (f.steps) {
      const w = f.steps.hi - f.steps.lo;
      assert.ok(w <= width);
      width = w;
    }
  assert.deepEqual(frames.at(-1)?.steps, { lo: 10, hi: 11 });
  assert.equal(frames.at(-1)?.bisectionRounds, back.cost.rounds.steps + back.cost.rounds.ops);
  const rc = back.recompute!;
  assert.equal(rc.claims.challenger, rc.output);
  assert.notEqual(rc.claims.solver, rc.output);
  assert.deepEqual(
    rc.inputs.map((x) => x.index),
    [...task.graph(11).nodes[9].inputs],
  );
  // Every answer carries bytes; the total matches the cost report.
  const sum = back.rounds.reduce(
    (s, r) => s + (r.answers.solver?.bytes ?? 0) + (r.answers.challenger?.bytes ?? 0),
    0,
  );
  assert.equal(sum, back.cost.bytes.total);
  assert.match(describeVerdict(back.verdict), /^solver loses at step 11, op 9/);
});

test('parseTranscript names the problem', () => {
  assert.throws(() => parseTranscript('{', 'x.json'), /x\.json: not JSON/);
  assert.throws(
    () => parseTranscript('{"format":"pinpoint.dispute-transcript","version":9}', 'x.json'),
    /unsupported version 9/,
  );
  assert.throws(() => parseTranscript('{"format":"other"}', 'x.json'), /format is "other"/);
});

test('cost: referee FLOPs are one op, a vanishing fraction of replication', async () => {
  const { transcript } = await runDispute(
    new TraceParty('bad', tampered),
    new TraceParty('good', honest),
    refereeConfig(task, 'trace'),
  );
  const node = task.graph(11).nodes[9];
  const flops = task.flops(
    node.op,
    node.attrs,
    node.inputs.map((i) => task.graph(11).nodes[i].shape),
  );
  assert.equal(transcript.cost.referee.flops, flops);
  assert.ok(transcript.cost.replication.flops >= 20 * flops);
  assert.ok(transcript.cost.replication.ratio < 0.01);
  // Replica bytes: initial state (4 slots) + x and y (4 floats each) for each of the 20 steps.
  const stateBytes = task.initialState().reduce((s, t) => s + 4 * t.data.length, 0);
  assert.equal(transcript.cost.replication.bytes, stateBytes + 20 * 2 * 4 * 4);
});
