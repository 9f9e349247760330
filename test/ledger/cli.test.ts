/** `pinpoint ledger …` through the real dispatcher: human tables, --json, exit codes and error messages. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTranscript } from '../../core/dispute/transcript.ts';
import { openLedger } from '../../core/ledger/node-store.ts';
import { pinpoint, tempDir } from './helpers.ts';

const dir = tempDir();

test('init with parameters, then status/accounts/events/verify on the new file', async () => {
  const f = join(dir, 'new.db');
  const init = await pinpoint([
    'ledger',
    'init',
    f,
    '--solver-stake',
    '250',
    '--slash-bps',
    '5000',
    '--json',
  ]);
  assert.equal(init.code, 0, init.stderr);
  const st = JSON.parse(init.stdout);
  assert.equal(st.params.solverStake, 250);
  assert.equal(st.params.slashBps, 5000);
  assert.equal(st.head.seq, 1);

  const status = await pinpoint(['ledger', 'status', f]);
  assert.equal(status.code, 0);
  assert.match(status.stdout, /head {6}event 1 {2}[0-9a-f]{64}/);
  assert.match(status.stdout, /solver-stake 250/);
  const v = await pinpoint(['ledger', 'verify', f, '--json']);
  assert.equal(v.code, 0);
  assert.equal(JSON.parse(v.stdout).ok, true);

  const anchored = await pinpoint(['ledger', 'verify', f, '--anchor', st.head.hash]);
  assert.equal(anchored.code, 0);
  assert.match(anchored.stdout, /anchor found at event 1/);
  const foreignAnchor = await pinpoint(['ledger', 'verify', f, '--anchor', 'f'.repeat(64)]);
  assert.equal(foreignAnchor.code, 1);
  assert.match(foreignAnchor.stdout, /is NOT in the verified chain/);

  const bad = await pinpoint(['ledger', 'init', join(dir, 'bad.db'), '--slash-bps', '20000']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /slashBps must be an integer in 0..10000/);
  const notNum = await pinpoint(['ledger', 'init', join(dir, 'bad2.db'), '--solver-stake', 'lots']);
  assert.equal(notNum.code, 1);
  assert.match(notNum.stderr, /--solver-stake must be a non-negative integer, got "lots"/);
});

test('demo, then the read commands show its accounts, events, disputes and snapshots', async () => {
  const f = join(dir, 'demo.db');
  const demo = await pinpoint(['ledger', 'demo', f, '--synthetic']);
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stdout, /3 settled disputes \(SYNTHETIC transcripts\)/);
  const again = await pinpoint(['ledger', 'demo', f, '--synthetic']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists \(use --force/);
  assert.equal((await pinpoint(['ledger', 'demo', f, '--force', '--synthetic'])).code, 0);

  const accounts = await pinpoint(['ledger', 'accounts', f]);
  assert.match(accounts.stdout, /^account\s+name\s+balance\s+locked$/m);
  assert.match(accounts.stdout, /^erin\s+Erin \(whistleblower\)\s+1040\s+0$/m);
  const json = JSON.parse((await pinpoint(['ledger', 'accounts', f, '--json'])).stdout) as {
    id: string;
    balance: number;
    locked: number;
  }[];
  const l = openLedger(f, { readonly: true });
  assert.deepEqual(
    json.map((a) => [a.id, a.balance, a.locked]),
    l.accounts().map((a) => [a.id, a.balance, a.locked]),
  );
  const totals = l.totals();
  l.close();
  assert.equal(
    json.reduce((s, a) => s + a.balance + a.locked, 0) + totals.escrow + totals.treasury,
    totals.minted,
  );

  const events = JSON.parse(
    (await pinpoint(['ledger', 'events', f, '--task', 'xor-tanh', '--json'])).stdout,
  ) as { kind: string }[];
  assert.deepEqual(
    events.map((e) => e.kind),
    ['task.post', 'task.claim', 'proof.submit', 'dispute.open', 'dispute.settle'],
  );
  const limited = await pinpoint(['ledger', 'events', f, '--account', 'frank', '--limit', '2']);
  assert.equal(limited.stdout.trim().split('\n').length, 4, 'header, rule and two rows');

  const d = await pinpoint(['ledger', 'dispute', f, '2']);
  assert.match(d.stdout, /dispute #2 on task xor-tanh: solver bob vs challenger frank — settled/);
  assert.match(d.stdout, /verdict: challenger lost at step 312, op 9/);
  assert.match(d.stdout, /\(SYNTHETIC\)/);
  const missing = await pinpoint(['ledger', 'dispute', f, '9']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no dispute #9/);

  const snap = JSON.parse((await pinpoint(['ledger', 'snapshot', f, '15', '--json'])).stdout);
  assert.deepEqual(snap.totals, { minted: 7000, balances: 7000, locked: 0, escrow: 0, treasury: 0 });
});

test('the default demo settles real referee transcripts from the attack library', async () => {
  const f = join(dir, 'real.db');
  const demo = await pinpoint(['ledger', 'demo', f, '--json']);
  assert.equal(demo.code, 0, demo.stderr);
  const st = JSON.parse(demo.stdout);
  assert.equal(st.transcripts, 'real', st.note);
  const l = openLedger(f, { readonly: true });
  assert.ok(l.verify().ok);
  const losers: string[] = [];
  for (const d of l.disputes()) {
    const rec = l.dispute(d.id);
    const t = parseTranscript(JSON.stringify(rec?.transcript));
    assert.equal((t as { synthetic?: boolean }).synthetic, undefined);
    // The ledger settled exactly what the referee decided.
    assert.equal(d.verdict?.loser, t.verdict.loser);
    assert.equal(d.verdict?.step, t.verdict.step);
    assert.equal(d.verdict?.op, t.verdict.op);
    losers.push(t.verdict.loser);
  }
  l.close();
  assert.deepEqual(losers, ['solver', 'challenger', 'both']);
});

test('usage errors: unknown subcommand, missing file argument, missing ledger file', async () => {
  const u = await pinpoint(['ledger', 'frobnicate', 'x.db']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown subcommand "frobnicate"/);
  const m = await pinpoint(['ledger', 'status']);
  assert.equal(m.code, 2);
  assert.match(m.stderr, /missing <db>/);
  const f = join(dir, 'nope.db');
  const n = await pinpoint(['ledger', 'verify', f]);
  assert.equal(n.code, 1);
  assert.ok(n.stderr.includes(f) && /no such ledger/.test(n.stderr));
  const h = await pinpoint(['ledger', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /init <db>/);
});
