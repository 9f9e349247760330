/** `pinpoint ledger …` through the real dispatcher: human tables, --json, exit codes and error messages. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTranscript } from '../../core/dispute/transcript.ts';
import { openLedger } from '../../core/ledger/node-store.ts';
import { readBundle } from '../../core/proof/read.ts';
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

test('commit-then-reveal from the command line: honest proof proved, verbatim copy refused, re-signed copy slashed', async () => {
  const task = join(dir, 'task.json');
  writeFileSync(
    task,
    JSON.stringify({
      ...JSON.parse(readFileSync('tasks/spirals-mlp.json', 'utf8')),
      steps: 8,
      checkpointEvery: 4,
    }),
  );
  const alice = join(dir, 'alice.pinproof');
  const mallory = join(dir, 'mallory.pinproof');
  for (const [out, seed] of [
    [alice, 'alice'],
    [mallory, 'mallory'],
  ]) {
    const t = await pinpoint(['train', task, '--out', out, '-q', '--key-seed', seed]);
    assert.equal(t.code, 0, t.stderr);
  }
  // RepOps is deterministic: both bundles commit to the same run; only the signer differs.
  const manifest = (f: string) => readBundle(readFileSync(f), f).manifest;
  assert.equal(manifest(alice).runCommitment, manifest(mallory).runCommitment);
  assert.notEqual(manifest(alice).solver.publicKey, manifest(mallory).solver.publicKey);

  const f = join(dir, 'copy.db');
  assert.equal((await pinpoint(['ledger', 'init', f])).code, 0);
  const setup = join(dir, 'setup.json');
  writeFileSync(
    setup,
    JSON.stringify([
      ...['sub', 'alice', 'mallory'].flatMap((a) => [
        { type: 'account.open', account: a },
        { type: 'mint', account: a, amount: 1000 },
      ]),
      { type: 'task.post', task: 'A', submitter: 'sub', bounty: 200 },
      { type: 'task.post', task: 'B', submitter: 'sub', bounty: 200 },
      { type: 'task.claim', task: 'A', solver: 'alice' },
      { type: 'task.claim', task: 'B', solver: 'mallory' },
    ]),
  );
  const s = await pinpoint(['ledger', 'submit', f, setup]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /event 11 task.claim/);
  for (const who of ['alice', 'mallory']) {
    const k = await pinpoint(['ledger', 'key', f, '--account', who, '--key-seed', who]);
    assert.equal(k.code, 0, k.stderr);
    assert.match(
      k.stdout,
      new RegExp(`bound key ${manifest(who === 'alice' ? alice : mallory).solver.publicKey} to ${who}`),
    );
  }
  const ledger = (...a: string[]) => pinpoint(['ledger', ...a]);
  const c = await ledger('commit', f, alice, '--task', 'A', '--solver', 'alice');
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /salt written to .*alice\.pinproof\.seal\.json/);
  const r = await ledger('reveal', f, alice, '--task', 'A', '--solver', 'alice');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^revealed: task A proved by alice/);

  // Mallory's first try: Alice's bundle as is. The seal is accepted (it reveals nothing), the reveal is not.
  const vSeal = join(dir, 'verbatim.seal.json');
  assert.equal(
    (await ledger('commit', f, alice, '--task', 'B', '--solver', 'mallory', '--seal', vSeal)).code,
    0,
  );
  const v = await ledger('reveal', f, alice, '--task', 'B', '--solver', 'mallory', '--seal', vSeal);
  assert.equal(v.code, 1);
  assert.match(
    v.stderr,
    /^pinpoint ledger: proof signed by key [0-9a-f]{16}… \(account "alice"\), not by the claimant "mallory" \(key [0-9a-f]{16}…\): refused$/m,
  );

  // Then the same run signed with her own key: sealed after Alice's reveal, so it is a copy.
  assert.equal((await ledger('commit', f, mallory, '--task', 'B', '--solver', 'mallory')).code, 0);
  const copy = await ledger('reveal', f, mallory, '--task', 'B', '--solver', 'mallory');
  assert.equal(copy.code, 3, copy.stdout + copy.stderr);
  assert.match(
    copy.stdout,
    /^COPY: mallory sealed its commitment in event \d+ after alice revealed the same run \(task A, event \d+\)/,
  );
  assert.match(copy.stdout, /stake#2 → alice {2}40 {2}\(slash\.victim\)/);

  const list = await ledger('copies', f);
  assert.match(list.stdout, /^\s*\d+\s+B\s+mallory\s+event \d+\s+alice \(A\)\s+\d+\s+80\s+40$/m);
  const st = openLedger(f, { readonly: true });
  assert.deepEqual(
    st.accounts().map((a) => [a.id, a.balance, a.locked]),
    [
      ['sub', 1000 - 420 + 24 + 210, 0],
      ['alice', 900 + 40, 100],
      ['mallory', 900 + 20, 0],
    ],
  );
  st.close();
  const ok = await ledger('verify', f);
  assert.equal(ok.code, 0, ok.stdout);
});
