/**
 * Deterministic parallelism (issue 13): the elementwise transcendental ops split across worker threads
 * give the same bits as one thread — on random inputs with NaN payloads, ±Inf, −0, subnormals and odd
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

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
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
          // NaN payloads included: the same code computes every element, so even NaN bits agree.
          assert.deepEqual(bits(two.data), bits(one.data), `${op} on ${n} elements`);
        }
      },
    ),
    { numRuns: 40 },
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
