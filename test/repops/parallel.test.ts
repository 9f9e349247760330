/**
 * Deterministic parallelism (issue 13): the elementwise transcendental ops, the matmul family and the
 * row-wise ops (softmax, log-softmax, layer norm, cross-entropy, batched matmul) split across worker
 * threads give the same bits as one thread — on random inputs with NaN payloads, ±Inf, −0, subnormals and odd
 * lengths — and a training run with 1 and with 2 threads commits to the same run root and op digests.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { getOp } from '../../core/repops/index.ts';
import {
  defineRangeKernel,
  setNativeKernelsInPlace,
  setThreadPool,
  type ThreadPool,
  threadCount,
} from '../../core/repops/parallel.ts';
import type { Tensor } from '../../core/repops/tensor.ts';
import { useNodeCorpora } from '../../core/train/node-corpus.ts';
import { runCommitment } from '../../core/train/record.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { binary32Word, canonicalBits } from '../helpers/binary32.ts';
import { bundledTask } from '../train/helpers.ts';

after(() => setThreadPool(null));

// NaN bits are not part of any commitment (test/helpers/binary32.ts); every other pattern must agree.
const bits = canonicalBits;
const word = binary32Word({ any: 1, ordinary: 1 });
const tensorOf = (ws: number[]) => {
  const data = new Float32Array(new Uint32Array(ws).buffer);
  return { shape: [data.length], data };
};

test('parallel elementwise ops are bit-identical to one thread', () => {
  const pool = nodeThreadPool(2, { callerComputes: false });
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
          setThreadPool(pool, { minElements: 1, splitWithNative: true });
          assert.equal(threadCount(), 2);
          const two = getOp(op).forward([...ins], {});
          setThreadPool(null);
          assert.deepEqual(bits(two.data), bits(one.data), `${op} on ${n} elements`);
        }
      },
    ),
    { numRuns: 40 },
  );
  assert.ok(pool.chunkCounts().workers > 0, 'the worker computed some chunks');
});

test('matmul-family ops split by output rows are bit-identical to one thread', () => {
  const pool = nodeThreadPool(2, { callerComputes: false });
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
        setThreadPool(pool, { minElements: 1, splitWithNative: true });
        const two = getOp(op).forward([...ins], {});
        setThreadPool(null);
        assert.deepEqual(bits(two.data), bits(one.data), `${op} ${m}×${k}×${n}`);
      }
    }),
    { numRuns: 60 },
  );
  assert.ok(pool.chunkCounts().workers > 0, 'the worker computed some chunks');
});

/**
 * Row-wise ops (a row's reduction chains stay inside the row) split by rows on 2 and on 3 threads (an odd
 * split: uneven ranges, cuts at every row boundary) give the bits of one thread.
 */
test('row-wise ops split by rows are bit-identical to one thread', () => {
  // Default claiming (the caller takes most chunks of these small jobs) and workers only, 2 of them.
  const pools = [nodeThreadPool(2), nodeThreadPool(3, { callerComputes: false })];
  const dim = fc.integer({ min: 1, max: 19 });
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 29 }),
      dim,
      dim,
      fc.array(word, { minLength: 1, maxLength: 97 }),
      fc.nat(),
      (rows, d, e, ws, seed) => {
        const fill = (shape: number[], salt: number) => {
          const len = shape.reduce((a, b) => a * b, 1);
          return {
            ...tensorOf(Array.from({ length: len }, (_, i) => ws[(i * 7 + salt) % ws.length])),
            shape,
          };
        };
        const x = fill([rows, d], 1);
        const g = fill([rows, d], 2);
        const gamma = fill([d], 3);
        const beta = fill([d], 4);
        const y = getOp('softmax').forward([x], {});
        const ly = getOp('log_softmax').forward([x], {});
        const targets = {
          shape: [rows],
          data: Float32Array.from({ length: rows }, (_, r) => (seed + r * 5) % d),
        };
        const scalar = fill([], 5);
        // Batched matmul: batch = rows entries of [d, e]·[e, d]; the transposed VJPs of the same shapes.
        const A = fill([rows, d, e], 6);
        const B = fill([rows, e, d], 7);
        const G = fill([rows, d, d], 8);
        const cases: [string, Tensor[], Record<string, number>][] = [
          ['softmax', [x], {}],
          ['softmax.vjp0', [g, y], {}],
          ['log_softmax', [x], {}],
          ['log_softmax.vjp0', [g, ly], {}],
          ['layer_norm', [x, gamma, beta], { eps: 1e-5 }],
          ['layer_norm', [x, gamma, beta], { eps: 0.5 }],
          ['layer_norm.vjp0', [g, x, gamma], { eps: 1e-5 }],
          ['layer_norm.vjp1', [g, x], { eps: 1e-5 }],
          ['softmax_cross_entropy', [x, targets], {}],
          ['softmax_cross_entropy.vjp0', [scalar, x, targets], {}],
          ['batch_matmul', [A, B], {}],
          ['batch_matmul.vjp0', [G, B], {}],
          ['batch_matmul.vjp1', [A, G], {}],
        ];
        for (const [op, ins, attrs] of cases) {
          setThreadPool(null);
          const one = getOp(op).forward(ins, attrs);
          for (const pool of pools) {
            setThreadPool(pool, { minElements: 1, splitWithNative: true });
            const many = getOp(op).forward(ins, attrs);
            setThreadPool(null);
            assert.deepEqual(many.shape, one.shape);
            assert.deepEqual(
              bits(many.data),
              bits(one.data),
              `${op} on ${pool.threads} threads, ${rows}×${d}×${e}`,
            );
          }
        }
      },
    ),
    { numRuns: 40 },
  );
  // Both sides of the split took part (chunks are claimed dynamically, so check rather than assume).
  assert.ok(pools[0].chunkCounts().caller > 0, 'the caller computed some chunks');
  assert.ok(pools[1].chunkCounts().workers > 0, 'the workers computed some chunks');
});

