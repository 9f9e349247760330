/**
 * Compare any two proofs (issue 15), through the real backend on real bundles made by core/train:
 * an honest run vs the same run with one forward op nudged at one step. Oracles are independent of
 * the compare module: the bundles' own step records and recorded op digests (core/proof readBundle)
 * and the tamper's known step/op; the task-mismatch error names both files and what differs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { canonicalJson } from '../../core/hash/digest.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { readBundle } from '../../core/proof/read.ts';
import { classifyOps } from '../../desktop/main/backend/compare.ts';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import type { CompareStepResult, CompareSummary } from '../../desktop/shared/api-compare.ts';
import type { DisputeEntry, DisputeReplay } from '../../desktop/shared/api-views.ts';
import { type ComparePair, comparePair } from './compare-fixture.ts';

useNodeSha256();
const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('compare two proofs (backend)', { timeout: 300_000 }, () => {
  let backend: Backend;
  let dataDir: string;
  let fx: ComparePair;
  const files = { honest: '', tampered: '', other: '' };
  const call = async <T>(method: string, args: unknown): Promise<T> => {
    const r = await backend.call(method, args);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.result as T;
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-compare-'));
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
    fx = comparePair(REPO);
    files.honest = join(dataDir, 'honest.pinproof');
    files.tampered = join(dataDir, 'tampered.pinproof');
    files.other = join(dataDir, 'other-task.pinproof');
    await writeFile(files.honest, fx.honest);
    await writeFile(files.tampered, fx.tampered);
    await writeFile(files.other, fx.otherTask);
  });
  after(async () => {
    await backend?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the compare methods', () => {
    for (const m of ['compare.summary', 'compare.step', 'compare.dispute'])
      assert.ok(backend.methods.includes(m), m);
  });

  it('summary: the first diverging step is the tampered step; both curves as recorded', async () => {
    const s = await call<CompareSummary>('compare.summary', { a: files.honest, b: files.tampered });
    const ra = readBundle(fx.honest, 'honest').manifest.steps;
    const rb = readBundle(fx.tampered, 'tampered').manifest.steps;
    assert.equal(s.basis, 'record');
    assert.equal(s.steps, fx.steps);
    assert.equal(s.firstDivergingStep, fx.tamperStep);
    // Oracle: records before the tampered step are equal field by field, the tampered one is not.
    for (let i = 0; i < fx.tamperStep; i++) assert.equal(canonicalJson(ra[i]), canonicalJson(rb[i]));
    assert.notEqual(canonicalJson(ra[fx.tamperStep]), canonicalJson(rb[fx.tamperStep]));
    assert.equal(s.divergingSteps, ra.filter((r, i) => canonicalJson(r) !== canonicalJson(rb[i])).length);
    assert.deepEqual(
      s.a.losses,
      ra.map((r) => r.loss),
    );
    assert.deepEqual(
      s.b.losses,
      rb.map((r) => r.loss),
    );
    assert.equal(s.a.name, 'honest.pinproof');
    assert.equal(s.b.name, 'tampered.pinproof');
    // The committed metrics, series by series, as each bundle stores them.
    for (const [side, file] of [
      [s.a, fx.honest],
      [s.b, fx.tampered],
    ] as const) {
      const rows = readBundle(file, 'x').stepMetrics() ?? [];
      assert.ok(rows.length === fx.steps, 'the fixture commits step metrics');
      for (const k of ['lr', 'gradNorm', 'updateNorm', 'weightNorm'] as const)
        assert.deepEqual(
          side.metrics[k],
          rows.map((r) => r[k]),
          k,
        );
      if (rows.every((r) => r.accuracy !== null))
        assert.deepEqual(
          side.metrics.accuracy,
          rows.map((r) => r.accuracy),
        );
      else assert.equal(side.metrics.accuracy, undefined);
    }
    // The nudged op moves the tampered run's gradient norm from the tampered step on, never before.
    const ga = s.a.metrics.gradNorm ?? [];
    const gb = s.b.metrics.gradNorm ?? [];
    assert.deepEqual(ga.slice(0, fx.tamperStep), gb.slice(0, fx.tamperStep));
    // A proof against itself: nothing diverges.
    const same = await call<CompareSummary>('compare.summary', { a: files.honest, b: files.honest });
    assert.equal(same.firstDivergingStep, null);
    assert.equal(same.divergingSteps, 0);
  });

  it('step: ops classified ✓/✗/◆ against the recorded op digests; ◆ is the tampered op', async () => {
    const oa = readBundle(fx.honest, 'honest');
    const ob = readBundle(fx.tampered, 'tampered');
    for (const step of [fx.tamperStep - 1, fx.tamperStep]) {
      const r = await call<CompareStepResult>('compare.step', { a: files.honest, b: files.tampered, step });
      const da = oa.opDigests(step) ?? [];
      const db = ob.opDigests(step) ?? [];
      assert.equal(r.marks.length, da.length);
      // Oracle: the digests the two solvers recorded in their bundles.
      const differs = da.map((d, i) => d !== db[i]);
      const firstRecorded = differs.indexOf(true);
      assert.deepEqual(
        r.marks.map((m) => m !== 'agree'),
        differs,
      );
      assert.equal(r.first, firstRecorded === -1 ? null : firstRecorded);
      assert.equal(r.marks.filter((m) => m === 'culprit').length, firstRecorded === -1 ? 0 : 1);
      assert.equal(r.agree + r.disagree, da.length);
      if (step < fx.tamperStep) assert.equal(r.first, null);
      else {
        assert.equal(r.first, fx.tamperOp);
        assert.equal(r.marks[fx.tamperOp], 'culprit');
        // Where a dispute lands: every input of ◆ agrees.
        for (const i of r.a.nodes[fx.tamperOp].inputs) assert.equal(r.marks[i], 'agree');
      }
    }
  });

  it('a proof of another task: a clear error naming both files and the difference', async () => {
    for (const method of ['compare.summary', 'compare.step', 'compare.dispute']) {
      const r = await backend.call(method, { a: files.honest, b: files.other, step: 0 });
      assert.equal(r.ok, false, method);
      if (r.ok) continue;
      assert.equal(r.error.code, 'task-mismatch');
      assert.match(
        r.error.message,
        /honest\.pinproof and other-task\.pinproof are proofs of different tasks/,
      );
      assert.match(r.error.message, /"iris-mlp-compare-test".*"iris-mlp-other-task"/);
      assert.match(r.error.message, /differ in name, steps/);
      assert.equal(r.error.file, files.other);
    }
    // Not a bundle at all / outside the allowed folders: refused with the file named.
    const bad = join(dataDir, 'notes.pinproof');
    await writeFile(bad, 'not a bundle');
    const r = await backend.call('compare.summary', { a: files.honest, b: bad });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /notes\.pinproof is not a valid proof bundle/);
    const out = await backend.call('compare.summary', { a: files.honest, b: '/etc/passwd' });
    assert.equal(out.ok, false);
  });

  it('dispute: pinpoints the tampered op; listed and loaded by the Dispute view', async () => {
    const d = await call<DisputeReplay>('compare.dispute', { a: files.honest, b: files.tampered });
    const v = d.transcript.verdict;
    assert.equal(v.outcome, 'solver-wins');
    assert.equal(v.loser, 'challenger');
    assert.equal(v.step, fx.tamperStep);
    assert.equal(v.op, fx.tamperOp);
    assert.equal(d.proofPath, files.honest);
    assert.equal(d.graph?.length, readBundle(fx.honest, 'honest').opDigests(fx.tamperStep)?.length);
    // The tampered proof as the solver loses against the honest challenger.
    const flip = await call<DisputeReplay>('compare.dispute', { a: files.tampered, b: files.honest });
    assert.equal(flip.transcript.verdict.loser, 'solver');
    assert.equal(flip.transcript.verdict.op, fx.tamperOp);
    const loaded = await call<DisputeReplay>('dispute.load', { id: d.id });
    assert.equal(canonicalJson(loaded.transcript), canonicalJson(d.transcript));
  });
});

describe('classifyOps', () => {
  it('marks ✓ equal digests, ◆ the first differing op and ✗ the later ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('add', 'mul'), fc.boolean()), { maxLength: 40 }),
        (ops) => {
          const a = ops.map(([op], i) => ({ op, digest: `d${i}` }));
          const b = ops.map(([op, same], i) => ({ op, digest: same ? `d${i}` : `x${i}` }));
          const r = classifyOps(a, b);
          const firstBad = ops.findIndex(([, same]) => !same);
          assert.equal(r.first, firstBad === -1 ? null : firstBad);
          for (const [i, [, same]] of ops.entries())
            assert.equal(r.marks[i], same ? 'agree' : i === firstBad ? 'culprit' : 'disagree');
          assert.equal(r.disagree, ops.filter(([, s]) => !s).length);
        },
      ),
    );
  });
  it('refuses two different graphs', () => {
    assert.throws(() => classifyOps([{ op: 'add', digest: 'a' }], []), /1 ops vs 0 ops/);
    assert.throws(
      () => classifyOps([{ op: 'add', digest: 'a' }], [{ op: 'mul', digest: 'a' }]),
      /op #0: add vs mul/,
    );
  });
});
