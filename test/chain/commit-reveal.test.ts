/**
 * Commit-reveal of proofs on chain: the contract's seal is the ledger's own seal (core/ledger/seal.ts),
 * its copy rule is the ledger's (docs/LEDGER.md "Identity binding"), and the chain's events mirrored
 * into the in-process ledger (core/chain/mirror.ts → core/ledger plan) land on the contract's balances,
 * treasury and task states — the ledger is the independent oracle. Conservation after every test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Abi, type Account, type Address, type Hex, keccak256, toHex } from 'viem';
import { type GameClient, proofSeal, taskKey } from '../../core/chain/game.ts';
import { type ChainLog, mirrorActions } from '../../core/chain/mirror.ts';
import { plan } from '../../core/ledger/game.ts';
import { MemoryLedger } from '../../core/ledger/memory.ts';
import { DEFAULT_PARAMS } from '../../core/ledger/types.ts';
import { fixture, fund, type Game, newGame } from './helpers.ts';

const f = await fixture();
const names = ['referee', 'alice', 'bob', 'carol', 'dave'] as const;
type Name = (typeof names)[number];
const P = Object.fromEntries(names.map((n) => [n, f.party(`cr:${n}`)])) as Record<Name, Account>;
await fund(f, Object.values(P));

const root = (tag: string) => keccak256(toHex(`run:${tag}`));
const salt = (tag: string) => keccak256(toHex(`salt:${tag}`));

async function setup(): Promise<Game & { c: GameClient }> {
  const g = await newGame(f, P.referee);
  for (const n of names) g.client.name(P[n], n);
  for (const n of ['alice', 'bob', 'carol', 'dave'] as const) {
    await g.client.deposit(P[n], 2000n);
    g.accounts.push(P[n].address);
  }
  return Object.assign(g, { c: g.client });
}

async function rejects(p: Promise<unknown>, error: string): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.match(String(e.message), new RegExp(error), `expected ${error}, got: ${e.message.slice(0, 300)}`);
    return true;
  });
}

/** alice posts `id` (bounty 200), `who` claims it. */
async function claimed(g: Game & { c: GameClient }, id: string, who: Account): Promise<Hex> {
  const k = taskKey(`${g.address}:${id}`);
  g.tasks.push(k);
  await g.c.postTask(P.alice, k, 200n, 8);
  await g.c.claimTask(who, k);
  return k;
}

const commit = (g: Game & { c: GameClient }, who: Account, k: Hex, r: Hex, s: Hex) =>
  g.c.commitProof(who, k, proofSeal(k, who.address, r, s));

/**
 * The chain's events replayed through the in-process ledger (the mirror's actions, one event seq each),
 * then every balance, the treasury and every task state compared with the contract.
 */
async function ledgerAgrees(g: Game & { c: GameClient }) {
  const logs = (await g.c.publicClient.getContractEvents({
    address: g.address,
    abi: g.c.abi as Abi,
    fromBlock: 0n,
    toBlock: 'latest',
  })) as unknown as ChainLog[];
  const m = new MemoryLedger(DEFAULT_PARAMS);
  let seq = 1;
  for (const a of mirrorActions(logs)) {
    seq++;
    for (const ch of plan(m, a)) m.apply(ch, seq);
  }
  for (const a of g.accounts) {
    const acc = m.account(a.toLowerCase());
    assert.equal(BigInt(acc?.balance ?? -1), await g.c.balanceOf(a), `balance of ${g.c.label(a)}`);
  }
  assert.equal(BigInt(m.totals().treasury), await g.c.read<bigint>('treasury'), 'treasury');
  for (const k of g.tasks) {
    const t = m.task(k.slice(2));
    assert.equal(t?.state, (await g.c.task(k)).state, `state of task ${k.slice(0, 10)}`);
  }
  const c = await g.c.conservation(g.accounts, g.tasks);
  assert.deepEqual(c.problems, [], 'conservation on chain');
  return m;
}

test("the contract's seal is the ledger's seal (core/ledger/seal.ts), for any task, solver, root and salt", async () => {
  const g = await setup();
  const b32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
  const addr = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b) as Address);
  await fc.assert(
    fc.asyncProperty(b32, addr, b32, b32, async (id, solver, r, s) => {
      const onChain = await g.c.read<Hex>('sealOf', [id, solver, r, s]);
      assert.equal(onChain, proofSeal(id, solver, r, s));
    }),
    { numRuns: 30 },
  );
  // every nibble at its extremes: 0 and 9 (digits), a and f (letters)
  for (const b of ['00', '99', 'aa', 'ff', '09', 'af', '9a']) {
    const v = `0x${b.repeat(32)}` as Hex;
    const a = `0x${b.repeat(20)}` as Address;
    assert.equal(await g.c.read<Hex>('sealOf', [v, a, v, v]), proofSeal(v, a, v, v), `bytes ${b}`);
  }
});

