/**
 * Micro-batches (TaskSpec.microBatches: gradient accumulation) and the worker threads that record them
 * concurrently (core/train/node-microbatch.ts). Oracles: the arithmetic of gradient accumulation (the mean
 * of the micro-batch gradients is the batch gradient, up to binary32 rounding: an SGD update shows it
 * element by element); the run on one thread (the same tape, so the same records, op digests and states on
 * any number of threads); the dispute protocol (an op tampered with inside a micro-batch is the op it
 * pinpoints).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { disputeBundles, loadForDispute } from '../../core/dispute/bundles.ts';
import { useNodeRuntime } from '../../core/node-runtime.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { readBundle } from '../../core/proof/read.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { nodeMicroBatchWorkers } from '../../core/train/node-microbatch.ts';
import { runStep, type TrainContext } from '../../core/train/step.ts';
import { microBatchCount, TaskError, taskDigest } from '../../core/train/task.ts';
import {
  initialState,
  perturbNode,
  prepareTask,
  stepOpDigests,
  type TrainResult,
  train,
} from '../../core/train/train.ts';
import { verifyBundle } from '../../core/verify/verify.ts';
import { bundledTask } from './helpers.ts';
import { pinpoint } from './run-cli.ts';

useNodeRuntime();

const chars = (over: Record<string, unknown> = {}) =>
  bundledTask('chars-transformer', { steps: 6, checkpointEvery: 3, ...over });

test('task files: microBatches divides batchSize; absent means one and leaves the task as it was', () => {
  const plain = chars();
  assert.equal('microBatches' in plain, false);
  assert.equal(microBatchCount(plain), 1);
  assert.equal(microBatchCount(chars({ microBatches: 4 })), 4);
  assert.notEqual(taskDigest(chars({ microBatches: 2 })), taskDigest(plain), 'part of the task digest');
  for (const [bad, why] of [
    [3, /3 does not divide batchSize 8/],
    [0, /microBatches/],
    [16, /microBatches/],
    [1.5, /microBatches/],
    ['2', /microBatches/],
  ] as const)
    assert.throws(
      () => chars({ microBatches: bad }),
      (e: unknown) => e instanceof TaskError && /\$\.microBatches/.test(String(e)) && why.test(String(e)),
      `microBatches ${String(bad)}`,
    );
});

test('the step tape: one forward and backward per micro-batch (labelled micro<k>), then the accumulation, then the optimizer', () => {
  const one = prepareTask(chars());
  const two = prepareTask(chars({ microBatches: 2 }));
  const a = runStep(one, initialState(one), 0, { mode: 'trace', keepTape: true });
  const b = runStep(two, initialState(two), 0, { mode: 'trace', keepTape: true });
  const nodes = b.nodes ?? [];
  const labelled = (k: number) =>
    nodes.filter((n) => n.label !== undefined && new RegExp(`^micro${k}(/|$)`).test(n.label));
  const m0 = labelled(0);
  const m1 = labelled(1);
  assert.ok(m0.length > 50, `${m0.length} nodes in micro-batch 0`);
  assert.equal(m1.length, m0.length);
  assert.deepEqual(
    m1.map((n) => n.op),
    m0.map((n) => n.op),
  );
  assert.equal(
    (a.nodes ?? []).filter((n) => n.label?.startsWith('micro')).length,
    0,
    'one micro-batch: no labels',
  );
  // Two losses, summed and scaled into the step's loss; the parameters' gradients likewise.
  const loss = nodes[b.lossId];
  assert.equal(loss.op, 'mul');
  assert.equal(loss.label, 'accumulate');
  const sum = nodes[loss.inputs[0]];
  assert.equal(sum.op, 'add');
  assert.deepEqual(
    sum.inputs.map((i) => nodes[i].label),
    ['micro0/loss', 'micro1/loss'],
  );
  const scale = nodes[loss.inputs[1]];
  assert.deepEqual([scale.op, scale.attrs.kind, scale.out.data[0]], ['leaf', 'const', 0.5]);
  // Each micro-batch reads its own half of the batch.
  const xs = nodes.filter((n) => n.op === 'leaf' && n.attrs.kind === 'data');
  assert.equal(xs.length, 2);
  const full = (a.nodes ?? []).find((n) => n.op === 'leaf' && n.attrs.kind === 'data');
  assert.deepEqual([...xs[0].out.data, ...xs[1].out.data], [...(full?.out.data ?? [])]);
  assert.equal(b.record.batchDigest, a.record.batchDigest, 'the same batch');
  assert.notEqual(b.record.stateAfter, a.record.stateAfter, 'another run: a different tape');
});

test('accumulated gradients are the batch gradient: one SGD update with 2 or 5 micro-batches equals the one without, up to rounding', () => {
  const sgd = (k?: number) =>
    prepareTask(
      bundledTask('spirals-mlp', {
        steps: 1,
        optimizer: { kind: 'sgd', lr: 0.5 },
        ...(k ? { microBatches: k } : {}),
      }),
    );
  const base = sgd();
  const s0 = initialState(base);
  const ref = runStep(base, s0, 0, { mode: 'fast', metrics: true });
  for (const k of [2, 5]) {
    const ctx = sgd(k);
    const r = runStep(ctx, initialState(ctx), 0, { mode: 'fast', metrics: true });
    assert.ok(Math.abs(r.record.loss - ref.record.loss) <= 1e-6 * Math.abs(ref.record.loss), `loss, ${k}`);
    let worst = 0;
    let largest = 0;
    for (let i = 0; i < ctx.model.params.length; i++) {
      const before = s0.tensors[i].data;
      const want = ref.after.tensors[i].data;
      const got = r.after.tensors[i].data;
      for (let j = 0; j < before.length; j++) {
        const du = want[j] - before[j];
        largest = Math.max(largest, Math.abs(du));
        worst = Math.max(worst, Math.abs(got[j] - before[j] - du));
      }
    }
    assert.ok(largest > 1e-3, 'the update is not empty');
    assert.ok(
      worst <= 1e-5 * largest + 1e-7,
      `${k} micro-batches: update differs by ${worst} (largest ${largest})`,
    );
    assert.notEqual(r.record.stateAfter, ref.record.stateAfter, 'different bits, as a different tape gives');
  }
});

/** What two runs must agree on, bit for bit. */
function fingerprint(run: TrainResult) {
  return {
    records: run.records,
    ops: run.records.map((_, t) => stepOpDigests(run, t)),
    metrics: run.stepMetrics,
    final: run.finalState.tensors.map((t) =>
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64'),
    ),
  };
}

