/**
 * Fast-mode steps hand their dead intermediate buffers to the op buffer pool (core/repops/buffers.ts) and
 * the next step's ops reuse them. What must hold: the same records as steps that recycle nothing (keepTape),
 * every tensor a caller still holds (the states before and after every step) is never overwritten, and a
 * reused buffer reads exactly like a new Float32Array (zeros).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { tensorDigestQueue } from '../../core/platform/hash.ts';
import { nodeDigestQueue } from '../../core/platform/node-digest-queue.ts';
import { outputBuffer, recycleBuffers } from '../../core/repops/buffers.ts';
import type { TrainState } from '../../core/train/state.ts';
import { chainedTo, runStep } from '../../core/train/step.ts';
import { initialState, prepareTask, RunReplayer } from '../../core/train/train.ts';
import '../helpers/native.ts';
import { bundledTask } from './helpers.ts';

const copyState = (s: TrainState) => s.tensors.map((t) => t.data.slice());

for (const name of ['chars-transformer', 'digits-cnn', 'spirals-mlp']) {
  test(`${name}: recycling steps give the records of steps that keep every buffer, and overwrite no held state`, () => {
    const ctx = prepareTask(bundledTask(name));
    let pooled = initialState(ctx);
    let kept = initialState(ctx);
    const held: { state: TrainState; copy: Float32Array[] }[] = [{ state: pooled, copy: copyState(pooled) }];
    for (let step = 0; step < 5; step++) {
      const a = runStep(ctx, pooled, step, { mode: 'fast' });
      const b = runStep(ctx, kept, step, { mode: 'fast', keepTape: true });
      assert.deepEqual(a.record, b.record, `step ${step}`);
      pooled = a.after;
      kept = b.after;
      held.push({ state: pooled, copy: copyState(pooled) });
    }
    for (const [i, h] of held.entries())
      h.state.tensors.forEach((t, k) => {
        assert.deepEqual(
          t.data,
          h.copy[k],
          `state after step ${i - 1}, tensor ${ctx.layout[k].name}, was overwritten`,
        );
      });
  });
}

test('recycling the spent state (as train() does) keeps the records; live leaves passed as spent are not handed back', () => {
  const ctx = prepareTask(bundledTask('chars-transformer'));
  let pooled = initialState(ctx);
  let kept = initialState(ctx);
  let spent: TrainState | undefined;
  for (let step = 0; step < 6; step++) {
    const held = { before: copyState(pooled) };
    // Step 3 is also handed its own state before (its leaves): those buffers must stay untouched.
    const recycle = step === 3 ? pooled.tensors : spent?.tensors;
    const a = runStep(ctx, pooled, step, { mode: 'fast', ...(recycle ? { recycle } : {}) });
    const b = runStep(ctx, kept, step, { mode: 'fast', keepTape: true });
    assert.deepEqual(a.record, b.record, `step ${step}`);
    const afterCopy = copyState(a.after);
    // The next step's ops run on the recycled buffers: the states before and after must still read as made.
    runStep(ctx, a.after, step + 1, { mode: 'fast', keepTape: true });
    for (const [what, state, copy] of [
      ['before', pooled, held.before],
      ['after', a.after, afterCopy],
    ] as const)
      state.tensors.forEach((t, k) => {
        assert.deepEqual(t.data, copy[k], `step ${step}: state ${what}, ${ctx.layout[k].name}, overwritten`);
      });
    spent = pooled;
    pooled = a.after;
    kept = b.after;
  }
});

test('a reused buffer is zero-filled and sized like a new one; views are not pooled; a hand-back releases the last one', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
      const made = sizes.map((n) => outputBuffer(n).fill(7));
      recycleBuffers([...made, new Float32Array(4096).subarray(0, 2048)]);
      for (const n of sizes) {
        const b = outputBuffer(n);
        assert.equal(b.length, n);
        assert.ok(
          b.every((v) => v === 0 && !Object.is(v, -0)),
          'reused buffer is all +0',
        );
        assert.equal(b.byteOffset, 0);
      }
      const left = outputBuffer(2048).fill(3);
      recycleBuffers([left]);
      assert.equal(outputBuffer(2048), left, 'the next step reuses it');
      recycleBuffers([left]);
      recycleBuffers([]);
      assert.notEqual(outputBuffer(2048), left, 'a buffer unused through a whole step is released');
    }),
    { numRuns: 100 },
  );
});

test('trace mode with a digest queue: the spent state goes back to the pool once the step is taken; records unchanged', () => {
  const ctx = prepareTask(bundledTask('chars-transformer'));
  const queue = tensorDigestQueue() ?? nodeDigestQueue();
  assert.ok(queue, 'a digest queue');
  const s0 = initialState(ctx);
  const before0 = copyState(s0);
  const r0 = runStep(ctx, s0, 0, { mode: 'trace', digestQueue: queue });
  const r1 = runStep(ctx, r0.after, 1, { mode: 'trace', digestQueue: queue, ...chainedTo(r0) });
  r0.finish?.();
  // As train() does: step 2 is handed the state before step 0 (nothing reads it now) …
  const r2 = runStep(ctx, r1.after, 2, {
    mode: 'trace',
    digestQueue: queue,
    ...chainedTo(r1),
    recycle: s0.tensors,
  });
  r1.finish?.();
  assert.ok(
    s0.tensors.every((t, k) => t.data.every((v, i) => Object.is(v, before0[k][i]))),
    'not before its step is taken',
  );
  r2.finish?.();
  // … so step 3's ops write into those buffers.
  const r3 = runStep(ctx, r2.after, 3, { mode: 'trace', digestQueue: queue, ...chainedTo(r2) });
  r3.finish?.();
  assert.ok(
    s0.tensors.some((t, k) => t.data.some((v, i) => !Object.is(v, before0[k][i]))),
    'the spent state was reused',
  );
  // The same records as steps that recycle nothing and hash inline.
  let kept = initialState(ctx);
  for (const [step, r] of [r0, r1, r2, r3].entries()) {
    const b = runStep(ctx, kept, step, { mode: 'trace', keepTape: true });
    assert.deepEqual(r.record, b.record, `step ${step}`);
    kept = b.after;
  }
});

test('replays recycle their dead states and intermediates: same states, checkpoint and handed-out states untouched', () => {
  const ctx = prepareTask(bundledTask('chars-transformer'));
  const s0 = initialState(ctx);
  const s0Copy = copyState(s0);
  const replayer = new RunReplayer(ctx, [0], () => s0);
  const s3 = replayer.stateBefore(3);
  const s3Copy = copyState(s3);
  // Continues from the cached s3, which the caller still holds: it must not go back to the pool.
  const s7 = replayer.stateBefore(7);
  // Then a step that overwrites whatever the pool handed out.
  runStep(ctx, s7, 7, { mode: 'fast' });
  let ref = initialState(ctx);
  const refStates: TrainState[] = [];
  for (let t = 0; t < 7; t++) {
    refStates.push(ref);
    ref = runStep(ctx, ref, t, { mode: 'fast', keepTape: true }).after;
  }
  assert.deepEqual(copyState(s7), copyState(ref), 'state before step 7');
  assert.deepEqual(copyState(s3), copyState(refStates[3]), 'state before step 3, still intact');
  assert.deepEqual(copyState(s3), s3Copy);
  assert.deepEqual(copyState(s0), s0Copy, 'the checkpoint is intact');
});
