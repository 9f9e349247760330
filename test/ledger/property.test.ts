/**
 * Invariant property test: random sequences of game actions — valid and invalid mixed — against a real
 * SQLite ledger. After every action: minted supply (summed independently from the successful mints) =
 * balances + locked stakes + escrow + treasury, nothing is negative, a rejected action changed no row of
 * any table, an accepted one appended exactly one event. At the end the full audit (`verify`) passes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createLedger, type SqliteLedger } from '../../core/ledger/node-store.ts';
import { sealCommitment } from '../../core/ledger/seal.ts';
import { type Action, LedgerError } from '../../core/ledger/types.ts';
import { D1, D2, dumpLedger } from './helpers.ts';

const SALTS = ['01'.repeat(32), '02'.repeat(32), '03'.repeat(32)];

const ACCOUNTS = ['a0', 'a1', 'a2', 'a3', 'ghost', 'bad id'];
const TASKS = ['t0', 't1', 't2', 't3'];
const LOSERS = ['solver', 'challenger', 'both'] as const;

const acc = fc.constantFrom(...ACCOUNTS);
const task = fc.constantFrom(...TASKS);
const amount = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 1, 5, 50, 100, 400, 2000, 1e6),
  fc.integer({ min: 1, max: 3000 }),
);

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('account.open' as const), account: acc }),
  fc.record({ type: fc.constant('mint' as const), account: acc, amount }),
  fc.record({ type: fc.constant('transfer' as const), from: acc, to: acc, amount }),
  fc.record({ type: fc.constant('task.post' as const), task, submitter: acc, bounty: amount }),
  fc.record({ type: fc.constant('task.claim' as const), task, solver: acc }),
  fc.record({
    type: fc.constant('proof.submit' as const),
    task,
    solver: acc,
    runCommitment: fc.constantFrom(D1, D2, 'not-a-digest'),
  }),
  fc.record({ type: fc.constant('task.verify' as const), task, verifier: acc }),
  fc.record({ type: fc.constant('dispute.open' as const), task, challenger: acc }),
  fc
    .record({
      dispute: fc.integer({ min: 0, max: 5 }),
      loser: fc.constantFrom(...LOSERS, 'nobody'),
      recorded: fc.constantFrom(...LOSERS),
      honest: fc.boolean(),
      step: fc.option(fc.integer({ min: 0, max: 99 })),
    })
    .map(({ dispute, loser, recorded, honest, step }) => ({
      type: 'dispute.settle' as const,
      dispute,
      verdict: { loser: loser as 'solver', step, op: 3, reason: 'mismatch' },
      transcript: { verdict: { loser: honest ? loser : recorded }, rounds: [{ seq: 0 }] },
    })),
  fc.record({ type: fc.constant('task.finalize' as const), task }),
);

/** "Advance task t": resolved at run time into the next lifecycle action for t, so sequences reach settlements. */
interface Advance {
  advance: string;
  who: string;
  choice: number;
  loser: (typeof LOSERS)[number];
}
const advance: fc.Arbitrary<Advance> = fc.record({
  advance: task,
  who: fc.constantFrom('a0', 'a1', 'a2', 'a3'),
  choice: fc.integer({ min: 0, max: 2 }),
  loser: fc.constantFrom(...LOSERS),
});

function resolve(l: SqliteLedger, s: Advance): Action {
  const t = l.tasks().find((x) => x.id === s.advance);
  if (!t) return { type: 'task.post', task: s.advance, submitter: s.who, bounty: 50 + 100 * s.choice };
  switch (t.state) {
    case 'posted':
      return { type: 'task.claim', task: t.id, solver: s.who };
    case 'claimed': {
      // Direct submit, or commit-then-reveal; a reveal whose choice differs from the seal's is refused,
      // and since runs repeat across tasks and solvers, some reveals are copies (slashed).
      const solver = t.solver as string;
      const run = s.choice === 2 ? D2 : D1;
      const salt = SALTS[s.choice];
      if (l.commitments().some((c) => c.task === t.id && c.status === 'sealed'))
        return { type: 'proof.reveal', task: t.id, solver, runCommitment: run, salt };
      if (s.choice === 0) return { type: 'proof.submit', task: t.id, solver, runCommitment: D1 };
      return {
        type: 'proof.commit',
        task: t.id,
        solver,
        sealed: sealCommitment({ task: t.id, account: solver, publicKey: null, runCommitment: run, salt }),
      };
    }
    case 'proved':
      return s.choice === 0
        ? { type: 'task.verify', task: t.id, verifier: s.who }
        : { type: 'dispute.open', task: t.id, challenger: s.who };
    case 'verified':
      return s.choice === 0
        ? { type: 'task.finalize', task: t.id }
        : { type: 'dispute.open', task: t.id, challenger: s.who };
    case 'disputed': {
      const d = l.disputes().find((x) => x.task === t.id && x.state === 'open');
      return {
        type: 'dispute.settle',
        dispute: d?.id ?? 0,
        verdict: { loser: s.loser, step: s.choice, op: 'matmul', reason: 'mismatch' },
        transcript: { verdict: { loser: s.loser } },
      };
    }
    default:
      return { type: 'task.finalize', task: t.id };
  }
}

