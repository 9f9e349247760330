/**
 * The matmul kernel: JS and WebAssembly-SIMD implementations equal the naive sequential-order
 * reference bit for bit (random shapes including edges, special values), stay within the classic
 * error bound of a float64 product, follow the documented order, and the committed wasm bytes are
 * what the in-repo assembler generates.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  getMatmulBackend,
  matmulKernel,
  matmulKernelAT,
  matmulKernelJs,
  matmulKernelWasm,
  matmulReference,
  setMatmulBackend,
} from '../../core/repops/kernels/matmul.ts';
import { wasmSimdAvailable } from '../../core/repops/kernels/matmul-wasm.ts';
import { MATMUL_WASM_BASE64 } from '../../core/repops/kernels/matmul-wasm-bytes.ts';
import { matmulWasmBytes } from '../../core/repops/kernels/matmul-wasm-gen.ts';
import { randomNormal, randomUint32 } from '../../core/repops/prng.ts';
import { RepOpsError } from '../../core/repops/tensor.ts';

function bitsEqual(x: Float32Array, y: Float32Array): boolean {
  if (x.length !== y.length) return false;
  const a = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const b = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  return true;
}

function data(seed: number, stream: number, n: number, specials = false): Float32Array {
  const x = randomNormal(seed, stream, n);
  if (specials) {
    const w = randomUint32(seed, stream + 100, n);
    const sp = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-40, 3e38];
    for (let i = 0; i < n; i++) if (w[i] % 23 === 0) x[i] = sp[w[i] % sp.length];
  }
  return x;
}

describe('matmul kernel', () => {
  test('WebAssembly SIMD is available in Node (the fast path is really exercised)', () => {
    assert.ok(wasmSimdAvailable());
  });

  test('JS and wasm kernels equal the sequential reference bitwise (random shapes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 19 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 27 }),
        fc.nat({ max: 1000 }),
        fc.boolean(),
        (m, k, n, seed, specials) => {
          const a = data(seed, 0, m * k, specials);
          const b = data(seed, 1, k * n, specials);
          const ref = matmulReference(a, b, m, k, n);
          assert.ok(bitsEqual(matmulKernelJs(a, b, m, k, n), ref), `js ${m}x${k}x${n}`);
          assert.ok(bitsEqual(matmulKernelWasm(a, b, m, k, n), ref), `wasm ${m}x${k}x${n}`);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('Xᵀ·B read in place (matmulKernelAT) equals the reference on the materialised Xᵀ, every backend', () => {
    const transpose = (x: Float32Array, rows: number, cols: number) => {
      const t = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
      return t;
    };
    const prev = getMatmulBackend();
    try {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 70 }),
          fc.integer({ min: 0, max: 40 }),
          fc.integer({ min: 0, max: 27 }),
          fc.nat({ max: 1000 }),
          fc.boolean(),
          fc.constantFrom('js', 'wasm', 'auto'),
          (m, k, n, seed, specials, be) => {
            const x = data(seed, 4, k * m, specials); // X row-major [k, m]; A = Xᵀ is [m, k]
            const b = data(seed, 5, k * n, specials);
            setMatmulBackend(be);
            const ref = matmulReference(transpose(x, k, m), b, m, k, n);
            assert.ok(bitsEqual(matmulKernelAT(x, b, m, k, n), ref), `${be} ${m}x${k}x${n}`);
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      setMatmulBackend(prev);
    }
  });

  test('larger shapes: every backend gives the same bits', () => {
    for (const [m, k, n] of [
      [64, 64, 64],
      [67, 129, 45],
      [128, 300, 131],
      [1, 1000, 9],
    ]) {
      const a = data(m, 2, m * k);
      const b = data(n, 3, k * n);
      const ref = matmulReference(a, b, m, k, n);
      const prev = getMatmulBackend();
      try {
        for (const be of ['js', 'wasm', 'auto'] as const) {
          setMatmulBackend(be);
          assert.ok(bitsEqual(matmulKernel(a, b, m, k, n), ref), `${be} ${m}x${k}x${n}`);
        }
      } finally {
        setMatmulBackend(prev);
      }
    }
  });

  test('writes into a provided out buffer and overwrites stale contents', () => {
    const a = data(1, 0, 6 * 5);
    const b = data(1, 1, 5 * 7);
    const out = new Float32Array(42).fill(123);
    assert.equal(matmulKernelWasm(a, b, 6, 5, 7, out), out);
    assert.ok(bitsEqual(out, matmulReference(a, b, 6, 5, 7)));
    out.fill(-5);
    assert.equal(matmulKernelJs(a, b, 6, 5, 7, out), out);
    assert.ok(bitsEqual(out, matmulReference(a, b, 6, 5, 7)));
  });

  test('order: sequential over k ascending from +0 (not pairwise, not reversed)', () => {
    const a = new Float32Array([1, 1e8, -1e8]);
    const b = new Float32Array([1, 1, 1]);
    // ((0 + 1) + 1e8) + −1e8 = 0 in binary32; reversed or pairwise orders give 1.
    assert.equal(matmulKernelJs(a, b, 1, 3, 1)[0], 0);
    const b4 = new Float32Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual([...matmulKernelWasm(a, b4, 1, 3, 4)], [0, 0, 0, 0]);
    // −0 products summed from +0 give +0.
    assert.ok(Object.is(matmulKernelJs(new Float32Array([-0]), new Float32Array([1]), 1, 1, 1)[0], 0));
  });

  test('within the float64 error bound (k+1)·2^-24·Σ|a||b|', () => {
    const [m, k, n] = [33, 257, 29];
    const a = data(9, 0, m * k);
    const b = data(9, 1, k * n);
    const c = matmulKernel(a, b, m, k, n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let exact = 0;
        let mag = 0;
        for (let p = 0; p < k; p++) {
          exact += a[i * k + p] * b[p * n + j];
          mag += Math.abs(a[i * k + p] * b[p * n + j]);
        }
        assert.ok(Math.abs(c[i * n + j] - exact) <= (k + 1) * 2 ** -24 * mag * 1.01, `C[${i},${j}]`);
      }
    }
  });

  test('bad input throws RepOpsError naming matmulKernel', () => {
    const a = new Float32Array(6);
    assert.throws(
      () => matmulKernel(a, new Float32Array(6), 2, 3, 3),
      (e: unknown) => e instanceof RepOpsError && /matmulKernel/.test(String(e)),
    );
    assert.throws(() => matmulKernel(a, new Float32Array(6), 2, 3, 2, new Float32Array(3)), /out must be/);
    assert.throws(() => matmulKernel(a, new Float32Array(6), -2, -3, 2), /m must be/);
    assert.throws(
      () => matmulKernel([1, 2] as unknown as Float32Array, new Float32Array(2), 1, 2, 1),
      /Float32Array/,
    );
    assert.throws(() => setMatmulBackend('gpu' as 'js'), RepOpsError);
    const shared = new Float32Array(8);
    assert.throws(
      () => matmulKernel(shared.subarray(0, 4), new Float32Array(4), 2, 2, 2, shared.subarray(2, 6)),
      /overlap/,
    );
  });

  test('committed wasm bytes equal the assembler output', () => {
    const gen = matmulWasmBytes();
    const committed = Uint8Array.from(atob(MATMUL_WASM_BASE64), (ch) => ch.charCodeAt(0));
    assert.deepEqual([...committed], [...gen]);
    assert.ok(WebAssembly.validate(gen));
    // No relaxed SIMD (relaxed madd is 0xfd 0x105…): every 0xfd prefix carries one of the plain opcodes
    // v128.load (0), v128.store (11), f32x4.splat (19), f32x4.add (228), f32x4.mul (230).
    const seen = new Set<number>();
    for (let i = 0; i < gen.length; i++) {
      if (gen[i] !== 0xfd) continue;
      let v = 0;
      let shift = 0;
      let j = i + 1;
      for (;;) {
        const byte = gen[j++];
        v |= (byte & 0x7f) << shift;
        shift += 7;
        if ((byte & 0x80) === 0) break;
      }
      seen.add(v);
    }
    assert.deepEqual(
      [...seen].sort((x, y) => x - y),
      [0, 11, 19, 228, 230],
    );
    assert.ok(gen.length < 4096, 'synchronous compile limit on browser main threads');
  });
});
