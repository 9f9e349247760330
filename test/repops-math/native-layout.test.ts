/**
 * The native transpose (native/layout.c via core/platform/node-native.ts) moves every value to where the
 * index formula out[i_0..i_{r−1}] = x[Σ_k i_k·stride_x[perm[k]]] says, copying bit patterns (NaN payloads
 * included): checked against that formula, written here, on random shapes (rank 0–8, size-1 and empty
 * axes, tile and 8×8-block edges) and permutations at every vector level this CPU has; through
 * transposeData against its JavaScript path; argument errors; and a pool worker's batch_matmul.vjp0
 * (its Bᵀ is a transpose in the worker). Skipped, saying so, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { nativeTranspose, setNativeTranspose } from '../../core/repops/kernels/layout.ts';
import '../../core/repops/ops/all.ts';
import { transposeData } from '../../core/repops/ops/layout.ts';
import { setThreadPool } from '../../core/repops/parallel.ts';
import { randomUint32 } from '../../core/repops/prng.ts';
import { getOp } from '../../core/repops/registry.ts';
import { canonicalBits } from '../helpers/binary32.ts';
import { atLevel, NATIVE_LEVELS, nativeSkip } from '../helpers/native.ts';

const skip = nativeSkip;
const native = nativeTranspose();
after(() => {
  setNativeTranspose(native);
  setThreadPool(null);
});

/** Random bit patterns (any NaN payload, ±Inf, ±0, subnormals all occur). */
function words(seed: number, n: number): Float32Array {
  return new Float32Array(randomUint32(seed, 7, n).buffer);
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** The oracle: for every output position, its multi-index, then the input offset by the formula. */
function oracle(x: Float32Array, shape: readonly number[], perm: readonly number[]): Uint32Array {
  const r = shape.length;
  const xs = new Array<number>(r);
  for (let k = r - 1, s = 1; k >= 0; k--) {
    xs[k] = s;
    s *= shape[k];
  }
  const outShape = perm.map((p) => shape[p]);
  const src = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint32Array(x.length);
  for (let o = 0; o < out.length; o++) {
    let rest = o;
    let off = 0;
    for (let k = r - 1; k >= 0; k--) {
      const i = rest % outShape[k];
      rest = Math.floor(rest / outShape[k]);
      off += i * xs[perm[k]];
    }
    out[o] = src[off];
  }
  return out;
}

const shapeAndPerm = (dim: fc.Arbitrary<number>, minRank: number, maxRank: number) =>
  fc
    .array(dim, { minLength: minRank, maxLength: maxRank })
    .filter((s) => s.reduce((p, d) => p * d, 1) <= 40_000)
    .chain((shape) =>
      fc
        .shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length })
        .map((perm) => ({ shape, perm })),
    );

const smallDims = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.integer({ min: 6, max: 19 }) },
);
// 2-D transposes past one 32×32 tile with 8×8-block tails.
const bigDims = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 30, max: 75 }));

test('the native transpose is installed with the addon', { skip }, () => {
  assert.equal(typeof native, 'function');
});

for (const level of NATIVE_LEVELS) {
  test(
    `native ${level}: transpose = the index formula, bit for bit (random shapes and perms, rank 0–8)`,
    {
      skip,
    },
    (t) =>
      atLevel(level, t, () => {
        const f = native as NonNullable<typeof native>;
        const check = ({ shape, perm }: { shape: number[]; perm: number[] }, seed: number) => {
          const n = shape.reduce((p, d) => p * d, 1);
          const x = words(seed, n);
          const out = new Float32Array(n);
          f(x, out, shape, perm);
          assert.deepEqual(
            bits(out),
            Array.from(oracle(x, shape, perm)),
            `${JSON.stringify(shape)} perm ${perm}`,
          );
        };
        fc.assert(fc.property(shapeAndPerm(smallDims, 0, 8), fc.nat(), check), { numRuns: 300 });
        fc.assert(fc.property(shapeAndPerm(bigDims, 2, 4), fc.nat(), check), { numRuns: 150 });
      }),
  );
}

// Head split and merge of attention ([B,T,H,d] ↔ [B,H,T,d], kᵀ: [B,H,d,T]), a weight transpose, size-1 axes.
const LAYOUTS: [number[], number[]][] = [
  [
    [12, 64, 4, 32],
    [0, 2, 1, 3],
  ],
  [
    [12, 64, 4, 32],
    [0, 2, 3, 1],
  ],
  [
    [12, 4, 32, 64],
    [0, 3, 1, 2],
  ],
  [
    [12, 4, 64, 32],
    [0, 2, 1, 3],
  ],
  [
    [768, 512],
    [1, 0],
  ],
  [
    [5, 1, 7, 1, 3],
    [4, 2, 0, 3, 1],
  ],
];

test('nanoGPT attention layouts: transposeData with the native kernel = its JavaScript path', {
  skip,
}, () => {
  for (const [shape, perm] of LAYOUTS) {
    const x = words(
      shape.length,
      shape.reduce((p, d) => p * d, 1),
    );
    const fast = transposeData(x, shape, perm);
    setNativeTranspose(null);
    try {
      // NaNs may pass through JS numbers on the JS path: compare as the digest does.
      assert.deepEqual(canonicalBits(fast), canonicalBits(transposeData(x, shape, perm)), `${shape} ${perm}`);
    } finally {
      setNativeTranspose(native);
    }
  }
});

test('rank 9: transposeData leaves the native kernel (rank ≤ 8) to its JavaScript loops', { skip }, () => {
  const shape = [2, 1, 3, 1, 2, 1, 2, 1, 3];
  const perm = [8, 0, 7, 1, 6, 2, 5, 3, 4];
  const x = words(9, 72);
  assert.deepEqual(bits(transposeData(x, shape, perm)), Array.from(oracle(x, shape, perm)));
});

test('native transpose: bad arguments are errors that say what is wrong', { skip }, () => {
  const f = native as NonNullable<typeof native>;
  const x = new Float32Array(6);
  assert.throws(() => f(x, new Float32Array(6), [2, 3], [0, 0]), /not a permutation/);
  assert.throws(() => f(x, new Float32Array(6), [2, 3], [1, 2]), /not a permutation/);
  assert.throws(() => f(x, new Float32Array(5), [2, 3], [1, 0]), /∏ shape/);
  assert.throws(() => f(x, new Float32Array(6), [2, 3], [1]), /one length/);
  assert.throws(() => f(x, new Float32Array(6), [1, 1, 1, 1, 1, 1, 1, 1, 6], [...Array(9).keys()]), /≤ 8/);
  assert.throws(() => f(x, x.subarray(0), [2, 3], [1, 0]), /overlap/);
  assert.throws(() => f(x, new Float32Array(6), [2, 3.5], [1, 0]), /non-negative integers/);
});

test('pool workers load the native transpose: a worker-only batch_matmul.vjp0 gives the one-thread bits', {
  skip,
}, () => {
  const g = { shape: [8, 24, 40], data: words(3, 8 * 24 * 40) };
  const b = { shape: [8, 36, 40], data: words(4, 8 * 36 * 40) };
  for (const t of [g, b]) t.data = t.data.map((v) => (Number.isFinite(v) ? Math.fround(v % 8) : v));
  const op = getOp('batch_matmul.vjp0');
  const one = op.forward([g, b], {});
  setThreadPool(nodeThreadPool(2, { callerComputes: false }), { minElements: 1, splitWithNative: true });
  try {
    assert.deepEqual(canonicalBits(op.forward([g, b], {}).data), canonicalBits(one.data));
  } finally {
    setThreadPool(null);
  }
});
