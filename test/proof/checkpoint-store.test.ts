/**
 * Checkpoint stores (core/proof/checkpoint-store.ts, cli/checkpoint-store.ts): full states beside a sparse
 * bundle, found by the state digest the bundle commits to. Oracles: the run's own states, replay from the
 * bundle's full copies without a store, and a tampered run (a store must never change what verify
 * decides, only how far it replays).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import type { Digest } from '../../core/hash/hex.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import {
  type CheckpointStore,
  CheckpointStoreError,
  encodeStateFile,
  STATE_FILE_MAGIC,
  stateFileName,
} from '../../core/proof/checkpoint-store.ts';
import { checkpointStorage } from '../../core/proof/format.ts';
import { directoryCheckpointStore, writeCheckpointStore } from '../../core/proof/node-checkpoint-store.ts';
import { readBundle } from '../../core/proof/read.ts';
import { stateDigest } from '../../core/train/state.ts';
import { perturbNode, prepareTask, RunReplayer, type TrainResult, train } from '../../core/train/train.ts';
import { verifyBundle } from '../../core/verify/verify.ts';
import { bundledTask } from '../train/helpers.ts';
import { pinpoint } from '../train/run-cli.ts';
import { KEY } from './helpers.ts';

const task = bundledTask('spirals-mlp', { steps: 40, checkpointEvery: 5, fullCheckpointEvery: 20 });
const ctx = prepareTask(task);
const run = train(ctx, { mode: 'trace' });
const bytes = bundleFromRun(run, KEY);
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'pinpoint-store-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The commitment-only checkpoints of a run with their state digests (what train --checkpoint-store writes). */
function commitmentOnly(r: TrainResult) {
  const T = r.task.steps;
  return r.checkpoints
    .filter(
      (c) => c.step > 0 && c.step < T && checkpointStorage(c.step, T, r.task.fullCheckpointEvery) === 'none',
    )
    .map((c) => ({ step: c.step, state: r.records[c.step].stateBefore, tensors: c.tensors }));
}

/** A store in memory holding these files. */
function memoryStore(files: Map<Digest, Uint8Array>): CheckpointStore {
  return {
    name: 'memory',
    has: (s) => files.has(s),
    read: (s) => files.get(s) ?? null,
    fileOf: (s) => `memory/${stateFileName(s)}`,
  };
}

/** XORs `mask` into data byte `at` of the store's file for checkpoint `step` of the bundle in `proofFile`. */
function flipStoredBits(store: string, proofFile: string, step: number, at: number, mask: number): void {
  const state = readBundle(readFileSync(proofFile), proofFile).manifest.steps[step].stateBefore;
  const victim = join(store, stateFileName(state));
  const data = readFileSync(victim);
  data[STATE_FILE_MAGIC.length + at] ^= mask;
  writeFileSync(victim, data);
}

const honestFiles = new Map(commitmentOnly(run).map((c) => [c.state, encodeStateFile(c.tensors)]));

test('a store turns commitment-only checkpoints into replay starts, each the state the run had', () => {
  const plain = readBundle(bytes, 'sparse.pinproof');
  const b = readBundle(bytes, 'sparse.pinproof', { checkpointStore: memoryStore(honestFiles) });
  assert.deepEqual(plain.checkpointSteps, [0, 20]);
  assert.deepEqual(b.checkpointSteps, [0, 5, 10, 15, 20, 25, 30, 35]);
  assert.deepEqual(b.checkpointStoreSteps, [5, 10, 15, 25, 30, 35]);
  // Oracle: replaying from the bundle's own full copies, without the store.
  const replay = new RunReplayer(ctx, plain.checkpointSteps, (s) => plain.checkpoint(s));
  for (const s of b.checkpointStoreSteps) {
    const fromStore = b.checkpoint(s);
    assert.equal(stateDigest(fromStore, 'sha256'), run.records[s].stateBefore, `checkpoint ${s}`);
    assert.deepEqual(fromStore.tensors, replay.stateBefore(s).tensors, `checkpoint ${s} bit for bit`);
  }
});

