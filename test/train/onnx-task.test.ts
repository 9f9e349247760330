/** An imported ONNX model (core/onnx fixture) as a task model: trains, proves and verifies like any other. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mlpFixture } from '../../core/onnx/fixtures.ts';
import { encodeBase64 } from '../../core/onnx/train-model.ts';
import { writeOnnx } from '../../core/onnx/write.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { readBundle } from '../../core/proof/read.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { ensureModelKind } from '../../core/train/models.ts';
import { parseTask } from '../../core/train/task.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { verifyBundle } from '../../core/verify/verify.ts';
import './helpers.ts';

test('an ONNX model task trains on Iris, and its proof verifies', async () => {
  const onnx = encodeBase64(writeOnnx(mlpFixture()));
  const task = parseTask({
    format: 'pinpoint.task/1',
    name: 'iris-onnx',
    repops: 'repops-1.0.0',
    seed: 1,
    dataset: { id: 'iris' },
    model: { kind: 'onnx', onnx, source: 'core/onnx mlpFixture' },
    optimizer: { kind: 'adam', lr: 0.02 },
    steps: 60,
    batchSize: 25,
    checkpointEvery: 20,
  });
  await ensureModelKind('onnx');
  const run = train(prepareTask(task), { mode: 'trace' });
  assert.ok(
    run.records[59].loss < 0.7 * run.records[0].loss,
    `${run.records[0].loss} → ${run.records[59].loss}`,
  );
  assert.ok(run.metrics.accuracy >= 0.9, `accuracy ${run.metrics.accuracy}`);
  const report = verifyBundle(readBundle(bundleFromRun(run, keyFromSeed('onnx')), 'onnx.pinproof'), {
    samples: 3,
  });
  assert.equal(report.ok, true, JSON.stringify(report.failures));
  assert.throws(
    () => parseTask({ ...task, model: { kind: 'onnx', onnx: 'not base64!' } }, 't.json'),
    /t\.json: \$\.model\.onnx: expected the \.onnx file as base64/,
  );
});
