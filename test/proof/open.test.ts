import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { checkOpOpening, checkStepOpening, openOp, openStep } from '../../core/proof/open.ts';
import { readBundle } from '../../core/proof/read.ts';
import { KEY, smallRun } from './helpers.ts';

test('step and op openings verify against the commitments and fail when altered', () => {
  const b = readBundle(bundleFromRun(smallRun('trace', undefined, 20, 5), KEY), 'o');
  const root = b.manifest.runCommitment;
  for (const t of [0, 7, 19]) {
    const s = openStep(b, t);
    assert.ok(checkStepOpening(s, root));
    // RFC 6962 shape: 20 leaves = a 16-leaf left subtree (4 levels) + a 4-leaf right subtree (2 levels)
    assert.equal(s.proof.siblings.length, t < 16 ? 5 : 3);
    assert.ok(!checkStepOpening({ ...s, record: { ...s.record, loss: s.record.loss + 1 } }, root));
    assert.ok(!checkStepOpening(openStep(b, (t + 1) % 20), openStep(b, t).digest));
    const opRoot = s.record.opRoot as string;
    for (const i of [0, 20, (s.record.opCount as number) - 1]) {
      const o = openOp(b, t, i);
      assert.ok(checkOpOpening(o, opRoot));
      assert.ok(!checkOpOpening({ ...o, digest: openOp(b, t, (i + 1) % 10).digest }, opRoot));
      assert.ok(!checkOpOpening(o, openStep(b, (t + 1) % 20).record.opRoot as string));
    }
  }
  assert.throws(() => openStep(b, 20), /o: step 20: no such step/);
  assert.throws(() => openOp(b, 3, 9999), /no op 9999/);
  const f = readBundle(bundleFromRun(smallRun('fast', undefined, 6, 3), KEY), 'f');
  assert.throws(() => openOp(f, 1, 0), /fast-mode bundle: no op digests/);
});
