/**
 * The native GELU kernels (native/transcendental.c via core/platform/node-native.ts) give the bits of the
 * JavaScript specification — gelu32 (math.ts) and gelu.vjp0's spec with kernels off — for every vector
 * level this CPU has (AVX-512, AVX2, plain C): (a) a strided sweep over the binary32 space, (b) fast-check
 * arrays of odd lengths and sub-ranges with NaN, ±Inf, ±0 and subnormals mixed into vectors of ordinary
 * values (the lane fallback and the tail), (c) a few hundred ulps around every branch point of gelu32,
 * erfc32 and exp32 as the kernels reach them. Also through the ops, in place, and on pool workers.
 * NaN is compared as NaN-ness (the tensor digest canonicalises it). Skipped, saying so, without the addon.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { getOp } from '../../core/repops/index.ts';
import { nativeGeluRange, nativeGeluVjpRange } from '../../core/repops/kernels/transcendental-native.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { gelu32 } from '../../core/repops/math.ts';
import { setThreadPool } from '../../core/repops/parallel.ts';
import { tensor } from '../../core/repops/tensor.ts';
import { binary32Word, canonicalBits } from '../helpers/binary32.ts';
import { atLevel, NATIVE_LEVELS, nativeKernel, nativeSkip } from '../helpers/native.ts';

const skip = nativeSkip;
after(() => {
  setWasmKernelsEnabled(true);
  setThreadPool(null);
});

const LEVELS = NATIVE_LEVELS;

const fromWords = (w: ArrayLike<number>) => new Float32Array(Uint32Array.from(w).buffer);

/** The JS specification of gelu (math.ts). */
function specGelu(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = gelu32(x[i]);
  return out;
}

/** gelu.vjp0 as its op computes it with kernels off: the JavaScript spec. */
function specGeluVjp(g: Float32Array, x: Float32Array): Float32Array {
  setWasmKernelsEnabled(false);
  try {
    return getOp('gelu.vjp0').forward([tensor([x.length], g), tensor([x.length], x)], {}).data;
  } finally {
    setWasmKernelsEnabled(true);
  }
}

function nativeGelu(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  assert.ok(nativeGeluRange(x, out, 0, x.length), 'the native kernel is installed');
  return out;
}

function nativeGeluVjp(g: Float32Array, x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  assert.ok(nativeGeluVjpRange(g, x, out, 0, x.length), 'the native kernel is installed');
  return out;
}

/** Fails naming the first input whose output bits differ (NaN = NaN). */
function assertSame(got: Float32Array, want: Float32Array, x: Float32Array, what: string): void {
  const a = canonicalBits(got);
  const b = canonicalBits(want);
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i])
      assert.fail(
        `${what}: x = ${x[i]} (0x${(new Uint32Array(x.buffer, x.byteOffset)[i] >>> 0).toString(16)}) at ${i}: native ${got[i]}, spec ${want[i]}`,
      );
}

test('the native kernels are in use where the addon was built', { skip }, () => {
  assert.match(String(nativeKernel), /^(avx512|avx2)$/);
});

// (a) every 4099th binary32 pattern: every sign, binade, subnormals, ±Inf, NaNs (~1 M values)
const STRIDE = 4099;
const sweep = (() => {
  const n = Math.floor(2 ** 32 / STRIDE);
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++) w[i] = (i * STRIDE) >>> 0;
  return new Float32Array(w.buffer);
})();
// gradients: the same patterns in another order, so every lane meets other g values
const sweepG = (() => {
  const g = new Float32Array(sweep.length);
  for (let i = 0; i < g.length; i++) g[i] = sweep[(i * 7919) % sweep.length];
  return g;
})();
// …and the range where the vector path runs (|x| < 4√2), densely: 1/4 of the sweep is there otherwise
const dense = Float32Array.from({ length: 1 << 18 }, (_, i) => ((i / (1 << 18)) * 2 - 1) * 5.7 + i * 1e-9);

let specSweep: Float32Array | undefined;
let specSweepVjp: Float32Array | undefined;
let specDense: Float32Array | undefined;
let specDenseVjp: Float32Array | undefined;

for (const level of LEVELS) {
  test(`native ${level}: gelu and gelu.vjp0 = specification on a sweep of the binary32 space`, {
    skip,
  }, (t) => {
    atLevel(level, t, () => {
      specSweep ??= specGelu(sweep);
      specSweepVjp ??= specGeluVjp(sweepG, sweep);
      specDense ??= specGelu(dense);
      specDenseVjp ??= specGeluVjp(
        dense.map((v) => v * 0.37 - 0.1),
        dense,
      );
      assertSame(nativeGelu(sweep), specSweep, sweep, 'gelu (sweep)');
      assertSame(nativeGeluVjp(sweepG, sweep), specSweepVjp, sweep, 'gelu.vjp0 (sweep)');
      assertSame(nativeGelu(dense), specDense, dense, 'gelu (|x| < 5.7)');
      assertSame(
        nativeGeluVjp(
          dense.map((v) => v * 0.37 - 0.1),
          dense,
        ),
        specDenseVjp,
        dense,
        'gelu.vjp0 (|x| < 5.7)',
      );
    });
  });
}

