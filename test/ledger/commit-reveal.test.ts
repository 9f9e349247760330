/**
 * Identity binding on the ledger: key binding with proof of possession, commit-then-reveal of run
 * commitments, the copy rule (a reveal sealed after someone else revealed the same run is a copy and is
 * slashed) with payouts computed here by hand from the parameters, the bundle-key check, and a real v1
 * ledger file migrating to v2 with its chain intact.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { toHex } from '../../core/hash/hex.ts';
import { DEMO_PARAMS, demoClock } from '../../core/ledger/demo.ts';
import { planDisputeSetup } from '../../core/ledger/dispute-setup.ts';
import { plan } from '../../core/ledger/game.ts';
import { MemoryLedger } from '../../core/ledger/memory.ts';
import { createLedger, openLedger } from '../../core/ledger/node-store.ts';
import { MIGRATIONS } from '../../core/ledger/schema.ts';
import { commitRevealActions, keyBindingAction, sealCommitment } from '../../core/ledger/seal.ts';
import { type Action, type GameParams, LedgerError } from '../../core/ledger/types.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { D1, D2, P, tempDir, tinyTranscript } from './helpers.ts';

const KEYS = {
  alice: keyFromSeed('test-alice'),
  mallory: keyFromSeed('test-mallory'),
  bob: keyFromSeed('test-bob'),
};
const pk = (who: keyof typeof KEYS) => toHex(KEYS[who].publicKey);
const SALT_A = '5a'.repeat(32);
const SALT_M = '3c'.repeat(32);
const bps = (x: number, b: number) => Math.floor((x * b) / 10_000);

/** An in-memory game whose events get real sequence numbers (the copy rule compares them). */
function game(params: GameParams = P) {
  const m = new MemoryLedger(params);
  let seq = 1; // event 1 is ledger.init
  const act = (a: Action): number => {
    const changes = plan(m, a);
    seq++;
    for (const c of changes) m.apply(c, seq);
    return seq;
  };
  const rejects = (a: Action, code: string, re: RegExp) => {
    const before = JSON.stringify(m.snapshot(0));
    assert.throws(
      () => act(a),
      (e: unknown) => e instanceof LedgerError && e.code === code && re.test(e.message),
      `${a.type} should be refused with ${code}`,
    );
    seq--; // plan threw before the event existed
    assert.equal(JSON.stringify(m.snapshot(0)), before, 'a refused action changed the state');
  };
  for (const who of ['sub', 'alice', 'mallory', 'bob']) {
    act({ type: 'account.open', account: who });
    act({ type: 'mint', account: who, amount: 1000 });
  }
  // Two instances of the same task: RepOps is deterministic, so honest runs of both have the same root.
  act({ type: 'task.post', task: 'A', submitter: 'sub', bounty: 200 });
  act({ type: 'task.post', task: 'B', submitter: 'sub', bounty: 200 });
  return { m, act, rejects, balance: (id: string) => m.account(id)?.balance };
}

function keyed() {
  const g = game();
  g.act(keyBindingAction('alice', KEYS.alice));
  g.act(keyBindingAction('mallory', KEYS.mallory));
  return g;
}

const run = (who: keyof typeof KEYS, runCommitment = D1) => ({
  runCommitment,
  solver: { publicKey: pk(who) },
});

test('keys are bound once, only with proof of possession, one account per key', () => {
  const g = game();
  const bind = keyBindingAction('alice', KEYS.alice);
  g.rejects({ ...bind, account: 'mallory' }, 'bad-signature', /does not prove possession/);
  g.rejects({ ...bind, signature: '00'.repeat(64) }, 'bad-signature', /does not prove possession/);
  g.rejects({ ...bind, publicKey: 'XYZ' }, 'bad-key', /64 lowercase hex/);
  g.act(bind);
  assert.equal(g.m.accountKey('alice'), pk('alice'));
  g.rejects(keyBindingAction('alice', KEYS.bob), 'key-bound', /already has key/);
  // Mallory cannot bind Alice's key even with a valid signature by it (she does not have one).
  g.rejects(keyBindingAction('mallory', KEYS.alice), 'key-taken', /already bound to account "alice"/);
});

