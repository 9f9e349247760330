/**
 * Format v2, sparse checkpoints (task.fullCheckpointEvery): commitments everywhere, full states only at
 * multiples of fullCheckpointEvery, step 0 derived from the task, the final parameters kept. Oracles: the
 * run's own states and a v1 bundle of the same run (size difference = exactly the dropped tensors).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disputeBundles, loadForDispute } from '../../core/dispute/bundles.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { readBundle } from '../../core/proof/read.ts';
import { stateDigest } from '../../core/train/state.ts';
import { initialState, perturbNode, prepareTask, train } from '../../core/train/train.ts';
import { verifyBundle } from '../../core/verify/verify.ts';
import { bundledTask } from '../train/helpers.ts';
import { KEY, parts, withManifest } from './helpers.ts';

const sparseTask = bundledTask('spirals-mlp', { steps: 40, checkpointEvery: 5, fullCheckpointEvery: 20 });
const ctx = prepareTask(sparseTask);
const run = train(ctx, { mode: 'trace' });
const bytes = bundleFromRun(run, KEY);

test('v2 keeps commitments everywhere and data only where the policy says', () => {
  const b = readBundle(bytes, 'sparse.pinproof');
  assert.equal(b.manifest.version, 2);
  assert.deepEqual(
    b.manifest.checkpoints.map((c) => [c.step, c.stored, c.section !== undefined]),
    [0, 5, 10, 15, 20, 25, 30, 35, 40].map((s) => [
      s,
      s === 0 ? 'none' : s === 40 ? 'params' : s === 20 ? 'full' : 'none',
      s === 20 || s === 40,
    ]),
  );
  assert.deepEqual(b.checkpointSteps, [0, 20]);
  assert.equal(stateDigest(b.checkpoint(0), 'sha256'), stateDigest(initialState(ctx), 'sha256'));
  const at20 = run.checkpoints.find((c) => c.step === 20)!;
  assert.equal(
    stateDigest(b.checkpoint(20), 'sha256'),
    stateDigest({ layout: run.layout, tensors: at20.tensors }, 'sha256'),
  );
  const nParams = ctx.model.params.length;
  assert.deepEqual(b.finalParams(), run.finalState.tensors.slice(0, nParams));
  assert.throws(
    () => b.checkpoint(5),
    /sparse\.pinproof: checkpoint 5: no full checkpoint at step 5 \(have 0, 20\)/,
  );
  // Same run as a v1 bundle: the difference is exactly the tensors v2 does not store.
  const v1 = bundleFromRun({ ...run, task: { ...run.task, fullCheckpointEvery: undefined } }, KEY);
  const layoutBytes = run.layout.map((e) => 4 * e.shape.reduce((a, c) => a * c, 1));
  const all = layoutBytes.reduce((a, c) => a + c, 0);
  const params = layoutBytes.slice(0, nParams).reduce((a, c) => a + c, 0);
  const dropped = 7 * all + (all - params);
  const manifestDelta = parts(v1).payloadStart - parts(bytes).payloadStart;
  assert.equal(v1.length - bytes.length, dropped + manifestDelta);
});

test('v2 bundles verify (sampled and full replay) and a cheater is pinpointed in the dispute', async () => {
  const b = readBundle(bytes, 'sparse.pinproof');
  const all = verifyBundle(b, { all: true });
  assert.equal(all.ok, true, JSON.stringify(all.failures));
  assert.equal(all.stepsChecked, 40);
  assert.equal(verifyBundle(b, { samples: 4, topQ: 1 }).ok, true);
  const bad = bundleFromRun(train(ctx, { mode: 'trace', tamper: perturbNode(27, 22, 3, 0.25) }), KEY);
  const badReport = verifyBundle(readBundle(bad, 'bad.pinproof'), { all: true });
  assert.equal(badReport.failures[0]?.step, 27);
  const { verdict } = await disputeBundles(
    loadForDispute({ file: 'bad.pinproof', bytes: bad }),
    loadForDispute({ file: 'sparse.pinproof', bytes }),
  );
  assert.deepEqual([verdict.loser, verdict.step, verdict.op], ['solver', 27, 22]);
});

test('v2 damage is named: a final parameter, a missing section, a policy mismatch', () => {
  const b = readBundle(bytes);
  const final = b.manifest.checkpoints.at(-1)!;
  const broken = bytes.slice();
  broken[parts(bytes).payloadStart + final.section!.offset + 9] ^= 0x04;
  assert.throws(
    () => readBundle(broken, 'x'),
    /x: checkpoint 40: tensor 0 "fc1\.weight" does not match its digest/,
  );
  const { manifest } = parts(bytes);
  const edited = manifest.replace('"step":5,"stored":"none"', '"step":5,"stored":"full"');
  assert.notEqual(edited, manifest);
  const m = new TextEncoder().encode(edited);
  const out = new Uint8Array(16 + m.length + bytes.length - parts(bytes).payloadStart);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, m.length, true);
  out.set(m, 16);
  out.set(bytes.subarray(parts(bytes).payloadStart), 16 + m.length);
  assert.throws(
    () => readBundle(out, 'y'),
    /y: checkpoint 5: stores "full", the task's checkpoint policy says "none"/,
  );
});

test('fullCheckpointEvery must be a multiple of checkpointEvery', () => {
  assert.throws(
    () => bundledTask('spirals-mlp', { checkpointEvery: 5, fullCheckpointEvery: 12 }),
    /\$\.fullCheckpointEvery: 12 is not a multiple of checkpointEvery 5/,
  );
});
