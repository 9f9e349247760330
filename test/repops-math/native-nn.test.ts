/**
 * The native row kernels — softmax and softmax.vjp0 (native/transcendental.c + softmax-lanes.h), layer_norm,
 * layer_norm.vjp0 and layer_norm.vjp1 (native/nn.c + nn-lanes.h), via core/platform/node-native.ts — give
 * the bits of their JavaScript specification (ops/nn.ts's row kernels with kernels off) for every vector level
 * this CPU has (AVX-512, AVX2, plain C): arbitrary bit patterns (NaN payloads, ±Inf, −0, subnormals, rows
 * whose maximum is NaN or ±Inf), row lengths around and off the 4/8/16-lane widths, rows spread over the
 * band where exp32 leaves the vector path (−103 < w < −86) and underflows, causally masked rows, the nanoGPT
 * attention shape; layer norm likewise on arbitrary bits and several eps, and at the nanoGPT shape; in place
 * on sub-ranges; bad arguments refused. NaN is compared as NaN-ness, as the tensor
 * digest canonicalises it. Skipped, saying so, without the addon.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { selectNativeKernel, useNodeNative } from '../../core/platform/node-native.ts';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { getOp } from '../../core/repops/index.ts';
import { nativeNorm } from '../../core/repops/kernels/norm-native.ts';
import { nativeSoftmaxRows } from '../../core/repops/kernels/transcendental-native.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { setThreadPool } from '../../core/repops/parallel.ts';
import { randomNormal } from '../../core/repops/prng.ts';
import { type Tensor, tensor } from '../../core/repops/tensor.ts';
import { maskedAttention, maskedScores } from '../helpers/attention.ts';
import { binary32Word, canonicalBits } from '../helpers/binary32.ts';

const kernel = useNodeNative();
const skip =
  kernel === null ? 'native addon not built (npm install builds it with node-gyp and a C compiler)' : false;
after(() => {
  setWasmKernelsEnabled(true);
  setThreadPool(null);
});

const LEVELS = ['avx512', 'avx2', 'c'] as const;

function atLevel(level: (typeof LEVELS)[number], t: { skip(msg: string): void }, body: () => void): void {
  if (selectNativeKernel(level) !== level) {
    selectNativeKernel(kernel as 'avx512' | 'avx2');
    t.skip(`this CPU has no ${level}`);
    return;
  }
  try {
    body();
  } finally {
    selectNativeKernel(kernel as 'avx512' | 'avx2');
  }
}

const word = binary32Word({ maxAbs: 30, any: 2, ordinary: 6 });

const fill = (n: number, ws: number[], salt: number) => {
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++) w[i] = ws[(i * 7 + salt) % ws.length];
  return new Float32Array(w.buffer);
};

/** softmax and softmax.vjp0 through the ops: native (kernels on) = the JavaScript spec (kernels off). */
function sameAsSpec(x: Tensor, g: Tensor): void {
  setWasmKernelsEnabled(false);
  const y = getOp('softmax').forward([x], {});
  const dx = getOp('softmax.vjp0').forward([g, y], {});
  setWasmKernelsEnabled(true);
  const yFast = getOp('softmax').forward([x], {});
  const dxFast = getOp('softmax.vjp0').forward([g, y], {});
  assert.deepEqual(canonicalBits(yFast.data), canonicalBits(y.data), `softmax on [${x.shape}]`);
  assert.deepEqual(canonicalBits(dxFast.data), canonicalBits(dx.data), `softmax.vjp0 on [${x.shape}]`);
}

