/**
 * Property: any interleaving of claims, commits and reveals by honest solvers and copiers on identical task
 * instances (RepOps is deterministic, so every honest run has the same root), with invalid actions mixed in,
 * on a real SQLite ledger. The oracle is kept here, from the event seqs the ledger returned: a reveal is a
 * copy iff another account's proof of the same run was recorded before the revealer's seal. Checked:
 * an honest solver who sealed before any other reveal is never slashed; every copier that reveals is
 * caught; each outcome matches the oracle; the supply invariant holds after every action; an invalid action
 * changes no row; `verify` passes at the end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { digestJson } from '../../core/hash/digest.ts';
import { toHex } from '../../core/hash/hex.ts';
import { createLedger, type SqliteLedger } from '../../core/ledger/node-store.ts';
import { keyBindingAction, sealCommitment } from '../../core/ledger/seal.ts';
import { type Action, LedgerError } from '../../core/ledger/types.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { dumpLedger } from './helpers.ts';

const HONEST_RUN = 'a1'.repeat(32);
const AGENTS = ['h0', 'h1', 'h2', 'c0', 'c1', 'c2'];
const KEYS = new Map(AGENTS.map((a) => [a, keyFromSeed(`prop-${a}`)]));
const PK = new Map(AGENTS.map((a) => [a, toHex(KEYS.get(a)?.publicKey as Uint8Array)]));
// Signing is the slow part: bind actions are made once.
const BIND = new Map(AGENTS.map((a) => [a, keyBindingAction(a, KEYS.get(a) as never)]));

interface Agent {
  name: string;
  copier: boolean;
  keyed: boolean;
  direct: boolean;
  task: string;
  phase: 'idle' | 'claimed' | 'committed' | 'done';
  reveal: Action | null;
  commitSeq: number;
  outcome: 'proved' | 'copy' | null;
  /** Sealed (or submitted directly) before any other account's proof existed. */
  first: boolean;
}

const agentSpec = fc.record({ copier: fc.boolean(), keyed: fc.boolean(), direct: fc.boolean() });
const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('turn' as const), who: fc.nat(5) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('invalid' as const),
      who: fc.nat(5),
      other: fc.nat(5),
      variant: fc.nat(5),
    }),
  },
);