/** A 2-thread pool that records the kernel of every call it takes, then runs it. */
function spyPool(calls: string[]): ThreadPool {
  const inner = nodeThreadPool(2);
  return {
    threads: 2,
    run(kernel, ins, out, units, params, align) {
      calls.push(kernel);
      inner.run(kernel, ins, out, units, params, align);
    },
  };
}

test('row-wise ops really run on the pool (the split is exercised, not skipped)', () => {
  const calls: string[] = [];
  const spy = spyPool(calls);
  const x = { shape: [8, 5], data: Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)) };
  const gamma = { shape: [5], data: new Float32Array(5).fill(1) };
  const a = { shape: [8, 5, 5], data: Float32Array.from({ length: 200 }, (_, i) => Math.cos(i)) };
  setThreadPool(spy, { minElements: 1, splitWithNative: true });
  getOp('softmax').forward([x], {});
  getOp('layer_norm.vjp0').forward([x, x, gamma], {});
  getOp('batch_matmul').forward([a, a], {});
  setThreadPool(null);
  // batch_matmul's per-entry matmuls run inside the pool's range and must not re-enter it.
  assert.deepEqual(calls, ['softmax', 'layer_norm.vjp0', 'batch_matmul.entries']);
});

test('with native kernels installed the pool stands aside unless asked to split; the bits are the same', () => {
  const calls: string[] = [];
  const spy = spyPool(calls);
  const x = { shape: [8, 5], data: Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)) };
  setNativeKernelsInPlace(true);
  try {
    setThreadPool(spy, { minElements: 1 });
    const aside = bits(getOp('softmax').forward([x], {}).data);
    assert.deepEqual(calls, [], 'not split');
    setThreadPool(spy, { minElements: 1, splitWithNative: true });
    const split = bits(getOp('softmax').forward([x], {}).data);
    assert.deepEqual(calls, ['softmax'], 'split when asked');
    assert.deepEqual(split, aside);
  } finally {
    setThreadPool(null);
    setNativeKernelsInPlace(false); // this file runs the JS/WebAssembly kernels: none installed
  }
});

test('a kernel failing on the caller or in a worker is an error, and the pool keeps working', () => {
  defineRangeKernel('test.throws', () => {
    throw new Error('kernel boom');
  });
  // Registered on this thread only: the workers do not know it.
  defineRangeKernel('test.caller-only', ([x], out, from, to) => {
    for (let i = from; i < to; i++) out[i] = x[i];
  });
  const x = new Float32Array(4096).map((_, i) => i);
  const softmaxIn = { shape: [64, 64], data: x.map((v) => Math.sin(v)) };
  setThreadPool(null);
  const ref = bits(getOp('softmax').forward([softmaxIn], {}).data);
  for (const workersOnly of [false, true]) {
    const pool = nodeThreadPool(2, { callerComputes: !workersOnly });
    assert.throws(
      () => pool.run('test.throws', [x], new Float32Array(4096), 4096, []),
      /kernel boom|kernel "test.throws" failed in a worker/,
    );
    if (workersOnly)
      assert.throws(
        () => pool.run('test.caller-only', [x], new Float32Array(4096), 4096, []),
        /kernel "test.caller-only" failed in a worker/,
      );
    setThreadPool(pool, { minElements: 1, splitWithNative: true });
    const after = getOp('softmax').forward([softmaxIn], {});
    setThreadPool(null);
    assert.deepEqual(bits(after.data), ref);
  }
});

test('training with 1 and with 2 threads commits to the same run', () => {
  const ctx = prepareTask(bundledTask('chars-transformer', { steps: 4, checkpointEvery: 2 }));
  setThreadPool(null);
  const one = train(ctx, { mode: 'trace' });
  setThreadPool(nodeThreadPool(2), { minElements: 256, splitWithNative: true });
  const two = train(ctx, { mode: 'trace' });
  setThreadPool(null);
  assert.equal(runCommitment(two.records), runCommitment(one.records));
  assert.deepEqual(two.opDigests, one.opDigests);
  assert.deepEqual(two.metrics, one.metrics);
});

// The real shape's tensors (one of its four identical layers, to keep the test short) with the pool's
// default size thresholds, so every split the benchmark takes is exercised.
test('nanogpt-char steps with 1 and with 2 threads (default size thresholds) commit to the same run', () => {
  useNodeCorpora();
  const base = bundledTask('nanogpt-char');
  const ctx = prepareTask(
    bundledTask('nanogpt-char', { steps: 2, checkpointEvery: 2, model: { ...base.model, layers: 1 } }),
  );
  setThreadPool(null);
  const one = train(ctx, { mode: 'trace' });
  setThreadPool(nodeThreadPool(2), { splitWithNative: true });
  const two = train(ctx, { mode: 'trace' });
  setThreadPool(null);
  assert.equal(runCommitment(two.records), runCommitment(one.records));
  assert.deepEqual(two.opDigests, one.opDigests);
});
