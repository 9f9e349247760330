import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pinpoint } from '../train/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-cli-'));
/** The real binary in a child process (startup, exit status, stderr progress bar): used once. */
const spawnCli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/pinpoint.js', ...args], { encoding: 'utf8' });
const cli = (...args: string[]) => pinpoint(args);

test('pinpoint train → verify → inspect, and verify rejects a tampered file', async () => {
  const task = join(dir, 'blobs.json');
  const raw = JSON.parse(readFileSync('tasks/blobs-mlp.json', 'utf8'));
  writeFileSync(task, JSON.stringify({ ...raw, steps: 30, checkpointEvery: 10 }));
  const proof = join(dir, 'blobs.pinproof');
  const tr = spawnCli('train', task, '--out', proof, '--mode', 'trace');
  assert.equal(tr.status, 0, tr.stderr);
  assert.match(tr.stdout, /task {8}blobs-mlp \(30 steps, mode trace\)/);
  assert.match(tr.stderr, /public demo key/, 'says when it signs with the demo key');
  assert.match(tr.stderr, /30\/30 100%/, 'progress bar on stderr');

  const v = await cli('verify', proof, '--samples', '4', '--json');
  assert.equal(v.code, 0, v.stdout + v.stderr);
  const report = JSON.parse(v.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.samples.length, 4);
  assert.ok(report.computeFraction > 0 && report.computeFraction <= 1);
  assert.equal(report.detection.length, 4);

  const ins = await cli('inspect', proof, '--step', '12', '--json');
  assert.equal(ins.code, 0, ins.stderr);
  const view = JSON.parse(ins.stdout);
  assert.equal(view.step, 12);
  assert.equal(view.membership.valid, true);
  assert.equal(view.replay.stateAfterMatches, true);
  assert.ok(view.ops.length > 20 && view.ops.every((o: { matches: boolean }) => o.matches));
  const human = await cli('inspect', proof);
  assert.match(human.stdout, /commitment {2}[0-9a-f]{64}/);

  const bytes = readFileSync(proof);
  bytes[bytes.length - 5] ^= 0x40;
  const bad = join(dir, 'bad.pinproof');
  writeFileSync(bad, bytes);
  const r = await cli('verify', bad);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^REJECTED {2}.*bad\.pinproof: (op digests section|step \d+): /);

  const badTask = join(dir, 'typo.json');
  writeFileSync(badTask, JSON.stringify({ ...raw, batchSize: 'big' }));
  const e = await cli('train', badTask, '--out', join(dir, 'x.pinproof'));
  assert.equal(e.code, 1);
  assert.match(e.stderr, /typo\.json: \$\.batchSize: expected an integer in 1\.\./);
});
