/**
 * The SQLite store: opening rules (missing, foreign, newer, non-database files), pragmas, the read API the
 * desktop app uses (snapshots at event n, filtered events, a dispute with its transcript) and the demo.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { parseTranscript } from '../../core/dispute/transcript.ts';
import { DEMO_PARAMS, demoActions, demoClock, syntheticTranscript } from '../../core/ledger/demo.ts';
import { createLedger, migrateDatabase, openLedger } from '../../core/ledger/node-store.ts';
import { LEDGER_APPLICATION_ID, LEDGER_SCHEMA_VERSION, MIGRATIONS } from '../../core/ledger/schema.ts';
import { verdictOf } from '../../core/ledger/transcript.ts';
import { LedgerError } from '../../core/ledger/types.ts';
import { D1, P, tempDir, tinyTranscript } from './helpers.ts';

const dir = tempDir();

test('opening: missing, foreign, newer, non-database and empty files fail with the file named', () => {
  const missing = join(dir, 'missing.db');
  assert.throws(
    () => openLedger(missing),
    (e: unknown) =>
      e instanceof LedgerError && e.message.includes(missing) && /no such ledger/.test(e.message),
  );

  const foreign = join(dir, 'foreign.db');
  const f = new Database(foreign);
  f.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  f.close();
  assert.throws(
    () => openLedger(foreign),
    (e: unknown) =>
      e instanceof Error &&
      e.message.includes(foreign) &&
      /not a Pinpoint ledger.*tables: notes/.test(e.message),
  );
  assert.throws(
    () => createLedger(foreign),
    /not a Pinpoint ledger/,
    'create must not take over a foreign database',
  );

  const newer = join(dir, 'newer.db');
  createLedger(newer, P).close();
  const n = new Database(newer);
  n.pragma(`user_version = ${LEDGER_SCHEMA_VERSION + 1}`);
  n.close();
  assert.throws(
    () => openLedger(newer),
    (e: unknown) =>
      e instanceof Error &&
      e.message.includes(newer) &&
      e.message.includes(
        `schema v${LEDGER_SCHEMA_VERSION + 1} is newer than this build supports (v${LEDGER_SCHEMA_VERSION})`,
      ),
  );

  const text = join(dir, 'text.db');
  writeFileSync(
    text,
    'this is not sqlite, just some text that is long enough to look like a header............',
  );
  assert.throws(
    () => openLedger(text),
    (e: unknown) =>
      e instanceof LedgerError && e.message.includes(text) && /not a Pinpoint ledger/.test(e.message),
  );

  const empty = join(dir, 'empty.db');
  new Database(empty).close();
  assert.throws(() => openLedger(empty), /empty database/);
});

test('a ledger file uses WAL, foreign keys, a busy timeout, full sync and carries its application id', () => {
  const file = join(dir, 'pragmas.db');
  const l = createLedger(file, P);
  assert.equal(l.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(l.db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(l.db.pragma('busy_timeout', { simple: true }), 5000);
  assert.equal(l.db.pragma('synchronous', { simple: true }), 2);
  assert.equal(l.db.pragma('application_id', { simple: true }), LEDGER_APPLICATION_ID);
  assert.equal(l.db.pragma('user_version', { simple: true }), LEDGER_SCHEMA_VERSION);
  l.close();
  // Re-creating with the same parameters is idempotent; different parameters are refused.
  createLedger(file, P).close();
  assert.throws(
    () => createLedger(file, { ...P, solverStake: 1 }),
    /already a ledger with different game parameters/,
  );
  // The schema's CHECK constraints back the rules: a negative balance cannot be written even by raw SQL.
  const raw = openLedger(file);
  raw.submit({ type: 'account.open', account: 'x' });
  assert.throws(
    () => raw.db.prepare("UPDATE balances SET amount = -1 WHERE account_id = 'x'").run(),
    /CHECK constraint/,
  );
  assert.throws(() => raw.db.prepare('DELETE FROM events WHERE seq = 1').run(), /append-only/);
  raw.close();
});

test('a rejected action leaves the file untouched; submitAll is all-or-nothing', () => {
  const l = createLedger(join(dir, 'atomic.db'), P);
  l.submit({ type: 'account.open', account: 'alice' });
  const head = l.head();
  assert.throws(() => l.submit({ type: 'mint', account: 'bob', amount: 5 }), /"bob" does not exist/);
  assert.deepEqual(l.head(), head);
  assert.throws(
    () =>
      l.submitAll([
        { type: 'mint', account: 'alice', amount: 5 },
        { type: 'mint', account: 'alice', amount: -5 },
      ]),
    /positive/,
  );
  assert.deepEqual(l.head(), head);
  assert.equal(l.accounts()[0].balance, 0);
  l.close();
});

test('read API: filtered events, snapshots at event n, and a dispute read back with its transcript', () => {
  const l = createLedger(join(dir, 'read.db'), P);
  for (const a of ['alice', 'bob', 'carol']) {
    l.submit({ type: 'account.open', account: a });
    l.submit({ type: 'mint', account: a, amount: 1000 });
  }
  l.submit({ type: 'task.post', task: 't', submitter: 'alice', bounty: 200 });
  l.submit({ type: 'task.claim', task: 't', solver: 'bob' });
  l.submit({ type: 'proof.submit', task: 't', solver: 'bob', runCommitment: D1 });
  const open = l.submit({ type: 'dispute.open', task: 't', challenger: 'carol' });
  const transcript = syntheticTranscript({
    task: 't',
    solver: 'bob',
    challenger: 'carol',
    steps: 16,
    disputedStep: 5,
    opCount: 9,
    disputedOp: 4,
    opName: 'relu',
    loser: 'solver',
  });
  const settle = l.submit({ type: 'dispute.settle', dispute: 1, verdict: verdictOf(transcript), transcript });

  assert.deepEqual(
    l.events({ task: 't' }).map((e) => e.kind),
    ['task.post', 'task.claim', 'proof.submit', 'dispute.open', 'dispute.settle'],
  );
  assert.deepEqual(
    l.events({ account: 'carol' }).map((e) => e.kind),
    ['account.open', 'mint', 'dispute.open', 'dispute.settle'],
  );
  assert.deepEqual(
    l.events({ kind: 'mint', limit: 2, descending: true }).map((e) => e.seq),
    [7, 5],
  );
  assert.equal(l.events({ after: settle.seq - 1 }).length, 1);

  // Before settlement the stakes are locked; after it they are redistributed (the app animates this).
  const before = l.snapshotAt(open.seq);
  assert.deepEqual(before.totals, { minted: 3000, balances: 2640, locked: 150, escrow: 210, treasury: 0 });
  const after = l.snapshotAt(settle.seq);
  assert.deepEqual(after.totals, { minted: 3000, balances: 2984, locked: 0, escrow: 0, treasury: 16 });
  assert.deepEqual(Object.fromEntries(after.accounts.map((a) => [a.id, a.balance])), {
    alice: 1024,
    bob: 920,
    carol: 1040,
  });
  assert.deepEqual(l.snapshotAt(1).totals, { minted: 0, balances: 0, locked: 0, escrow: 0, treasury: 0 });
  assert.throws(
    () => l.snapshotAt(settle.seq + 1),
    new RegExp(`no event ${settle.seq + 1} \\(events are 1..${settle.seq}\\)`),
  );

  const rec = l.dispute(1);
  assert.ok(rec);
  assert.deepEqual(rec.transcript, JSON.parse(JSON.stringify(transcript)));
  assert.equal(parseTranscript(JSON.stringify(rec.transcript)).verdict.loser, 'solver');
  assert.equal(rec.verdict?.loser, 'solver');
  assert.equal(rec.verdict?.step, 5);
  assert.equal(rec.events.at(-1)?.seq, settle.seq);
  assert.equal(l.dispute(2), null);
  assert.ok(l.verify().ok);
  l.close();
});

test('the demo ledger: every outcome present, audit passes, byte-for-byte reproducible head', () => {
  const heads: string[] = [];
  for (const name of ['demo1.db', 'demo2.db']) {
    const l = createLedger(join(dir, name), DEMO_PARAMS, { clock: demoClock() });
    l.submitAll(demoActions());
    heads.push(l.head().hash);
    const r = l.verify();
    assert.ok(r.ok, JSON.stringify(r));
    const outcomes = Object.fromEntries(l.tasks().map((t) => [t.id, `${t.state}/${t.outcome ?? '-'}`]));
    assert.deepEqual(outcomes, {
      'mnist-mlp': 'settled/paid',
      'iris-mlp': 'settled/refunded',
      'xor-tanh': 'settled/paid',
      linreg: 'settled/refunded',
      'mnist-cnn': 'proved/-',
      'iris-linear': 'posted/-',
      'spirals-a': 'proved/-',
      'spirals-b': 'settled/refunded',
    });
    // The copier was caught by the reveal order, the honest solver's proof carries his key.
    assert.deepEqual(
      l.copies().map((c) => [c.copier, c.task, c.original.account, c.original.task]),
      [['mallory', 'spirals-b', 'bob', 'spirals-a']],
    );
    assert.deepEqual(
      l.commitments().map((c) => [c.solver, c.status]),
      [
        ['bob', 'revealed'],
        ['mallory', 'copy'],
      ],
    );
    assert.equal(l.proofs().find((p) => p.task === 'spirals-a')?.signer, l.keys()[0].publicKey);
    assert.deepEqual(
      l.disputes().map((d) => d.verdict?.loser),
      ['solver', 'challenger', 'both'],
    );
    const jackpots = l.db.prepare('SELECT account_id, amount FROM jackpots').all();
    assert.deepEqual(jackpots, [{ account_id: 'erin', amount: 40 }]);
    for (const d of l.disputes()) {
      const t = l.dispute(d.id)?.transcript as { synthetic?: boolean };
      assert.equal(t.synthetic, true, 'demo transcripts are labelled synthetic');
      parseTranscript(JSON.stringify(t));
    }
    l.close();
  }
  assert.equal(heads[0], heads[1]);
});

test('a transcript that contradicts the verdict is refused and nothing is settled', () => {
  const l = createLedger(':memory:', P);
  for (const a of ['alice', 'bob', 'carol']) {
    l.submit({ type: 'account.open', account: a });
    l.submit({ type: 'mint', account: a, amount: 1000 });
  }
  l.submit({ type: 'task.post', task: 't', submitter: 'alice', bounty: 200 });
  l.submit({ type: 'task.claim', task: 't', solver: 'bob' });
  l.submit({ type: 'proof.submit', task: 't', solver: 'bob', runCommitment: D1 });
  l.submit({ type: 'dispute.open', task: 't', challenger: 'carol' });
  assert.throws(
    () =>
      l.submit({
        type: 'dispute.settle',
        dispute: 1,
        verdict: { loser: 'challenger', step: 3, op: 7, reason: 'x' },
        transcript: tinyTranscript('solver'),
      }),
    /transcript records loser "solver"/,
  );
  assert.equal(l.disputes()[0].state, 'open');
  assert.deepEqual(l.totals(), { minted: 3000, balances: 2640, locked: 150, escrow: 210, treasury: 0 });
  l.close();
});

test('migrations are versioned and atomic: a later step applies on top, a failing one changes nothing', () => {
  const file = join(dir, 'migrate.db');
  const l = createLedger(file, P);
  l.submit({ type: 'account.open', account: 'alice' });
  l.close();
  const db = new Database(file);
  const cur = LEDGER_SCHEMA_VERSION;
  const next = {
    version: cur + 1,
    description: 'test: account notes',
    sql: 'ALTER TABLE accounts ADD COLUMN note TEXT;',
  };
  const broken = {
    version: cur + 2,
    description: 'test: broken',
    sql: 'CREATE TABLE extra (x INTEGER); SELECT no_such_function();',
  };
  assert.throws(
    () => migrateDatabase(db, file, [...MIGRATIONS, next, broken]),
    (e: unknown) =>
      e instanceof LedgerError &&
      e.message.includes(file) &&
      e.message.includes(`migration to v${cur + 2} failed (file left unchanged)`),
  );
  // Neither the next step nor the broken one's first statement survived the failed run.
  assert.equal(db.pragma('user_version', { simple: true }), cur);
  assert.deepEqual(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'extra'").get(), {
    n: 0,
  });
  migrateDatabase(db, file, [...MIGRATIONS, next]);
  assert.equal(db.pragma('user_version', { simple: true }), cur + 1);
  assert.deepEqual(db.prepare('SELECT id, note FROM accounts').all(), [{ id: 'alice', note: null }]);
  db.close();
  // This build now refuses the newer file instead of guessing.
  assert.throws(
    () => openLedger(file),
    (e: unknown) =>
      e instanceof Error &&
      e.message.includes(`schema v${cur + 1} is newer than this build supports (v${cur})`),
  );
});