for (const level of LEVELS) {
  test(`${level}: softmax and softmax.vjp0 = JavaScript spec on arbitrary bits`, { skip }, (t) =>
    atLevel(level, t, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 9 }),
          fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 14, max: 70 })),
          fc.array(word, { minLength: 1, maxLength: 64 }),
          (rows, n, ws) => {
            sameAsSpec(tensor([rows, n], fill(rows * n, ws, 0)), tensor([rows, n], fill(rows * n, ws, 3)));
          },
        ),
        { numRuns: 200 },
      );
    }),
  );

  test(`${level}: rows spread over exp32's underflow band (w from 0 down to −120)`, { skip }, (t) =>
    atLevel(level, t, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
          const u = randomNormal(seed, 0, 4 * n);
          const x = new Float32Array(4 * n);
          // |normal| · 40 puts many lanes in (−103, −86), the band the vector exp leaves to exp32.
          for (let i = 0; i < x.length; i++) x[i] = Math.fround(-Math.abs(u[i]) * 40);
          sameAsSpec(tensor([4, n], x), tensor([4, n], randomNormal(seed, 1, 4 * n)));
        }),
        { numRuns: 100 },
      );
    }),
  );

  test(`${level}: causally masked rows and the nanoGPT attention shape (12 × 4 × 64 × 64)`, { skip }, (t) =>
    atLevel(level, t, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }),
          fc.double({ min: 0.01, max: 200, noNaN: true }),
          (tt, scale) => {
            const x = maskedScores(tt, scale);
            sameAsSpec(tensor([tt, tt], x), tensor([tt, tt], randomNormal(tt, 1, tt * tt)));
          },
        ),
        { numRuns: 40 },
      );
      const n = 12 * 4 * 64 * 64;
      const x = maskedAttention(3);
      sameAsSpec(tensor([12, 4, 64, 64], x), tensor([12, 4, 64, 64], randomNormal(3, 1, n)));
    }),
  );
}

const LN_OPS = [
  ['layer_norm', (x: Tensor, _g: Tensor, gamma: Tensor, beta: Tensor) => [x, gamma, beta]],
  ['layer_norm.vjp0', (x: Tensor, g: Tensor, gamma: Tensor) => [g, x, gamma]],
  ['layer_norm.vjp1', (x: Tensor, g: Tensor) => [g, x]],
] as const;

function lnSameAsSpec(x: Tensor, g: Tensor, gamma: Tensor, beta: Tensor, eps: number): void {
  for (const [op, inputs] of LN_OPS) {
    const ins = inputs(x, g, gamma, beta);
    setWasmKernelsEnabled(false);
    const spec = getOp(op).forward(ins, { eps });
    setWasmKernelsEnabled(true);
    const fast = getOp(op).forward(ins, { eps });
    assert.deepEqual(canonicalBits(fast.data), canonicalBits(spec.data), `${op} on [${x.shape}] eps ${eps}`);
  }
}

const lnWord = binary32Word({ maxAbs: 8, any: 2, ordinary: 6 });

for (const level of LEVELS) {
  test(`${level}: layer_norm and both VJPs = JavaScript spec on arbitrary bits`, { skip }, (t) =>
    atLevel(level, t, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 9 }),
          fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 14, max: 70 })),
          fc.array(lnWord, { minLength: 1, maxLength: 64 }),
          fc.constantFrom(1e-5, 1e-6, 0.1, 0, 3.4e38),
          (rows, d, ws, eps) => {
            const ten = (shape: number[], salt: number) =>
              tensor(
                shape,
                fill(
                  shape.reduce((a, b) => a * b, 1),
                  ws,
                  salt,
                ),
              );
            lnSameAsSpec(ten([rows, d], 0), ten([rows, d], 3), ten([d], 5), ten([d], 11), Math.fround(eps));
          },
        ),
        { numRuns: 150 },
      );
    }),
  );

  test(`${level}: layer_norm and both VJPs at the nanoGPT shape (12 × 64 × 128)`, { skip }, (t) =>
    atLevel(level, t, () => {
      const n = 12 * 64 * 128;
      lnSameAsSpec(
        tensor([12, 64, 128], randomNormal(7, 0, n)),
        tensor([12, 64, 128], randomNormal(7, 1, n)),
        tensor([128], randomNormal(7, 2, 128)),
        tensor([128], randomNormal(7, 3, 128)),
        Math.fround(1e-5),
      );
    }),
  );
}

