/**
 * The JS matmul kernel (Float64-panel rewrite) against a straightforward implementation of the spec
 * order (SPEC.md §3, spec/transcendentals.md "Matmul kernel"), written here independently of
 * core/repops/kernels/matmul.ts as the oracle: for every (i, j), acc = +0; for p ascending:
 * acc = f32(acc + f32(A[i,p]·B[p,j])). Bits are compared exactly (signed zeros included); NaN
 * results only have to be NaN on both sides (the spec fixes no NaN payload; digests canonicalise it).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { matmulKernelJs, matmulKernelWasm } from '../../core/repops/kernels/matmul.ts';

const f32 = Math.fround;

/** The oracle: the spec's loop, nothing else. */
function specMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc = f32(acc + f32(a[i * k + p] * b[p * n + j]));
      c[i * n + j] = acc;
    }
  }
  return c;
}

/** Index of the first element whose bits differ (NaN = NaN), or −1. */
function firstDiff(x: Float32Array, y: Float32Array): number {
  assert.equal(x.length, y.length);
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const v = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < u.length; i++) {
    if (u[i] !== v[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return i;
  }
  return -1;
}

// Values that exercise every rounding path: any binary32 (fast-check's float() includes ±0, ±Inf,
// NaN, subnormals), small integers (exact products, ties, exact cancellation to ±0), and the
// extremes where products overflow or underflow.
const value = fc.oneof(
  { weight: 4, arbitrary: fc.float() },
  { weight: 2, arbitrary: fc.integer({ min: -6, max: 6 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      0,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e-45,
      -1e-45,
      1.1754942e-38,
      3.4028235e38,
      -3.4028235e38,
      16777217,
      0.1,
    ),
  },
);
const matrix = (len: number) =>
  fc.array(value, { minLength: len, maxLength: len }).map((v) => Float32Array.from(v));

const problem = (maxM: number, maxK: number, maxN: number) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: maxM }),
      fc.integer({ min: 0, max: maxK }),
      fc.integer({ min: 0, max: maxN }),
    )
    .chain(([m, k, n]) =>
      fc.tuple(fc.constant(m), fc.constant(k), fc.constant(n), matrix(m * k), matrix(k * n)),
    );

function check(a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  const want = specMatmul(a, b, m, k, n);
  const got = matmulKernelJs(a, b, m, k, n);
  const d = firstDiff(got, want);
  assert.equal(d, -1, `${m}×${k}×${n}: C[${d}] = ${got[d]} (JS kernel) vs ${want[d]} (spec order)`);
}

describe('JS matmul kernel = spec order, bit for bit', () => {
  test('random shapes (odd sizes, every n mod 4) and values incl. NaN, ±Inf, ±0, subnormals', () => {
    fc.assert(
      fc.property(problem(9, 13, 11), ([m, k, n, a, b]) => check(a, b, m, k, n)),
      { numRuns: 600 },
    );
  });

  test('larger random shapes (several panels and blocks, reused pack buffers)', () => {
    fc.assert(
      fc.property(problem(37, 70, 37), ([m, k, n, a, b]) => check(a, b, m, k, n)),
      { numRuns: 60 },
    );
  });

  test('every edge case of the blocking: m 0…5 × n 0…9 × k ∈ {0, 1, 2, 7}', () => {
    let seed = 1;
    // A tiny LCG is enough here: the point is covering every (m mod 2, n mod 4) edge combination.
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) / 2 ** 24 - 0.5;
    };
    for (let m = 0; m <= 5; m++) {
      for (let n = 0; n <= 9; n++) {
        for (const k of [0, 1, 2, 7]) {
          const a = Float32Array.from({ length: m * k }, next);
          const b = Float32Array.from({ length: k * n }, next);
          check(a, b, m, k, n);
        }
      }
    }
  });

  test('every block path: packed A and B, A in place, B in place (m ≤ 2), 4×1 column blocks', () => {
    // m·k·n ≥ 65536 with ≥ 2 column panels packs A; smaller or narrower products read A in place;
    // m ≤ 2 reads B's full panels in place; n mod 4 = 1 adds a 4×1 column pass — each with every
    // n mod 4 and both parities of m.
    const shapes = [
      [67, 131, 8],
      [67, 131, 9],
      [66, 131, 10],
      [67, 130, 11],
      [33, 257, 29],
      [9, 40, 7],
      [2, 300, 13],
      [1, 257, 10],
      [2, 64, 1],
      [150, 16, 3],
      [64, 128, 1],
    ];
    for (const [m, k, n] of shapes) {
      const a = Float32Array.from({ length: m * k }, (_, i) => f32(Math.sin(i * 0.37 + m) * 2));
      const b = Float32Array.from({ length: k * n }, (_, i) => f32(Math.cos(i * 0.11 + n) / 3));
      check(a, b, m, k, n);
    }
  });

  test('signed zeros: −0 products summed from +0 give +0; k = 0 gives +0', () => {
    const z = matmulKernelJs(
      new Float32Array([-0, -0]),
      new Float32Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
      1,
      2,
      5,
    );
    for (const v of z) assert.ok(Object.is(v, 0));
    const e = matmulKernelJs(new Float32Array(0), new Float32Array(0), 3, 0, 5);
    assert.equal(e.length, 15);
    for (const v of e) assert.ok(Object.is(v, 0));
  });

  test('writes into an out view at a non-zero offset and overwrites stale contents', () => {
    const [m, k, n] = [5, 9, 7];
    const a = Float32Array.from({ length: m * k }, (_, i) => f32(Math.sin(i) * 3));
    const b = Float32Array.from({ length: k * n }, (_, i) => f32(Math.cos(i * 1.7)));
    const backing = new Float32Array(3 + m * n).fill(Number.NaN);
    const out = backing.subarray(3);
    assert.equal(matmulKernelJs(a, b, m, k, n, out), out);
    assert.equal(firstDiff(out, specMatmul(a, b, m, k, n)), -1);
    assert.ok(backing.subarray(0, 3).every(Number.isNaN), 'nothing written before the view');
  });

  test('a medium product (two 4-column panels plus one leftover column, odd m): JS = WASM = spec', () => {
    const [m, k, n] = [67, 131, 9];
    const a = Float32Array.from({ length: m * k }, (_, i) => f32(Math.sin(i * 0.37) * 2));
    const b = Float32Array.from({ length: k * n }, (_, i) => f32(Math.cos(i * 0.11) / 3));
    const want = specMatmul(a, b, m, k, n);
    assert.equal(firstDiff(matmulKernelJs(a, b, m, k, n), want), -1);
    assert.equal(firstDiff(matmulKernelWasm(a, b, m, k, n), want), -1);
  });
});
