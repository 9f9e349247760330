/**
 * The native matmul (native/matmul.c via core/platform/node-native.ts) gives the bits of the spec order:
 * against the sequential reference on random shapes around every vector width (16 and 32 columns for
 * AVX-512, 8 and 16 for AVX2, 4-row blocks; every kernel this CPU has, the plain C one included) with NaN, ±Inf, ±0, subnormals and overflow, for A as given and
 * as a column range of Xᵀ (the weight gradients), and through matmulKernel with 'auto' (which prefers it);
 * linear's A·B + bias (bias fused into the native store) against the reference plus a separate bias pass;
 * linear.vjp2's native column sums against the lane-order formula; batch_matmul's one-call batches (A_e
 * and X_eᵀ) against the reference per entry, and the batch_matmul ops native vs the JS backend.
 * Skipped, saying so, where the addon was not built (no C compiler at `npm install`).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { selectNativeKernel, useNodeNative } from '../../core/platform/node-native.ts';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import {
  columnSumsKernel,
  getMatmulBackend,
  matmulBatchKernel,
  matmulBiasKernel,
  matmulKernel,
  matmulKernelAT,
  matmulReference,
  setMatmulBackend,
} from '../../core/repops/kernels/matmul.ts';
import '../../core/repops/ops/all.ts';
import { recycleBuffers } from '../../core/repops/buffers.ts';
import { setThreadPool } from '../../core/repops/parallel.ts';
import { randomNormal, randomUint32 } from '../../core/repops/prng.ts';
import { getOp } from '../../core/repops/registry.ts';
import { canonicalBits } from '../helpers/binary32.ts';

const kernel = useNodeNative();
const skip =
  kernel === null ? 'native addon not built (npm install builds it with node-gyp and a C compiler)' : false;
const prev = getMatmulBackend();
after(() => {
  setMatmulBackend(prev);
  setThreadPool(null);
});

function data(seed: number, stream: number, n: number, specials: boolean): Float32Array {
  const x = randomNormal(seed, stream, n);
  if (specials) {
    const w = randomUint32(seed, stream + 100, n);
    const sp = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-40, 3e38, -1e-45];
    for (let i = 0; i < n; i++) if (w[i] % 19 === 0) x[i] = sp[w[i] % sp.length];
  }
  return x;
}

/** The spec of linear: the reference chains, then bias[j] added to each (one binary32 rounding). */
function withBias(c: Float32Array, bias: Float32Array, n: number): Float32Array {
  return c.map((v, i) => Math.fround(v + bias[i % n]));
}

/** linear.vjp2's spec: per column, term i into lane i mod 4 from +0, then (l0 + l1) + (l2 + l3). */
function laneColumnSums(g: Float32Array, m: number, n: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const l = [0, 0, 0, 0];
    for (let i = 0; i < m; i++) l[i % 4] = f(l[i % 4] + g[i * n + j]);
    out[j] = f(f(l[0] + l[1]) + f(l[2] + l[3]));
  }
  return out;
}

const transpose = (x: Float32Array, rows: number, cols: number) => {
  const t = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
};

test('the native kernel is in use where the addon was built', { skip }, () => {
  assert.match(String(kernel), /^(avx512|avx2)$/);
});

