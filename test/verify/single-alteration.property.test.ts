/**
 * Property: any single altered checkpoint element, step record field or op digest — whether left
 * as is (the loader names it) or made consistent and re-signed by a forger (only replay can tell) — is
 * rejected, and the rejection names the step where the claim stops matching the computation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { packDigests } from '../../core/hash/hex.ts';
import { merkleRoot } from '../../core/hash/merkle.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { ProofError } from '../../core/proof/format.ts';
import { readBundle } from '../../core/proof/read.ts';
import { stateDigest } from '../../core/train/state.ts';
import { stepOpDigests, type TrainResult } from '../../core/train/train.ts';
import { verifyBundle } from '../../core/verify/verify.ts';
import { KEY, parts, smallRun } from '../proof/helpers.ts';

const T = 12;
const honest = smallRun('trace', undefined, T, 4);
const honestBytes = bundleFromRun(honest, KEY);
type Mutable = { -readonly [K in keyof TrainResult]: TrainResult[K] };
const clone = () => structuredClone(honest) as Mutable;
const firstFailure = (run: TrainResult) =>
  verifyBundle(readBundle(bundleFromRun(run, KEY), 'p'), { all: true }).failures[0];

test('altered checkpoint element: named by the loader; a consistent forgery fails at the step before it', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3 }), fc.nat(1250), (ci, el) => {
      const c = honest.checkpoints[ci];
      // the raw edit
      const b = readBundle(honestBytes);
      const bytes = honestBytes.slice();
      const at = parts(honestBytes).payloadStart + b.manifest.checkpoints[ci].section!.offset + 4 * el;
      bytes[at + 2] ^= 0x01;
      assert.throws(
        () => readBundle(bytes, 'x'),
        (e) =>
          e instanceof ProofError &&
          e.step === c.step &&
          /x: checkpoint \d+: tensor \d+ ".*" does not match its digest/.test(e.message),
      );
      // the forger keeps the chain consistent and re-signs
      const run = clone();
      let k = el;
      let ti = 0;
      while (k >= run.checkpoints[ci].tensors[ti].data.length)
        k -= run.checkpoints[ci].tensors[ti++].data.length;
      run.checkpoints[ci].tensors[ti].data[k] += 1;
      const d = stateDigest({ layout: run.layout, tensors: run.checkpoints[ci].tensors }, 'sha256');
      const s = c.step;
      if (s < T) run.records[s] = { ...run.records[s], stateBefore: d };
      if (s > 0) run.records[s - 1] = { ...run.records[s - 1], stateAfter: d };
      const f = firstFailure(run);
      assert.ok(f, 'forgery accepted');
      assert.equal(f.step, Math.max(0, s - 1));
      assert.equal(f.field, s === 0 ? 'stateBefore' : 'stateAfter');
    }),
    { numRuns: 16 },
  );
});

test('altered step record or op digest: a consistent forgery fails at that step', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: T - 1 }),
      fc.constantFrom('loss', 'batchDigest', 'op'),
      fc.nat(200),
      (t, field, i) => {
        const run = clone();
        const r = run.records[t];
        if (field === 'loss') run.records[t] = { ...r, loss: Math.fround(r.loss + 0.5) };
        if (field === 'batchDigest')
          run.records[t] = { ...r, batchDigest: run.records[(t + 1) % T].batchDigest };
        const ops = stepOpDigests(run, t) ?? [];
        const oi = i % ops.length;
        if (field === 'op') {
          ops[oi] = ops[oi] === '0'.repeat(64) ? '1'.repeat(64) : '0'.repeat(64);
          (run.opDigests ?? [])[t] = packDigests(ops);
          run.records[t] = { ...r, opRoot: merkleRoot(ops) };
        }
        const f = firstFailure(run);
        assert.ok(f, 'forgery accepted');
        assert.equal(f.step, t);
        assert.equal(f.field, field === 'op' ? 'opDigest' : field);
        if (field === 'op') assert.equal(f.op?.index, oi);
      },
    ),
    { numRuns: 24 },
  );
});
