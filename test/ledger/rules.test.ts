/**
 * Pure game rules: parameter checks, the split arithmetic (conservation as a property) and the outcome of
 * every path through the state machine, replayed in memory with balances worked out by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { plan } from '../../core/ledger/game.ts';
import { MemoryLedger } from '../../core/ledger/memory.ts';
import { bpsOf, slashStake, splitSlashed, validateParams } from '../../core/ledger/rules.ts';
import { type Action, type GameParams, LedgerError } from '../../core/ledger/types.ts';
import { D1, P, tinyTranscript } from './helpers.ts';

function game(params: GameParams = P): { m: MemoryLedger; act: (a: Action) => void } {
  const m = new MemoryLedger(params);
  const act = (a: Action) => {
    for (const c of plan(m, a)) m.apply(c);
  };
  for (const who of ['alice', 'bob', 'carol', 'dave']) {
    act({ type: 'account.open', account: who });
    act({ type: 'mint', account: who, amount: 1000 });
  }
  return { m, act };
}

const bal = (m: MemoryLedger) => Object.fromEntries([...m.accounts.values()].map((a) => [a.id, a.balance]));

function toProof(act: (a: Action) => void): void {
  act({ type: 'task.post', task: 't', submitter: 'alice', bounty: 200 });
  act({ type: 'task.claim', task: 't', solver: 'bob' });
  act({ type: 'proof.submit', task: 't', solver: 'bob', runCommitment: D1 });
}

test('validateParams rejects out-of-range parameters with the parameter named', () => {
  assert.deepEqual(validateParams({ ...P, extra: 1 }), P);
  assert.throws(() => validateParams({ ...P, slashBps: 10001 }), /slashBps/);
  assert.throws(() => validateParams({ ...P, solverStake: -1 }), /solverStake/);
  assert.throws(() => validateParams({ ...P, verifierReward: 1.5 }), /verifierReward/);
  assert.throws(() => validateParams({ ...P, whistleblowerBps: 9000, treasuryBps: 2000 }), /must not exceed/);
  assert.throws(() => validateParams(null), /object/);
});

test('slash and split conserve every unit (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: 0, max: 10000 }),
      fc.integer({ min: 0, max: 10000 }),
      fc.boolean(),
      (stake, slashBps, share, jackpot) => {
        const wb = Math.floor(share / 2);
        const tb = share - wb;
        const params = { ...P, slashBps, whistleblowerBps: wb, treasuryBps: tb };
        const { slashed, returned } = slashStake(params, stake);
        assert.equal(slashed + returned, stake);
        assert.ok(slashed >= 0 && returned >= 0);
        const s = splitSlashed(params, slashed, jackpot);
        assert.equal(s.jackpot + s.treasury + s.compensation, slashed);
        assert.ok(s.jackpot >= 0 && s.treasury >= 0 && s.compensation >= 0);
        if (!jackpot) assert.equal(s.jackpot, 0);
        // Exact floor against BigInt arithmetic, also beyond 2^53 / 10^4.
        assert.equal(BigInt(slashed), (BigInt(stake) * BigInt(slashBps)) / 10000n);
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(bpsOf(101, 5000), 50);
});

test('honest path: bounty to the solver, reward to the verifier, stake back', () => {
  const { m, act } = game();
  toProof(act);
  act({ type: 'task.verify', task: 't', verifier: 'dave' });
  assert.equal(m.task('t')?.state, 'verified');
  act({ type: 'task.finalize', task: 't' });
  // alice paid 200 + 10; bob +200; dave +10.
  assert.deepEqual(bal(m), { alice: 790, bob: 1200, carol: 1000, dave: 1010 });
  assert.equal(m.task('t')?.state, 'settled');
  assert.equal(m.task('t')?.outcome, 'paid');
  assert.deepEqual(m.totals(), { minted: 4000, balances: 4000, locked: 0, escrow: 0, treasury: 0 });
});

test('caught cheater: solver slashed 80, jackpot 40, treasury 16, submitter compensated 24 and refunded', () => {
  const { m, act } = game();
  toProof(act);
  act({ type: 'dispute.open', task: 't', challenger: 'carol' });
  assert.equal(m.task('t')?.state, 'disputed');
  assert.deepEqual(m.totals(), { minted: 4000, balances: 3640, locked: 150, escrow: 210, treasury: 0 });
  act({
    type: 'dispute.settle',
    dispute: 1,
    verdict: { loser: 'solver', step: 3, op: 7, reason: 'mismatch' },
    transcript: tinyTranscript('solver'),
  });
  assert.deepEqual(bal(m), { alice: 1024, bob: 920, carol: 1040, dave: 1000 });
  assert.equal(m.treasury, 16);
  assert.deepEqual(
    m.jackpots.map((j) => [j.account, j.amount]),
    [['carol', 40]],
  );
  assert.deepEqual(
    m.slashes.map((s) => [s.account, s.amount]),
    [['bob', 80]],
  );
  assert.equal(m.stake(1)?.status, 'slashed');
  assert.equal(m.stake(2)?.status, 'returned');
  assert.equal(m.task('t')?.outcome, 'refunded');
});

test('false challenge: challenger slashed 40 (treasury 8, solver 32), solver paid', () => {
  const { m, act } = game();
  toProof(act);
  act({ type: 'dispute.open', task: 't', challenger: 'carol' });
  act({
    type: 'dispute.settle',
    dispute: 1,
    verdict: { loser: 'challenger', step: 3, op: 7, reason: 'mismatch' },
    transcript: tinyTranscript('challenger'),
  });
  // No verifier attested, so the verifier reward goes back to alice.
  assert.deepEqual(bal(m), { alice: 800, bob: 1232, carol: 960, dave: 1000 });
  assert.equal(m.treasury, 8);
  assert.equal(m.jackpots.length, 0);
});

test('false challenge after a verification: the verifier is still paid', () => {
  const { m, act } = game();
  toProof(act);
  act({ type: 'task.verify', task: 't', verifier: 'dave' });
  act({ type: 'dispute.open', task: 't', challenger: 'carol' });
  act({
    type: 'dispute.settle',
    dispute: 1,
    verdict: { loser: 'challenger', step: null, op: null, reason: 'timeout' },
    transcript: { verdict: { loser: 'challenger' } },
  });
  assert.deepEqual(bal(m), { alice: 790, bob: 1232, carol: 960, dave: 1010 });
});

test('both lose: both slashed, treasury 16 + 8, submitter gets 64 + 32 and the escrow back', () => {
  const { m, act } = game();
  toProof(act);
  act({ type: 'dispute.open', task: 't', challenger: 'carol' });
  act({
    type: 'dispute.settle',
    dispute: 1,
    verdict: { loser: 'both', step: 3, op: 7, reason: 'neither matches' },
    transcript: tinyTranscript('both'),
  });
  assert.deepEqual(bal(m), { alice: 1096, bob: 920, carol: 960, dave: 1000 });
  assert.equal(m.treasury, 24);
});

test('invalid actions are rejected with a LedgerError naming the problem', () => {
  const { m, act } = game();
  const rejects = (a: Action, re: RegExp) =>
    assert.throws(
      () => plan(m, a),
      (e: unknown) => e instanceof LedgerError && re.test(e.message),
    );
  rejects({ type: 'account.open', account: 'alice' }, /already exists/);
  rejects({ type: 'account.open', account: 'bad id!' }, /account id/);
  rejects({ type: 'mint', account: 'zed', amount: 5 }, /"zed" does not exist/);
  rejects({ type: 'mint', account: 'alice', amount: 0 }, /positive/);
  rejects({ type: 'mint', account: 'alice', amount: 1.5 }, /positive safe integer/);
  rejects({ type: 'transfer', from: 'alice', to: 'alice', amount: 1 }, /itself/);
  rejects({ type: 'transfer', from: 'alice', to: 'bob', amount: 1001 }, /has 1000, needs 1001/);
  rejects({ type: 'task.post', task: 't', submitter: 'alice', bounty: 995 }, /needs 1005/);
  act({ type: 'task.post', task: 't', submitter: 'alice', bounty: 200 });
  rejects({ type: 'task.post', task: 't', submitter: 'bob', bounty: 1 }, /already exists/);
  rejects({ type: 'task.claim', task: 't', solver: 'alice' }, /own task/);
  rejects(
    { type: 'proof.submit', task: 't', solver: 'bob', runCommitment: D1 },
    /is posted; this action needs it to be claimed/,
  );
  act({ type: 'task.claim', task: 't', solver: 'bob' });
  rejects({ type: 'task.claim', task: 't', solver: 'carol' }, /is claimed/);
  rejects({ type: 'proof.submit', task: 't', solver: 'carol', runCommitment: D1 }, /did not claim/);
  rejects({ type: 'proof.submit', task: 't', solver: 'bob', runCommitment: 'abc' }, /digest/);
  act({ type: 'proof.submit', task: 't', solver: 'bob', runCommitment: D1 });
  rejects({ type: 'task.verify', task: 't', verifier: 'bob' }, /cannot verify its own/);
  rejects({ type: 'dispute.open', task: 't', challenger: 'bob' }, /cannot challenge its own/);
  rejects({ type: 'task.finalize', task: 't' }, /is proved/);
  act({ type: 'dispute.open', task: 't', challenger: 'carol' });
  rejects({ type: 'dispute.open', task: 't', challenger: 'dave' }, /is disputed/);
  const v = { loser: 'solver' as const, step: 1, op: 2, reason: 'x' };
  rejects(
    { type: 'dispute.settle', dispute: 2, verdict: v, transcript: tinyTranscript('solver', 1, 2) },
    /#2 does not exist/,
  );
  rejects(
    { type: 'dispute.settle', dispute: 1, verdict: { ...v, loser: 'referee' as 'solver' }, transcript: {} },
    /verdict.loser/,
  );
  rejects(
    { type: 'dispute.settle', dispute: 1, verdict: v, transcript: tinyTranscript('challenger', 1, 2) },
    /transcript records loser "challenger"/,
  );
  rejects(
    { type: 'dispute.settle', dispute: 1, verdict: v, transcript: tinyTranscript('solver', 9, 2) },
    /step 1 differs/,
  );
  rejects({ type: 'dispute.settle', dispute: 1, verdict: v, transcript: [] as unknown }, /JSON object/);
  rejects(
    {
      type: 'dispute.settle',
      dispute: 1,
      verdict: v,
      transcript: { verdict: { loser: 'solver' }, x: Number.NaN },
    },
    /not plain JSON/,
  );
  rejects(
    {
      type: 'dispute.settle',
      dispute: 1,
      verdict: v,
      transcript: { format: 'other', verdict: { loser: 'solver' } },
    },
    /unknown transcript format/,
  );
  rejects(
    {
      type: 'dispute.settle',
      dispute: 1,
      verdict: v,
      transcript: { format: 'pinpoint.dispute-transcript', version: 9, verdict: { loser: 'solver' } },
    },
    /unsupported version/,
  );
  rejects({ type: 'nope' } as unknown as Action, /unknown action type/);
  act({ type: 'dispute.settle', dispute: 1, verdict: v, transcript: tinyTranscript('solver', 1, 2) });
  rejects(
    { type: 'dispute.settle', dispute: 1, verdict: v, transcript: tinyTranscript('solver', 1, 2) },
    /already settled/,
  );
});

test('zero-valued parameters produce no zero moves and still conserve supply', () => {
  const zero = {
    solverStake: 0,
    challengerStake: 0,
    slashBps: 0,
    whistleblowerBps: 0,
    treasuryBps: 0,
    verifierReward: 0,
  };
  const { m, act } = game(zero);
  toProof(act);
  act({ type: 'dispute.open', task: 't', challenger: 'carol' });
  const changes = plan(m, {
    type: 'dispute.settle',
    dispute: 1,
    verdict: { loser: 'solver', step: 0, op: 0, reason: 'x' },
    transcript: tinyTranscript('solver', 0, 0),
  });
  for (const c of changes) if (c.op === 'move') assert.ok(c.move.amount > 0);
  for (const c of changes) m.apply(c);
  assert.deepEqual(bal(m), { alice: 1000, bob: 1000, carol: 1000, dave: 1000 });
});
