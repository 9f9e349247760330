/**
 * Identity binding in the Ledger view: the pure model (key fingerprints, keys bound by an event, Proofs
 * panel rows with their copy marks and filters) and the backend's `ledger.identity` over a real ledger
 * file written from core/ledger's demo actions. Oracles: core/ledger reading the same file, and the copy
 * rule recomputed here straight from the event log (a reveal whose seal came after another account's
 * reveal of the same run commitment).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DEMO_PARAMS, demoActions, demoClock } from '../../core/ledger/demo.ts';
import { createLedger, openLedger } from '../../core/ledger/node-store.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { createViewsHandlers } from '../../desktop/main/backend/views.ts';
import {
  copyMark,
  flowGraph,
  keyFingerprint,
  keysAt,
  proofRows,
} from '../../desktop/renderer/components/ledger-model.ts';
import type {
  LedgerCommitmentRow,
  LedgerCopyRow,
  LedgerIdentity,
  ViewsApi,
} from '../../desktop/shared/api-views.ts';
import { ctxOf } from './helpers/backend-context.ts';

useNodeSha256();

/** The copy rule, recomputed from the raw events (independent of core/ledger's copies table). */
function copiesFromEvents(file: string): {
  copier: string;
  task: string;
  sealSeq: number;
  revealSeq: number;
  original: string;
  originalSeq: number;
}[] {
  const store = openLedger(file, { readonly: true });
  try {
    const lastSeal = new Map<string, number>(); // task@account → seq of its latest proof.commit
    const reveals: { account: string; run: string; seq: number }[] = [];
    const out: ReturnType<typeof copiesFromEvents> = [];
    for (const e of store.events()) {
      const a = e.payload.action as unknown as Record<string, unknown>;
      if (e.kind === 'proof.commit') lastSeal.set(`${a.task}@${a.solver}`, e.seq);
      if (e.kind !== 'proof.reveal') continue;
      const sealSeq = lastSeal.get(`${a.task}@${a.solver}`) ?? e.seq;
      const first = reveals.find(
        (r) => r.run === a.runCommitment && r.account !== a.solver && r.seq < sealSeq,
      );
      if (first)
        out.push({
          copier: String(a.solver),
          task: String(e.task),
          sealSeq,
          revealSeq: e.seq,
          original: first.account,
          originalSeq: first.seq,
        });
      else reveals.push({ account: String(a.solver), run: String(a.runCommitment), seq: e.seq });
    }
    return out;
  } finally {
    store.close();
  }
}