test('verify with a store replays only from the nearest checkpoint, and accepts the same samples', () => {
  const plain = verifyBundle(readBundle(bytes, 'p'), { samples: 6 });
  const stored = verifyBundle(readBundle(bytes, 'p', { checkpointStore: memoryStore(honestFiles) }), {
    samples: 6,
  });
  assert.equal(plain.ok, true, JSON.stringify(plain.failures));
  assert.equal(stored.ok, true, JSON.stringify(stored.failures));
  assert.deepEqual(stored.samples, plain.samples);
  // Each sample costs at most the steps from its checkpoint (every 5) to it.
  const bound = new Set(
    stored.samples.flatMap((t) => Array.from({ length: (t % 5) + 1 }, (_, i) => t - (t % 5) + i)),
  );
  assert.deepEqual(
    [...stored.checkedSteps].sort((a, c) => a - c),
    [...bound].sort((a, c) => a - c),
  );
  assert.ok(stored.stepsChecked < plain.stepsChecked, `${stored.stepsChecked} < ${plain.stepsChecked}`);
});

test('property: a cheater with its own store is still caught at the step it cheated', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 39 }), (t) => {
      const cheat = train(ctx, { mode: 'trace', tamper: perturbNode(t, 22, 3, 0.25) });
      const files = new Map(commitmentOnly(cheat).map((c) => [c.state, encodeStateFile(c.tensors)]));
      // The cheater's own states and the honest run's: whatever the store holds, verify decides the same.
      for (const store of [files, new Map([...honestFiles, ...files])]) {
        const b = readBundle(bundleFromRun(cheat, KEY), 'cheat.pinproof', {
          checkpointStore: memoryStore(store),
        });
        const r = verifyBundle(b, { all: true });
        assert.equal(r.ok, false);
        assert.equal(r.failures[0].step, t, JSON.stringify(r.failures[0]));
      }
    }),
    { numRuns: 6 },
  );
});

test('a store file that is not the committed state is refused, naming the file; the bundle is not blamed', () => {
  const [a, b] = commitmentOnly(run).filter((c) => c.step === 10 || c.step === 15);
  const good = encodeStateFile(a.tensors);
  const flipped = good.slice();
  flipped[STATE_FILE_MAGIC.length + 4 * 7] ^= 1;
  const cases: [string, Uint8Array, RegExp][] = [
    [
      'another checkpoint renamed',
      encodeStateFile(b.tensors),
      /tensor 0 "[^"]+" does not match its digest.*not the state the bundle commits to/,
    ],
    ['one bit flipped', flipped, /tensor 0 "[^"]+" does not match its digest/],
    [
      'truncated',
      good.subarray(0, good.length - 4),
      /holds \d+ bytes of tensors, the state layout needs \d+ \(truncated\?\)/,
    ],
    ['not a state file', new TextEncoder().encode('{"hello": 1}'), /not a Pinpoint state file/],
  ];
  for (const [what, file, message] of cases) {
    const bundle = readBundle(bytes, 'sparse.pinproof', {
      checkpointStore: memoryStore(new Map([[a.state, file]])),
    });
    assert.deepEqual(bundle.checkpointStoreSteps, [10], what);
    assert.throws(
      () => bundle.checkpoint(10),
      (err: unknown) =>
        err instanceof CheckpointStoreError &&
        err.step === 10 &&
        err.file === `memory/${stateFileName(a.state)}` &&
        message.test(err.message),
      what,
    );
    // Checkpoints the store does not hold are the bundle's business as before.
    assert.equal(stateDigest(bundle.checkpoint(20), 'sha256'), run.records[20].stateBefore);
  }
});

