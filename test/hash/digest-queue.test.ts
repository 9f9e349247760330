/**
 * The Node digest worker (core/platform/node-digest-queue.ts) computes exactly `tensorDigest`: random
 * tensors with NaN payloads of both signs, ±Inf, −0, subnormals, empty and rank-0 shapes, views into
 * larger buffers; tickets taken out of order; and trace-mode training gives the same bundle with it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { tensorDigest } from '../../core/hash/digest.ts';
import { TENSOR_DIGEST_SCHEMES, type TensorDigestScheme } from '../../core/hash/tensor-scheme.ts';
import { setTensorDigestQueue } from '../../core/platform/hash.ts';
import { nodeDigestQueue } from '../../core/platform/node-digest-queue.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { runCommitment } from '../../core/train/record.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { paddedTensor } from '../helpers/binary32.ts';
import { bundledTask } from '../train/helpers.ts';

useNodeSha256();

const special = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  1e-45,
  -1e-40,
  3.4e38,
];
const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0x7f800001, max: 0x7fffffff }),
  fc.integer({ min: 0xff800001, max: 0xffffffff }),
  fc.constantFrom(...special.map((v) => new Uint32Array(new Float32Array([v]).buffer)[0])),
);

test('worker digests equal tensorDigest (both schemes) on arbitrary bit patterns, shapes and views', () => {
  // Without the addon installed here: node:crypto, and for BLAKE3 the portable code bundled into the worker.
  const q = nodeDigestQueue();
  assert.ok(q, 'little-endian host');
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
          fc.array(word, { maxLength: 600 }),
        ),
        {
          maxLength: 6,
        },
      ),
      fc.nat({ max: 3 }),
      fc.constantFrom<TensorDigestScheme>(...TENSOR_DIGEST_SCHEMES),
      (specs, pad, scheme) => {
        const tensors = specs.map(([dims, words]) => paddedTensor(dims, words, pad));
        const a = q.submit(tensors, undefined, scheme);
        const b = q.submit(tensors.slice().reverse(), undefined, scheme);
        assert.deepEqual(
          q.take(b),
          tensors
            .slice()
            .reverse()
            .map((t) => tensorDigest(t, scheme)),
        );
        assert.deepEqual(
          q.take(a),
          tensors.map((t) => tensorDigest(t, scheme)),
        );
      },
    ),
    { numRuns: 60 },
  );
});

test('given buffers move without a copy; shared buffers and views are copied; the rest stay intact', () => {
  const q = nodeDigestQueue();
  assert.ok(q, 'little-endian host');
  fc.assert(
    fc.property(
      fc.array(fc.array(word, { minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 6 }),
      (ws) => {
        const own = ws.map((w) => ({ shape: [w.length], data: new Float32Array(new Uint32Array(w).buffer) }));
        // A view into the first tensor's buffer (shares it) and a tensor not handed over.
        const view = { shape: [1], data: new Float32Array(own[0].data.buffer, 0, 1) };
        const keep = { shape: [2], data: new Float32Array([1.5, -0]) };
        const all = [...own, view, keep];
        const want = all.map((t) => tensorDigest(t, 'sha256'));
        const ticket = q.submit(all, [...own.map(() => 'give' as const), 'give', 'copy'], 'sha256');
        assert.ok(
          own.every((t) => t.data.buffer.byteLength === 0),
          'owned buffers were moved (detached)',
        );
        assert.equal(keep.data.length, 2, 'a tensor not given keeps its data');
        assert.deepEqual(q.take(ticket), want);
      },
    ),
    { numRuns: 40 },
  );
});

test('tensors sharing a buffer (a reshape and its input) move it once; a kept sharer pins it', () => {
  const q = nodeDigestQueue();
  assert.ok(q, 'little-endian host');
  fc.assert(
    fc.property(fc.array(word, { minLength: 2, maxLength: 60 }), fc.boolean(), (w, keepOne) => {
      const data = new Float32Array(new Uint32Array(w).buffer);
      const x = { shape: [w.length], data };
      const reshaped = { shape: [1, w.length], data }; // reshape shares its input's data
      const other = { shape: [w.length, 1], data };
      const all = [x, reshaped, other];
      const want = all.map((t) => tensorDigest(t, 'sha256'));
      const ticket = q.submit(all, ['give', 'give', keepOne ? 'lend' : 'give'], 'sha256');
      if (keepOne) assert.equal(data.length, w.length, 'a buffer a kept tensor shares is not moved');
      else assert.equal(data.buffer.byteLength, 0, 'the shared buffer was moved');
      assert.deepEqual(q.take(ticket), want);
    }),
    { numRuns: 40 },
  );
});

test('trace-mode training hashes on the worker and commits to the same digests as inline hashing', () => {
  const task = bundledTask('chars-transformer', { steps: 6, checkpointEvery: 3 });
  const ctx = prepareTask(task);
  const queued = train(ctx, { mode: 'trace' });
  setTensorDigestQueue(null);
  try {
    const inline = train(ctx, { mode: 'trace' });
    assert.equal(runCommitment(queued.records), runCommitment(inline.records));
    assert.deepEqual(queued.opDigests, inline.opDigests);
    assert.ok(queued.records.every((r) => r.opRoot && r.opCount === inline.records[0].opCount));
  } finally {
    useNodeSha256();
  }
});

test('an unknown scheme is refused at submit, not lost in the worker', () => {
  const q = nodeDigestQueue();
  assert.ok(q, 'little-endian host');
  const t = { shape: [2], data: new Float32Array(2) };
  assert.throws(
    () => q.submit([t, t], undefined, 'md5' as unknown as 'sha256'),
    /tensor digest queue: unknown tensor-digest scheme "md5"/,
  );
});