for (const variant of ['avx512', 'avx2', 'c'] as const) {
  test(`native ${variant}: A·B, Xᵀ·B, batches, A·B + bias and column sums equal their references bit for bit (random shapes, IEEE specials)`, {
    skip,
  }, (t) => {
    if (selectNativeKernel(variant) !== variant) {
      selectNativeKernel(kernel as 'avx512' | 'avx2');
      t.skip(`this CPU has no ${variant}`);
      return;
    }
    setMatmulBackend('auto');
    try {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 13 }),
          fc.integer({ min: 1, max: 70 }),
          fc.oneof(fc.integer({ min: 4, max: 40 }), fc.integer({ min: 60, max: 70 })),
          fc.nat({ max: 1000 }),
          fc.boolean(),
          (m, k, n, seed, specials) => {
            // Large enough for 'auto' to pick the native kernel (m·k·n ≥ 4096): scale m up when needed.
            const mm = Math.max(m, Math.ceil(4096 / (k * n)));
            const a = data(seed, 0, mm * k, specials);
            const b = data(seed, 1, k * n, specials);
            assert.deepEqual(
              canonicalBits(matmulKernel(a, b, mm, k, n)),
              canonicalBits(matmulReference(a, b, mm, k, n)),
              `A·B ${mm}×${k}×${n}`,
            );
            const x = data(seed, 2, k * mm, specials); // X [k, mm]; A = Xᵀ
            assert.deepEqual(
              canonicalBits(matmulKernelAT(x, b, mm, k, n)),
              canonicalBits(matmulReference(transpose(x, k, mm), b, mm, k, n)),
              `Xᵀ·B ${mm}×${k}×${n}`,
            );
            const batch = 1 + (seed % 3);
            const ab = data(seed, 5, batch * mm * k, specials);
            const bb = data(seed, 6, batch * k * n, specials);
            for (const aT of [false, true]) {
              const got = new Float32Array(batch * mm * n);
              matmulBatchKernel(ab, bb, got, batch, mm, k, n, aT);
              const want = new Float32Array(batch * mm * n);
              for (let e = 0; e < batch; e++) {
                const ae = ab.subarray(e * mm * k, (e + 1) * mm * k);
                const be = bb.subarray(e * k * n, (e + 1) * k * n);
                want.set(matmulReference(aT ? transpose(ae, k, mm) : ae, be, mm, k, n), e * mm * n);
              }
              assert.deepEqual(
                canonicalBits(got),
                canonicalBits(want),
                `batch ${batch} aT ${aT} ${mm}×${k}×${n}`,
              );
            }
            const bias = data(seed, 3, n, specials);
            assert.deepEqual(
              canonicalBits(matmulBiasKernel(a, b, bias, mm, k, n)),
              canonicalBits(withBias(matmulReference(a, b, mm, k, n), bias, n)),
              `A·B + bias ${mm}×${k}×${n}`,
            );
          },
        ),
        { numRuns: 150 },
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 41 }),
          fc.integer({ min: 1, max: 70 }),
          fc.nat({ max: 1000 }),
          fc.boolean(),
          (m, n, seed, specials) => {
            const g = data(seed, 4, m * n, specials);
            assert.deepEqual(
              canonicalBits(columnSumsKernel(g, m, n)),
              canonicalBits(laneColumnSums(g, m, n)),
              `column sums ${m}×${n}`,
            );
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      selectNativeKernel(kernel as 'avx512' | 'avx2');
    }
  });
}

test('nanoGPT shapes: native = reference', { skip }, () => {
  setMatmulBackend('auto');
  for (const [m, k, n] of [
    [768, 128, 384],
    [768, 512, 128],
    [128, 768, 65],
    [768, 128, 73], // the nanogpt-char head: 73 vocabulary columns
  ]) {
    const a = data(m, 3, m * k, false);
    const b = data(n, 4, k * n, false);
    assert.deepEqual(
      canonicalBits(matmulKernel(a, b, m, k, n)),
      canonicalBits(matmulReference(a, b, m, k, n)),
    );
  }
});

test('A·B + bias: every backend and a pool split give the reference bits; bad biases are refused; column sums at fc1', {
  skip,
}, () => {
  const [m, k, n] = [40, 24, 37];
  const a = data(5, 8, m * k, true);
  const b = data(5, 9, k * n, true);
  const bias = data(5, 10, n, true);
  const want = canonicalBits(withBias(matmulReference(a, b, m, k, n), bias, n));
  try {
    for (const backend of ['auto', 'wasm', 'js'] as const) {
      setMatmulBackend(backend);
      assert.deepEqual(canonicalBits(matmulBiasKernel(a, b, bias, m, k, n)), want, backend);
    }
    setMatmulBackend('auto');
    setThreadPool(nodeThreadPool(2, { callerComputes: false }), { minElements: 1, splitWithNative: true });
    assert.deepEqual(canonicalBits(matmulBiasKernel(a, b, bias, m, k, n)), want, 'worker-only split');
  } finally {
    setThreadPool(null);
    setMatmulBackend('auto');
  }
  // linear.vjp2 at its nanoGPT shape (the fc1 bias gradient).
  const g = data(6, 11, 768 * 512, false);
  assert.deepEqual(canonicalBits(columnSumsKernel(g, 768, 512)), canonicalBits(laneColumnSums(g, 768, 512)));
  assert.throws(
    () => matmulBiasKernel(a, b, bias.subarray(1), m, k, n),
    /bias must be a Float32Array of n = 37/,
  );
});