test('honest commit → reveal: proved, with the bundle signer recorded', () => {
  const g = keyed();
  g.act({ type: 'task.claim', task: 'A', solver: 'alice' });
  const cr = commitRevealActions(run('alice'), 'A', 'alice', SALT_A);
  assert.equal(
    cr.commit.sealed,
    sealCommitment({ task: 'A', account: 'alice', publicKey: pk('alice'), runCommitment: D1, salt: SALT_A }),
  );
  g.rejects(cr.reveal, 'no-commitment', /no sealed commitment/);
  g.act(cr.commit);
  // Nothing about the run is public yet: the task is still claimed and no proof exists.
  assert.equal(g.m.task('A')?.state, 'claimed');
  assert.equal(g.m.proofs.size, 0);
  g.rejects({ ...cr.reveal, salt: SALT_M }, 'bad-reveal', /does not open the commitment sealed in event/);
  g.rejects({ ...cr.reveal, runCommitment: D2 }, 'bad-reveal', /does not open/);
  g.rejects({ ...cr.reveal, solver: 'mallory' }, 'not-solver', /did not claim task "A"/);
  g.rejects(
    { type: 'proof.submit', task: 'A', solver: 'alice', runCommitment: D1 },
    'sealed',
    /sealed commitment/,
  );
  g.act(cr.reveal);
  assert.equal(g.m.task('A')?.state, 'proved');
  assert.deepEqual(
    [...g.m.proofs.values()],
    [{ id: 1, task: 'A', solver: 'alice', runCommitment: D1, signer: pk('alice') }],
  );
  assert.equal(g.m.commitments.get(1)?.status, 'revealed');
});

test('a proof bundle signed by a key other than the claimant’s is refused', () => {
  const g = keyed();
  g.act({ type: 'task.claim', task: 'A', solver: 'alice' });
  g.act({ type: 'task.claim', task: 'B', solver: 'mallory' });
  // Mallory presents Alice's bundle verbatim: its signer is Alice's key.
  g.rejects(
    { type: 'proof.submit', task: 'B', solver: 'mallory', runCommitment: D1, signer: pk('alice') },
    'wrong-key',
    /signed by key [0-9a-f]{16}… \(account "alice"\), not by the claimant "mallory"/,
  );
  const verbatim = commitRevealActions(run('alice'), 'B', 'mallory', SALT_M);
  g.act(verbatim.commit);
  g.rejects(verbatim.reveal, 'wrong-key', /not by the claimant "mallory"/);
  g.rejects({ ...verbatim.reveal, signer: 'nope' }, 'bad-key', /64 lowercase hex/);
  // An account with no key bound cannot name a signer at all.
  g.act({ type: 'task.post', task: 'C', submitter: 'sub', bounty: 50 });
  g.act({ type: 'task.claim', task: 'C', solver: 'bob' });
  g.rejects(
    { type: 'proof.submit', task: 'C', solver: 'bob', runCommitment: D2, signer: pk('bob') },
    'no-key',
    /account "bob" has no key bound/,
  );
});

