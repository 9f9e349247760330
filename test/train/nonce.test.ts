/**
 * Task nonce: an optional per-instance `$.nonce` mixed into the run seed (core/train/seed.ts).
 * Absent → byte-identical to the code before nonces existed; present → a distinct run per nonce whose
 * proof does not verify as a proof of another instance.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { digestBytes } from '../../core/hash/digest.ts';
import { mlpFixture } from '../../core/onnx/fixtures.ts';
import { encodeBase64 } from '../../core/onnx/train-model.ts';
import { writeOnnx } from '../../core/onnx/write.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { ProofError } from '../../core/proof/format.ts';
import { readBundle } from '../../core/proof/read.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { ensureModelKind } from '../../core/train/models.ts';
import { batchDigest, permutation } from '../../core/train/order.ts';
import { runCommitment } from '../../core/train/record.ts';
import { runSeed } from '../../core/train/seed.ts';
import { stateDigest } from '../../core/train/state.ts';
import { parseTask, TaskError, type TaskSpec, taskDigest, withNonce } from '../../core/train/task.ts';
import { initialState, prepareTask, type TrainResult, train } from '../../core/train/train.ts';
import { verifyBundle } from '../../core/verify/verify.ts';
import { bundledTask } from './helpers.ts';
import { pinpoint } from './run-cli.ts';

const NONCE_A = 'a1'.repeat(32);
const NONCE_B = '5b'.repeat(32);
const key = keyFromSeed('nonce-ref');
const small = (name: string, extra: Record<string, unknown> = {}): TaskSpec =>
  bundledTask(name, { steps: 3, checkpointEvery: 2, ...extra });
const onnxRaw = () => ({
  format: 'pinpoint.task/1',
  name: 'iris-onnx',
  repops: 'repops-1.0.0',
  seed: 1,
  dataset: { id: 'iris' },
  model: { kind: 'onnx', onnx: encodeBase64(writeOnnx(mlpFixture())) },
  optimizer: { kind: 'adam', lr: 0.02 },
  steps: 3,
  batchSize: 25,
  checkpointEvery: 2,
});

test('$.nonce: kept when valid, absent stays absent, bad values name the file and the JSON path', () => {
  const raw = JSON.parse(readFileSync('tasks/iris-mlp.json', 'utf8'));
  assert.equal('nonce' in parseTask(raw, 'iris.json'), false);
  assert.equal(parseTask({ ...raw, nonce: NONCE_A }, 'iris.json').nonce, NONCE_A);
  for (const bad of [NONCE_A.toUpperCase(), NONCE_A.slice(1), `${NONCE_A}00`, 42, null, '']) {
    assert.throws(
      () => parseTask({ ...raw, nonce: bad }, 'iris.json'),
      (e: unknown) =>
        e instanceof TaskError &&
        e.file === 'iris.json' &&
        e.path === '$.nonce' &&
        /expected 64 lowercase hex characters/.test(e.message),
      String(bad),
    );
  }
  // withNonce sets, replaces and removes, re-validating.
  const t = parseTask(raw, 'iris.json');
  assert.equal(withNonce(t, NONCE_B).nonce, NONCE_B);
  assert.equal('nonce' in withNonce(withNonce(t, NONCE_B), undefined), false);
  assert.throws(() => withNonce(t, 'xyz', 'cli'), /cli: \$\.nonce: expected 64 lowercase hex/);
});

/*
 * Expected values generated with the code BEFORE the nonce change (commit 5604f76, checked out with
 * `git archive HEAD` into a scratch directory and run with the same script: each bundled task shrunk to
 * 3 steps / checkpointEvery 2, fast mode, key seed "nonce-ref"; bundle = digestBytes("ref", bytes)).
 * They fail if a nonce-free task's digest, run or bundle bytes change in any way.
 */