function withWorkers(ctx: TrainContext, threads: number, mode: 'fast' | 'trace'): TrainResult {
  const workers = nodeMicroBatchWorkers(ctx, threads);
  try {
    return train(ctx, { mode, workers });
  } finally {
    workers.close();
  }
}

test('micro-batches on worker threads give the run of one thread: records, op digests, metrics and states', () => {
  for (const [k, threads] of [
    [2, 1],
    [4, 2],
    [4, 3],
  ] as const) {
    const ctx = prepareTask(chars({ microBatches: k }));
    for (const mode of ['trace', 'fast'] as const) {
      const alone = fingerprint(train(ctx, { mode }));
      assert.deepEqual(
        fingerprint(withWorkers(ctx, threads, mode)),
        alone,
        `${k} micro-batches, ${threads} workers, ${mode}`,
      );
    }
  }
});

test('micro-batches on a worker thread at the nanoGPT shape: the same records and op digests', () => {
  const ctx = prepareTask(
    bundledTask('nanogpt-char', { steps: 3, checkpointEvery: 3, fullCheckpointEvery: 3, microBatches: 2 }),
  );
  assert.deepEqual(fingerprint(withWorkers(ctx, 1, 'trace')), fingerprint(train(ctx, { mode: 'trace' })));
});

test('a worker that cannot prepare the task fails the first step with its reason, naming the task', () => {
  const ctx = prepareTask(chars({ microBatches: 2 }));
  const broken: TrainContext = {
    ...ctx,
    task: { ...ctx.task, dataset: { ...ctx.task.dataset, digest: '0'.repeat(64) } },
  };
  const workers = nodeMicroBatchWorkers(broken, 1);
  try {
    assert.throws(
      () => train(ctx, { mode: 'fast', workers }),
      (e: unknown) => /micro-batch worker for task "chars-transformer": .*digest/.test(String(e)),
    );
  } finally {
    workers.close();
  }
});

