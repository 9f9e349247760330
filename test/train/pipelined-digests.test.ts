/**
 * Pipelined hashing (core/train/step.ts `digestQueue`, core/train/train.ts): step t's state-after digests
 * (and in trace mode its op digests) are computed on the Node digest worker while step t+1 computes, and
 * step t+1 takes its state-before digests from step t only when it finishes. The oracle is the same run
 * hashed inline on the main thread (no queue installed): records, op digests, checkpoints and the final
 * state must be identical, honest or tampered — including tampers of a state leaf (whose digest must then
 * be hashed, not reused) and a hook that hands back one shared tensor every step.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { tensorDigest } from '../../core/hash/digest.ts';
import { setTensorDigestQueue } from '../../core/platform/hash.ts';
import { nodeDigestQueue } from '../../core/platform/node-digest-queue.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { runCommitment } from '../../core/train/record.ts';
import { stateDigest } from '../../core/train/state.ts';
import {
  chainedTo,
  nextState,
  runStep,
  type StepResult,
  type Tamper,
  type TraceMode,
} from '../../core/train/step.ts';
import {
  initialState,
  perturbNode,
  perturbState,
  prepareTask,
  RunReplayer,
  type TrainResult,
  train,
} from '../../core/train/train.ts';
import { bundledTask } from './helpers.ts';

const ctx = prepareTask(bundledTask('chars-transformer', { steps: 5, checkpointEvery: 2 }));
const L = ctx.layout.length;

function inline<T>(f: () => T): T {
  setTensorDigestQueue(null);
  try {
    return f();
  } finally {
    useNodeSha256();
  }
}

function sameRun(a: TrainResult, b: TrainResult, what: string): void {
  assert.deepEqual(a.records, b.records, `${what}: records`);
  assert.equal(runCommitment(a.records), runCommitment(b.records), `${what}: run commitment`);
  assert.deepEqual(a.opDigests, b.opDigests, `${what}: op digests`);
  assert.deepEqual(
    a.checkpoints.map((c) => c.tensors.map((t) => tensorDigest(t, 'sha256'))),
    b.checkpoints.map((c) => c.tensors.map((t) => tensorDigest(t, 'sha256'))),
    `${what}: checkpoints`,
  );
  assert.equal(
    stateDigest(a.finalState, 'sha256'),
    stateDigest(b.finalState, 'sha256'),
    `${what}: final state`,
  );
}

const shared = { shape: [...ctx.layout[0].shape], data: new Float32Array(initialState(ctx).tensors[0].data) };
const tampers: [string, Tamper | undefined][] = [
  ['honest', undefined],
  ['an op output at step 1', perturbNode(1, L + 7, 0, 1e-3)],
  ['a state leaf at step 2', perturbNode(2, 0, 1, 0.5)],
  ['the state after step 3', perturbState(ctx, 3, ctx.layout[L - 1].name, 0, 1e-2)],
  [
    'one shared tensor as state after every step from 1',
    { node: (t, _n, k) => (t >= 1 && k === 0 ? shared : undefined) },
  ],
];

for (const mode of ['fast', 'trace'] as TraceMode[]) {
  test(`${mode} mode: training with the digest worker commits exactly what inline hashing does`, () => {
    assert.ok(nodeDigestQueue(), 'little-endian host: the worker exists');
    for (const [what, tamper] of tampers) {
      const queued = train(ctx, { mode, tamper });
      const plain = inline(() => train(ctx, { mode, tamper }));
      sameRun(queued, plain, `${mode}, ${what}`);
      assert.equal(queued.records.length, 5);
      if (mode === 'trace') assert.ok(queued.records.every((r) => r.opRoot && r.opCount));
      else assert.ok(queued.records.every((r) => r.opRoot === undefined));
    }
    // A tamper changes the records (the test above compares something that can differ).
    assert.notDeepEqual(train(ctx, { mode }).records, train(ctx, { mode, tamper: tampers[3][1] }).records);
  });
}

test('a pending step: reading record or afterDigests finishes it; later digests are taken when finished', () => {
  const queue = nodeDigestQueue();
  assert.ok(queue);
  const s0 = initialState(ctx);
  for (const mode of ['fast', 'trace'] as TraceMode[]) {
    const want0 = inline(() => runStep(ctx, s0, 0, { mode }));
    const want1 = inline(() => runStep(ctx, want0.after, 1, { mode }));
    const r0 = runStep(ctx, s0, 0, { mode, digestQueue: queue });
    assert.ok(r0.finish, 'queued result is pending');
    let asked = 0;
    const r1 = runStep(ctx, r0.after, 1, {
      mode,
      digestQueue: queue,
      stateBeforeDigest: () => {
        asked++;
        return r0.record.stateAfter;
      },
      stateTensorDigests: () => r0.afterDigests,
    });
    assert.equal(asked, 0, 'the previous step is not waited for while this one computes');
    assert.deepEqual(r1.record, want1.record, 'reading record finishes the step');
    assert.equal(asked, 1);
    assert.equal(r1.finish?.(), r1.finish?.(), 'finish returns one result');
    assert.deepEqual(r1.finish?.().afterDigests, want1.afterDigests);
    assert.deepEqual(r1.finish?.().opDigests, want1.opDigests);
    assert.deepEqual(r0.finish?.().record, want0.record);
  }
});

test('copies go into recycled buffers without mixing submissions: each digest is of the data at submit time', () => {
  const q = nodeDigestQueue();
  assert.ok(q);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.float({ noNaN: false })), {
        minLength: 2,
        maxLength: 12,
      }),
      fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      (subs, takeNow) => {
        // Few distinct sizes, so later submissions reuse the buffers earlier answers sent back.
        const live = [1, 2, 3].map((n) => new Float32Array(n * 1000));
        const open: { ticket: number; want: string[] }[] = [];
        const check = (o: { ticket: number; want: string[] }) => assert.deepEqual(q.take(o.ticket), o.want);
        subs.forEach(([size, v], k) => {
          const t = { shape: [size * 1000], data: live[size - 1] };
          const want = [tensorDigest(t, 'sha256')];
          open.push({ ticket: q.submit([t], undefined, 'sha256'), want });
          t.data.fill(v, k % 7, 900); // the caller goes on writing its tensor
          if (takeNow[k]) check(open.shift() as { ticket: number; want: string[] });
        });
        for (const o of open) check(o);
      },
    ),
    { numRuns: 40 },
  );
});

test('a chain of pending steps keeps none of its predecessors once they are finished', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const queue = nodeDigestQueue();
  assert.ok(queue);
  for (const mode of ['fast', 'trace'] as TraceMode[]) {
    let state = initialState(ctx);
    let pending: StepResult | null = null;
    const first: WeakRef<object>[] = [];
    for (let t = 0; t < 4; t++) {
      const r = runStep(ctx, state, t, {
        mode,
        keepTape: false,
        ...(pending ? chainedTo(pending) : {}),
        digestQueue: queue,
      });
      pending?.finish?.();
      // Step 0's result: step 1 reads its digests through chainedTo.
      if (t === 0) first.push(new WeakRef(r));
      pending = r;
      state = r.after;
    }
    pending?.finish?.();
    // A full collection may leave a just-dropped object for the next one (the digest workers' answers
    // are still being delivered): a few rounds, each in a new job (deref keeps a target alive for its job).
    let kept = true;
    for (let round = 0; round < 4 && kept; round++) {
      await new Promise((ok) => setImmediate(ok));
      gc();
      kept = first[0].deref() !== undefined;
    }
    assert.equal(kept, false, `${mode}: step 0 is not kept by step 3`);
    assert.ok(pending?.record.stateAfter, 'the last step is still readable');
  }
});

test('nextState (no hashing) gives runStep’s state after; replays from checkpoints match the records', () => {
  for (const [what, tamper] of tampers) {
    let s = initialState(ctx);
    for (let t = 0; t < 3; t++) {
      const want = runStep(ctx, s, t, { mode: 'fast', tamper });
      const got = nextState(ctx, s, t, tamper);
      assert.equal(stateDigest(got, 'sha256'), want.record.stateAfter, `${what}, step ${t}`);
      s = want.after;
    }
    const run = train(ctx, { mode: 'fast', tamper });
    const replay = RunReplayer.fromRun(ctx, run, tamper);
    for (const t of [4, 1, 3, 5])
      assert.equal(
        stateDigest(replay.stateBefore(t), 'sha256'),
        t < 5 ? run.records[t].stateBefore : run.records[4].stateAfter,
        `${what}: replayed state before step ${t}`,
      );
    assert.ok(replay.replayed > 0);
  }
});