test('train can stream commitment-only checkpoints out instead of keeping them: the same bundle, bit for bit', () => {
  const seen: { step: number; state: string; tensors: number }[] = [];
  const dropped = train(ctx, {
    mode: 'trace',
    dropCheckpoint: (s) => s > 0 && s % 20 !== 0 && s < 40,
    onCheckpoint: (step, tensors, digests) => {
      // The state handed out is the one the run had there, with its digests.
      const kept = run.checkpoints.find((c) => c.step === step);
      assert.deepEqual(tensors, kept?.tensors, `checkpoint ${step}`);
      seen.push({
        step,
        state: stateDigest({ layout: run.layout, tensors: [...tensors] }, 'sha256'),
        tensors: digests.length,
      });
    },
  });
  assert.deepEqual(
    dropped.checkpoints.map((c) => c.step),
    [0, 20, 40],
  );
  assert.deepEqual(
    dropped.commitments?.map((c) => c.step),
    [5, 10, 15, 25, 30, 35],
  );
  assert.deepEqual(
    seen.map((c) => [c.step, c.state]),
    [0, 5, 10, 15, 20, 25, 30, 35].map((s) => [s, run.records[s].stateBefore]),
  );
  assert.deepEqual(bundleFromRun(dropped, KEY), bytes);
});

test('writeCheckpointStore writes each state once, whole, under its digest; a directory store reads them', () => {
  const dir = join(tempDir(), 'store');
  const states = commitmentOnly(run);
  assert.deepEqual(writeCheckpointStore(dir, states), {
    files: states.length,
    bytes: states.reduce((n, s) => n + encodeStateFile(s.tensors).length, 0),
  });
  assert.deepEqual(writeCheckpointStore(dir, states), { files: 0, bytes: 0 });
  assert.deepEqual(readdirSync(dir).sort(), states.map((s) => stateFileName(s.state)).sort());
  const store = directoryCheckpointStore(dir);
  const b = readBundle(bytes, 'sparse.pinproof', { checkpointStore: store });
  assert.deepEqual(b.checkpointStoreSteps, [5, 10, 15, 25, 30, 35]);
  assert.equal(stateDigest(b.checkpoint(25), 'sha256'), run.records[25].stateBefore);
  assert.throws(
    () => directoryCheckpointStore(join(dir, 'nope')),
    /checkpoint store .*nope: no such directory/,
  );
  const file = join(dir, readdirSync(dir)[0]);
  assert.throws(() => directoryCheckpointStore(file), /checkpoint store .*: not a directory/);
});

