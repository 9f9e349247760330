import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { canonicalJson } from '../../core/hash/digest.ts';
import { merkleRoot } from '../../core/hash/merkle.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { ProofError } from '../../core/proof/format.ts';
import { readBundle } from '../../core/proof/read.ts';
import { claimDigest, keyFromSeed, parseKeyFile, verifyClaim } from '../../core/proof/sign.ts';
import { stepDigest } from '../../core/train/record.ts';
import { stateDigest } from '../../core/train/state.ts';
import { stepOpDigests } from '../../core/train/train.ts';
import { pinpoint } from '../train/run-cli.ts';
import { KEY, parts, smallBundle, smallRun, withManifest } from './helpers.ts';

const trace = smallBundle('trace');
const fast = smallBundle('fast');

function rejects(bytes: Uint8Array, re: RegExp, step?: number) {
  assert.throws(
    () => readBundle(bytes, 'b.pinproof'),
    (e: unknown) => {
      assert.ok(e instanceof ProofError, `expected ProofError, got ${String(e)}`);
      assert.match(e.message, re);
      assert.match(e.message, /^b\.pinproof: /);
      if (step !== undefined) assert.equal(e.step, step);
      return true;
    },
  );
}

test('honest bundles load; loaded checkpoints and op digests match the run', () => {
  const run = smallRun('trace');
  const b = readBundle(trace, 'b.pinproof');
  assert.equal(b.manifest.runCommitment, merkleRoot(run.records.map(stepDigest)));
  assert.deepEqual(b.checkpointSteps, [0, 10, 20, 30]);
  for (const c of run.checkpoints)
    assert.equal(
      stateDigest(b.checkpoint(c.step), 'sha256'),
      stateDigest({ layout: run.layout, tensors: c.tensors }, 'sha256'),
    );
  assert.deepEqual(b.opDigests(17), stepOpDigests(run, 17));
  assert.equal(b.manifest.steps[29].opRoot, merkleRoot(b.opDigests(29) ?? []));
  const f = readBundle(fast, 'f');
  assert.equal(f.opDigests(3), null);
  assert.equal(
    f.manifest.runCommitment === b.manifest.runCommitment,
    false,
    'trace records also commit to op roots',
  );
  assert.throws(() => b.checkpoint(5), /no full checkpoint at step 5/);
});

test('signatures: deterministic, bound to the whole manifest, keys as input', () => {
  assert.deepEqual(bundleFromRun(smallRun('fast'), KEY), fast, 'same run + same key → same bytes');
  const other = bundleFromRun(smallRun('fast'), keyFromSeed('someone else'));
  assert.notDeepEqual(other, fast);
  const m = readBundle(fast).manifest;
  const { signature, ...unsigned } = m;
  assert.ok(verifyClaim(unsigned, signature, m.solver.publicKey));
  assert.ok(
    !verifyClaim(
      { ...unsigned, metrics: { ...unsigned.metrics, accuracy: 1 } },
      signature,
      m.solver.publicKey,
    ),
  );
  assert.ok(!verifyClaim(unsigned, signature, readBundle(other).manifest.solver.publicKey));
  assert.notEqual(claimDigest(unsigned), m.runCommitment);
  const hex = Buffer.from(KEY.secretKey).toString('hex');
  assert.deepEqual(parseKeyFile(`${hex}\n`).publicKey, KEY.publicKey);
  assert.deepEqual(parseKeyFile(JSON.stringify({ secretKey: hex })).publicKey, KEY.publicKey);
  assert.throws(() => parseKeyFile('abc', 'k.hex'), /k\.hex: expected a 32-byte Ed25519 secret key/);
});

