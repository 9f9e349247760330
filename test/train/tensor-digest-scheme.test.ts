/**
 * A task's tensor-digest scheme (TaskSpec.tensorDigest, core/hash/tensor-scheme.ts). The oracle is the
 * BLAKE3 specification (core/hash/blake3.ts, itself checked against the official vectors) applied to the
 * documented bytes, built here by hand. Under "blake3" a run computes exactly the numbers the "sha256" run
 * does; its records commit to BLAKE3 tensor digests of those numbers (state roots and op roots, on the
 * native hashing thread where the addon is built, inline otherwise); and the whole chain — bundle, verify,
 * dispute — works and catches a tampered step at the same op as under SHA-256. The scheme is part of the
 * signed task: a bundle cannot be relabelled.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { disputeBundles, loadForDispute } from '../../core/dispute/bundles.ts';
import { blake3 } from '../../core/hash/blake3.ts';
import { toHex } from '../../core/hash/hex.ts';
import { merkleRoot } from '../../core/hash/merkle.ts';
import { useNodeRuntime } from '../../core/node-runtime.ts';
import { setTensorDigestQueue, tensorDigestQueue } from '../../core/platform/hash.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { ProofError } from '../../core/proof/format.ts';
import { readBundle } from '../../core/proof/read.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import type { Tensor } from '../../core/repops/tensor.ts';
import { runStep } from '../../core/train/step.ts';
import { parseTask, TaskError, taskDigest, tensorDigestScheme } from '../../core/train/task.ts';
import {
  initialState,
  perturbNode,
  prepareTask,
  stepOpDigests,
  type TrainResult,
  train,
} from '../../core/train/train.ts';
import { verifyBundle } from '../../core/verify/verify.ts';
import { documentedTensorBytes } from '../helpers/tensor-bytes.ts';
import { parts, withManifest } from '../proof/helpers.ts';
import { bundledTask } from './helpers.ts';
import { pinpoint } from './run-cli.ts';

useNodeRuntime();

/** The oracle: the specification BLAKE3 of the documented bytes. */
const specBlake3 = (t: Tensor): string => toHex(blake3(documentedTensorBytes(t)));

const spirals = (scheme?: string, over: Record<string, unknown> = {}) =>
  bundledTask('spirals-mlp', {
    steps: 8,
    checkpointEvery: 4,
    ...(scheme ? { tensorDigest: scheme } : {}),
    ...over,
  });

test('task files: tensorDigest is "sha256" or "blake3"; absent means sha256 and leaves the task as it was', () => {
  const plain = spirals();
  assert.equal('tensorDigest' in plain, false, 'not added to tasks that do not name it');
  assert.equal(tensorDigestScheme(plain), 'sha256');
  assert.equal(tensorDigestScheme(spirals('blake3')), 'blake3');
  assert.notEqual(taskDigest(spirals('blake3')), taskDigest(plain), 'the scheme is part of the task digest');
  assert.throws(
    () => parseTask({ ...spirals(), tensorDigest: 'md5' }, 'tasks/x.json'),
    (e: unknown) =>
      e instanceof TaskError &&
      /tasks\/x\.json: \$\.tensorDigest/.test(e.message) &&
      /blake3/.test(e.message),
  );
  assert.equal(
    tensorDigestScheme(bundledTask('nanogpt-char')),
    'blake3',
    'the real-size task hashes with BLAKE3',
  );
});

const runs = new Map<string, TrainResult>();
function run(scheme: string, tamper?: 'tamper'): TrainResult {
  const key = `${scheme} ${tamper ?? ''}`;
  let r = runs.get(key);
  if (!r) {
    const ctx = prepareTask(spirals(scheme));
    r = train(ctx, { mode: 'trace', ...(tamper ? { tamper: perturbNode(5, 40, 0, 0.5) } : {}) });
    runs.set(key, r);
  }
  return r;
}