test('CLI: train --checkpoint-store, then verify and inspect --step replay from it; a bad file is an error, not a verdict', async () => {
  const dir = tempDir();
  const taskFile = join(dir, 'task.json');
  writeFileSync(taskFile, JSON.stringify(task));
  const proof = join(dir, 'run.pinproof');
  const store = join(dir, 'store');
  const trainArgs = [
    'train',
    taskFile,
    '--out',
    proof,
    '--quiet',
    '--key-seed',
    's',
    '--checkpoint-store',
    store,
  ];
  const tr = await pinpoint(trainArgs);
  assert.equal(tr.code, 0, tr.stderr);
  assert.match(tr.stdout, /store {7}.*store: 6 state files written \(\d+\.\d MB\)/);
  const again = await pinpoint(trainArgs);
  assert.match(again.stdout, /0 state files written \(0\.0 MB\), 6 already there/);

  const plain = await pinpoint(['verify', proof, '--quiet', '--json']);
  const withStore = await pinpoint(['verify', proof, '--quiet', '--json', '--checkpoint-store', store]);
  assert.equal(plain.code, 0, plain.stdout);
  assert.equal(withStore.code, 0, withStore.stdout);
  const [p, s] = [JSON.parse(plain.stdout), JSON.parse(withStore.stdout)];
  assert.deepEqual(s.checkpointStore.steps, [5, 10, 15, 25, 30, 35]);
  assert.deepEqual(s.samples, p.samples);
  assert.ok(s.stepsChecked < p.stepsChecked, `${s.stepsChecked} < ${p.stepsChecked}`);
  const text = await pinpoint(['verify', proof, '--quiet', '--checkpoint-store', store]);
  assert.match(text.stdout, /^ACCEPTED/);
  assert.match(text.stdout, /store {7}.*store: 6 checkpoint states to replay from/);

  const inspect = await pinpoint(['inspect', proof, '--step', '17', '--checkpoint-store', store]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /replay {6}from checkpoint 15: stateAfter matches, loss matches/);

  // One flipped byte in the state of checkpoint 15: the step replayed from it cannot start.
  flipStoredBits(store, proof, 15, 100, 0x40);
  const bad = await pinpoint(['inspect', proof, '--step', '17', '--checkpoint-store', store]);
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /checkpoint store file .*\.pinstate \(checkpoint 15\): tensor \d+ .* does not match its digest/,
  );
  const badVerify = await pinpoint(['verify', proof, '--quiet', '--all', '--checkpoint-store', store]);
  assert.equal(badVerify.code, 1);
  assert.doesNotMatch(badVerify.stdout, /REJECTED/);
  assert.match(badVerify.stderr, /checkpoint 15\).*the proof was not judged/);
  // Without a store: train says what verify will cost and how to avoid it; verify points at run.states/.
  const bare = await pinpoint(['train', taskFile, '--out', proof, '--quiet', '--key-seed', 's']);
  assert.match(bare.stderr, /note: the bundle keeps full states every 20 steps, .*--checkpoint-store <dir>/);
  mkdirSync(join(dir, 'run.states'));
  const hinted = await pinpoint(['verify', proof, '--quiet']);
  assert.match(
    hinted.stderr,
    /note: .*run\.states looks like this proof's checkpoint store; pass --checkpoint-store/,
  );
  assert.doesNotMatch(withStore.stderr, /note:/);
  // A store that cannot be written fails before training, not at the first checkpoint.
  const notDir = join(dir, 'a-file');
  writeFileSync(notDir, 'x');
  const unwritable = await pinpoint([
    'train',
    taskFile,
    '--out',
    join(dir, 'never.pinproof'),
    '--quiet',
    '--checkpoint-store',
    notDir,
  ]);
  assert.notEqual(unwritable.code, 0);
  assert.match(unwritable.stderr, /checkpoint store .*a-file: /);
  assert.throws(() => readFileSync(join(dir, 'never.pinproof')), /ENOENT/);
  const missing = await pinpoint(['verify', proof, '--checkpoint-store', join(dir, 'absent')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /checkpoint store .*absent: no such directory/);
});

test('CLI: dispute --checkpoint-store pinpoints the same op as without it; a bad store file is named and left out', async () => {
  const dir = tempDir();
  const taskFile = join(dir, 'task.json');
  writeFileSync(taskFile, JSON.stringify(task));
  const store = join(dir, 'store');
  const good = join(dir, 'good.pinproof');
  const bad = join(dir, 'bad.pinproof');
  for (const [out, extra] of [
    [good, []],
    [bad, ['--tamper', '27']],
  ] as const) {
    const r = await pinpoint([
      'train',
      taskFile,
      '--out',
      out,
      '--mode',
      'trace',
      '--quiet',
      '--checkpoint-store',
      store,
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  const verdict = async (...extra: string[]) => {
    const r = await pinpoint(['dispute', bad, good, '--json', ...extra]);
    return { code: r.code, stderr: r.stderr, v: r.code === 1 ? null : JSON.parse(r.stdout).verdict };
  };
  const plain = await verdict();
  const stored = await verdict('--checkpoint-store', store);
  assert.equal(stored.code, 3, stored.stderr);
  assert.deepEqual(stored.v, plain.v);
  assert.equal(stored.v.step, 27);
  // The cheater's state after its tampered step (checkpoint 30 is its own file) with one bit flipped.
  flipStoredBits(store, bad, 30, 12, 2);
  const broken = await verdict('--checkpoint-store', store);
  assert.match(
    broken.stderr,
    /checkpoint store file .*\(checkpoint 30\): .*left out, replaying from an earlier checkpoint of .*bad\.pinproof/,
  );
  assert.equal(broken.code, 3, broken.stderr);
  assert.deepEqual(broken.v, plain.v, 'the same verdict, the cheater replaying from checkpoint 20');
});