const PRE_NONCE: Record<string, { task: string; commitment: string; bundle: string }> = {
  'spirals-mlp': {
    task: '8f5e037070861bb4ed0b10a23114dc7b768eeaf89effc42792bd57f17a6fe9a9',
    commitment: 'de08c4241bfdfc38200825b968edae8bd3bb227016562b27f255fe58af2cbd17',
    bundle: 'cb794d6ab8f6d4ecfa88d6d3749bcd5109f9d2ddaf3384419ce63150a9225070',
  },
  'blobs-mlp': {
    task: '4e5755ecc20751af3d4a3764eceba8e541d1e402628dcfb9c681a0340b29ce74',
    commitment: '920cd407213fd00b8554fc5ba6eaff0648f25469ae85e28a0957a66595ab7391',
    bundle: '589327a7f5e4981b9a04dd302574e39e8cddeb73819e2d8d708262a93e2326cd',
  },
  'iris-mlp': {
    task: '3a3f1298bf59435ce95831ffeee41583588cbba38ced4fd1768a6867f92e722c',
    commitment: '80ebdda32a265a8e1b8323b22fc1ff93bade230a33c21b78b4dad5815e293f8e',
    bundle: 'f2a0d611c86cae7506e6ff41d71d9cff181199e68cfd0ee94cdc47d43d3de142',
  },
  'digits-cnn': {
    task: '160ea1c4e56fbfabe2cd6e98d26b3dbc0d03bb2cc0de166ecd7a4a77564e0058',
    commitment: '731cf273115b1a6bbf8c1a1422bbb9819dce5d03e8b45e315fda142238692196',
    bundle: '606c03d898e0de2691b46f7d74b1452f946a7f08b4158c4a1be6111545513f5f',
  },
  'chars-transformer': {
    task: '30ad170f5d9460305fe6c31466983d862c24a84fe5c856e98d636f202f3901c1',
    commitment: '89fc84ea223fd48f6b573c163b657f20da74eced316b4906d5fe91c098d126f3',
    bundle: 'efc0fa6c072c01632ba30f94ba747f261af905e228be30535419980c08db3529',
  },
  'iris-onnx': {
    task: 'e15540705b9d8b86b84d6333924f6becea4dda8430cbacf1c9e57009ef16b5e4',
    commitment: '4d63371f5665178f2c6d5f28e5a8a8c27f7be85c3cc38202c0f0ce00d5880ef7',
    bundle: '77e9c4b1cb94245c45248e4318560d607bc843e5c7bac18156ff95618d1ace16',
  },
};

test('no nonce: task digest, run commitment and bundle bytes equal the pre-nonce code (all 6 model kinds/tasks)', async () => {
  await ensureModelKind('onnx');
  for (const [name, want] of Object.entries(PRE_NONCE)) {
    const task = name === 'iris-onnx' ? parseTask(onnxRaw(), name) : small(name);
    assert.equal(runSeed(task), task.seed, name);
    const run = train(prepareTask(task), { mode: 'fast' });
    const got = {
      task: taskDigest(task),
      commitment: runCommitment(run.records),
      // The pre-nonce code had no step-metrics section; the writer without one must give its bytes.
      bundle: digestBytes(
        'ref',
        bundleFromRun({ ...run, stepMetrics: undefined } as unknown as TrainResult, key),
      ),
    };
    assert.deepEqual(got, want, name);
  }
});

test('runSeed: a 64-bit key per (seed, nonce), never the plain seed', () => {
  const seeds = new Set<string>();
  for (const seed of [0, 1, 7])
    for (const nonce of [NONCE_A, NONCE_B, '00'.repeat(32)]) {
      const s = runSeed({ seed, nonce });
      assert.ok(Array.isArray(s) && s.length === 2, 'a [lo, hi] Philox key');
      assert.ok(s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff));
      seeds.add(JSON.stringify(s));
    }
  assert.equal(seeds.size, 9, 'distinct keys');
  assert.deepEqual(runSeed({ seed: 3, nonce: NONCE_A }), runSeed({ seed: 3, nonce: NONCE_A }));
});

