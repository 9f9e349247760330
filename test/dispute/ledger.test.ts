/**
 * End to end: two proof bundles written by `pinpoint train` (one with --tamper), `pinpoint dispute
 * --ledger` settles the verdict in a SQLite ledger, balances move as the game rules say (amounts
 * computed here from the parameters, independently of core/ledger), and `pinpoint ledger verify` passes.
 * One process: every command runs in-process through cli/main.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { planDisputeSetup } from '../../core/ledger/dispute-setup.ts';
import { openLedger } from '../../core/ledger/node-store.ts';
import { DEFAULT_PARAMS } from '../../core/ledger/types.ts';
import { pinpoint } from '../train/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-dispute-ledger-'));
const taskFile = join(dir, 'task.json');
writeFileSync(
  taskFile,
  JSON.stringify({
    ...JSON.parse(readFileSync('tasks/spirals-mlp.json', 'utf8')),
    steps: 12,
    checkpointEvery: 4,
  }),
);
const good = join(dir, 'good.pinproof');
const bad = join(dir, 'bad.pinproof');
const db = join(dir, 'ledger.db');

const cli = (...args: string[]) => pinpoint(args);
/** `pinpoint dispute bad good --ledger db …`: the tampered proof as solver. */
const badVsGood = (...extra: string[]) => cli('dispute', bad, good, '--ledger', db, ...extra);

const P = DEFAULT_PARAMS;
const bps = (x: number, b: number) => Math.floor((x * b) / 10_000);
const BOUNTY = 200;

test('train → tampered proof → dispute --ledger → balances per the rules → ledger verify', async () => {
  assert.equal((await cli('train', taskFile, '--out', good, '-q', '--key-seed', 'alice')).code, 0);
  const t = await cli('train', taskFile, '--out', bad, '-q', '--key-seed', 'mallory', '--tamper', '5');
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /TAMPERED {4}step 5/);

  // Caught cheater: bad is the solver.
  const r = await badVsGood('--task', 'caught', '--solver', 'mallory', '--challenger', 'alice');
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /^solver loses at step 5/);
  assert.match(r.stdout, /ledger: created .* with the default game parameters/);
  assert.match(r.stdout, /dispute #1 settled/);
  const slashed = bps(P.solverStake, P.slashBps);
  const jackpot = bps(slashed, P.whistleblowerBps);
  const toTreasury = bps(slashed, P.treasuryBps);
  // Each new account was minted exactly its role's need; compare final balances with hand arithmetic.
  let l = openLedger(db, { readonly: true });
  const bal = Object.fromEntries(l.accounts().map((a) => [a.id, [a.balance, a.locked]]));
  assert.deepEqual(bal, {
    submitter: [BOUNTY + P.verifierReward + (slashed - jackpot - toTreasury), 0],
    mallory: [P.solverStake - slashed, 0],
    alice: [P.challengerStake + jackpot, 0],
  });
  assert.equal(l.totals().treasury, toTreasury);
  // The recorded dispute reads back with the referee's transcript.
  const rec = l.dispute(1);
  assert.ok(rec, 'dispute #1 is recorded');
  assert.equal(rec.verdict?.loser, 'solver');
  assert.equal(rec.verdict?.step, 5);
  assert.equal((rec.transcript as { verdict: { step: number } }).verdict.step, 5);
  assert.equal(l.tasks().find((x) => x.id === 'caught')?.state, 'settled');
  l.close();
  assert.match(r.stdout, new RegExp(`stake#1 → alice  ${jackpot}  \\(slash\\.jackpot\\)`));

  // False challenge on a fresh task: the honest solver wins, the challenger is slashed.
  const f = await cli(
    'dispute',
    good,
    bad,
    '--ledger',
    db,
    '--task',
    'false',
    '--solver',
    'bob',
    '--challenger',
    'eve',
    '--json',
  );
  assert.equal(f.code, 0, f.stdout + f.stderr);
  assert.equal(JSON.parse(f.stdout).ledger.dispute, 2);
  const cSlashed = bps(P.challengerStake, P.slashBps);
  const cTreasury = bps(cSlashed, P.treasuryBps);
  l = openLedger(db, { readonly: true });
  const bal2 = Object.fromEntries(l.accounts().map((a) => [a.id, a.balance]));
  assert.equal(bal2.bob, P.solverStake + BOUNTY + (cSlashed - cTreasury));
  assert.equal(bal2.eve, P.challengerStake - cSlashed);
  assert.equal(
    bal2.submitter,
    // the existing submitter paid bounty + reward into escrow; no verifier attested, so the reward came back
    slashed - jackpot - toTreasury + P.verifierReward,
  );
  assert.equal(l.totals().treasury, toTreasury + cTreasury);
  l.close();

  const v = await cli('ledger', 'verify', db);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /^OK/);
});

