import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { smallBundle } from '../proof/helpers.ts';
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
  // How the work was spread: native kernels on one thread and digests on another, or the pool's threads.
  assert.match(
    tr.stdout,
    /steps\/s, (micro-batches on \d+ threads, )?(native (avx512|avx2) kernels( on one thread)?, digests on another|\d+ threads?)\)/,
  );
  // More threads than the machine has: clamped, and the note says so.
  const many = spawnCli('train', task, '--out', join(dir, 'many.pinproof'), '--threads', '999', '--quiet');
  assert.equal(many.status, 0, many.stderr);
  assert.match(many.stderr, /note: --threads 999 is more than this machine's \d+ cores; using \d+/);

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
  assert.match(
    r.stdout,
    /^REJECTED {2}.*bad\.pinproof: (op digests section|step metrics section|step \d+): /,
  );

  const badTask = join(dir, 'typo.json');
  writeFileSync(badTask, JSON.stringify({ ...raw, batchSize: 'big' }));
  const e = await cli('train', badTask, '--out', join(dir, 'x.pinproof'));
  assert.equal(e.code, 1);
  assert.match(e.stderr, /typo\.json: \$\.batchSize: expected an integer in 1\.\./);
});

test('bad input: one clear line on stderr and a non-zero exit, never a stack trace', async () => {
  const proof = join(dir, 'ok.pinproof');
  writeFileSync(proof, smallBundle('fast'));
  const trunc = join(dir, 'trunc.pinproof');
  writeFileSync(trunc, readFileSync(proof).subarray(0, 5000));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"format": "pinpoint.task/1", "name": ');
  const missing = join(dir, 'missing.json');
  const cases: [string[], RegExp][] = [
    [['train', missing, '--out', join(dir, 'x.pinproof')], /cannot read .*missing\.json/],
    [['train', broken, '--out', join(dir, 'x.pinproof')], /broken\.json: \$: invalid JSON/],
    [['train', 'tasks/blobs-mlp.json'], /^pinpoint train: missing --out/],
    [
      ['train', 'tasks/blobs-mlp.json', '--out', join(dir, 'no/such/dir/x.pinproof')],
      /directory .* does not exist/,
    ],
    [['train', 'tasks/blobs-mlp.json', '--out', 'x', '--mode', 'slow'], /--mode must be "fast" or "trace"/],
    [
      ['train', 'tasks/blobs-mlp.json', '--out', 'x', '--tamper', '9999'],
      /--tamper "9999": step 9999 is outside/,
    ],
    [['train', 'tasks/blobs-mlp.json', '--bogus'], /Unknown option '--bogus'/],
    [
      ['train', 'tasks/blobs-mlp.json', '--out', join(dir, 'x.pinproof'), '--threads', '0'],
      /--threads must be a positive integer, got "0"/,
    ],
    [
      ['train', 'tasks/blobs-mlp.json', '--out', join(dir, 'x.pinproof'), '--threads', 'two'],
      /--threads must be a positive integer, got "two"/,
    ],
    [['verify'], /^pinpoint verify: missing <proof\.pinproof>/],
    [['verify', missing], /cannot read .*missing\.json/],
    [['verify', proof, '--samples', 'abc'], /--samples must be a non-negative integer/],
    [['verify', proof, '--threads', '0'], /--threads must be a positive integer, got "0"/],
    [['inspect', trunc], /trunc\.pinproof: header: .*truncated/],
    [['inspect', proof, '--step', '999'], /--step must be in 0\.\.29/],
    [['dispute', proof], /^pinpoint dispute: two proof files expected/],
    [
      ['dispute', trunc, trunc],
      /neither bundle is valid, nothing to dispute: .*trunc\.pinproof: header: .*truncated/,
    ],
    [['dispute', proof, proof, '--deadline', 'x'], /--deadline must be a positive integer/],
    [['attack'], /^pinpoint attack: missing <name\|all>/],
    [['attack', 'nope'], /unknown attack "nope"/],
    [['ledger', 'verify', join(dir, 'nope.db')], /no such ledger/],
    [['ledger', 'verify', broken], /not a Pinpoint ledger/],
    [['ledger', 'frob', 'x.db'], /unknown subcommand "frob" \(one of init, /],
    [['ledger', 'snapshot', join(dir, 'nope.db'), 'abc'], /no such ledger|<seq> must be/],
  ];
  for (const [args, want] of cases) {
    const r = await cli(...args);
    const what = `pinpoint ${args.join(' ')}`;
    assert.ok(r.code !== 0, `${what}: exit ${r.code}`);
    // the demo-key note may precede the error of a train that got as far as loading its key
    const lines = r.stderr
      .split('\n')
      .filter((l) => l && !l.startsWith('note: signing with the public demo key'));
    assert.equal(lines.length, 1, `${what}: ${JSON.stringify(r.stderr)}`);
    assert.match(lines[0], want, what);
    assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at /, `${what}: stack trace`);
  }
  // A rejected bundle is a verification outcome: one REJECTED line on stdout, exit 1.
  const v = await cli('verify', trunc);
  assert.equal(v.code, 1);
  assert.match(v.stdout, /^REJECTED {2}.*trunc\.pinproof: header: .*truncated\?\)$/);
  // …and a claim that loses a dispute at setup, whichever side presents it (docs/DISPUTE.md "One rule").
  const d1 = await cli('dispute', proof, trunc);
  assert.equal(d1.code, 0, d1.stderr);
  assert.match(d1.stdout, /challenger .*trunc\.pinproof: bad-bundle — .*header: .*truncated/);
  const d2 = await cli('dispute', trunc, proof);
  assert.equal(d2.code, 3, d2.stderr);
  assert.match(d2.stdout, /solver .*trunc\.pinproof: bad-bundle/);
});