test('a BLAKE3 run computes the SHA-256 run’s numbers and commits to BLAKE3 digests of them', () => {
  const [a, b] = [run('sha256'), run('blake3')];
  assert.deepEqual(
    b.records.map((r) => r.loss),
    a.records.map((r) => r.loss),
  );
  assert.equal(b.checkpoints.length, a.checkpoints.length);
  b.checkpoints.forEach((c, i) => {
    assert.deepEqual(c.tensors, a.checkpoints[i].tensors, `checkpoint ${c.step}: same state`);
    const root = merkleRoot(c.tensors.map(specBlake3));
    const rec = c.step < b.records.length ? b.records[c.step].stateBefore : b.records[c.step - 1].stateAfter;
    assert.equal(rec, root, `checkpoint ${c.step}: the record commits to the BLAKE3 state root`);
  });
  assert.notEqual(b.records[0].stateBefore, a.records[0].stateBefore, 'different digests of the same state');
  // Every op digest of step 0 is the specification BLAKE3 of the op's output.
  const ctx = prepareTask(spirals('blake3'));
  const kept = runStep(ctx, initialState(ctx), 0, { mode: 'trace', keepTape: true });
  assert.deepEqual(
    stepOpDigests(b, 0),
    (kept.nodes ?? []).map((n) => specBlake3(n.out)),
  );
});

test('BLAKE3 runs commit to the same digests on the hashing thread and inline', () => {
  const queue = tensorDigestQueue();
  setTensorDigestQueue(null);
  try {
    const inline = train(prepareTask(spirals('blake3')), { mode: 'trace' });
    assert.deepEqual(inline.records, run('blake3').records);
    assert.deepEqual(inline.opDigests, run('blake3').opDigests);
  } finally {
    setTensorDigestQueue(queue);
  }
});

test('a BLAKE3 proof verifies, a tampered one is rejected at its step, and a dispute pinpoints the same op as under SHA-256', async () => {
  const key = keyFromSeed('scheme');
  const honest = readBundle(bundleFromRun(run('blake3'), key), 'honest.pinproof');
  assert.equal(verifyBundle(honest).ok, true);
  const cheat = bundleFromRun(run('blake3', 'tamper'), keyFromSeed('cheat'));
  const report = verifyBundle(readBundle(cheat, 'cheat.pinproof'), { samples: 8 });
  assert.equal(report.ok, false);
  assert.equal(report.failures[0]?.step, 5);
  const verdicts = [];
  for (const scheme of ['blake3', 'sha256']) {
    const h = loadForDispute({ file: 'honest.pinproof', bytes: bundleFromRun(run(scheme), key) });
    const c = loadForDispute({ file: 'cheat.pinproof', bytes: bundleFromRun(run(scheme, 'tamper'), key) });
    const { verdict } = await disputeBundles(h, c);
    assert.deepEqual(verdict.losers, ['challenger'], verdict.reason);
    verdicts.push({ step: verdict.step, op: verdict.op, opName: verdict.opName, stage: verdict.stage });
  }
  assert.equal(verdicts[0].step, 5);
  assert.deepEqual(verdicts[0], verdicts[1]);
});

test('a BLAKE3 proof relabelled as SHA-256 (or the reverse) does not load', () => {
  for (const [from, to] of [
    ['blake3', 'sha256'],
    ['sha256', 'blake3'],
  ]) {
    const bytes = bundleFromRun(run(from), keyFromSeed('scheme'));
    const m = JSON.parse(parts(bytes).manifest);
    m.task = { ...m.task, tensorDigest: to };
    assert.throws(
      () => readBundle(withManifest(bytes, JSON.stringify(m)), 'relabelled.pinproof'),
      (e: unknown) => e instanceof ProofError && /relabelled\.pinproof/.test((e as Error).message),
    );
  }
});

test('the CLI trains, verifies and inspects a BLAKE3 task', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-scheme-'));
  try {
    const task = join(dir, 'task.json');
    writeFileSync(task, JSON.stringify(spirals('blake3')));
    const proof = join(dir, 'run.pinproof');
    const trained = await pinpoint(['train', task, '--out', proof, '--mode', 'trace', '--quiet']);
    assert.equal(trained.code, 0, trained.stderr);
    const verified = await pinpoint(['verify', proof, '--quiet', '--json']);
    assert.equal(verified.code, 0, verified.stderr);
    assert.equal(JSON.parse(verified.stdout).ok, true);
    const shown = await pinpoint(['inspect', proof]);
    assert.match(shown.stdout, /commitment {2}[0-9a-f]{64} \(tensor digests BLAKE3\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