test('different nonces → different data order, initial state and run commitment; same nonce → identical bundles', () => {
  const plain = small('iris-mlp');
  const a = withNonce(plain, NONCE_A);
  const b = withNonce(plain, NONCE_B);
  const ctx = { plain: prepareTask(plain), a: prepareTask(a), b: prepareTask(b) };
  // The data belongs to the task: same dataset digest under every nonce.
  assert.equal(ctx.a.task.dataset.digest, ctx.plain.task.dataset.digest);
  assert.equal(ctx.b.task.dataset.digest, ctx.plain.task.dataset.digest);
  // Data order and initialisation belong to the instance.
  const n = ctx.plain.dataset.count;
  const perms = [plain, a, b].map((t) => permutation(runSeed(t), n, 0).join());
  assert.equal(new Set(perms).size, 3, 'three different epoch-0 permutations');
  for (const x of [ctx.plain, ctx.a, ctx.b])
    assert.deepEqual([...x.order.batch(0)].sort(), [...x.order.batch(0)].sort());
  const batches = [ctx.plain, ctx.a, ctx.b].map((c) => batchDigest(c.order.batch(0)));
  assert.equal(new Set(batches).size, 3, 'three different step-0 batches');
  const inits = [ctx.plain, ctx.a, ctx.b].map((c) => stateDigest(initialState(c), 'sha256'));
  assert.equal(new Set(inits).size, 3, 'three different initial states');

  const runA = train(ctx.a, { mode: 'fast' });
  const runB = train(ctx.b, { mode: 'fast' });
  const runA2 = train(prepareTask(withNonce(plain, NONCE_A)), { mode: 'fast' });
  assert.notEqual(runCommitment(runA.records), runCommitment(runB.records));
  assert.notEqual(runCommitment(runA.records), PRE_NONCE['iris-mlp'].commitment);
  const bytesA = bundleFromRun(runA, key);
  const bytesA2 = bundleFromRun(runA2, key);
  assert.equal(Buffer.compare(bytesA, bytesA2), 0, 'same nonce → byte-identical bundles');
  // The manifest commits to the nonce through the task digest.
  const m = readBundle(bytesA, 'a.pinproof').manifest;
  assert.equal(m.task.nonce, NONCE_A);
  assert.equal(m.taskDigest, taskDigest(ctx.a.task));
  assert.equal(verifyBundle(readBundle(bytesA, 'a.pinproof'), { all: true }).ok, true);
});

test('a proof of instance A is not a proof of instance B', async () => {
  await ensureModelKind('onnx');
  // MLP (random init) and ONNX (fixed init from the file: only the data order depends on the nonce).
  for (const plain of [small('iris-mlp'), parseTask(onnxRaw(), 'iris-onnx')]) {
    const a = withNonce(plain, NONCE_A);
    const b = withNonce(plain, NONCE_B);
    const runA = train(prepareTask(a), { mode: 'fast' });
    const bytesA = bundleFromRun(runA, key);

    // Checked against the task file of instance B: refused by the reader, naming both nonces.
    assert.throws(
      () => readBundle(bytesA, 'a.pinproof', { expectTask: b }),
      (e: unknown) =>
        e instanceof ProofError &&
        /manifest \$\.taskDigest/.test(e.message) &&
        /task digest mismatch/.test(e.message) &&
        /different task instance \(nonce a1a1a1a1a1a1a1a1…, expected 5b5b5b5b5b5b5b5b…\)/.test(e.message),
    );
    assert.throws(() => readBundle(bytesA, 'a.pinproof', { expectTask: plain }), /nonce a1a1.*expected none/);
    // …and accepted against instance A's own task file (no dataset digest in it).
    assert.equal(readBundle(bytesA, 'a.pinproof', { expectTask: a }).manifest.task.nonce, NONCE_A);

    // A copier relabels A's run as B's (new task, re-signed with their own key): well formed, but the
    // verifier's replay under B's seed rejects it at step 0.
    const relabelled = bundleFromRun({ ...runA, task: prepareTask(b).task }, keyFromSeed('copier'));
    const loaded = readBundle(relabelled, 'copy.pinproof', { expectTask: b });
    const report = verifyBundle(loaded, { samples: 2 });
    assert.equal(report.ok, false, plain.name);
    assert.equal(report.failures[0].step, 0);
    assert.ok(
      ['stateBefore', 'batchDigest'].includes(report.failures[0].field),
      JSON.stringify(report.failures),
    );
  }
});

