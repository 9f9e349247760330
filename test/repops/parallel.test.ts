/**
 * Deterministic parallelism (issue 13): the elementwise transcendental ops and the matmul family split
 * across worker threads give the same bits as one thread — on random inputs with NaN payloads, ±Inf, −0, subnormals and odd
 * lengths — and a training run with 1 and with 2 threads commits to the same run root and op digests.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { getOp } from '../../core/repops/index.ts';
import { setThreadPool, threadCount } from '../../core/repops/parallel.ts';
import { runCommitment } from '../../core/train/record.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { bundledTask } from '../train/helpers.ts';

after(() => setThreadPool(null));

/**
 * Bit patterns with every NaN as 0x7fc00000, as the tensor digest sees them: JavaScript engines may change a
 * NaN's sign or payload whenever a float passes through a JS number (V8 differs between its tiers), so NaN
 * bits are not part of any commitment; every other bit pattern (−0, subnormals, ±Inf) must agree.
 */
const bits = (a: Float32Array) =>
  Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (w, i) =>
    Number.isNaN(a[i]) ? 0x7fc00000 : w,
  );
const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(
    0x7fc00000,
    0xffc00001,
    0x7f800000,
    0xff800000,
    0x80000000,
    0x00000001,
    0x807fffff,
    0x3f800000,
  ),
  fc.float({ min: -12, max: 12, noNaN: true }).map((v) => new Uint32Array(new Float32Array([v]).buffer)[0]),
);
const tensorOf = (ws: number[]) => {
  const data = new Float32Array(new Uint32Array(ws).buffer);
  return { shape: [data.length], data };
};

test('parallel elementwise ops are bit-identical to one thread', () => {
  const pool = nodeThreadPool(2);
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 3000 }),
      fc.array(word, { minLength: 1, maxLength: 3000 }),
      (a, b) => {
        const n = Math.min(a.length, b.length);
        const x = tensorOf(a.slice(0, n));
        const g = tensorOf(b.slice(0, n));
        for (const [op, ins] of [
          ['gelu', [x]],
          ['gelu.vjp0', [g, x]],
          ['tanh', [x]],
          ['sigmoid', [x]],
          ['exp', [x]],
          ['log', [x]],
        ] as const) {
          setThreadPool(null);
          const one = getOp(op).forward([...ins], {});
          setThreadPool(pool, { minElements: 1 });
          assert.equal(threadCount(), 2);
          const two = getOp(op).forward([...ins], {});
          setThreadPool(null);
          assert.deepEqual(bits(two.data), bits(one.data), `${op} on ${n} elements`);
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('matmul-family ops split by output rows are bit-identical to one thread', () => {
  const pool = nodeThreadPool(2);
  const dims = fc.integer({ min: 1, max: 37 });
  fc.assert(
    fc.property(dims, dims, dims, fc.array(word, { minLength: 1, maxLength: 64 }), (m, k, n, ws) => {
      const fill = (len: number, salt: number) =>
        tensorOf(Array.from({ length: len }, (_, i) => ws[(i * 7 + salt) % ws.length]));
      const A = { ...fill(m * k, 1), shape: [m, k] };
      const B = { ...fill(k * n, 2), shape: [k, n] };
      const G = { ...fill(m * n, 3), shape: [m, n] };
      const bias = { ...fill(n, 4), shape: [n] };
      for (const [op, ins] of [
        ['matmul', [A, B]],
        ['matmul.vjp0', [G, B]],
        ['matmul.vjp1', [A, G]],
        ['linear', [A, B, bias]],
      ] as const) {
        setThreadPool(null);
        const one = getOp(op).forward([...ins], {});
        setThreadPool(pool, { minElements: 1 });
        const two = getOp(op).forward([...ins], {});
        setThreadPool(null);
        assert.deepEqual(bits(two.data), bits(one.data), `${op} ${m}×${k}×${n}`);
      }
    }),
    { numRuns: 60 },
  );
});

test('training with 1 and with 2 threads commits to the same run', () => {
  const ctx = prepareTask(bundledTask('chars-transformer', { steps: 4, checkpointEvery: 2 }));
  setThreadPool(null);
  const one = train(ctx, { mode: 'trace' });
  setThreadPool(nodeThreadPool(2), { minElements: 256 });
  const two = train(ctx, { mode: 'trace' });
  setThreadPool(null);
  assert.equal(runCommitment(two.records), runCommitment(one.records));
  assert.deepEqual(two.opDigests, one.opDigests);
  assert.deepEqual(two.metrics, one.metrics);
});