test('the native layer norm is the one running (not WebAssembly) and writes only rows [from, to)', {
  skip,
}, () => {
  const d = 21;
  const x = randomNormal(9, 0, 5 * d);
  const gamma = randomNormal(9, 1, d);
  const beta = randomNormal(9, 2, d);
  const out = new Float32Array(5 * d).fill(7);
  const nat = nativeNorm();
  assert.ok(nat, 'native layer norm installed');
  nat.layerNorm(x, gamma, beta, out, 1, 3, d, Math.fround(1e-5));
  setWasmKernelsEnabled(false);
  const spec = getOp('layer_norm').forward([tensor([5, d], x), tensor([d], gamma), tensor([d], beta)], {
    eps: Math.fround(1e-5),
  }).data;
  setWasmKernelsEnabled(true);
  for (let i = 0; i < 5 * d; i++) {
    const row = Math.floor(i / d);
    assert.equal(out[i], row >= 1 && row < 3 ? spec[i] : 7, `element ${i}`);
  }
});

test('on pool workers (which load the same addon) the row ops still give the spec’s bits', { skip }, () => {
  setThreadPool(nodeThreadPool(2, { callerComputes: false }), { minElements: 1, splitWithNative: true });
  try {
    const n = 4 * 64 * 64;
    const x = randomNormal(11, 0, n);
    for (let r = 0; r < n / 64; r++)
      for (let j = (r % 64) + 1; j < 64; j++) x[r * 64 + j] = Number.NEGATIVE_INFINITY;
    sameAsSpec(tensor([4, 64, 64], x), tensor([4, 64, 64], randomNormal(11, 1, n)));
    lnSameAsSpec(
      tensor([2, 64, 128], randomNormal(12, 0, 2 * 64 * 128)),
      tensor([2, 64, 128], randomNormal(12, 1, 2 * 64 * 128)),
      tensor([128], randomNormal(12, 2, 128)),
      tensor([128], randomNormal(12, 3, 128)),
      Math.fround(1e-5),
    );
  } finally {
    setThreadPool(null);
  }
});

test('the native rows run in place on the caller’s arrays, only rows [from, to)', { skip }, () => {
  const n = 19;
  const x = randomNormal(5, 0, 6 * n);
  const out = new Float32Array(6 * n).fill(7);
  assert.ok(nativeSoftmaxRows(x, out, 2, 5, n));
  setWasmKernelsEnabled(false);
  const spec = getOp('softmax').forward([tensor([6, n], x)], {}).data;
  setWasmKernelsEnabled(true);
  for (let i = 0; i < 6 * n; i++) {
    const row = Math.floor(i / n);
    assert.equal(out[i], row >= 2 && row < 5 ? spec[i] : 7, `element ${i}`);
  }
});

test('bad arguments are refused with the kernel’s name', { skip }, () => {
  // The addon itself: its checks are what keeps a wrong call from reading past an array.
  const addon = createRequire(import.meta.url)('../../build/Release/pinpoint_native.node') as {
    softmaxRows: (...a: unknown[]) => void;
    softmaxVjpRows: (...a: unknown[]) => void;
    layerNorm: (...a: unknown[]) => void;
    layerNormVjp0: (...a: unknown[]) => void;
    layerNormVjp1Rows: (...a: unknown[]) => void;
  };
  const a = new Float32Array(8);
  assert.throws(() => addon.softmaxRows(a, a, 0, 3, 4), /softmaxRows: rows \[from, to\) of length n outside/);
  assert.throws(() => addon.softmaxRows(a, a, 2, 1, 4), /outside an operand/);
  assert.throws(() => addon.softmaxVjpRows(a, a, new Float32Array(4), 0, 2, 4), /softmaxVjpRows: rows/);
  assert.throws(() => addon.softmaxRows(a, [1, 2], 0, 1, 2), /softmaxRows\(x, out: Float32Array/);
  assert.throws(() => addon.softmaxRows(a, a, -1, 1, 2), /non-negative integers/);
  assert.throws(
    () => addon.layerNorm(a, a, a, a, 0, 3, 4, 1e-5),
    /layerNorm: rows \[from, to\) of length d outside/,
  );
  assert.throws(() => addon.layerNorm(a, new Float32Array(2), a, a, 0, 1, 4, 1e-5), /outside an operand/);
  assert.throws(() => addon.layerNormVjp0(a, a, a, a, 0, 1, 4), /layerNormVjp0\(g, x, gamma, out/);
  assert.throws(
    () => addon.layerNormVjp1Rows(a, a, new Float32Array(3), 0, 1, 4, 0),
    /layerNormVjp1Rows: rows/,
  );
});