test('commit-reveal order: honest first committers never slashed, copiers always caught, supply kept', (t) => {
  let runs = 0;
  let copies = 0;
  let honestProved = 0;
  let invalid = 0;
  let lateHonest = 0;
  fc.assert(
    fc.property(
      fc.array(agentSpec, { minLength: 2, maxLength: 6 }),
      fc.array(step, { minLength: 10, maxLength: 60 }),
      fc.record({
        solverStake: fc.integer({ min: 0, max: 300 }),
        slashBps: fc.integer({ min: 0, max: 10000 }),
        whistleblowerBps: fc.integer({ min: 0, max: 5000 }),
        treasuryBps: fc.integer({ min: 0, max: 5000 }),
      }),
      (specs, steps, p) => {
        runs++;
        const l = createLedger(':memory:', { ...p, challengerStake: 10, verifierReward: 5 });
        try {
          const setup: Action[] = [
            { type: 'account.open', account: 'sub' },
            { type: 'mint', account: 'sub', amount: 100_000 },
          ];
          const agents: Agent[] = specs.map((s, i) => ({
            ...s,
            name: AGENTS[i],
            task: `task${i}`,
            phase: 'idle',
            reveal: null,
            commitSeq: 0,
            outcome: null,
            first: false,
          }));
          for (const a of agents) {
            setup.push(
              { type: 'account.open', account: a.name },
              { type: 'mint', account: a.name, amount: 1000 },
              { type: 'task.post', task: a.task, submitter: 'sub', bounty: 100 },
            );
            if (a.keyed) setup.push(BIND.get(a.name) as Action);
          }
          l.submitAll(setup);
          const minted = 100_000 + 1000 * agents.length;
          /** Oracle: seq of each account's recorded (non-copy) proof. */
          const proofSeq = new Map<string, number>();
          const others = (a: Agent) => [...proofSeq].filter(([who]) => who !== a.name).map(([, s]) => s);

          const submit = (a: Agent, act: Action, sealSeq: number | null) => {
            const before = l.head().seq;
            const ev = l.submit(act);
            assert.equal(ev.seq, before + 1);
            const sealedAt = sealSeq ?? ev.seq;
            const expectCopy = others(a).some((s) => s < sealedAt);
            const task = l.tasks().find((x) => x.id === a.task);
            const isCopy = l.copies().some((c) => c.task === a.task);
            assert.equal(isCopy, expectCopy, `${a.name}: copy ${isCopy}, oracle says ${expectCopy}`);
            if (expectCopy) {
              assert.equal(task?.state, 'settled');
              assert.equal(l.stakes().find((s) => s.task === a.task)?.status, 'slashed');
              a.outcome = 'copy';
            } else {
              assert.equal(task?.state, 'proved');
              proofSeq.set(a.name, ev.seq);
              a.outcome = 'proved';
            }
            a.phase = 'done';
          };

          for (const s of steps) {
            const a = agents[s.who % agents.length];
            if (s.kind === 'turn') {
              if (a.phase === 'idle') {
                l.submit({ type: 'task.claim', task: a.task, solver: a.name });
                a.phase = 'claimed';
              } else if (a.phase === 'claimed') {
                // A copier only knows the run once somebody else revealed it on the ledger.
                const seen = l.proofs().find((x) => x.solver !== a.name)?.runCommitment;
                if (a.copier && !seen) continue;
                const run = a.copier ? (seen as string) : HONEST_RUN;
                const signer = a.keyed ? (PK.get(a.name) as string) : undefined;
                a.first = others(a).length === 0;
                if (a.direct) {
                  const act: Action = {
                    type: 'proof.submit',
                    task: a.task,
                    solver: a.name,
                    runCommitment: run,
                  };
                  submit(a, signer ? { ...act, signer } : act, null);
                } else {
                  const salt = digestJson('test.salt', [runs, a.name]);
                  const sealed = sealCommitment({
                    task: a.task,
                    account: a.name,
                    publicKey: signer ?? null,
                    runCommitment: run,
                    salt,
                  });
                  a.commitSeq = l.submit({ type: 'proof.commit', task: a.task, solver: a.name, sealed }).seq;
                  const reveal: Action = {
                    type: 'proof.reveal',
                    task: a.task,
                    solver: a.name,
                    runCommitment: run,
                    salt,
                  };
                  a.reveal = signer ? { ...reveal, signer } : reveal;
                  a.phase = 'committed';
                }
              } else if (a.phase === 'committed') {
                submit(a, a.reveal as Action, a.commitSeq);
              }
            } else {
              const o = agents[s.other % agents.length];
              const stranger = AGENTS.find((n) => n !== a.name) as string;
              const notA = o === a ? 'sub' : a.name;
              const salt = 'ee'.repeat(32);
              const bad: Action[] = [
                // a salt nobody sealed with
                { type: 'proof.reveal', task: a.task, solver: a.name, runCommitment: HONEST_RUN, salt },
                // acting on a task one did not claim
                { type: 'proof.commit', task: o.task, solver: notA, sealed: HONEST_RUN },
                { type: 'proof.reveal', task: o.task, solver: notA, runCommitment: HONEST_RUN, salt },
                // presenting a bundle signed by another account's key
                {
                  type: 'proof.submit',
                  task: a.task,
                  solver: a.name,
                  runCommitment: HONEST_RUN,
                  signer: PK.get(stranger),
                },
                // rebinding one's key, or binding with another account's signature
                a.keyed
                  ? (BIND.get(a.name) as Action)
                  : { ...(BIND.get(stranger) as Extract<Action, { type: 'account.key' }>), account: a.name },
                // a task that does not exist
                { type: 'proof.commit', task: 'nope', solver: a.name, sealed: HONEST_RUN },
              ];
              const act = bad[s.variant % bad.length];
              const before = dumpLedger(l);
              assert.throws(
                () => l.submit(act),
                (e: unknown) => e instanceof LedgerError && e.code !== 'internal',
                `expected ${JSON.stringify(act)} to be refused`,
              );
              assert.equal(dumpLedger(l), before, `refused ${act.type} changed the ledger`);
              invalid++;
            }
            const tot = l.totals();
            assert.equal(tot.minted, minted);
            assert.equal(tot.balances + tot.locked + tot.escrow + tot.treasury, minted);
          }
          for (const a of agents) {
            if (a.outcome === null) continue;
            if (a.copier) {
              assert.equal(a.outcome, 'copy', `copier ${a.name} escaped`);
              copies++;
            } else if (a.first) {
              assert.equal(a.outcome, 'proved', `honest first committer ${a.name} was slashed`);
              honestProved++;
            } else if (a.outcome === 'copy') lateHonest++;
          }
          const report = l.verify();
          assert.ok(report.ok, JSON.stringify(report));
        } finally {
          l.close();
        }
      },
    ),
    { numRuns: 120 },
  );
  t.diagnostic(
    `${runs} runs: ${copies} copiers caught, ${honestProved} honest first committers proved, ${lateHonest} honest late sealers treated as copies, ${invalid} invalid actions refused`,
  );
  assert.ok(copies > 50 && honestProved > 50 && invalid > 100, `${copies}/${honestProved}/${invalid}`);
});