test('a reveal sealed after someone else revealed the same run is a copy: slashed, victim paid, submitter refunded', () => {
  const g = keyed();
  g.act({ type: 'task.claim', task: 'A', solver: 'alice' });
  g.act({ type: 'task.claim', task: 'B', solver: 'mallory' });
  const honest = commitRevealActions(run('alice'), 'A', 'alice', SALT_A);
  g.act(honest.commit);
  const revealSeq = g.act(honest.reveal);
  // Mallory learnt D1 from that reveal and re-signed the bundle with her own key: the signer check passes…
  const copy = commitRevealActions(run('mallory'), 'B', 'mallory', SALT_M);
  const commitSeq = g.act(copy.commit);
  assert.ok(commitSeq > revealSeq);
  assert.deepEqual(
    [g.balance('sub'), g.balance('alice'), g.balance('mallory')],
    [1000 - 2 * (200 + P.verifierReward), 1000 - P.solverStake, 1000 - P.solverStake],
  );
  // …but the commit-reveal order gives her away.
  g.act(copy.reveal);
  const slashed = bps(P.solverStake, P.slashBps);
  const victim = bps(slashed, P.whistleblowerBps);
  const treasury = bps(slashed, P.treasuryBps);
  const compensation = slashed - victim - treasury;
  assert.deepEqual(
    [...g.m.copies.values()],
    [
      {
        id: 1,
        task: 'B',
        copier: 'mallory',
        runCommitment: D1,
        commitment: 2,
        commitSeq,
        original: { task: 'A', account: 'alice', seq: revealSeq },
        stake: 2,
        slashed,
        victimShare: victim,
      },
    ],
  );
  assert.equal(g.balance('mallory'), 1000 - slashed);
  assert.equal(g.balance('alice'), 1000 - P.solverStake + victim);
  assert.equal(g.balance('sub'), 1000 - 2 * (200 + P.verifierReward) + compensation + 200 + P.verifierReward);
  assert.equal(g.m.treasury, treasury);
  assert.deepEqual(
    { ...g.m.task('B'), escrow: g.m.task('B')?.escrow },
    { ...g.m.task('B'), state: 'settled', outcome: 'refunded', escrow: 0 },
  );
  assert.equal(g.m.stake(2)?.status, 'slashed');
  assert.equal(g.m.commitments.get(2)?.status, 'copy');
  assert.equal(g.m.proofs.size, 1, 'no proof is recorded for the copier');
  // Alice's task is untouched: proved, stake still locked.
  assert.equal(g.m.task('A')?.state, 'proved');
  assert.equal(g.m.stake(1)?.status, 'locked');
  const t = g.m.totals();
  assert.equal(t.balances + t.locked + t.escrow + t.treasury, t.minted);
});

test('a direct proof.submit of an already revealed run is a copy too (no bypass)', () => {
  const g = keyed();
  g.act({ type: 'task.claim', task: 'A', solver: 'alice' });
  g.act({ type: 'task.claim', task: 'B', solver: 'mallory' });
  const first = g.act({ type: 'proof.submit', task: 'A', solver: 'alice', runCommitment: D1 });
  g.act({ type: 'proof.submit', task: 'B', solver: 'mallory', runCommitment: D1, signer: pk('mallory') });
  const c = [...g.m.copies.values()];
  assert.equal(c.length, 1);
  assert.deepEqual(
    [c[0].copier, c[0].commitment, c[0].commitSeq, c[0].original],
    ['mallory', null, null, { task: 'A', account: 'alice', seq: first }],
  );
  assert.equal(g.m.task('B')?.state, 'settled');
});

test('sealing before any reveal is never a copy; a guess sealed early cannot be re-opened as the copy', () => {
  const g = keyed();
  g.act(keyBindingAction('bob', KEYS.bob));
  g.act({ type: 'task.post', task: 'C', submitter: 'sub', bounty: 200 });
  for (const [t, who] of [
    ['A', 'alice'],
    ['B', 'mallory'],
    ['C', 'bob'],
  ] as const)
    g.act({ type: 'task.claim', task: t, solver: who });
  // Alice and Bob compute the same task independently (same bits) and both seal before either reveals.
  const a = commitRevealActions(run('alice'), 'A', 'alice', SALT_A);
  const b = commitRevealActions(run('bob'), 'C', 'bob', '77'.repeat(32));
  g.act(a.commit);
  // Mallory seals a guess before any reveal…
  const guess = commitRevealActions(run('mallory', D2), 'B', 'mallory', SALT_M);
  g.act(guess.commit);
  g.act(b.commit);
  g.act(a.reveal);
  g.act(b.reveal);
  assert.deepEqual([g.m.task('A')?.state, g.m.task('C')?.state], ['proved', 'proved']);
  assert.equal(g.m.copies.size, 0, 'identical honest runs sealed before any reveal are not copies');
  // …and cannot open it as D1 now that D1 is public.
  g.rejects({ ...guess.reveal, runCommitment: D1 }, 'bad-reveal', /does not open/);
  // Sealing again replaces the old seal; the new seal is what the order rule sees.
  const late = commitRevealActions(run('mallory'), 'B', 'mallory', SALT_M);
  g.act(late.commit);
  assert.equal(g.m.commitments.get(2)?.status, 'replaced');
  g.act(late.reveal);
  assert.equal([...g.m.copies.values()][0]?.copier, 'mallory');
  assert.equal([...g.m.copies.values()][0]?.original.account, 'alice', 'the earliest reveal is the victim');
});

