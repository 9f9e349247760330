/**
 * PinpointGame on the in-process EVM (Hardhat's EDR): every settlement outcome against hand-computed
 * balances and against the in-process ledger (core/ledger, the rules the contract mirrors), deadlines,
 * signatures and replays, Merkle membership (against core/hash/merkle.ts), double actions and a
 * re-entrant receiver. Token conservation on chain is asserted at the end of every test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Account, type Hex, keccak256, toHex } from 'viem';
import { type GameClient, type LoserName, signRound, taskKey } from '../../core/chain/game.ts';
import { merkleProof, merkleRoot } from '../../core/hash/merkle.ts';
import { plan } from '../../core/ledger/game.ts';
import { MemoryLedger } from '../../core/ledger/memory.ts';
import type { Action, GameParams } from '../../core/ledger/types.ts';
import { tinyTranscript } from '../ledger/helpers.ts';
import { advance, fixture, fund, type Game, newGame } from './helpers.ts';

const f = await fixture();

const names = ['referee', 'alice', 'bob', 'carol', 'dave', 'eve'] as const;
type Name = (typeof names)[number];
const P = Object.fromEntries(names.map((n) => [n, f.party(n)])) as Record<Name, Account>;
await fund(f, Object.values(P));

async function conserved(g: Game): Promise<void> {
  const c = await g.client.conservation(g.accounts, g.tasks);
  assert.deepEqual(c.problems, [], 'conservation on chain');
  assert.ok(c.ok);
}

async function setup(over = {}): Promise<Game & { c: GameClient }> {
  const g = await newGame(f, P.referee, over);
  for (const n of names) g.client.name(P[n], n);
  for (const n of ['alice', 'bob', 'carol', 'dave'] as const) {
    await g.client.deposit(P[n], 1000n);
    g.accounts.push(P[n].address);
  }
  return Object.assign(g, { c: g.client });
}

async function balances(g: Game): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {};
  for (const n of ['alice', 'bob', 'carol', 'dave'] as const) out[n] = await g.client.balanceOf(P[n].address);
  out.treasury = await g.client.read<bigint>('treasury');
  return out;
}

/** Eight step-record digests per party; the cheater's differ from step `from` on. */
function records(tag: string, from: number, n = 8): Hex[] {
  return Array.from({ length: n }, (_, i) =>
    keccak256(toHex(i >= from ? `${tag}:${i}` : `honest:${i}`)).slice(2),
  ) as Hex[];
}
const hex = (d: string) => `0x${d}` as Hex;

/** alice posts (bounty 200), bob claims and proves `root`, optionally carol verifies. */
async function toProof(g: Game & { c: GameClient }, id: string, root: Hex, verified: boolean, steps = 8) {
  const k = taskKey(id);
  g.tasks.push(k);
  await g.c.postTask(P.alice, k, 200n, steps);
  await g.c.claimTask(P.bob, k);
  await g.c.submitProof(P.bob, k, root);
  if (verified) await g.c.verifyTask(P.carol, k);
  return k;
}

/** Referee verdict with both parties' step records and paths at `step`. */
function verdict(loser: LoserName, step: number, sol: Hex[], cha: Hex[]) {
  const sp = merkleProof(sol, step);
  const cp = merkleProof(cha, step);
  return {
    loser,
    step,
    transcript: keccak256(toHex(`transcript:${loser}`)),
    solverLeaf: hex(sol[step]),
    solverPath: sp.siblings.map(hex),
    challengerLeaf: hex(cha[step]),
    challengerPath: cp.siblings.map(hex),
  };
}

async function rejects(p: Promise<unknown>, error: string): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.match(String(e.message), new RegExp(error), `expected ${error}, got: ${e.message.slice(0, 300)}`);
    return true;
  });
}

test('caught cheater: the worked example of docs/LEDGER.md, balance by balance', async () => {
  const g = await setup();
  const bad = records('cheat', 5);
  const good = records('x', 99);
  const k = await toProof(g, 'cheat', hex(merkleRoot(bad)), true);
  const before = await balances(g);
  await g.c.openDispute(P.dave, k, hex(merkleRoot(good)));
  await g.c.settle(P.referee, k, verdict('solver', 5, bad, good));
  const b = await balances(g);
  // solver −80 of its 100 stake; challenger +40 (jackpot); treasury +16; submitter +24 and refunded 210.
  assert.equal(b.bob - before.bob, 20n, 'bob gets 20 of his locked 100 back');
  assert.equal(b.dave - before.dave, 40n);
  assert.equal(b.treasury - before.treasury, 16n);
  assert.equal(b.alice - before.alice, 24n + 210n);
  assert.equal(b.carol - before.carol, 0n, 'the verifier who passed a bad proof gets nothing');
  const t = await g.c.task(k);
  assert.equal(t.state, 'settled');
  assert.equal(t.loser, 'solver');
  await conserved(g);
});

