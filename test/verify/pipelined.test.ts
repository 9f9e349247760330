/**
 * The verifier replays with the digest worker (step t hashed while t+1 replays; t+1 dropped when t fails).
 * Oracle: the same verification with no worker installed (every digest inline, the tape kept): the whole
 * report — verdict, failures (step, field, first differing op), steps checked, ops and flops replayed —
 * and the progress calls must be identical, for honest and tampered runs in both modes, sampled and full.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTensorDigestQueue, tensorDigestQueue } from '../../core/platform/hash.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { readBundle } from '../../core/proof/read.ts';
import type { Tamper } from '../../core/train/step.ts';
import { perturbNode, perturbState, prepareTask, type TrainResult } from '../../core/train/train.ts';
import { type VerifyOptions, verifyBundle } from '../../core/verify/verify.ts';
import { KEY, smallRun } from '../proof/helpers.ts';
import { bundledTask } from '../train/helpers.ts';

const ctx = prepareTask(bundledTask('spirals-mlp', { steps: 30, checkpointEvery: 10 }));

function both(run: TrainResult, opts: VerifyOptions) {
  const calls: [number, number][] = [];
  const bundle = () => readBundle(bundleFromRun(run, KEY), 'p');
  const onProgress = (d: number, n: number) => calls.push([d, n]);
  assert.ok(tensorDigestQueue(), 'the worker is installed');
  const queued = verifyBundle(bundle(), { ...opts, onProgress });
  const queuedCalls = calls.splice(0);
  setTensorDigestQueue(null);
  try {
    const inline = verifyBundle(bundle(), { ...opts, onProgress });
    return { queued, inline, queuedCalls, inlineCalls: calls };
  } finally {
    useNodeSha256();
  }
}

// [what, tamper, the step it breaks] (−1: honest).
const tampers: [string, Tamper | undefined, number][] = [
  ['honest', undefined, -1],
  ['a weight after step 17', perturbState(ctx, 17, 'fc2.weight', 5, 0.25), 17],
  ['an op output at step 4', perturbNode(4, 20, 0, 0.5), 4],
  ['the first step', perturbState(ctx, 0, 'fc1.bias', 0, 1e-3), 0],
  ['a checkpoint interval end (step 9)', perturbState(ctx, 9, 'fc1.weight', 2, 1e-3), 9],
];

for (const mode of ['trace', 'fast'] as const) {
  test(`${mode}: verifying with the digest worker reports exactly what inline hashing does`, () => {
    let failed = 0;
    for (const [what, tamper, bad] of tampers) {
      const run = smallRun(mode, tamper);
      // Independent of both paths: a full replay fails once, at the tampered step, and checks every step
      // but the rest of that checkpoint interval (later intervals start from their own checkpoints).
      const full = verifyBundle(readBundle(bundleFromRun(run, KEY), 'p'), { all: true });
      assert.deepEqual(
        full.failures.map((f) => f.step),
        bad < 0 ? [] : [bad],
        `${mode}, ${what}: failures`,
      );
      const end = bad < 0 ? bad : Math.ceil((bad + 1) / 10) * 10;
      assert.deepEqual(
        full.checkedSteps,
        Array.from({ length: 30 }, (_, i) => i).filter((i) => !(i > bad && i < end)),
        `${mode}, ${what}: checked steps`,
      );
      for (const opts of [{ all: true }, { samples: 6 }, { samples: 3, topQ: 2 }] as VerifyOptions[]) {
        const r = both(run, opts);
        assert.deepEqual(r.queued, r.inline, `${mode}, ${what}, ${JSON.stringify(opts)}`);
        assert.deepEqual(r.queuedCalls, r.inlineCalls, `${what}: progress`);
        if (!r.queued.ok) failed++;
      }
    }
    // The tampers are caught (the comparison covers failure reports, not only acceptances).
    assert.ok(failed >= 4, `failures seen: ${failed}`);
  });
}
