/**
 * The WebAssembly-SIMD kernels of the broadcast binary ops, their VJPs (sum back over broadcast axes),
 * the reductions and the optimizer updates give the same bits as the JavaScript specification
 * (kernels disabled) on random shapes — odd sizes, every broadcast pattern — with NaN payloads, ±Inf,
 * −0 and subnormals. NaN is compared after canonicalisation, as the tensor digest does.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { getOp } from '../../core/repops/index.ts';
import { BINARY_WASM_BASE64 } from '../../core/repops/kernels/binary-wasm-bytes.ts';
import { kernelModule, setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { transposeData } from '../../core/repops/ops/layout.ts';
import { laneSum, reduceSumData } from '../../core/repops/reduce.ts';
import type { Attrs } from '../../core/repops/registry.ts';
import { tensor } from '../../core/repops/tensor.ts';
import { binary32Word, canonicalBits } from '../helpers/binary32.ts';

after(() => setWasmKernelsEnabled(true));

const bits = canonicalBits;
const word = binary32Word();
const dataOf = (n: number, seed: number[]) => {
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++)
    w[i] = seed[i % seed.length] ^ (i % seed.length === i ? 0 : (i * 2654435761) >>> 9);
  return new Float32Array(w.buffer);
};

/** Runs op on inputs with kernels on and off; asserts equal bits. */
function same(op: string, inputs: { data: Float32Array; shape: number[] }[], attrs: Attrs) {
  const def = getOp(op);
  const ts = inputs.map((x) => tensor(x.shape, x.data));
  setWasmKernelsEnabled(false);
  const spec = def.forward(ts, attrs).data;
  setWasmKernelsEnabled(true);
  const fast = def.forward(ts, attrs).data;
  assert.deepEqual(bits(fast), bits(spec), `${op} ${JSON.stringify(inputs.map((x) => x.shape))}`);
}

/** A shape of rank 1..4 with odd and SIMD-sized dims, and a broadcast source of it. */
const dim = fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 14, max: 70 }));
const shapes = fc
  .tuple(
    fc.array(dim, { minLength: 1, maxLength: 4 }),
    fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  )
  .chain(([full, ones]) =>
    fc.integer({ min: 0, max: full.length }).map((drop) => {
      const src = full.slice(drop).map((d, i) => (ones[i] ? 1 : d));
      return { full, src };
    }),
  )
  .filter(({ full }) => full.reduce((p, d) => p * d, 1) <= 40000);
const words = fc.array(word, { minLength: 1, maxLength: 64 });
const numel = (s: number[]) => s.reduce((p, d) => p * d, 1);

for (const op of ['add', 'sub', 'mul', 'div']) {
  test(`${op}: WASM = JS spec for every broadcast pattern`, () => {
    fc.assert(
      fc.property(shapes, words, words, fc.boolean(), ({ full, src }, wa, wb, swap) => {
        const A = { data: dataOf(numel(full), wa), shape: full };
        const B = { data: dataOf(numel(src), wb), shape: src };
        same(op, swap ? [B, A] : [A, B], {});
      }),
      { numRuns: 150 },
    );
  });
}

for (const op of [
  'add.vjp0',
  'add.vjp1',
  'sub.vjp0',
  'sub.vjp1',
  'mul.vjp0',
  'mul.vjp1',
  'div.vjp0',
  'div.vjp1',
]) {
  test(`${op}: WASM = JS spec (sum back over broadcast axes)`, () => {
    fc.assert(
      fc.property(shapes, words, words, words, ({ full, src }, wg, wa, wb) => {
        const g = { data: dataOf(numel(full), wg), shape: full };
        const other = { data: dataOf(numel(src), wa), shape: src };
        const attrs = { shape: src };
        if (op.startsWith('add') || op.startsWith('sub')) same(op, [g], attrs);
        else if (op === 'div.vjp1')
          same(op, [g, { data: dataOf(numel(full), wb), shape: full }, other], attrs);
        else same(op, [g, other], attrs);
      }),
      { numRuns: 100 },
    );
  });
}

test('the binary kernel module instantiates here (so the comparisons above exercise WebAssembly)', () => {
  assert.ok(kernelModule('binary', BINARY_WASM_BASE64));
});