test('dispute --ledger refuses what the ledger forbids with one clear line', async () => {
  // A settled task cannot be disputed again; a slashed solver cannot afford a new stake.
  const cases: [string[], RegExp][] = [
    [['--task', 'caught'], /^pinpoint dispute: task caught is already settled$/],
    [
      ['--task', 'again', '--submitter', 'carol'],
      /^pinpoint dispute: account mallory has \d+ units, the solver stake needs 100$/,
    ],
  ];
  for (const [extra, want] of cases) {
    const r = await badVsGood('--solver', 'mallory', '--challenger', 'alice', ...extra);
    assert.equal(r.code, 1);
    assert.match(r.stderr, want);
  }
  // An account with a bound key accepts only bundles signed by that key: bob holds alice's key, the
  // tampered bundle is signed by mallory's. Nothing is written.
  const k = await cli('ledger', 'key', db, '--account', 'bob', '--key-seed', 'alice');
  assert.equal(k.code, 0, k.stdout + k.stderr);
  const events = openLedger(db, { readonly: true });
  const before = events.events().length;
  events.close();
  const bad2 = join(dir, 'bad2.pinproof');
  const t2 = await cli('train', taskFile, '--out', bad2, '-q', '--key-seed', 'mallory', '--tamper', '6');
  assert.equal(t2.code, 0, t2.stderr);
  const w = await cli(
    ...['dispute', bad2, good, '--ledger', db, '--task', 'signed', '--submitter', 'dora'],
    ...['--solver', 'bob', '--challenger', 'alice'],
  );
  assert.equal(w.code, 1, w.stdout);
  assert.match(w.stderr, /^pinpoint dispute: proof signed by key [0-9a-f]{16}…, not by the claimant "bob"/);
  const after = openLedger(db, { readonly: true });
  assert.equal(after.events().length, before, 'a refused dispute writes nothing');
  after.close();
  const r = await cli('dispute', bad, good, '--task', 'x');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--task only applies with --ledger/);
});

test('planDisputeSetup settles an already open dispute and checks the recorded proof', () => {
  const base = {
    params: P,
    accounts: [
      { id: 's', balance: 0 },
      { id: 'c', balance: 0 },
    ],
    tasks: [
      {
        id: 'T',
        submitter: 'u',
        bounty: 1,
        verifierReward: 10,
        escrow: 11,
        state: 'disputed' as const,
        spec: '',
        solver: 's',
        verifier: null,
        outcome: null,
      },
    ],
    proofs: [{ id: 1, task: 'T', solver: 's', runCommitment: 'a'.repeat(64) }],
    disputes: [
      {
        id: 7,
        task: 'T',
        solver: 's',
        challenger: 'c',
        solverStake: 100,
        challengerStake: 50,
        state: 'open' as const,
        verdict: null,
        transcriptDigest: null,
      },
    ],
  };
  const input = {
    task: 'T',
    submitter: 'u',
    solver: 's',
    challenger: 'c',
    runCommitment: 'a'.repeat(64),
    bounty: 1,
    spec: '',
  };
  assert.deepEqual(planDisputeSetup(base, input).actions, []);
  assert.equal(planDisputeSetup(base, input).openDispute, 7);
  assert.throws(() => planDisputeSetup(base, { ...input, runCommitment: 'b'.repeat(64) }), /run commitment/);
  assert.throws(() => planDisputeSetup(base, { ...input, challenger: 'd' }), /disputed by c, not d/);
  assert.throws(() => planDisputeSetup(base, { ...input, solver: 'c' }), /same account/);
});