// (c) the branch points as x values. gelu32 works on y = |x|/√2 (2^-14, 0.25, 0.5, 1.75, 4 — where the
// vector path stops —, 10.2); gelu.vjp0's erfc32(u) on u = −x/√2 (the same plus −0.84375, −4) and exp32 on
// −x²/2 (k = 0 up to |x| ≈ 0.8326, the 2^-14 cut, underflow near |x| ≈ 14.42).
const yPoints = [2 ** -14, 0.25, 0.5, 0.84375, 1.75, 4, 10.2];
const xPoints = [
  ...yPoints.map((y) => y * Math.SQRT2),
  ...yPoints,
  0.8325546,
  Math.sqrt(2 * 2 ** -14),
  Math.sqrt(2 * 103.972),
  Math.sqrt(2 * 88.72),
  0,
];
const edgeValues = (() => {
  const words: number[] = [];
  for (const p of xPoints) {
    const w = new Uint32Array(new Float32Array([p]).buffer)[0];
    for (let d = -300; d <= 300; d++)
      for (const sign of [0, 0x80000000]) {
        const v = w + d;
        if (v >= 0 && v < 0x7f800000) words.push((v | sign) >>> 0);
      }
  }
  return fromWords(words);
})();

for (const level of LEVELS) {
  test(`native ${level}: every branch boundary of gelu32 / erfc32 / exp32 (±300 ulps, both signs)`, {
    skip,
  }, (t) => {
    atLevel(level, t, () => {
      assertSame(nativeGelu(edgeValues), specGelu(edgeValues), edgeValues, 'gelu (edges)');
      const g = edgeValues.map((_, i) => (i % 5) - 2.5);
      assertSame(nativeGeluVjp(g, edgeValues), specGeluVjp(g, edgeValues), edgeValues, 'gelu.vjp0 (edges)');
    });
  });
}

// (b) arrays of any length (tails of 0…15 elements), specials mixed into vectors of ordinary values,
// written into a sub-range of a larger output (nothing outside it touched)
const word = binary32Word({ maxAbs: 8, any: 1, ordinary: 24 }); // most 16-lane vectors in range
for (const level of LEVELS) {
  test(`native ${level}: random arrays with NaN, ±Inf, ±0, subnormals, odd lengths and sub-ranges`, {
    skip,
  }, (t) => {
    atLevel(level, t, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 80 }),
          fc.nat(),
          fc.nat(),
          (pairs, r1, r2) => {
            const g = fromWords(pairs.map((p) => p[0]));
            const x = fromWords(pairs.map((p) => p[1]));
            const from = r1 % x.length;
            const to = from + (r2 % (x.length - from + 1));
            const out = new Float32Array(x.length).fill(7);
            assert.ok(nativeGeluRange(x, out, from, to));
            const sx = x.subarray(from, to);
            assertSame(out.subarray(from, to), specGelu(sx), sx, 'gelu');
            for (let i = 0; i < x.length; i++) if (i < from || i >= to) assert.equal(out[i], 7, 'outside');
            out.fill(7);
            assert.ok(nativeGeluVjpRange(g, x, out, from, to));
            assertSame(out.subarray(from, to), specGeluVjp(g.subarray(from, to), sx), sx, 'gelu.vjp0');
            for (let i = 0; i < x.length; i++) if (i < from || i >= to) assert.equal(out[i], 7, 'outside');
          },
        ),
        { numRuns: 300 },
      );
    });
  });
}

test('bad arguments: a clear error, nothing written', { skip }, () => {
  const x = new Float32Array(8);
  const out = new Float32Array(4).fill(7);
  assert.throws(() => nativeGeluRange(x, out, 0, 8), /gelu: range \[from, to\) outside an operand/);
  assert.throws(() => nativeGeluRange(x, out, 3, 2), /outside an operand/);
  assert.throws(() => nativeGeluVjpRange(x, x, out, 0, 5), /geluVjp: range/);
  assert.throws(() => nativeGeluRange(x, out, -1, 2), /non-negative integers/);
  assert.deepEqual(Array.from(out), [7, 7, 7, 7]);
});

test('the ops: native on = kernels off (the JS spec), also in place over an input and on pool workers', {
  skip,
}, () => {
  const x = sweep.filter((_, i) => i % 13 === 0);
  const g = sweepG.filter((_, i) => i % 13 === 0);
  const run = () => ({
    f: getOp('gelu').forward([tensor([x.length], x)], {}).data,
    b: getOp('gelu.vjp0').forward([tensor([x.length], g), tensor([x.length], x)], {}).data,
  });
  setWasmKernelsEnabled(false);
  const spec = run();
  setWasmKernelsEnabled(true);
  const on = run();
  assertSame(on.f, spec.f, x, 'gelu op');
  assertSame(on.b, spec.b, x, 'gelu.vjp0 op');
  const inPlace = x.slice();
  assert.ok(nativeGeluRange(inPlace, inPlace, 0, inPlace.length));
  assertSame(inPlace, spec.f, x, 'gelu in place');
  const overG = g.slice();
  assert.ok(nativeGeluVjpRange(overG, x, overG, 0, x.length));
  assertSame(overG, spec.b, x, 'gelu.vjp0 in place over g');
  const overX = x.slice();
  assert.ok(nativeGeluVjpRange(g, overX, overX, 0, x.length));
  assertSame(overX, spec.b, x, 'gelu.vjp0 in place over x');
  setThreadPool(nodeThreadPool(2, { callerComputes: false }), { minElements: 1, splitWithNative: true });
  try {
    const pooled = run();
    assertSame(pooled.f, spec.f, x, 'gelu op on workers');
    assertSame(pooled.b, spec.b, x, 'gelu.vjp0 op on workers');
  } finally {
    setThreadPool(null);
  }
});