test('false challenge and both-lose settle as the ledger says', async () => {
  const g = await setup();
  const sol = records('s', 2);
  const cha = records('c', 2);
  const k1 = await toProof(g, 'false', hex(merkleRoot(sol)), true);
  let before = await balances(g);
  await g.c.openDispute(P.dave, k1, hex(merkleRoot(cha)));
  await g.c.settle(P.referee, k1, verdict('challenger', 2, sol, cha));
  let b = await balances(g);
  // challenger slashed 40 of 50: treasury 8, solver +32; solver stake back + bounty 200; verifier +10.
  assert.equal(b.dave - before.dave, -40n);
  assert.equal(b.bob - before.bob, 100n + 200n + 32n);
  assert.equal(b.carol - before.carol, 10n);
  assert.equal(b.treasury - before.treasury, 8n);
  assert.equal(b.alice - before.alice, 0n);

  const k2 = await toProof(g, 'both', hex(merkleRoot(sol)), false);
  before = await balances(g);
  await g.c.openDispute(P.dave, k2, hex(merkleRoot(cha)));
  await g.c.settle(P.referee, k2, verdict('both', 2, sol, cha));
  b = await balances(g);
  // both slashed: treasury 16 + 8; the rest (64 + 32) and the escrow 210 to the submitter.
  assert.equal(b.bob - before.bob, 100n - 80n);
  assert.equal(b.dave - before.dave, -40n);
  assert.equal(b.treasury - before.treasury, 24n);
  assert.equal(b.alice - before.alice, 64n + 32n + 210n);
  await conserved(g);
});

test('finalize: only after the challenge window, once', async () => {
  const g = await setup({ challengeSeconds: 100 });
  const k = await toProof(g, 'honest', hex(merkleRoot(records('h', 99))), true);
  await rejects(g.c.finalize(P.eve, k), 'Deadline');
  await advance(f, 101);
  const before = await balances(g);
  await g.c.finalize(P.eve, k);
  const b = await balances(g);
  assert.equal(b.bob - before.bob, 300n);
  assert.equal(b.carol - before.carol, 10n);
  await rejects(g.c.finalize(P.eve, k), 'BadState');
  await rejects(g.c.openDispute(P.dave, k, hex(merkleRoot(records('c', 0)))), 'BadState');
  await conserved(g);
});

test('double actions and wrong parties are refused', async () => {
  const g = await setup();
  const k = taskKey('dbl');
  g.tasks.push(k);
  await g.c.postTask(P.alice, k, 200n, 8);
  await rejects(g.c.postTask(P.bob, k, 1n, 8), 'BadState');
  await rejects(g.c.postTask(P.bob, taskKey('dbl-zero'), 0n, 8), 'bounty must be positive');
  await rejects(g.c.claimTask(P.alice, k), 'submitter cannot claim');
  await g.c.claimTask(P.bob, k);
  await rejects(g.c.claimTask(P.carol, k), 'BadState');
  await rejects(g.c.submitProof(P.carol, k, hex(merkleRoot(records('x', 0)))), 'only the claiming solver');
  await g.c.submitProof(P.bob, k, hex(merkleRoot(records('x', 9))));
  await rejects(g.c.verifyTask(P.bob, k), 'cannot verify its own');
  await rejects(g.c.openDispute(P.bob, k, hex(merkleRoot(records('x', 0)))), 'cannot challenge its own');
  await g.c.openDispute(P.dave, k, hex(merkleRoot(records('y', 0))));
  await rejects(g.c.openDispute(P.carol, k, hex(merkleRoot(records('y', 0)))), 'BadState');
  await rejects(g.c.withdraw(P.eve, 1n), 'Insufficient');
  const v = verdict('solver', 0, records('x', 9), records('y', 0));
  await rejects(g.c.settle(P.alice, k, v), 'only the referee');
  await g.c.settle(P.referee, k, v);
  await rejects(g.c.settle(P.referee, k, v), 'BadState');
  await rejects(g.c.claimTimeout(P.dave, k), 'BadState');
  await conserved(g);
});

