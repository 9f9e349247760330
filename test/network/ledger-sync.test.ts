/**
 * `ledger sync` / `ledger verify --rpc`: a game played on the in-process EVM (served over JSON-RPC) is
 * mirrored into the SQLite ledger; the ledger's own rules re-derive every payout and must land on the
 * chain's balances and treasury; sync is incremental and refuses a ledger that is not a mirror.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { keccak256, toHex } from 'viem';
import { proofSeal, signRound, taskKey } from '../../core/chain/game.ts';
import { serveRpc } from '../../core/chain/node-local.ts';
import { syncLedger, verifyAgainstChain } from '../../core/chain/node-sync.ts';
import { merkleProof, merkleRoot } from '../../core/hash/merkle.ts';
import { createLedger, openLedger } from '../../core/ledger/node-store.ts';
import { advance, fixture, fund, newGame } from '../chain/helpers.ts';

const f = await fixture();
const rpc = await serveRpc(f.chain.provider);
after(() => rpc.close());
const dir = mkdtempSync(join(tmpdir(), 'pinpoint-sync-'));

const P = Object.fromEntries(
  ['referee', 'alice', 'bob', 'carol', 'dave'].map((n) => [n, f.party(`sync:${n}`)]),
);
await fund(f, Object.values(P));

const recs = (tag: string, from: number) =>
  Array.from({ length: 8 }, (_, i) => keccak256(toHex(i >= from ? `${tag}:${i}` : `h:${i}`)).slice(2));
const hx = (s: string) => `0x${s}` as `0x${string}`;

test('a played game mirrors into the ledger, incrementally, and verifies against the chain', async () => {
  const g = await newGame(f, P.referee, { roundSeconds: 10 });
  const c = g.client;
  for (const n of ['alice', 'bob', 'carol', 'dave']) await c.deposit(P[n], 1000n);
  // 1: caught cheater (verified first, then challenged), settled with Merkle proofs
  const bad = recs('bad', 4);
  const good = recs('good', 99);
  const k1 = taskKey('t1');
  await c.postTask(P.alice, k1, 200n, 8);
  await c.claimTask(P.bob, k1);
  await c.submitProof(P.bob, k1, hx(merkleRoot(bad)));
  await c.verifyTask(P.carol, k1);
  await c.openDispute(P.dave, k1, hx(merkleRoot(good)));
  await c.settle(P.referee, k1, {
    loser: 'solver',
    step: 4,
    transcript: keccak256(toHex('t1')),
    solverLeaf: hx(bad[4]),
    solverPath: merkleProof(bad, 4).siblings.map(hx),
    challengerLeaf: hx(good[4]),
    challengerPath: merkleProof(good, 4).siblings.map(hx),
  });
  // 2: honest, finalized
  const k2 = taskKey('t2');
  await c.postTask(P.alice, k2, 150n, 8);
  await c.claimTask(P.carol, k2);
  await c.submitProof(P.carol, k2, hx(merkleRoot(recs('c2', 0))));
  await c.verifyTask(P.dave, k2);
  await c.finalize(P.bob, k2);
  const db = join(dir, 'mirror.db');
  const first = await syncLedger(db, rpc.url, g.address);
  assert.ok(first.appended > 10);
  assert.deepEqual((await verifyAgainstChain(db, rpc.url, g.address)).problems, []);
  const idle = await syncLedger(db, rpc.url, g.address, undefined, first.cache);
  assert.equal(idle.appended, 0, 'nothing new: nothing appended');
  assert.equal(idle.fetched, 0, 'and no log read again');
  assert.equal(idle.logs, first.logs);

  // 3: challenger silent → solver wins by deadline; then a withdrawal
  const k3 = taskKey('t3');
  await c.postTask(P.alice, k3, 100n, 8);
  await c.claimTask(P.bob, k3);
  await c.submitProof(P.bob, k3, hx(merkleRoot(recs('b3', 0))));
  await c.openDispute(P.dave, k3, hx(merkleRoot(recs('d3', 0))));
  const d = keccak256(toHex('x'));
  await c.commitRound(P.bob, k3, 0, d, await signRound(P.bob, f.chain.chainId, g.address, k3, 0, d));
  await advance(f, 11);
  await c.claimTimeout(P.bob, k3);
  await c.withdraw(P.bob, 5n);
  const stale = await verifyAgainstChain(db, rpc.url, g.address);
  assert.equal(stale.ok, false, 'the mirror is behind the chain');
  assert.match(stale.problems.join('\n'), /mirrored actions/);
  // The follower's way: only the blocks after the last sync are read; the mirror is the full one.
  const second = await syncLedger(db, rpc.url, g.address, undefined, idle.cache);
  assert.ok(second.appended > 0);
  assert.ok(
    second.fetched > 0 && second.fetched < second.logs,
    `${second.fetched} of ${second.logs} logs read`,
  );
  // A cache from beyond the chain's head (a restarted dev chain) is dropped: everything is read again.
  const reset = await syncLedger(db, rpc.url, g.address, undefined, {
    logs: [],
    block: BigInt(second.block) + 100n,
  });
  assert.equal(reset.appended, 0);
  assert.equal(reset.fetched, reset.logs);
  const r = await verifyAgainstChain(db, rpc.url, g.address);
  assert.deepEqual(r.problems, []);
  const l = openLedger(db, { readonly: true });
  try {
    assert.equal(l.verify().ok, true);
    for (const n of ['alice', 'bob', 'carol', 'dave']) {
      const row = l.accounts().find((a) => a.id === P[n].address.toLowerCase());
      assert.equal(BigInt(row?.balance ?? -1), await c.balanceOf(P[n].address), n);
    }
    assert.equal(BigInt(l.totals().treasury), await c.read<bigint>('treasury'));
  } finally {
    l.close();
  }
});

test('commit-reveal and a copy caught on chain mirror into the SQLite ledger, which catches the same copy', async () => {
  const g = await newGame(f, P.referee);
  const c = g.client;
  for (const n of ['alice', 'bob', 'carol']) await c.deposit(P[n], 1000n);
  const run = hx(merkleRoot(recs('same', 0)));
  const post = async (id: string, who: (typeof P)[string]) => {
    const k = taskKey(`cr:${id}`);
    await c.postTask(P.alice, k, 200n, 8);
    await c.claimTask(who, k);
    return k;
  };
  const k1 = await post('orig', P.bob);
  const s1 = keccak256(toHex('salt-bob'));
  await c.commitProof(P.bob, k1, proofSeal(k1, P.bob.address, run, s1));
  await c.revealProof(P.bob, k1, run, s1);
  const k2 = await post('copy', P.carol);
  const s2 = keccak256(toHex('salt-carol'));
  await c.commitProof(P.carol, k2, proofSeal(k2, P.carol.address, run, s2));
  await c.revealProof(P.carol, k2, run, s2);
  assert.equal((await c.task(k2)).state, 'settled', 'the contract slashed the copy');
  const db = join(dir, 'copy.db');
  await syncLedger(db, rpc.url, g.address);
  assert.deepEqual((await verifyAgainstChain(db, rpc.url, g.address)).problems, []);
  const l = openLedger(db, { readonly: true });
  try {
    const copies = l.copies();
    assert.equal(copies.length, 1);
    assert.equal(copies[0].copier, P.carol.address.toLowerCase());
    assert.equal(copies[0].original.account, P.bob.address.toLowerCase());
    assert.equal(l.verify().ok, true);
  } finally {
    l.close();
  }
});

test('sync refuses a ledger that is not a mirror of this game', async () => {
  const g = await newGame(f, P.referee);
  await g.client.deposit(P.alice, 10n);
  const db = join(dir, 'other.db');
  const l = createLedger(db, {
    solverStake: 100,
    challengerStake: 50,
    verifierReward: 10,
    slashBps: 8000,
    whistleblowerBps: 5000,
    treasuryBps: 2000,
  });
  l.submit({ type: 'account.open', account: 'someone' });
  l.close();
  await assert.rejects(syncLedger(db, rpc.url, g.address), /not the chain's action/);
  const wrong = join(dir, 'params.db');
  createLedger(wrong, {
    solverStake: 1,
    challengerStake: 50,
    verifierReward: 10,
    slashBps: 8000,
    whistleblowerBps: 5000,
    treasuryBps: 2000,
  }).close();
  await assert.rejects(syncLedger(wrong, rpc.url, g.address), /parameters/);
});