test('pinpoint train --nonce: sets/overrides the nonce, "random" prints it, bad values exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-nonce-'));
  const taskFile = join(dir, 'iris.json');
  const raw = JSON.parse(readFileSync('tasks/iris-mlp.json', 'utf8'));
  writeFileSync(taskFile, JSON.stringify({ ...raw, steps: 4, checkpointEvery: 2, nonce: NONCE_B }));
  const q = ['--quiet', '--key-seed', 'cli'];

  const a = await pinpoint([
    'train',
    taskFile,
    '--out',
    join(dir, 'a.pinproof'),
    '--nonce',
    NONCE_A.toUpperCase(),
    ...q,
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, new RegExp(`nonce {7}${NONCE_A}`));
  assert.equal(
    readBundle(readFileSync(join(dir, 'a.pinproof'))).manifest.task.nonce,
    NONCE_A,
    'flag overrides the file',
  );

  const b = await pinpoint(['train', taskFile, '--out', join(dir, 'b.pinproof'), ...q]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(
    readBundle(readFileSync(join(dir, 'b.pinproof'))).manifest.task.nonce,
    NONCE_B,
    'from the file',
  );

  const r = await pinpoint(['train', taskFile, '--out', join(dir, 'r.pinproof'), '--nonce', 'random', ...q]);
  assert.equal(r.code, 0, r.stderr);
  const printed = /nonce ([0-9a-f]{64}) \(random\)/.exec(r.stderr)?.[1];
  assert.ok(printed, r.stderr);
  const mr = readBundle(readFileSync(join(dir, 'r.pinproof'))).manifest;
  assert.equal(mr.task.nonce, printed);
  assert.notEqual(printed, NONCE_A);
  assert.notEqual(printed, NONCE_B);

  const bad = await pinpoint(['train', taskFile, '--out', join(dir, 'x.pinproof'), '--nonce', 'abc', ...q]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /--nonce must be 64 hex characters \(32 bytes\) or "random", got "abc" \(3 characters\)/,
  );

  // Each verifies on its own; a dispute between two instances is refused as different tasks.
  const v = await pinpoint(['verify', join(dir, 'a.pinproof'), '--quiet', '--samples', '2']);
  assert.equal(v.code, 0, v.stdout);
  assert.match(v.stdout, /^ACCEPTED/);
  // --task names the instance the proof must be for: the file's nonce is B's.
  const vb = await pinpoint(['verify', join(dir, 'b.pinproof'), '--task', taskFile, '-q', '--samples', '1']);
  assert.equal(vb.code, 0, vb.stdout + vb.stderr);
  const va = await pinpoint(['verify', join(dir, 'a.pinproof'), '--task', taskFile, '-q', '--samples', '1']);
  assert.equal(va.code, 1, va.stdout);
  assert.match(va.stdout, /^REJECTED .*task digest mismatch.*different task instance/);
  const vx = await pinpoint(['verify', join(dir, 'a.pinproof'), '--task', join(dir, 'missing.json')]);
  assert.equal(vx.code, 1);
  assert.match(vx.stderr, /cannot use --task .*missing\.json/);
  const d = await pinpoint(['dispute', join(dir, 'a.pinproof'), join(dir, 'b.pinproof')]);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /are proofs of different tasks/);
});