test('settle checks Merkle membership and disagreement at the named step', async () => {
  const g = await setup();
  const sol = records('s', 3);
  const cha = records('c', 6);
  const k = await toProof(g, 'merkle', hex(merkleRoot(sol)), false);
  await g.c.openDispute(P.dave, k, hex(merkleRoot(cha)));
  await rejects(g.c.settle(P.referee, k, verdict('solver', 1, sol, cha)), 'the parties agree');
  const v = verdict('solver', 3, sol, cha);
  await rejects(g.c.settle(P.referee, k, { ...v, solverLeaf: hex(cha[3]) }), 'parties agree');
  await rejects(g.c.settle(P.referee, k, { ...v, solverLeaf: hex(sol[4]) }), 'solver path');
  await rejects(
    g.c.settle(P.referee, k, { ...v, challengerPath: v.challengerPath.slice(1) }),
    'challenger path',
  );
  await rejects(g.c.settle(P.referee, k, { ...v, step: 8 }), 'step outside');
  await g.c.settle(P.referee, k, v);
  await conserved(g);
});

test('equal run roots: only the challenger can lose (nothing to disagree about)', async () => {
  const g = await setup();
  const same = records('h', 99);
  const k = await toProof(g, 'same', hex(merkleRoot(same)), false);
  await g.c.openDispute(P.dave, k, hex(merkleRoot(same)));
  await rejects(g.c.settle(P.referee, k, verdict('solver', 0, same, same)), 'only the challenger can lose');
  await g.c.settle(P.referee, k, {
    ...verdict('challenger', 0, same, same),
    solverPath: [],
    challengerPath: [],
  });
  assert.equal((await g.c.task(k)).loser, 'challenger');
  await conserved(g);
});

test('verifyMerkle agrees with core/hash/merkle.ts on random trees (and rejects tampered paths)', async () => {
  const g = await setup();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), async (n, i0, salt) => {
      const leaves = Array.from({ length: n }, (_, i) => keccak256(toHex(`${salt}:${i}`)).slice(2));
      const i = i0 % n;
      const p = merkleProof(leaves, i);
      const root = hex(merkleRoot(leaves));
      const path = p.siblings.map(hex);
      const ok = await g.c.read<boolean>('verifyMerkle', [hex(leaves[i]), BigInt(i), BigInt(n), path, root]);
      assert.equal(ok, true);
      if (n > 1) {
        const j = (i + 1) % n;
        const wrong = await g.c.read<boolean>('verifyMerkle', [
          hex(leaves[i]),
          BigInt(j),
          BigInt(n),
          path,
          root,
        ]);
        assert.equal(wrong, leaves[i] === leaves[j] && false, 'same leaf at another index');
        const bent = [...path];
        bent[0] = keccak256(bent[0]);
        assert.equal(
          await g.c.read<boolean>('verifyMerkle', [hex(leaves[i]), BigInt(i), BigInt(n), bent, root]),
          false,
        );
      }
    }),
    { numRuns: 25 },
  );
  await conserved(g);
});