test('batch_matmul and its VJPs: the native batches give the bits of the JS backend (attention shapes)', {
  skip,
}, () => {
  const T = (shape: number[], stream: number) => ({
    shape,
    data: data(
      7,
      stream,
      shape.reduce((p, d) => p * d, 1),
      true,
    ),
  });
  const cases: [string, number[], number[]][] = [
    ['batch_matmul', [12, 64, 32], [12, 32, 64]],
    ['batch_matmul.vjp0', [12, 64, 64], [12, 32, 64]],
    ['batch_matmul.vjp1', [12, 64, 32], [12, 64, 64]],
  ];
  try {
    for (const [name, sa, sb] of cases) {
      const ins = [T(sa, 20), T(sb, 21)];
      setMatmulBackend('auto');
      const fast = canonicalBits(getOp(name).forward(ins, {}).data);
      setMatmulBackend('js');
      assert.deepEqual(fast, canonicalBits(getOp(name).forward(ins, {}).data), name);
    }
  } finally {
    setMatmulBackend('auto');
  }
});

test('outputs taken from the buffer pool unfilled: every matmul path stores every element (all backends)', () => {
  /** Puts one buffer of n stale values in the pool; the next output of n values takes it. */
  const stale = (n: number) => {
    const g = new Float32Array(n).fill(12345.5);
    recycleBuffers([g]);
    return g;
  };
  try {
    for (const backend of ['auto', 'wasm', 'js'] as const) {
      setMatmulBackend(backend);
      for (const [m, k, n] of [
        [40, 24, 37],
        [64, 3, 64],
        [33, 0, 40],
      ]) {
        const a = data(m + k, 12, m * k, false);
        const b = data(n + k, 13, k * n, false);
        const bias = data(n, 14, n, false);
        const x = transpose(a, m, k); // X [k, m], A = Xᵀ
        const want = canonicalBits(matmulReference(a, b, m, k, n));
        const what = `${backend} ${m}×${k}×${n}`;
        let g = stale(m * n);
        let got = matmulKernel(a, b, m, k, n);
        assert.equal(got.buffer, g.buffer, `${what}: the pooled buffer was used`);
        assert.deepEqual(canonicalBits(got), want, `A·B ${what}`);
        g = stale(m * n);
        got = matmulKernelAT(x, b, m, k, n);
        assert.equal(got.buffer, g.buffer);
        assert.deepEqual(canonicalBits(got), want, `Xᵀ·B ${what}`);
        const wantBias = canonicalBits(withBias(matmulReference(a, b, m, k, n), bias, n));
        g = stale(m * n);
        got = matmulBiasKernel(a, b, bias, m, k, n);
        assert.equal(got.buffer, g.buffer);
        assert.deepEqual(canonicalBits(got), wantBias, `A·B + bias ${what}`);
        const ins = [
          { shape: [2, m, k], data: Float32Array.from([...a, ...a]) },
          { shape: [2, k, n], data: Float32Array.from([...b, ...b]) },
        ];
        g = stale(2 * m * n);
        got = getOp('batch_matmul').forward(ins, {}).data;
        assert.equal(got.buffer, g.buffer);
        assert.deepEqual(canonicalBits(got), [...want, ...want], `batch_matmul ${what}`);
      }
    }
  } finally {
    recycleBuffers([]);
    setMatmulBackend('auto');
  }
});

test('pool workers load the same addon: a worker-only split gives the reference bits', { skip }, () => {
  setMatmulBackend('auto');
  setThreadPool(nodeThreadPool(2, { callerComputes: false }), { minElements: 1, splitWithNative: true });
  try {
    const [m, k, n] = [96, 64, 48];
    const a = data(9, 5, m * k, true);
    const b = data(9, 6, k * n, true);
    assert.deepEqual(
      canonicalBits(matmulKernel(a, b, m, k, n)),
      canonicalBits(matmulReference(a, b, m, k, n)),
    );
    const x = data(9, 7, k * m, true);
    assert.deepEqual(
      canonicalBits(matmulKernelAT(x, b, m, k, n)),
      canonicalBits(matmulReference(transpose(x, k, m), b, m, k, n)),
    );
  } finally {
    setThreadPool(null);
  }
});