test('a job abandoned between start and finish (its step failed) does not leak into the next step', () => {
  const ctx = prepareTask(chars({ microBatches: 2 }));
  const s0 = initialState(ctx);
  const workers = nodeMicroBatchWorkers(ctx, 1);
  try {
    // A step that takes its first job and fails before finishing it; the next step comes while that
    // job is (very likely) still running.
    runStep(ctx, s0, 2, { mode: 'fast', workers });
    workers.start(s0, 3, 1, 2);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    for (const t of [0, 1]) {
      const got = runStep(ctx, s0, t, { mode: 'trace', workers });
      const want = runStep(ctx, s0, t, { mode: 'trace' });
      assert.deepEqual(got.record, want.record, `step ${t}`);
      assert.deepEqual(got.opDigests, want.opDigests, `step ${t}`);
    }
  } finally {
    workers.close();
  }
});

test('an op tampered with inside micro-batch 1 is the op a dispute pinpoints; verify rejects the step', async () => {
  const ctx = prepareTask(chars({ microBatches: 2 }));
  const tape = runStep(ctx, initialState(ctx), 0, { mode: 'fast', keepTape: true }).nodes ?? [];
  const target =
    tape.find((n) => n.label?.startsWith('micro1/') && n.op === 'gelu') ??
    tape.find((n) => n.label?.startsWith('micro1/') && n.op === 'softmax');
  assert.ok(target, 'a micro-batch 1 node to tamper with');
  const key = keyFromSeed('micro');
  const honest = bundleFromRun(withWorkers(ctx, 1, 'trace'), key);
  const cheat = bundleFromRun(
    train(ctx, { mode: 'trace', tamper: perturbNode(4, target.id, 0, 0.25) }),
    keyFromSeed('cheat'),
  );
  assert.equal(verifyBundle(readBundle(honest, 'honest.pinproof')).ok, true);
  assert.equal(verifyBundle(readBundle(cheat, 'cheat.pinproof'), { samples: 6 }).failures[0]?.step, 4);
  const { verdict } = await disputeBundles(
    loadForDispute({ file: 'honest.pinproof', bytes: honest }),
    loadForDispute({ file: 'cheat.pinproof', bytes: cheat }),
  );
  assert.deepEqual(verdict.losers, ['challenger'], verdict.reason);
  assert.deepEqual([verdict.step, verdict.op, verdict.opName], [4, target.id, target.op]);
});

test('the CLI: --threads 1 and --threads 2 write byte-identical proofs of a task with micro-batches, and verify accepts it on either', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-micro-'));
  try {
    const task = join(dir, 'task.json');
    writeFileSync(task, JSON.stringify(chars({ microBatches: 2 })));
    const bytes: Buffer[] = [];
    for (const threads of ['1', '2']) {
      const out = join(dir, `t${threads}.pinproof`);
      const r = await pinpoint([
        'train',
        task,
        '--out',
        out,
        '--threads',
        threads,
        '--mode',
        'trace',
        '--quiet',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(/micro-batches on 2 threads/.test(r.stdout), threads === '2', r.stdout);
      bytes.push(readFileSync(out));
    }
    assert.ok(bytes[0].equals(bytes[1]), 'the same bundle');
    const shown = await pinpoint(['inspect', join(dir, 't1.pinproof')]);
    assert.match(shown.stdout, /run +6 steps × batch 8 \(2 micro-batches of 4\), trace mode/);
    for (const threads of ['1', '2']) {
      const v = await pinpoint([
        'verify',
        join(dir, 't1.pinproof'),
        '--threads',
        threads,
        '--all',
        '--quiet',
      ]);
      assert.equal(v.code, 0, `${threads}: ${v.stdout}${v.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