const params = fc.record({
  solverStake: fc.integer({ min: 0, max: 300 }),
  challengerStake: fc.integer({ min: 0, max: 300 }),
  slashBps: fc.integer({ min: 0, max: 10000 }),
  whistleblowerBps: fc.integer({ min: 0, max: 5000 }),
  treasuryBps: fc.integer({ min: 0, max: 5000 }),
  verifierReward: fc.integer({ min: 0, max: 50 }),
});

function sums(l: SqliteLedger) {
  return l.db
    .prepare(
      `SELECT (SELECT SUM(amount) FROM balances) AS balances, (SELECT COALESCE(SUM(locked), 0) FROM stakes) AS locked,
              (SELECT COALESCE(SUM(escrow), 0) FROM tasks) AS escrow, (SELECT amount FROM treasury) AS treasury,
              (SELECT minted FROM supply) AS minted,
              MIN((SELECT COALESCE(MIN(amount), 0) FROM balances), (SELECT COALESCE(MIN(locked), 0) FROM stakes),
                  (SELECT COALESCE(MIN(escrow), 0) FROM tasks), (SELECT amount FROM treasury)) AS lowest`,
    )
    .get() as {
    balances: number | null;
    locked: number;
    escrow: number;
    treasury: number;
    minted: number;
    lowest: number;
  };
}

test('supply invariant and atomic rejection hold over random action sequences', (t) => {
  let accepted = 0;
  let rejected = 0;
  let settled = 0;
  let copies = 0;
  let reveals = 0;
  fc.assert(
    fc.property(
      params,
      fc.array(fc.oneof(action, advance, advance), { minLength: 1, maxLength: 80, size: 'max' }),
      (p, actions) => {
        fc.pre(p.whistleblowerBps + p.treasuryBps <= 10000);
        const l = createLedger(':memory:', p);
        try {
          // Seed a few accounts with funds so that most actions have a chance to succeed.
          let minted = 0;
          for (const a of ['a0', 'a1', 'a2']) {
            l.submit({ type: 'account.open', account: a });
            l.submit({ type: 'mint', account: a, amount: 1000 });
            minted += 1000;
          }
          for (const step of actions) {
            const a = 'advance' in step ? resolve(l, step) : step;
            const before = dumpLedger(l);
            const head = l.head();
            try {
              const ev = l.submit(a);
              accepted++;
              if (a.type === 'mint') minted += a.amount;
              if (a.type === 'dispute.settle') settled++;
              if (a.type === 'proof.reveal') reveals++;
              if (ev.payload.changes.some((c) => c.op === 'copy.record')) copies++;
              assert.equal(ev.seq, head.seq + 1);
              assert.equal(ev.prevHash, head.hash);
            } catch (err) {
              assert.ok(
                err instanceof LedgerError,
                `non-ledger error for ${JSON.stringify(a)}: ${String(err)}`,
              );
              assert.notEqual(err.code, 'internal', err.message);
              rejected++;
              assert.equal(dumpLedger(l), before, `rejected ${a.type} changed the database`);
            }
            const s = sums(l);
            assert.equal(s.minted, minted);
            assert.equal((s.balances ?? 0) + s.locked + s.escrow + s.treasury, minted);
            assert.ok(s.lowest >= 0, 'a balance, stake, escrow or treasury went negative');
          }
          const report = l.verify();
          assert.ok(report.ok, JSON.stringify(report));
        } finally {
          l.close();
        }
      },
    ),
    { numRuns: 60 },
  );
  t.diagnostic(
    `accepted ${accepted}, rejected ${rejected}, settled disputes ${settled}, reveals ${reveals}, copies slashed ${copies}`,
  );
  // The generator must exercise both sides and reach settlements, or the property says little.
  assert.ok(
    accepted > 400 && rejected > 400 && settled > 10 && reveals > 10 && copies > 5,
    `accepted ${accepted}, rejected ${rejected}, settled ${settled}`,
  );
});
