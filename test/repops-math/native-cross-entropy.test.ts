/**
 * The native softmax_cross_entropy rows (native/transcendental.c + cross-entropy-lanes.h, with the C port of
 * math.ts's log32) give the bits of their JavaScript specification — ops/nn.ts's row kernels with kernels off
 * — for every vector level this CPU has (AVX-512, AVX2, plain C): fast-check logits of arbitrary bit patterns
 * (NaN payloads, ±Inf, ±0, subnormals) and ordinary values, row lengths around and off the 4/8/16-lane widths,
 * any targets and loss gradients; a dense sweep of two-class rows whose sums s = 1 + exp32(d) run through
 * log32's branches near 1 (|s − 1| < 2^-9, the k = 0 polynomial) and rows of equal logits (s = c exactly);
 * the nanoGPT shape [768, 65] and sub-ranges of rows, on pool workers too. Bad arguments (targets that are no
 * class index, rows outside an operand) are refused by the addon. NaN is compared as NaN-ness (the tensor
 * digest canonicalises it). Skipped, saying so, without the addon.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { getOp } from '../../core/repops/index.ts';
import { nativeCrossEntropyRows } from '../../core/repops/kernels/transcendental-native.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { setThreadPool } from '../../core/repops/parallel.ts';
import { randomNormal } from '../../core/repops/prng.ts';
import { type Tensor, tensor } from '../../core/repops/tensor.ts';
import { binary32Word, canonicalBits, fillWords } from '../helpers/binary32.ts';
import { atLevel, NATIVE_LEVELS, nativeSkip as skip } from '../helpers/native.ts';

after(() => {
  setWasmKernelsEnabled(true);
  setThreadPool(null);
});

const ce = getOp('softmax_cross_entropy');
const ceVjp = getOp('softmax_cross_entropy.vjp0');

/** Loss and gradient through the ops, with kernels on (native) or off (the JavaScript spec). */
function lossAndGrad(x: Tensor, t: Tensor, g: number, kernels: boolean): { loss: number[]; grad: number[] } {
  setWasmKernelsEnabled(kernels);
  try {
    const loss = ce.forward([x, t], {}).data;
    const grad = ceVjp.forward([tensor([], [g]), x, t], {}).data;
    return { loss: canonicalBits(loss), grad: canonicalBits(grad) };
  } finally {
    setWasmKernelsEnabled(true);
  }
}

function sameAsSpec(x: Tensor, t: Tensor, g: number, what: string): void {
  const spec = lossAndGrad(x, t, g, false);
  const fast = lossAndGrad(x, t, g, true);
  assert.deepEqual(fast.loss, spec.loss, `${what}: loss on [${x.shape}]`);
  assert.deepEqual(fast.grad, spec.grad, `${what}: gradient on [${x.shape}] (g = ${g})`);
}

/** The per-row losses of the row kernel, natively (asserting the addon is installed). */
function nativeLosses(x: Float32Array, t: Float32Array, c: number, from = 0, to = t.length): Float32Array {
  const losses = new Float32Array(t.length).fill(-7);
  assert.ok(nativeCrossEntropyRows(x, t, losses, from, to, c), 'the native kernel is installed');
  return losses;
}

const targetsOf = (rows: number, c: number, seed: number) =>
  Float32Array.from({ length: rows }, (_, r) => (r * 7 + seed) % c);

const rowsArb = fc.record({
  rows: fc.integer({ min: 1, max: 9 }),
  c: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(4, 8, 15, 16, 17, 31, 32, 33, 65)),
  words: fc.array(binary32Word({ maxAbs: 30, any: 2, ordinary: 6 }), { minLength: 1, maxLength: 64 }),
  salt: fc.nat(1000),
  g: fc.oneof(fc.constantFrom(1, -1, 0, 0.5, 3e-39, Number.NaN), fc.float({ noNaN: true })),
});