test('honest commit then reveal: proved, then finalized; the mirror re-checks the seal', async () => {
  const g = await setup();
  const k = await claimed(g, 'honest', P.bob);
  await commit(g, P.bob, k, root('b'), salt('b'));
  const t = await g.c.task(k);
  assert.equal(t.state, 'claimed', 'a seal reveals nothing and proves nothing');
  assert.equal(t.runRoot, `0x${'0'.repeat(64)}`);
  await rejects(g.c.submitProof(P.bob, k, root('b')), 'sealed commitment is pending');
  await g.c.revealProof(P.bob, k, root('b'), salt('b'));
  assert.equal((await g.c.task(k)).state, 'proved');
  assert.equal((await g.c.task(k)).runRoot, root('b'));
  await g.c.verifyTask(P.carol, k);
  await g.c.finalize(P.dave, k);
  const m = await ledgerAgrees(g);
  assert.equal(m.task(k.slice(2))?.state, 'settled');
});

test('reveal without commit, wrong salt, wrong root, another account or task: refused, nothing moves', async () => {
  const g = await setup();
  const k = await claimed(g, 'bad', P.bob);
  await rejects(g.c.revealProof(P.bob, k, root('b'), salt('b')), 'no sealed commitment');
  await rejects(
    g.c.commitProof(P.carol, k, proofSeal(k, P.carol.address, root('b'), salt('b'))),
    'only the claiming solver',
  );
  await commit(g, P.bob, k, root('b'), salt('b'));
  await rejects(g.c.revealProof(P.bob, k, root('b'), salt('other')), 'does not open the sealed commitment');
  await rejects(g.c.revealProof(P.bob, k, root('x'), salt('b')), 'does not open the sealed commitment');
  await rejects(g.c.revealProof(P.carol, k, root('b'), salt('b')), 'only the claiming solver');
  // a seal names its task and account: bob's seal for task k does not open on carol's task
  const k2 = await claimed(g, 'other', P.carol);
  await g.c.commitProof(P.carol, k2, proofSeal(k, P.bob.address, root('c'), salt('c')));
  await rejects(g.c.revealProof(P.carol, k2, root('c'), salt('c')), 'does not open the sealed commitment');
  assert.equal((await g.c.task(k)).state, 'claimed');
  await g.c.revealProof(P.bob, k, root('b'), salt('b'));
  await rejects(g.c.revealProof(P.bob, k, root('b'), salt('b')), 'BadState');
  await ledgerAgrees(g);
});

test("copy attempt: sealing after another account's reveal is slashed as the ledger's copy penalty", async () => {
  const g = await setup();
  const k1 = await claimed(g, 'orig', P.bob);
  await commit(g, P.bob, k1, root('R'), salt('b'));
  await g.c.revealProof(P.bob, k1, root('R'), salt('b'));
  const k2 = await claimed(g, 'copy', P.carol);
  const before = {
    alice: await g.c.balanceOf(P.alice.address),
    bob: await g.c.balanceOf(P.bob.address),
    carol: await g.c.balanceOf(P.carol.address),
    treasury: await g.c.read<bigint>('treasury'),
  };
  await commit(g, P.carol, k2, root('R'), salt('c'));
  await g.c.revealProof(P.carol, k2, root('R'), salt('c'));
  const t = await g.c.task(k2);
  assert.equal(t.state, 'settled');
  assert.equal(t.runRoot, `0x${'0'.repeat(64)}`, 'no proof recorded');
  // docs/LEDGER.md defaults: copier −80 (20 of its locked 100 back), original solver +40,
  // treasury +16, submitter +24 and refunded 210.
  assert.equal((await g.c.balanceOf(P.carol.address)) - before.carol, 20n);
  assert.equal((await g.c.balanceOf(P.bob.address)) - before.bob, 40n);
  assert.equal((await g.c.read<bigint>('treasury')) - before.treasury, 16n);
  assert.equal((await g.c.balanceOf(P.alice.address)) - before.alice, 24n + 210n);
  const m = await ledgerAgrees(g);
  assert.equal([...m.copies.values()].length, 1, 'the ledger caught the same copy');
});

