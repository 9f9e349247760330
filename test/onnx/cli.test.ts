import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/pinpoint.js', 'model', ...args], { encoding: 'utf8' });

describe('pinpoint model', () => {
  it('inspect lists operators and importability; check passes the cross-check', () => {
    const r = cli('inspect', 'test/fixtures/onnx/cnn.onnx', '--json');
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    // conv bias is recorded as reshape + add by RepOps, and exported as such
    assert.deepEqual(s.opCounts, { Conv: 1, Reshape: 2, Add: 1, Relu: 1, MaxPool: 1, Gemm: 1 });
    assert.equal(s.importable, true);
    const c = cli('check', 'test/fixtures/onnx/mlp.onnx', '--json');
    assert.equal(c.status, 0, c.stderr);
    assert.equal(JSON.parse(c.stdout).withinTolerance, true);
  });

  it('rejects a truncated file with a message naming it, and exit code 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinpoint-onnx-'));
    const bad = join(dir, 'cut.onnx');
    writeFileSync(bad, readFileSync('test/fixtures/onnx/mlp.onnx').subarray(0, 200));
    const r = cli('inspect', bad);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cut\.onnx: not a valid ONNX protobuf/);
  });

  it('task embeds the model in a valid training task', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinpoint-onnx-'));
    const out = join(dir, 'task.json');
    const r = cli('task', 'test/fixtures/onnx/mlp.onnx', '--dataset', 'iris', '--out', out, '--steps', '10');
    assert.equal(r.status, 0, r.stderr);
    const task = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(task.model.kind, 'onnx');
    assert.deepEqual(Buffer.from(task.model.onnx, 'base64'), readFileSync('test/fixtures/onnx/mlp.onnx'));
    const wrong = cli(
      'task',
      'test/fixtures/onnx/cnn.onnx',
      '--dataset',
      'iris',
      '--out',
      join(dir, 'x.json'),
    );
    assert.equal(
      wrong.status,
      0,
      'task creation only validates the task; the shape check happens at train time',
    );
    const train = spawnSync(
      process.execPath,
      ['bin/pinpoint.js', 'train', join(dir, 'x.json'), '--out', join(dir, 'x.pinproof')],
      { encoding: 'utf8' },
    );
    assert.notEqual(train.status, 0);
    assert.match(train.stderr, /per-example shape|input/);
  });
});