test('header problems: wrong magic, wrong version, truncation', () => {
  rejects(new Uint8Array(5), /header: file is 5 bytes, shorter than the 16-byte header/);
  const magic = trace.slice();
  magic[0] = 0x58;
  rejects(magic, /not a Pinpoint proof bundle/);
  const v3 = trace.slice();
  new DataView(v3.buffer).setUint32(8, 3, true);
  rejects(v3, /unsupported proof format version 3 \(this build reads versions 1, 2; re-create the bundle/);
  const v2 = trace.slice();
  new DataView(v2.buffer).setUint32(8, 2, true);
  rejects(v2, /manifest \$\.version: is 1, the header says 2/);
  rejects(trace.subarray(0, 100), /manifest length \d+ runs past the end/);
  rejects(trace.subarray(0, trace.length - 1), /runs past the end of the file|section/);
  rejects(new Uint8Array([...trace, 0]), /1 unexpected trailing bytes/);
  const { manifest } = parts(trace);
  rejects(
    withManifest(trace, manifest.replace('"version":1', '"version":3')),
    /\$\.version: unsupported version 3/,
  );
  assert.throws(
    () => readBundle(trace, 'r', { repops: 'repops-9.9.9' }),
    /r: manifest \$\.repops: bundle was made with RepOps "repops-1\.0\.0", this build implements "repops-9\.9\.9"/,
  );
});

test('a single altered checkpoint element is named (checkpoint, tensor)', () => {
  const b = readBundle(trace);
  const { payloadStart } = parts(trace);
  const c = b.manifest.checkpoints[2]; // step 20
  const bytes = trace.slice();
  bytes[payloadStart + c.section!.offset + 4 * 100 + 1] ^= 0x10; // element 100 → fc2.weight (fc1 weight + bias hold 64 + 32 values)
  rejects(bytes, /checkpoint 20: tensor 2 "fc2\.weight" does not match its digest/, 20);
});

test('a single altered step record, op digest or manifest field is named', () => {
  const { manifest } = parts(trace);
  const m = JSON.parse(manifest);
  const edit = (f: (m: ReturnType<typeof JSON.parse>) => void) => {
    const copy = JSON.parse(manifest);
    f(copy);
    return withManifest(trace, canonicalJson(copy));
  };
  rejects(
    edit((x) => (x.steps[12].loss = Math.fround(x.steps[12].loss * 0.5))),
    /runCommitment: does not match the Merkle root of the step records/,
  );
  rejects(
    edit((x) => (x.steps[13].stateBefore = x.steps[5].stateBefore)),
    /step 13: field stateBefore does not match step 12 stateAfter/,
    13,
  );
  rejects(
    edit((x) => (x.steps[4].step = 5)),
    /step 4: field step is 5, expected 4/,
    4,
  );
  rejects(
    edit((x) => (x.metrics.accuracy = 1)),
    /\$\.signature: Ed25519 signature does not verify/,
  );
  rejects(
    edit((x) => (x.task.seed = 8)),
    /\$\.taskDigest: does not match/,
  );
  rejects(
    edit((x) => delete x.steps[3].batchDigest),
    /\$\.steps\[3\]\.batchDigest: missing/,
  );
  rejects(
    edit((x) => (x.steps[3].loss = 'low')),
    /\$\.steps\[3\]\.loss: expected a binary32 number/,
  );
  rejects(withManifest(trace, JSON.stringify(m, null, 1)), /not in canonical form/);
  // an op digest inside the payload
  const b = readBundle(trace);
  const { payloadStart } = parts(trace);
  const per = b.manifest.steps[0].opCount as number;
  const bytes = trace.slice();
  bytes[payloadStart + (b.manifest.opDigests?.offset ?? 0) + 32 * (per * 21 + 7)] ^= 1;
  rejects(bytes, /step 21: op digests do not match field opRoot/, 21);
});

test('two separate processes training the same task write byte-identical bundles', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-train-'));
  const task = join(dir, 'task.json');
  const raw = JSON.parse(readFileSync('tasks/spirals-mlp.json', 'utf8'));
  writeFileSync(task, JSON.stringify({ ...raw, steps: 60, checkpointEvery: 20 }));
  const args = (out: string) => [
    'train',
    task,
    '--out',
    out,
    '--mode',
    'trace',
    '--key-seed',
    'two-process',
    '--quiet',
  ];
  // Process 1: a child running the real binary; process 2: this test process (one spawn, not two).
  const a = join(dir, 'a.pinproof');
  const b2 = join(dir, 'b.pinproof');
  execFileSync(process.execPath, ['bin/pinpoint.js', ...args(a)], { stdio: 'pipe' });
  const here = await pinpoint(args(b2));
  assert.equal(here.code, 0, here.stderr);
  const outs = [readFileSync(a), readFileSync(b2)];
  assert.ok(outs[0].length > 50_000);
  assert.ok(Buffer.compare(outs[0], outs[1]) === 0, 'bundles differ');
  const b = readBundle(new Uint8Array(outs[0]));
  assert.equal(b.manifest.task.steps, 60);
  assert.equal(
    b.manifest.solver.publicKey,
    Buffer.from(keyFromSeed('two-process').publicKey).toString('hex'),
  );
});