test('the same account solving two identical tasks is not copying itself', () => {
  const g = keyed();
  g.act({ type: 'task.claim', task: 'A', solver: 'alice' });
  g.act({ type: 'task.claim', task: 'B', solver: 'alice' });
  const a = commitRevealActions(run('alice'), 'A', 'alice', SALT_A);
  g.act(a.commit);
  g.act(a.reveal);
  const b = commitRevealActions(run('alice'), 'B', 'alice', SALT_M);
  // A seal names its task: Alice's seal for A does not open on B.
  g.rejects({ ...a.reveal, task: 'B' }, 'no-commitment', /no sealed commitment/);
  g.act(b.commit);
  g.rejects({ ...a.reveal, task: 'B' }, 'bad-reveal', /does not open/);
  g.act(b.reveal);
  assert.deepEqual([g.m.task('A')?.state, g.m.task('B')?.state, g.m.copies.size], ['proved', 'proved', 0]);
});

test('a v1 ledger file migrates to v2 with its chain intact, then takes commits and reveals', () => {
  const dir = tempDir();
  const file = join(dir, 'v1.db');
  // Write a ledger with v1 actions only, then strip the v2 schema so the file is exactly a v1 file.
  const v1Actions: Action[] = [
    ...['sub', 'alice', 'carol', 'erin'].flatMap((a): Action[] => [
      { type: 'account.open', account: a },
      { type: 'mint', account: a, amount: 1000 },
    ]),
    { type: 'task.post', task: 'ok', submitter: 'sub', bounty: 200 },
    { type: 'task.claim', task: 'ok', solver: 'alice' },
    { type: 'proof.submit', task: 'ok', solver: 'alice', runCommitment: D1 },
    { type: 'task.verify', task: 'ok', verifier: 'erin' },
    { type: 'task.finalize', task: 'ok' },
    { type: 'task.post', task: 'bad', submitter: 'sub', bounty: 100 },
    { type: 'task.claim', task: 'bad', solver: 'carol' },
    { type: 'proof.submit', task: 'bad', solver: 'carol', runCommitment: D2 },
    { type: 'dispute.open', task: 'bad', challenger: 'erin' },
    {
      type: 'dispute.settle',
      dispute: 1,
      verdict: { loser: 'solver', step: 3, op: 7, reason: 'mismatch' },
      transcript: tinyTranscript('solver'),
    },
  ];
  const l0 = createLedger(file, DEMO_PARAMS, { clock: demoClock() });
  l0.submitAll(v1Actions);
  const head = l0.head();
  l0.close();
  const db = new Database(file);
  db.exec(
    'DROP INDEX proofs_run; DROP TABLE copies; DROP TABLE commitments; DROP TABLE account_keys; ALTER TABLE proofs DROP COLUMN signer;',
  );
  db.pragma('user_version = 1');
  const fresh = new Database(':memory:');
  fresh.exec(MIGRATIONS[0].sql);
  const layout = (d: Database.Database) =>
    (
      d
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','index','trigger') ORDER BY name")
        .all() as {
        name: string;
      }[]
    ).map((r) => [r.name, d.prepare(`PRAGMA table_info(${r.name})`).all()]);
  assert.deepEqual(layout(db), layout(fresh), 'the stripped file has exactly the v1 layout');
  fresh.close();
  db.close();

  const l = openLedger(file);
  assert.equal(l.db.pragma('user_version', { simple: true }), 2);
  assert.deepEqual(l.head(), head);
  const r = l.verify();
  assert.ok(r.ok, JSON.stringify(r));
  // The migrated file plays the new game: Alice binds her key, commits and reveals a new run; Carol, who
  // saw it, copies it onto an identical task and is caught.
  l.submitAll([
    keyBindingAction('alice', KEYS.alice),
    { type: 'task.post', task: 'dup1', submitter: 'sub', bounty: 20 },
    { type: 'task.post', task: 'dup2', submitter: 'sub', bounty: 20 },
    { type: 'task.claim', task: 'dup1', solver: 'alice' },
    { type: 'task.claim', task: 'dup2', solver: 'carol' },
  ]);
  const D3 = 'c3'.repeat(32);
  const cr = commitRevealActions(run('alice', D3), 'dup1', 'alice', SALT_A);
  l.submit(cr.commit);
  l.submit(cr.reveal);
  const copy = sealCommitment({
    task: 'dup2',
    account: 'carol',
    publicKey: null,
    runCommitment: D3,
    salt: SALT_M,
  });
  l.submit({ type: 'proof.commit', task: 'dup2', solver: 'carol', sealed: copy });
  l.submit({ type: 'proof.reveal', task: 'dup2', solver: 'carol', runCommitment: D3, salt: SALT_M });
  assert.deepEqual(
    l.copies().map((c) => [c.copier, c.original.account, c.task]),
    [['carol', 'alice', 'dup2']],
  );
  assert.deepEqual(
    l.proofs().map((p) => [p.task, p.signer]),
    [
      ['ok', null],
      ['bad', null],
      ['dup1', pk('alice')],
    ],
  );
  assert.deepEqual(
    l.commitments().map((c) => [c.task, c.status]),
    [
      ['dup1', 'revealed'],
      ['dup2', 'copy'],
    ],
  );
  const r2 = l.verify();
  assert.ok(r2.ok, JSON.stringify(r2));
  // verify covers the new tables: a forged victim share or a deleted commitment is caught.
  for (const sql of [
    'UPDATE copies SET victim_share = victim_share - 1',
    "UPDATE commitments SET status = 'revealed' WHERE task_id = 'dup2'",
    "UPDATE proofs SET signer = NULL WHERE task_id = 'dup1'",
    "DELETE FROM account_keys WHERE account_id = 'alice'",
  ]) {
    l.db.exec('BEGIN');
    l.db.pragma('foreign_keys = OFF');
    l.db.exec(sql);
    assert.equal(l.verify().ok, false, sql);
    l.db.exec('ROLLBACK');
  }
  assert.ok(l.verify().ok);
  l.close();
});

test('planDisputeSetup refuses to record a run another account already revealed, and passes the signer on', () => {
  const base = {
    params: P,
    accounts: [],
    tasks: [],
    proofs: [{ id: 1, task: 'A', solver: 'alice', runCommitment: D1 }],
    disputes: [],
  };
  const input = {
    task: 'B',
    submitter: 'sub',
    solver: 'mallory',
    challenger: 'erin',
    runCommitment: D1,
    bounty: 200,
    spec: '',
  };
  assert.throws(
    () => planDisputeSetup(base, input),
    (e: unknown) =>
      e instanceof LedgerError &&
      /already revealed by alice on task A: recording it for mallory would be a copy/.test(e.message),
  );
  const ok = planDisputeSetup(base, { ...input, runCommitment: D2, signer: pk('mallory') });
  assert.deepEqual(
    ok.actions.find((a) => a.type === 'proof.submit'),
    { type: 'proof.submit', task: 'B', solver: 'mallory', runCommitment: D2, signer: pk('mallory') },
  );
});
