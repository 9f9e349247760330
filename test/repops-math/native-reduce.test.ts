/**
 * Sums over leading axes run on the native column sums (native/matmul.c `columnSums`, reduce.ts's hook)
 * wherever reduceSumData meets one reduced middle axis in one block: sum/mean over axis 0 (and merged
 * leading axes), add.vjp1's broadcast gradient, layer_norm.vjp1/vjp2, linear.vjp2. Each gives the bits of
 * the JavaScript specification (kernels off), for every vector level this CPU has, on arbitrary bit
 * patterns (NaN payloads, ±Inf, ±0, subnormals) and ordinary values, with row counts around the 4-lane
 * order's tail and column counts around the 8/16-lane widths. An independent oracle (a plain loop in the
 * lane order of SPEC.md "Reductions") checks the ordinary values. Skipped, saying so, without the addon.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { getOp } from '../../core/repops/index.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { type Tensor, tensor } from '../../core/repops/tensor.ts';
import { binary32Word, canonicalBits, fillWords } from '../helpers/binary32.ts';
import { atLevel, NATIVE_LEVELS, nativeSkip as skip } from '../helpers/native.ts';

after(() => setWasmKernelsEnabled(true));

function run(op: string, inputs: Tensor[], attrs: Record<string, unknown>, kernels: boolean): number[] {
  setWasmKernelsEnabled(kernels);
  try {
    return canonicalBits(getOp(op).forward(inputs, attrs as never).data);
  } finally {
    setWasmKernelsEnabled(true);
  }
}

function sameAsSpec(op: string, inputs: Tensor[], attrs: Record<string, unknown> = {}): void {
  assert.deepEqual(
    run(op, inputs, attrs, true),
    run(op, inputs, attrs, false),
    `${op} on ${inputs.map((t) => `[${t.shape}]`).join(' ')}`,
  );
}

/** SPEC.md's lane order for each column: term i into accumulator i mod 4, (a0 + a1) + (a2 + a3). */
function laneColumnSums(x: Float32Array, m: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const acc = new Float32Array(4);
    for (let i = 0; i < m; i++) acc[i & 3] += x[i * n + j];
    out[j] = Math.fround(acc[0] + acc[1]) + Math.fround(acc[2] + acc[3]);
  }
  return out;
}

const shapeArb = fc.record({
  lead: fc.integer({ min: 1, max: 3 }),
  m: fc.integer({ min: 1, max: 23 }),
  n: fc.oneof(fc.integer({ min: 2, max: 40 }), fc.constantFrom(8, 16, 17, 31, 32, 33, 128)),
  words: fc.array(binary32Word({ maxAbs: 1e4, any: 2, ordinary: 6 }), { minLength: 1, maxLength: 64 }),
  salt: fc.nat(1000),
});

for (const level of NATIVE_LEVELS) {
  test(`${level}: sums over leading axes and the gradients built on them = JavaScript spec`, { skip }, (t) =>
    atLevel(level, t, () => {
      fc.assert(
        fc.property(shapeArb, ({ lead, m, n, words, salt }) => {
          const rows = lead * m;
          const x = tensor([lead, m, n], fillWords(rows * n, words, salt));
          const x2 = tensor([rows, n], x.data);
          sameAsSpec('sum', [x], { axes: [0, 1] });
          sameAsSpec('sum', [x], { axes: [1] }); // a middle axis in `lead` blocks
          sameAsSpec('sum', [x2], { axes: [0] });
          sameAsSpec('mean', [x2], { axes: [0], keepdims: true });
          sameAsSpec('add.vjp1', [x], { shape: [n] });
          sameAsSpec('layer_norm.vjp2', [x]);
          sameAsSpec('linear.vjp2', [x2]);
          const other = tensor([rows, n], fillWords(rows * n, words, salt + 3));
          sameAsSpec('layer_norm.vjp1', [other, x2], { eps: 1e-5 });
        }),
        { numRuns: 150 },
      );
    }),
  );

  test(`${level}: column sums of ordinary values = a plain loop in the lane order`, { skip }, (t) =>
    atLevel(level, t, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 70 }),
          fc.integer({ min: 2, max: 70 }),
          fc.nat(1 << 20),
          (m, n, seed) => {
            const x = Float32Array.from({ length: m * n }, (_, i) => Math.sin(i * 12.9898 + seed) * 1e3);
            const got = getOp('sum').forward([tensor([m, n], x)], { axes: [0] }).data;
            assert.deepEqual(canonicalBits(got), canonicalBits(laneColumnSums(x, m, n)));
          },
        ),
        { numRuns: 100 },
      );
    }),
  );
}
