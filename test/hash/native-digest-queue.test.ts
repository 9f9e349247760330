/**
 * The native hashing thread (native/digest-queue.c + sha256.c via core/platform/node-native-digests.ts):
 * its SHA-256 — with the SHA extensions and in plain C — equals node:crypto on messages of every length
 * around the block boundaries; its tensor digests equal `tensorDigest` on arbitrary bit patterns, shapes
 * and views, whatever the custody; lent and copied tensors are never written (NaN payloads included);
 * given buffers reach the op buffer pool once each; and trace-mode training with it commits to the same
 * digests as inline hashing. Skipped, saying so, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { TENSOR_TAG, tensorDigest } from '../../core/hash/digest.ts';
import { TENSOR_DIGEST_SCHEMES, type TensorDigestScheme } from '../../core/hash/tensor-scheme.ts';
import { type Custody, setTensorDigestQueue } from '../../core/platform/hash.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { nativeAddonPath } from '../../core/platform/node-native.ts';
import { nativeDigestQueue } from '../../core/platform/node-native-digests.ts';
import { loadNativeKernels, type NativeAddon } from '../../core/platform/node-native-load.ts';
import { outputBuffer, recycleBuffers } from '../../core/repops/buffers.ts';
import { runCommitment } from '../../core/train/record.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { EDGE_WORDS, paddedTensor } from '../helpers/binary32.ts';
import { nativeKernel, nativeSkip as skip } from '../helpers/native.ts';
import { bundledTask } from '../train/helpers.ts';

useNodeSha256();
const addon = (nativeKernel ? loadNativeKernels(nativeAddonPath() as string) : null) as
  | (NativeAddon & {
      sha256(prefix: Uint8Array, data: Uint8Array, shani: boolean): Uint8Array;
      sha256Shani(): boolean;
    })
  | null;
const queue = () => nativeDigestQueue(addon as NativeAddon, TENSOR_TAG);

const word = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_WORDS, 0x7f800001, 0xff800001, 0xffffffff) },
  { weight: 2, arbitrary: fc.integer({ min: 0x7f800001, max: 0x7fffffff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xff800001, max: 0xffffffff }) },
);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('native SHA-256 (SHA extensions and plain C) equals node:crypto around every block boundary', {
  skip,
}, () => {
  const a = addon as NonNullable<typeof addon>;
  const edges = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 191, 192];
  const bytes = (n: number, seed: number) =>
    Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7) % 256);
  for (const shani of [true, false]) {
    if (shani && !a.sha256Shani()) continue;
    for (const p of [0, 1, 19, 31, 63, 64, 65, 100, 128])
      for (const d of edges) {
        const pre = bytes(p, 1);
        const data = bytes(d, 2);
        const want = createHash('sha256').update(pre).update(data).digest('hex');
        assert.equal(hex(a.sha256(pre, data, shani)), want, `prefix ${p} data ${d} shani ${shani}`);
      }
  }
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 128 }),
      fc.uint8Array({ maxLength: 3000 }),
      fc.boolean(),
      (pre, data, s) => {
        const want = createHash('sha256').update(pre).update(data).digest('hex');
        assert.equal(hex(a.sha256(pre, data, s)), want);
      },
    ),
    { numRuns: 300 },
  );
});

test('native queue digests equal tensorDigest (both schemes) on arbitrary bits, shapes, views and custodies', {
  skip,
}, () => {
  const q = queue();
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
          // Up to 3 BLAKE3 chunks (1 KiB each) of words: chunk trees, not only single chunks.
          fc.array(word, { maxLength: 800 }),
          fc.constantFrom<Custody>('copy', 'lend', 'give'),
          fc.nat({ max: 3 }),
        ),
        { maxLength: 8 },
      ),
      fc.constantFrom<TensorDigestScheme>(...TENSOR_DIGEST_SCHEMES),
      (specs, scheme) => {
        const tensors = specs.map(([dims, words, , pad]) => paddedTensor(dims, words, pad));
        const custody = specs.map(([, , c]) => c);
        const want = tensors.map((t) => tensorDigest(t, scheme));
        const before = tensors.map((t) =>
          new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length).slice(),
        );
        const a = q.submit(tensors, custody, scheme);
        const b = q.submit(tensors.slice().reverse(), undefined, scheme);
        assert.deepEqual(q.take(b), want.slice().reverse());
        assert.deepEqual(q.take(a), want);
        tensors.forEach((t, i) => {
          if (custody[i] === 'give') return;
          const now = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
          assert.deepEqual(now, before[i], `a ${custody[i]} tensor is never written (NaN payloads kept)`);
        });
      },
    ),
    { numRuns: 80 },
  );
});

test('tensors on one buffer (same or different view and shape) each get their own digest', { skip }, () => {
  const q = queue();
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 8, maxLength: 64 }),
      fc.array(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 4 }), fc.boolean()), {
        minLength: 1,
        maxLength: 8,
      }),
      (w, views) => {
        const buf = new Uint32Array(w).buffer;
        // Repeats of one (offset, length, shape) hash once and share the digest; any difference must not.
        const tensors = views.map(([off, len, flat]) => ({
          shape: flat ? [len] : [len, 1],
          data: new Float32Array(buf, 4 * off, len),
        }));
        const ticket = q.submit(
          tensors,
          tensors.map(() => 'lend'),
          'sha256',
        );
        assert.deepEqual(
          q.take(ticket),
          tensors.map((t) => tensorDigest(t, 'sha256')),
        );
      },
    ),
    { numRuns: 100 },
  );
});

test('a copied tensor may change after submit; a given buffer shared with a lent tensor is not rewritten', {
  skip,
}, () => {
  const q = queue();
  const nan = new Float32Array(new Uint32Array([0x7fc00001, 0xffc00000, 0x3f800000, 0x7f800001]).buffer);
  const copied = { shape: [4], data: nan.slice() };
  const copiedWant = tensorDigest(copied, 'sha256');
  const given = { shape: [4], data: nan.slice() };
  const lentView = { shape: [2, 2], data: given.data }; // a reshape of the given tensor, kept
  const want = [copiedWant, tensorDigest(given, 'sha256'), tensorDigest(lentView, 'sha256')];
  const bits = new Uint32Array(given.data.buffer).slice();
  const t = q.submit([copied, given, lentView], ['copy', 'give', 'lend'], 'sha256');
  copied.data.fill(7);
  assert.deepEqual(q.take(t), want);
  assert.deepEqual(new Uint32Array(given.data.buffer), bits, 'the lent reshape still sees its NaN payloads');
});

test('given buffers reach the op buffer pool once each, after their digests are taken', { skip }, () => {
  const q = queue();
  recycleBuffers([]);
  const n = 4096 + 17;
  const x = { shape: [n], data: new Float32Array(n).fill(1) };
  const r = { shape: [1, n], data: x.data }; // a reshape shares its input's data
  const t = q.submit([x, r], ['give', 'give'], 'sha256');
  q.take(t);
  const first = outputBuffer(n);
  const second = outputBuffer(n);
  assert.equal(first.buffer, x.data.buffer, 'the given buffer is reused');
  assert.notEqual(second.buffer, first.buffer, 'and handed out only once');
  assert.ok(
    first.every((v) => v === 0),
    'zero-filled like a new array',
  );
  recycleBuffers([]);
});

test('the hashing thread and a waiting take share jobs without losing or corrupting one (stress)', {
  skip,
}, () => {
  const q = queue();
  // Many small jobs taken at once, and in pairs out of order: both threads finish chunks of the same job,
  // and a job is freed the moment it is taken, while the hashing thread is between chunks.
  const tensors = Array.from({ length: 70 }, (_, i) => ({
    shape: [i % 9, 3],
    data: Float32Array.from({ length: (i % 9) * 3 }, (_, k) => (i * 31 + k) / 7),
  }));
  const want = tensors.map((t) => tensorDigest(t, 'sha256'));
  for (let r = 0; r < 400; r++) {
    const a = q.submit(
      tensors,
      tensors.map(() => 'lend'),
      'sha256',
    );
    const b = q.submit(
      tensors.slice(r % 70),
      tensors.slice(r % 70).map(() => 'copy'),
      'sha256',
    );
    assert.deepEqual(q.take(b), want.slice(r % 70));
    assert.deepEqual(q.take(a), want);
  }
});

test('bad calls are refused with the usage; an unknown ticket is an error', { skip }, () => {
  const a = addon as NativeAddon;
  const tag = new TextEncoder().encode('t\0');
  assert.throws(
    () => a.digestSubmit(tag, [new Float32Array(3)], Uint32Array.of(1, 2), Uint8Array.of(0)),
    /shape does not match/,
  );
  assert.throws(
    () => a.digestSubmit(tag, [new Float32Array(3)], Uint32Array.of(1, 3), Uint8Array.of(7)),
    /digestSubmit\(tag/,
  );
  assert.throws(
    () => a.digestSubmit(tag, [new Float32Array(3)], Uint32Array.of(), Uint8Array.of(0)),
    /shapes shorter/,
  );
  assert.throws(
    () =>
      a.digestSubmit(
        tag,
        [new Float64Array(3) as unknown as Float32Array],
        Uint32Array.of(1, 3),
        Uint8Array.of(0),
      ),
    /digestSubmit\(tag/,
  );
  for (const scheme of [2, -1, 0.5, Number.NaN])
    assert.throws(
      () => a.digestSubmit(tag, [new Float32Array(3)], Uint32Array.of(1, 3), Uint8Array.of(0), scheme),
      /digestSubmit\(tag.*scheme: 0 \| 1/,
      `scheme ${scheme}`,
    );
  assert.throws(() => a.digestTake(123456789), /unknown ticket/);
  assert.throws(
    () =>
      queue().submit([{ shape: [1], data: new Float32Array(1) }], undefined, 'md5' as unknown as 'sha256'),
    /tensor digest queue: unknown tensor-digest scheme "md5"/,
  );
  const ok = a.digestSubmit(tag, [new Float32Array(3)], Uint32Array.of(1, 3), Uint8Array.of(0));
  assert.equal(a.digestTake(ok).length, 64);
  assert.throws(() => a.digestTake(ok), /already taken/);
});

test('digestStats counts every hashed byte (prefix and data) and the time spent hashing and waiting', {
  skip,
}, () => {
  const a = addon as NonNullable<typeof addon>;
  const tag = new TextEncoder().encode(`${TENSOR_TAG}\0`);
  const before = a.digestStats();
  // 40 tensors of 1–64 Ki elements: some chunks on the hashing thread, some (likely) by the caller.
  const tensors = Array.from({ length: 40 }, (_, i) =>
    new Float32Array(1024 * (1 + ((i * 37) % 64))).fill(i),
  );
  const shapes = Uint32Array.from(tensors.flatMap((t) => [2, 1, t.length]));
  const ticket = a.digestSubmit(tag, tensors, shapes, new Uint8Array(tensors.length).fill(1));
  a.digestTake(ticket);
  const after = a.digestStats();
  const prefix = tag.length + 1 + 4 + 4 * 2;
  const want = tensors.reduce((n, t) => n + prefix + 4 * t.length, 0);
  assert.equal(after.bytes - before.bytes, want);
  const spent = after.hashThreadMs - before.hashThreadMs + (after.callerMs - before.callerMs);
  assert.ok(spent > 0, `hashing ${want} bytes took CPU time (${spent} ms)`);
  for (const k of ['hashThreadMs', 'callerMs', 'waitMs'] as const)
    assert.ok(after[k] >= before[k] && Number.isFinite(after[k]), `${k} only grows`);
});

test('trace-mode training with the native queue commits to the same digests as inline hashing', {
  skip,
}, () => {
  const task = bundledTask('chars-transformer', { steps: 6, checkpointEvery: 3 });
  const ctx = prepareTask(task);
  setTensorDigestQueue(queue());
  try {
    const queued = train(ctx, { mode: 'trace' });
    const fast = train(ctx, { mode: 'fast' });
    setTensorDigestQueue(null);
    const inline = train(ctx, { mode: 'trace' });
    assert.equal(runCommitment(queued.records), runCommitment(inline.records));
    assert.deepEqual(queued.opDigests, inline.opDigests);
    assert.deepEqual(
      fast.records.map((r) => r.stateAfter),
      inline.records.map((r) => r.stateAfter),
    );
  } finally {
    useNodeSha256();
  }
});