for (const level of NATIVE_LEVELS) {
  test(`${level}: loss and gradient = JavaScript spec on arbitrary bits and ordinary logits`, { skip }, (t) =>
    atLevel(level, t, () => {
      fc.assert(
        fc.property(rowsArb, ({ rows, c, words, salt, g }) => {
          const x = tensor([rows, c], fillWords(rows * c, words, salt));
          sameAsSpec(x, tensor([rows], targetsOf(rows, c, salt)), g, 'arbitrary');
        }),
        { numRuns: 300 },
      );
    }),
  );

  test(
    `${level}: log32 branches — two-class rows swept near s = 1, equal logits (s = c), nanoGPT shape`,
    {
      skip,
    },
    (t) =>
      atLevel(level, t, () => {
        // [0, d] with d from −104 (exp32 underflows: s = 1 exactly) to 0 (s = 2): every f = s − 1 regime.
        const n = 1 << 15;
        const x = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) x[2 * i + 1] = -104 * (1 - i / n) ** 3;
        sameAsSpec(tensor([n, 2], x), tensor([n], targetsOf(n, 2, 1)), 1, 'sweep');
        for (const c of [1, 3, 5, 16, 100, 1000]) {
          const eq = new Float32Array(3 * c).fill(0.75);
          sameAsSpec(tensor([3, c], eq), tensor([3], targetsOf(3, c, 2)), 1, `equal logits c = ${c}`);
        }
        const logits = randomNormal(7, 0, 768 * 65).map((v) => v * 3);
        sameAsSpec(tensor([768, 65], logits), tensor([768], targetsOf(768, 65, 3)), 1, 'nanoGPT');
      }),
  );

  test(`${level}: sub-ranges of rows touch only their rows`, { skip }, (t) =>
    atLevel(level, t, () => {
      const c = 19;
      const x = randomNormal(3, 0, 10 * c);
      const tt = targetsOf(10, c, 4);
      const all = nativeLosses(x, tt, c);
      const part = nativeLosses(x, tt, c, 3, 7);
      for (let r = 0; r < 10; r++) assert.equal(part[r], r >= 3 && r < 7 ? all[r] : -7, `row ${r}`);
    }),
  );
}

test('on pool workers: the same loss and gradient bits as the spec', { skip }, () => {
  setThreadPool(nodeThreadPool(2), { splitWithNative: true });
  try {
    const logits = randomNormal(9, 0, 768 * 65).map((v) => v * 4);
    sameAsSpec(tensor([768, 65], logits), tensor([768], targetsOf(768, 65, 5)), 1, 'workers');
  } finally {
    setThreadPool(null);
  }
});

test('the addon refuses targets that are no class index and rows outside an operand', { skip }, () => {
  const addon = createRequire(import.meta.url)('../../build/Release/pinpoint_native.node') as {
    crossEntropyRows: (...a: unknown[]) => void;
    crossEntropyVjpRows: (...a: unknown[]) => void;
  };
  const x = new Float32Array(12);
  const losses = new Float32Array(3);
  for (const bad of [4, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    const tt = Float32Array.of(0, bad, 1);
    assert.throws(
      () => addon.crossEntropyRows(x, tt, losses, 0, 3, 4),
      /target 1 is not a class index in \[0, 4\)/,
    );
    assert.throws(() => addon.crossEntropyVjpRows(x, tt, x, 0, 3, 4, 1), /crossEntropyVjpRows: target 1/);
    // Rows outside [from, to) are not read, so not checked.
    assert.doesNotThrow(() => addon.crossEntropyRows(x, tt, losses, 2, 3, 4));
  }
  const tt = Float32Array.of(0, 1, 2);
  assert.throws(
    () => addon.crossEntropyRows(x, tt, losses, 0, 3, 5),
    /rows \[from, to\) of c classes outside/,
  );
  assert.throws(() => addon.crossEntropyRows(x, tt, new Float32Array(2), 0, 3, 4), /outside an operand/);
  assert.throws(
    () => addon.crossEntropyVjpRows(x, tt, new Float32Array(11), 0, 3, 4, 1),
    /outside an operand/,
  );
  assert.throws(() => addon.crossEntropyRows(x, tt, losses, 2, 1, 4), /outside an operand/);
  assert.throws(() => addon.crossEntropyRows(x, tt, losses, 0, 3, 0), /outside an operand/);
  assert.throws(
    () => addon.crossEntropyRows(x, [0, 1, 2], losses, 0, 3, 4),
    /crossEntropyRows\(x, t, losses/,
  );
  assert.throws(() => addon.crossEntropyVjpRows(x, tt, x, 0, 3, 4), /crossEntropyVjpRows\(x, t, out/);
  assert.throws(() => addon.crossEntropyRows(x, tt, losses, -1, 3, 4), /non-negative integers/);
});