/** Independent oracle of SPEC.md's sum: per output (row-major over kept axes), gather the terms row-major over the reduced axes, laneSum. */
function naiveSum(x: Float32Array, shape: number[], axes: number[]): Float32Array {
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const outN = numel(kept.map((i) => shape[i]));
  const redN = numel(axes.map((i) => shape[i]));
  const out = new Float32Array(outN);
  const offsets = (dims: number[], n: number) =>
    Array.from({ length: n }, (_, f) => {
      let off = 0;
      let rest = f;
      for (let k = dims.length - 1; k >= 0; k--) {
        off += (rest % shape[dims[k]]) * strides[dims[k]];
        rest = Math.floor(rest / shape[dims[k]]);
      }
      return off;
    });
  const redOff = offsets(axes, redN);
  offsets(kept, outN).forEach((base, o) => {
    out[o] = laneSum(
      Float32Array.from(redOff, (r) => x[base + r]),
      0,
      redN,
      1,
    );
  });
  return out;
}

test('reduceSumData: WASM = JS spec = naive gather-then-laneSum over any axes', () => {
  fc.assert(
    fc.property(
      fc.array(dim, { minLength: 1, maxLength: 4 }),
      fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      words,
      (shape, pick, w) => {
        fc.pre(numel(shape) <= 40000);
        const axes = shape.map((_, i) => i).filter((i) => pick[i]);
        const x = dataOf(numel(shape), w);
        setWasmKernelsEnabled(false);
        const spec = reduceSumData(x, shape, axes);
        setWasmKernelsEnabled(true);
        assert.deepEqual(bits(reduceSumData(x, shape, axes)), bits(spec));
        assert.deepEqual(bits(spec), bits(naiveSum(x, shape, axes)));
      },
    ),
    { numRuns: 200 },
  );
});

test('transposeData (WASM 2-D, JS tiles, strided runs) = naive index mapping, any rank and permutation', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 0, maxLength: 4 }),
      fc.integer({ min: 0, max: 23 }),
      words,
      (shape, pk, w) => {
        fc.pre(numel(shape) <= 40000);
        const r = shape.length;
        const rest = shape.map((_, i) => i);
        const perm: number[] = [];
        for (let k = pk; rest.length > 0; k = Math.floor(k / 2))
          perm.push(rest.splice(k % rest.length, 1)[0]);
        const x = dataOf(numel(shape), w);
        setWasmKernelsEnabled(false);
        const js = transposeData(x, shape, perm);
        setWasmKernelsEnabled(true);
        const out = transposeData(x, shape, perm);
        assert.deepEqual(bits(out), bits(js));
        const outShape = perm.map((p) => shape[p]);
        const strides = shape.map((_, i) => numel(shape.slice(i + 1)));
        const xw = new Uint32Array(x.buffer);
        const want = Uint32Array.from({ length: numel(shape) }, (_, f) => {
          let off = 0;
          let rem = f;
          for (let k = r - 1; k >= 0; k--) {
            off += (rem % outShape[k]) * strides[perm[k]];
            rem = Math.floor(rem / outShape[k]);
          }
          return xw[off];
        });
        assert.deepEqual(bits(out), bits(new Float32Array(want.buffer)));
      },
    ),
    { numRuns: 300 },
  );
});

const f32 = (x: number) => Math.fround(x);
const sizes = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 250, max: 3000 }));
test('adam.m, adam.v, adam.param (with and without weight decay), clip.apply, sumsq: WASM = JS spec', () => {
  fc.assert(
    fc.property(
      sizes,
      words,
      words,
      words,
      words,
      fc.record({
        lr: fc.float({ min: f32(1e-6), max: 1, noNaN: true }),
        beta1: fc.float({ min: 0, max: 1, noNaN: true }),
        beta2: fc.float({ min: 0, max: 1, noNaN: true }),
        eps: fc.float({ min: f32(1e-12), max: f32(1e-3), noNaN: true }),
        weightDecay: fc.oneof(fc.constant(0), fc.float({ min: 0, max: f32(0.5), noNaN: true })),
        step: fc.integer({ min: 1, max: 5000 }),
      }),
      (n, wp, wm, wv, wg, h) => {
        const t = (w: number[]) => ({ data: dataOf(n, w), shape: [n] });
        const [p, m, v, g] = [t(wp), t(wm), t(wv), t(wg)];
        same('adam.m', [m, g], { beta1: h.beta1 });
        same('adam.v', [v, g], { beta2: h.beta2 });
        same('adam.param', [p, m, v], h);
        same('clip.apply', [g, { data: dataOf(1, wm), shape: [] }], {});
        same('sumsq', [g], {});
      },
    ),
    { numRuns: 200 },
  );
});
