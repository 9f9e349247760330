/**
 * The views' backend handlers over the real core modules, on a fresh data dir (no browser): the demo
 * proof's traces reproduce the bundle's recorded op digests, "run this step now" matches, tensor
 * digests recompute, the tampered comparison first differs at the tampered op, dispute and ledger
 * methods agree with core/ledger reading the same file, and bad input gets a clear error.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import { tensorDigest } from '../../core/hash/digest.ts';
import { openLedger } from '../../core/ledger/node-store.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { readBundle } from '../../core/proof/read.ts';
import { createViewsHandlers } from '../../desktop/main/backend/views.ts';
import { DEMO_TAMPERED } from '../../desktop/main/backend/views-demo.ts';
import type { ViewsApi } from '../../desktop/shared/api-views.ts';
import { ctxOf } from './helpers/backend-context.ts';

useNodeSha256();

describe('views backend (core/* on a temp data dir)', { timeout: 120_000 }, () => {
  let dir: string;
  let api: ViewsApi;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinpoint-views-'));
    api = createViewsHandlers(ctxOf(dir));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('proof: traces reproduce the bundle and "run now" matches', async () => {
    const p = await api['proof.load']({});
    const bundle = readBundle(readFileSync(p.path), p.path);
    assert.equal(p.runCommitment, bundle.manifest.runCommitment);
    assert.equal(p.steps.length, bundle.manifest.steps.length);
    assert.ok(p.samples.every((s) => s >= 0 && s < p.steps.length));
    for (const step of [0, 7, p.steps.length - 1]) {
      const t = await api['proof.trace']({ step });
      // Oracle: the op digests the solver recorded in the bundle, node by node.
      assert.deepEqual(
        t.nodes.map((n) => n.digest),
        bundle.opDigests(step),
      );
      assert.equal(t.stateAfter, bundle.manifest.steps[step].stateAfter);
    }
    const r = await api['proof.runStep']({ step: 13 });
    assert.equal(r.match, true);
    assert.ok(r.checks.some((c) => c.name.startsWith('op root')));
  });

  it('graph: tensor digests recompute; the tampered trace first differs at one op', async () => {
    const t = await api['proof.trace']({ step: 3 });
    const node = t.nodes.find((n) => n.op !== 'leaf' && n.shape.length === 2);
    assert.ok(node);
    const x = await api['graph.tensor']({ step: 3, node: node.id, limit: 1_000_000 });
    assert.equal(x.values.length, x.total);
    assert.equal(tensorDigest({ shape: x.shape, data: Float32Array.from(x.values) }, 'sha256'), node.digest);
    assert.equal(x.verified, true);
    const other = await api['graph.compareTrace']({ step: 3, variant: 'tampered' });
    const diff = t.nodes.filter((n, i) => n.digest !== other.nodes[i].digest);
    assert.ok(diff.length > 0);
    const first = diff[0];
    // Everything the first differing op reads agrees (the pinpoint property).
    for (const i of first.inputs) assert.equal(t.nodes[i].digest, other.nodes[i].digest);
    assert.equal(first.phase, 'backward');
  });

  it('ledger and disputes agree with core/ledger reading the same file', async () => {
    const snap = await api['ledger.snapshot']({});
    const ev = await api['ledger.events']({});
    assert.equal(ev.chain.ok, true);
    assert.equal(snap.invariantOk, true);
    const store = openLedger(snap.path, { readonly: true });
    try {
      assert.equal(ev.events.length, store.head().seq);
      assert.equal(store.verify().ok, true);
      const settle = store.events({ kind: 'dispute.settle' })[0];
      const row = ev.events.find((e) => e.seq === settle.seq);
      const moved = settle.payload.changes.reduce((a, c) => a + (c.op === 'move' ? c.move.amount : 0), 0);
      assert.equal(
        row?.moves.reduce((a, m) => a + m.amount, 0),
        moved,
      );
      const byTask = await api['ledger.events']({ task: 'iris-mlp' });
      assert.ok(byTask.events.length > 0 && byTask.events.every((e) => e.task === 'iris-mlp'));
    } finally {
      store.close();
    }
    const list = await api['dispute.list']({});
    assert.ok(list.some((d) => d.id === 'ledger:1') && list.some((d) => d.id === 'demo:live'));
    const d = await api['dispute.load']({ id: 'ledger:1' });
    assert.equal(d.transcript.verdict.outcome, 'challenger-wins');
    assert.equal(d.ledgerDispute, 1);
    // No synthetic transcript anywhere in the demo ledger.
    const store2 = openLedger(snap.path, { readonly: true });
    try {
      const all = store2.disputes();
      assert.equal(all.length, 3);
      for (const x of all) {
        const t = store2.dispute(x.id)?.transcript as { synthetic?: boolean } | null | undefined;
        assert.ok(t, `dispute ${x.id} has a transcript`);
        assert.equal(t.synthetic, undefined, `dispute ${x.id} is not synthetic`);
      }
    } finally {
      store2.close();
    }
  });

  it("the app's demo ledger binds keys and catches a copy; an older demo file is not reused", async () => {
    const id = await api['ledger.identity']({});
    const store = openLedger(id.path, { readonly: true });
    try {
      assert.deepEqual(id.keys, store.keys());
      assert.equal(id.copies.length, store.copies().length);
      assert.ok(id.copies.length >= 1 && id.keys.length >= 2, 'the demo ends with a caught copy');
      assert.equal(id.copies[0].seq, store.head().seq);
    } finally {
      store.close();
    }
    // A shell still pointing at an older demo name (views-ledger-v2.db) gets the current demo instead.
    const old = join(dir, 'views-ledger-v2.db');
    writeFileSync(old, 'an older demo');
    const api2 = createViewsHandlers({ ...ctxOf(dir), demo: { ledger: old } });
    assert.equal((await api2['ledger.identity']({})).path, id.path);
  });

  it("the demo dispute pinpoints the tampered op on the demo proof's own graph", async () => {
    const d = await api['dispute.load']({ id: 'ledger:1' });
    const live = await api['dispute.load']({ id: 'demo:live' });
    assert.deepEqual(live.transcript.verdict, d.transcript.verdict);
    const v = d.transcript.verdict;
    assert.equal(v.loser, 'solver');
    assert.equal(v.stage, 'recompute');
    assert.ok(v.step !== null && v.step !== undefined && v.op !== null && v.op !== undefined);
    // Oracle: the two proof files read by core/proof. Carol's copy first differs from the demo proof
    // at the pinpointed step (records agree before it) and, in that step, at the pinpointed op.
    const p = await api['proof.load']({});
    const honest = readBundle(readFileSync(p.path), p.path);
    const tamperedPath = join(dir, 'demo', DEMO_TAMPERED);
    const bad = readBundle(readFileSync(tamperedPath), tamperedPath);
    const firstStep = honest.manifest.steps.findIndex(
      (s, i) => s.stateAfter !== bad.manifest.steps[i].stateAfter,
    );
    assert.equal(v.step, firstStep);
    const hd = honest.opDigests(firstStep) ?? [];
    const bd = bad.opDigests(firstStep) ?? [];
    assert.equal(
      v.op,
      hd.findIndex((x, i) => x !== bd[i]),
    );
    // The replay's graph is the demo proof's step graph: same op ids and names as its trace.
    const t = await api['proof.trace']({ step: firstStep });
    assert.deepEqual(
      d.graph?.map((n) => `${n.id}:${n.op}`),
      t.nodes.map((n) => `${n.id}:${n.op}`),
    );
    assert.equal(d.graph?.[v.op]?.op, v.opName);
  });

  it("the attack-scenario disputes replay on their synthetic task's graph", async () => {
    for (const [id, loser] of [
      ['ledger:2', 'challenger'],
      ['ledger:3', 'both'],
    ] as const) {
      const d = await api['dispute.load']({ id });
      const v = d.transcript.verdict;
      assert.equal(v.loser, loser, id);
      assert.match(d.transcript.task, /^synthetic\(seed=1,steps=64,/);
      // The pinpointed op exists in the graph and carries the op name the referee recorded.
      assert.equal(typeof v.op, 'number', id);
      assert.equal(d.graph?.[v.op as number]?.op, v.opName, id);
      // Oracle: core/dispute's synthetic task rebuilt here from the transcript's own parameters.
      assert.equal(d.graph?.length, syntheticTask({ seed: 1, steps: 64 }).graph(v.step ?? 0).nodes.length);
    }
  });

  it('bad input gets a clear error naming the problem', async () => {
    await assert.rejects(
      api['proof.trace']({ step: 999 }),
      /proof\.trace: views-demo-v2\.pinproof has steps 0\.\.39, not 999/,
    );
    await assert.rejects(
      api['graph.tensor']({ step: 0, node: 10_000 }),
      /graph\.tensor: step 0 has ops #0\.\.#\d+, not #10000/,
    );
    await assert.rejects(api['dispute.load']({ id: 'nope' }), /dispute\.load: unknown dispute id "nope"/);
    await assert.rejects(
      api['ledger.snapshot']({ at: -3 }),
      /ledger\.snapshot: .* has events 1\.\.\d+, not -3/,
    );
    await assert.rejects(api['proof.load']({ path: '/etc/passwd' }), /outside the allowed folders/);
  });
});