describe('ledger identity model (pure)', () => {
  const key = 'ab'.repeat(32);

  it('fingerprints a key by its first 4 bytes and refuses a non-key', () => {
    assert.equal(keyFingerprint(key), 'abababab…');
    assert.throws(() => keyFingerprint('xyz'), /not a 64-hex Ed25519 public key: xyz/);
  });

  it('shows only the keys bound by the event being viewed', () => {
    const keys = [
      { account: 'bob', publicKey: key, seq: 5 },
      { account: 'eve', publicKey: 'cd'.repeat(32), seq: 9 },
    ];
    assert.deepEqual([...keysAt(keys, 4).keys()], []);
    assert.deepEqual([...keysAt(keys, 5).keys()], ['bob']);
    assert.deepEqual([...keysAt(keys, 9).keys()].sort(), ['bob', 'eve']);
  });

  const commitments: LedgerCommitmentRow[] = [
    {
      id: 1,
      task: 't1',
      solver: 'bob',
      sealed: '1'.repeat(64),
      status: 'revealed',
      sealSeq: 10,
      closedSeq: 11,
    },
    {
      id: 2,
      task: 't2',
      solver: 'eve',
      sealed: '2'.repeat(64),
      status: 'sealed',
      sealSeq: 12,
      closedSeq: null,
    },
    {
      id: 3,
      task: 't3',
      solver: 'mal',
      sealed: '3'.repeat(64),
      status: 'replaced',
      sealSeq: 13,
      closedSeq: 14,
    },
    { id: 4, task: 't3', solver: 'mal', sealed: '4'.repeat(64), status: 'copy', sealSeq: 14, closedSeq: 15 },
  ];
  const copies: LedgerCopyRow[] = [
    {
      id: 1,
      task: 't3',
      copier: 'mal',
      runCommitment: '9'.repeat(64),
      commitSeq: 14,
      original: { task: 't1', account: 'bob', seq: 11 },
      slashed: 80,
      victimShare: 40,
      seq: 15,
    },
    // A direct proof.submit caught as a copy: no commitment row.
    {
      id: 2,
      task: 't4',
      copier: 'zed',
      runCommitment: '9'.repeat(64),
      commitSeq: null,
      original: { task: 't1', account: 'bob', seq: 11 },
      slashed: 80,
      victimShare: 40,
      seq: 20,
    },
  ];
  const names = new Map([['bob', 'Bob (honest solver)']]);

  it('gives every commitment a state and a symbol+text mark, copies naming the victim and both events', () => {
    const rows = proofRows({ commitments, copies }, names);
    assert.deepEqual(
      rows.map((r) => [r.task, r.solver, r.state, r.sealSeq, r.revealSeq, r.mark]),
      [
        ['t1', 'bob', 'revealed', 10, 11, '✓ revealed #11'],
        ['t2', 'eve', 'pending', 12, null, '… reveal pending'],
        ['t3', 'mal', 'replaced', 13, null, '↺ replaced by a new seal #14'],
        ['t3', 'mal', 'copy', 14, 15, "✗ copy of Bob's run (sealed #14 after reveal #11)"],
        ['t4', 'zed', 'copy', 20, 20, "✗ copy of Bob's run (sealed #20 after reveal #11)"],
      ],
    );
    assert.equal(rows[3].copy, copies[0]);
    assert.equal(rows[4].sealed, null);
    assert.equal(copyMark(copies[0]), "✗ copy of bob's run (sealed #14 after reveal #11)");
  });

  it('filters: the task or account of the commitment, or of the copied run', () => {
    const tasks = (f: { task?: string; account?: string }) =>
      proofRows({ commitments, copies }, names, f).map((r) => `${r.task}:${r.solver}:${r.state}`);
    assert.deepEqual(tasks({ task: 't2' }), ['t2:eve:pending']);
    // The victim's task and account show who copied them.
    assert.deepEqual(tasks({ task: 't1' }), ['t1:bob:revealed', 't3:mal:copy', 't4:zed:copy']);
    assert.deepEqual(tasks({ account: 'bob' }), ['t1:bob:revealed', 't3:mal:copy', 't4:zed:copy']);
    assert.deepEqual(tasks({ account: 'mal', task: 't3' }), ['t3:mal:replaced', 't3:mal:copy']);
    assert.deepEqual(tasks({ account: 'eve', task: 't1' }), []);
  });

  it('property: filtered rows are exactly the unfiltered rows that match, in seal order', () => {
    const accounts = ['a', 'b', 'c'];
    const tasksA = ['t1', 't2', 't3'];
    const arbC = fc.record({
      task: fc.constantFrom(...tasksA),
      solver: fc.constantFrom(...accounts),
      status: fc.constantFrom('sealed', 'revealed', 'replaced', 'copy') as fc.Arbitrary<
        LedgerCommitmentRow['status']
      >,
      sealSeq: fc.integer({ min: 2, max: 200 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbC, { maxLength: 12 }),
        fc.option(fc.constantFrom(...tasksA)),
        fc.option(fc.constantFrom(...accounts)),
        (cs, task, account) => {
          const id: Pick<LedgerIdentity, 'commitments' | 'copies'> = {
            commitments: cs.map((c, i) => ({
              id: i + 1,
              ...c,
              sealed: i.toString(16).padStart(64, '0'),
              closedSeq: c.status === 'sealed' ? null : c.sealSeq + 1,
            })),
            copies: cs.flatMap((c, i) =>
              c.status === 'copy'
                ? [
                    {
                      id: i + 1,
                      task: c.task,
                      copier: c.solver,
                      runCommitment: 'f'.repeat(64),
                      commitSeq: c.sealSeq,
                      original: { task: 't1', account: 'a', seq: 1 },
                      slashed: 8,
                      victimShare: 4,
                      seq: c.sealSeq + 1,
                    },
                  ]
                : [],
            ),
          };
          const all = proofRows(id);
          assert.ok(
            all.length >= id.commitments.length && all.length <= id.commitments.length + id.copies.length,
          );
          for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].sealSeq <= all[i].sealSeq);
          const f = { ...(task ? { task } : {}), ...(account ? { account } : {}) };
          const want = all.filter(
            (r) =>
              (!task || r.task === task || r.copy?.original.task === task) &&
              (!account || r.solver === account || r.copy?.original.account === account),
          );
          assert.deepEqual(proofRows(id, new Map(), f), want);
          for (const r of all)
            if (r.state === 'copy')
              assert.match(r.mark, /^✗ copy of a's run \(sealed #\d+ after reveal #1\)$/);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('ledger.identity backend (core/ledger demo file)', { timeout: 60_000 }, () => {
  let dir: string;
  let file: string;
  let api: ViewsApi;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinpoint-ledger-identity-'));
    file = join(dir, 'demo.db');
    const store = createLedger(file, DEMO_PARAMS, { clock: demoClock() });
    store.submitAll(demoActions());
    store.close();
    api = createViewsHandlers(ctxOf(dir, { ledger: file }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the keys, commitments and copies core/ledger reads from the same file', async () => {
    const id = await api['ledger.identity']({});
    assert.equal(id.path, file);
    const store = openLedger(file, { readonly: true });
    try {
      assert.deepEqual(id.keys, store.keys());
      assert.deepEqual(
        id.commitments.map((c) => [c.id, c.task, c.solver, c.sealed, c.status, c.sealSeq, c.closedSeq]),
        store.commitments().map((c) => [c.id, c.task, c.solver, c.sealed, c.status, c.seq, c.closedSeq]),
      );
      assert.deepEqual(
        id.copies.map((c) => [
          c.id,
          c.task,
          c.copier,
          c.commitSeq,
          c.original,
          c.slashed,
          c.victimShare,
          c.seq,
        ]),
        store
          .copies()
          .map((c) => [c.id, c.task, c.copier, c.commitSeq, c.original, c.slashed, c.victimShare, c.seq]),
      );
    } finally {
      store.close();
    }
    assert.ok(id.keys.length >= 2 && id.copies.length >= 1, 'the demo binds keys and catches a copy');
  });

  it('marks exactly the copies the event log implies, with the right accounts and events', async () => {
    const id = await api['ledger.identity']({});
    const snap = await api['ledger.snapshot']({});
    const names = new Map(snap.accounts.map((a) => [a.id, a.name]));
    const oracle = copiesFromEvents(file);
    assert.ok(oracle.length >= 1);
    const marked = proofRows(id, names).filter((r) => r.state === 'copy');
    assert.deepEqual(
      marked.map((r) => [r.solver, r.task, r.sealSeq, r.revealSeq]),
      oracle.map((o) => [o.copier, o.task, o.sealSeq, o.revealSeq]),
    );
    for (const [i, o] of oracle.entries()) {
      const victim = (names.get(o.original) ?? o.original).replace(/\s*\(.*\)\s*$/, '');
      assert.equal(
        marked[i].mark,
        `✗ copy of ${victim}'s run (sealed #${o.sealSeq} after reveal #${o.originalSeq})`,
      );
    }
    // Honest reveals are never marked.
    const honest = proofRows(id, names).filter((r) => r.state === 'revealed');
    assert.ok(honest.length >= 1);
    assert.ok(honest.every((r) => !oracle.some((o) => o.revealSeq === r.revealSeq)));
  });

  it("the copy event's flows pay the victim its share, conserving the slashed stake", async () => {
    const id = await api['ledger.identity']({});
    const c = id.copies[0];
    const ev = (await api['ledger.events']({})).events.find((e) => e.seq === c.seq);
    assert.ok(ev, `event ${c.seq} listed`);
    assert.match(
      ev.summary,
      new RegExp(`✗ copy of ${c.original.account}'s run \\(revealed #${c.original.seq}\\)`),
    );
    const g = flowGraph(ev.moves);
    const victim = g.links.filter((l) => l.reasons.includes('slash.victim'));
    assert.deepEqual(
      victim.map((l) => [l.source.replace(/^stake:\d+@/, ''), l.target, l.amount]),
      [[c.copier, c.original.account, c.victimShare]],
    );
    // Out of the copier's stake: the slashed part (victim + treasury + compensation) plus the return.
    const fromStake = g.links.filter((l) => l.source.endsWith(`@${c.copier}`));
    const slashedOut = fromStake
      .filter((l) => l.reasons.some((r) => r.startsWith('slash.')))
      .reduce((a, l) => a + l.amount, 0);
    assert.equal(slashedOut, c.slashed);
    // The filters used by the panel apply server-side to the log too.
    const byVictim = await api['ledger.events']({ account: c.original.account });
    assert.ok(byVictim.events.some((e) => e.seq === c.seq));
  });

  it('refuses a path outside the allowed folders', async () => {
    await assert.rejects(api['ledger.identity']({ path: '/etc/passwd' }), /outside the allowed folders/);
  });
});