test('rounds: signed commitments advance; wrong signer, other round, replay, other contract, high-s refused', async () => {
  const g = await setup();
  const k = await toProof(g, 'rounds', hex(merkleRoot(records('s', 1))), false);
  await g.c.openDispute(P.dave, k, hex(merkleRoot(records('c', 2))));
  const chainId = f.chain.chainId;
  const d0 = keccak256(toHex('answer-0'));
  const sBob = await signRound(P.bob, chainId, g.address, k, 0, d0);
  const sDave = await signRound(P.dave, chainId, g.address, k, 0, d0);
  const sEve = await signRound(P.eve, chainId, g.address, k, 0, d0);
  await rejects(g.c.commitRound(P.eve, k, 0, d0, sEve), 'BadSignature');
  // A signature over another digest recovers some other address.
  await rejects(g.c.commitRound(P.eve, k, 0, keccak256(toHex('other')), sBob), 'BadSignature');
  // Signed for round 1 but round 0 is open.
  const early = await signRound(P.bob, chainId, g.address, k, 1, d0);
  await rejects(g.c.commitRound(P.eve, k, 1, d0, early), 'Replay');
  // The same round signed for another deployment of the game.
  const other = await newGame(f, P.referee);
  const foreign = await signRound(P.bob, chainId, other.address, k, 0, d0);
  await rejects(g.c.commitRound(P.eve, k, 0, d0, foreign), 'BadSignature');
  // Malleated (high-s) copy of a valid signature.
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const s = BigInt(`0x${sBob.slice(66, 130)}`);
  const v = Number.parseInt(sBob.slice(130), 16);
  const high =
    `${sBob.slice(0, 66)}${(n - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
  await rejects(g.c.commitRound(P.eve, k, 0, d0, high), 'BadSignature');

  await g.c.commitRound(P.eve, k, 0, d0, sBob); // anyone may relay
  await rejects(g.c.commitRound(P.eve, k, 0, d0, sBob), 'Replay');
  assert.equal((await g.c.task(k)).round, 0);
  await g.c.commitRound(P.alice, k, 0, d0, sDave);
  const t = await g.c.task(k);
  assert.equal(t.round, 1);
  assert.equal(t.solverIn || t.challengerIn, false);
  await rejects(g.c.commitRound(P.eve, k, 0, d0, sDave), 'Replay');
  await conserved(g);
});

test('deadlines: the silent party loses; both silent lose both; late answers refused', async () => {
  const g = await setup({ roundSeconds: 60 });
  const chainId = f.chain.chainId;
  const d = keccak256(toHex('a'));
  // challenger silent
  const k1 = await toProof(g, 'silent-challenger', hex(merkleRoot(records('s', 1))), true);
  await g.c.openDispute(P.dave, k1, hex(merkleRoot(records('c', 1))));
  await g.c.commitRound(P.bob, k1, 0, d, await signRound(P.bob, chainId, g.address, k1, 0, d));
  await rejects(g.c.claimTimeout(P.bob, k1), 'Deadline');
  await advance(f, 61);
  const late = await signRound(P.dave, chainId, g.address, k1, 0, d);
  await rejects(g.c.commitRound(P.dave, k1, 0, d, late), 'Deadline');
  let before = await balances(g);
  await g.c.claimTimeout(P.bob, k1);
  let b = await balances(g);
  assert.equal((await g.c.task(k1)).loser, 'challenger');
  assert.equal(b.bob - before.bob, 100n + 200n + 32n);
  assert.equal(b.dave - before.dave, 10n, 'dave gets the unslashed 10 of its 50 back');
  // solver silent after one full round
  const k2 = await toProof(g, 'silent-solver', hex(merkleRoot(records('s', 1))), false);
  await g.c.openDispute(P.dave, k2, hex(merkleRoot(records('c', 1))));
  await g.c.commitRound(P.dave, k2, 0, d, await signRound(P.dave, chainId, g.address, k2, 0, d));
  await g.c.commitRound(P.bob, k2, 0, d, await signRound(P.bob, chainId, g.address, k2, 0, d));
  await g.c.commitRound(P.dave, k2, 1, d, await signRound(P.dave, chainId, g.address, k2, 1, d));
  await advance(f, 61);
  await g.c.claimTimeout(P.eve, k2);
  assert.equal((await g.c.task(k2)).loser, 'solver');
  // both silent
  const k3 = await toProof(g, 'silent-both', hex(merkleRoot(records('s', 1))), false);
  await g.c.openDispute(P.dave, k3, hex(merkleRoot(records('c', 1))));
  await advance(f, 61);
  before = await balances(g);
  await g.c.claimTimeout(P.eve, k3);
  b = await balances(g);
  assert.equal((await g.c.task(k3)).loser, 'both');
  assert.equal(b.alice - before.alice, 64n + 32n + 210n);
  await conserved(g);
});

test('re-entrancy: a receiver that re-enters withdraw gets exactly its deposit', async () => {
  const g = await setup();
  const { deployContract } = await import('./deploy-helper.ts');
  const attacker = await deployContract(f, f.artifacts.ReentrantReceiver, [g.address], P.eve);
  const wallet = await import('viem').then((v) =>
    v.createWalletClient({ account: P.eve, chain: g.client.chain, transport: g.client.transport }),
  );
  const ethBefore = await g.client.publicClient.getBalance({ address: g.address });
  const hash = await wallet.writeContract({
    address: attacker,
    abi: f.artifacts.ReentrantReceiver.abi as never,
    functionName: 'attack',
    args: [],
    value: 1000n,
    account: P.eve,
    chain: g.client.chain,
  } as never);
  const receipt = await g.client.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  const read = (fn: string) =>
    g.client.publicClient.readContract({
      address: attacker,
      abi: f.artifacts.ReentrantReceiver.abi as never,
      functionName: fn,
    } as never) as Promise<bigint>;
  assert.equal(await read('attempts'), 1n, 'the receiver tried to re-enter');
  assert.equal(await read('refused'), 1n, 'and was refused');
  assert.equal(
    await g.client.publicClient.getBalance({ address: attacker }),
    1000n,
    'it holds exactly its deposit',
  );
  assert.equal(await g.client.publicClient.getBalance({ address: g.address }), ethBefore);
  assert.equal(await g.client.balanceOf(attacker), 0n);
  g.accounts.push(attacker);
  await conserved(g);
});

test('mirror: random parameters and outcomes pay exactly what the in-process ledger pays', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        solverStake: fc.integer({ min: 0, max: 10_000 }),
        challengerStake: fc.integer({ min: 0, max: 10_000 }),
        verifierReward: fc.integer({ min: 0, max: 500 }),
        slashBps: fc.integer({ min: 0, max: 10_000 }),
        whistleblowerBps: fc.integer({ min: 0, max: 10_000 }),
        treasuryBps: fc.integer({ min: 0, max: 10_000 }),
        bounty: fc.integer({ min: 1, max: 5_000 }),
        verified: fc.boolean(),
        outcome: fc.constantFrom('solver', 'challenger', 'both', 'finalize'),
      }),
      async (r) => {
        if (r.whistleblowerBps + r.treasuryBps > 10_000) r.treasuryBps = 10_000 - r.whistleblowerBps;
        if (r.outcome === 'finalize') r.verified = true;
        const params: GameParams = {
          solverStake: r.solverStake,
          challengerStake: r.challengerStake,
          verifierReward: r.verifierReward,
          slashBps: r.slashBps,
          whistleblowerBps: r.whistleblowerBps,
          treasuryBps: r.treasuryBps,
        };
        // in-process ledger
        const m = new MemoryLedger(params);
        const act = (a: Action) => {
          for (const c of plan(m, a)) m.apply(c);
        };
        for (const who of ['alice', 'bob', 'carol', 'dave']) {
          act({ type: 'account.open', account: who });
          act({ type: 'mint', account: who, amount: 20_000 });
        }
        act({ type: 'task.post', task: 't', submitter: 'alice', bounty: r.bounty });
        act({ type: 'task.claim', task: 't', solver: 'bob' });
        act({ type: 'proof.submit', task: 't', solver: 'bob', runCommitment: 'a1'.repeat(32) });
        if (r.verified) act({ type: 'task.verify', task: 't', verifier: 'carol' });
        if (r.outcome === 'finalize') act({ type: 'task.finalize', task: 't' });
        else {
          act({ type: 'dispute.open', task: 't', challenger: 'dave' });
          act({
            type: 'dispute.settle',
            dispute: 1,
            verdict: { loser: r.outcome, step: 3, op: 7, reason: 'mismatch' },
            transcript: tinyTranscript(r.outcome, 3, 7),
          } as Action);
        }
        // on chain
        const g = await setup({
          solverStake: BigInt(r.solverStake),
          challengerStake: BigInt(r.challengerStake),
          verifierReward: BigInt(r.verifierReward),
          slashBps: r.slashBps,
          whistleblowerBps: r.whistleblowerBps,
          treasuryBps: r.treasuryBps,
        });
        for (const n of ['alice', 'bob', 'carol', 'dave'] as const) await g.c.deposit(P[n], 19_000n);
        const k = taskKey('t');
        g.tasks.push(k);
        const sol = records('s', 3);
        const cha = records('c', 3);
        await g.c.postTask(P.alice, k, BigInt(r.bounty), 8);
        await g.c.claimTask(P.bob, k);
        await g.c.submitProof(P.bob, k, hex(merkleRoot(sol)));
        if (r.verified) await g.c.verifyTask(P.carol, k);
        if (r.outcome === 'finalize') await g.c.finalize(P.eve, k);
        else {
          await g.c.openDispute(P.dave, k, hex(merkleRoot(cha)));
          await g.c.settle(P.referee, k, verdict(r.outcome as LoserName, 3, sol, cha));
        }
        const b = await balances(g);
        for (const n of ['alice', 'bob', 'carol', 'dave'] as const) {
          assert.equal(Number(b[n]), m.account(n)?.balance, `${n}'s balance (${JSON.stringify(r)})`);
        }
        assert.equal(Number(b.treasury), m.totals().treasury, 'treasury');
        await conserved(g);
      },
    ),
    { numRuns: 12 },
  );
});