test('late reveal: a seal recorded before the other reveal is honest work (both proved); re-sealing after it is a copy', async () => {
  const g = await setup();
  const k1 = await claimed(g, 'a', P.bob);
  const k2 = await claimed(g, 'b', P.carol);
  const k3 = await claimed(g, 'c', P.dave);
  await commit(g, P.dave, k3, root('R'), salt('d1'));
  await commit(g, P.bob, k1, root('R'), salt('b'));
  await commit(g, P.carol, k2, root('R'), salt('c')); // carol seals just before …
  await g.c.revealProof(P.bob, k1, root('R'), salt('b')); // … bob reveals first …
  await g.c.revealProof(P.carol, k2, root('R'), salt('c')); // … carol reveals late: still her own work
  assert.equal((await g.c.task(k2)).state, 'proved');
  // dave seals again after the reveals: the new seal's place in the order counts, so it is a copy
  await commit(g, P.dave, k3, root('R'), salt('d2'));
  await g.c.revealProof(P.dave, k3, root('R'), salt('d2'));
  assert.equal((await g.c.task(k3)).state, 'settled');
  await ledgerAgrees(g);
});

test("direct submit after another account's reveal is a copy; one's own earlier reveal is not", async () => {
  const g = await setup();
  const k1 = await claimed(g, 'a', P.bob);
  await g.c.submitProof(P.bob, k1, root('R'));
  const k2 = await claimed(g, 'b', P.bob);
  await g.c.submitProof(P.bob, k2, root('R')); // bob's own run again
  assert.equal((await g.c.task(k2)).state, 'proved');
  const k3 = await claimed(g, 'c', P.carol);
  await g.c.submitProof(P.carol, k3, root('R'));
  assert.equal((await g.c.task(k3)).state, 'settled');
  await ledgerAgrees(g);
});

test('the copy victim is the first *other* revealer when the copier revealed the run first itself', async () => {
  const g = await setup();
  const k1 = await claimed(g, 'a', P.bob);
  const k2 = await claimed(g, 'b', P.carol);
  await commit(g, P.carol, k2, root('R'), salt('c'));
  await commit(g, P.bob, k1, root('R'), salt('b'));
  await g.c.revealProof(P.bob, k1, root('R'), salt('b'));
  await g.c.revealProof(P.carol, k2, root('R'), salt('c')); // proved: sealed before bob's reveal
  const k3 = await claimed(g, 'c', P.bob);
  const carol = await g.c.balanceOf(P.carol.address);
  await commit(g, P.bob, k3, root('R'), salt('b3')); // sealed after carol's reveal
  await g.c.revealProof(P.bob, k3, root('R'), salt('b3'));
  assert.equal((await g.c.task(k3)).state, 'settled');
  assert.equal(
    (await g.c.balanceOf(P.carol.address)) - carol,
    40n,
    "carol, whose reveal bob's seal followed, is the victim",
  );
  await ledgerAgrees(g);
});

test('random commit / reveal / submit schedules: contract ≡ in-process ledger (property)', async () => {
  const solvers = ['bob', 'carol', 'dave'] as const;
  const step = fc.record({
    who: fc.constantFrom(...solvers),
    kind: fc.constantFrom('commit', 'reveal', 'submit', 'claim'),
    run: fc.constantFrom('R', 'S'),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 14 }), async (steps) => {
      const g = await setup();
      const open = new Map<string, { k: Hex; sealed?: { r: Hex; s: Hex } }>();
      let n = 0;
      for (const s of steps) {
        const who = P[s.who];
        let cur = open.get(s.who);
        if (!cur || s.kind === 'claim') {
          cur = { k: await claimed(g, `p${n++}`, who) };
          open.set(s.who, cur);
          continue;
        }
        const done = async (p: Promise<unknown>) => {
          await p;
          const st = (await g.c.task(cur.k)).state;
          if (st !== 'claimed') open.delete(s.who);
        };
        if (s.kind === 'commit') {
          const sl = salt(`${n++}`);
          await commit(g, who, cur.k, root(s.run), sl);
          cur.sealed = { r: root(s.run), s: sl };
        } else if (s.kind === 'reveal' && cur.sealed)
          await done(g.c.revealProof(who, cur.k, cur.sealed.r, cur.sealed.s));
        else if (s.kind === 'submit' && !cur.sealed) await done(g.c.submitProof(who, cur.k, root(s.run)));
      }
      await ledgerAgrees(g);
    }),
    { numRuns: 10 },
  );
});
