/**
 * The WebAssembly layer norm (kernels/as/norm.ts) gives the bits of its JavaScript specification
 * (ops/nn.ts's row kernels): layer_norm, layer_norm.vjp0 and layer_norm.vjp1 with kernels on and off, on
 * arbitrary bit patterns (NaN payloads, ±Inf, −0, subnormals), row lengths around and off the SIMD width,
 * and the nanoGPT shape. NaN is compared as NaN-ness, as the tensor digest canonicalises it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { getOp } from '../../core/repops/index.ts';
import { wasmLayerNormRows } from '../../core/repops/kernels/norm-wasm.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { randomNormal } from '../../core/repops/prng.ts';
import { type Tensor, tensor } from '../../core/repops/tensor.ts';
import { binary32Word, canonicalBits, fillWords } from '../helpers/binary32.ts';

after(() => setWasmKernelsEnabled(true));

const bits = canonicalBits;

const word = binary32Word({ maxAbs: 8, any: 2, ordinary: 6 });

const OPS = [
  ['layer_norm', (x: Tensor, g: Tensor, gamma: Tensor, beta: Tensor) => [x, gamma, beta]],
  ['layer_norm.vjp0', (x: Tensor, g: Tensor, gamma: Tensor) => [g, x, gamma]],
  ['layer_norm.vjp1', (x: Tensor, g: Tensor) => [g, x]],
] as const;

function sameWithKernelsOnAndOff(x: Tensor, g: Tensor, gamma: Tensor, beta: Tensor, eps: number): void {
  for (const [op, inputs] of OPS) {
    const ins = inputs(x, g, gamma, beta);
    setWasmKernelsEnabled(false);
    const spec = getOp(op).forward(ins, { eps });
    setWasmKernelsEnabled(true);
    const fast = getOp(op).forward(ins, { eps });
    assert.deepEqual(bits(fast.data), bits(spec.data), `${op} on [${x.shape}] eps ${eps}`);
  }
}

test('the WebAssembly kernels run here (else the comparisons below would compare JS with JS)', () => {
  const x = new Float32Array([1, 2, 3, 4]);
  assert.ok(
    wasmLayerNormRows(
      x,
      new Float32Array(4).fill(1),
      new Float32Array(4),
      new Float32Array(4),
      0,
      1,
      4,
      1e-5,
    ),
  );
});

test('layer_norm and both VJPs: WebAssembly = JavaScript spec on arbitrary bits', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 14, max: 70 })),
      fc.array(word, { minLength: 1, maxLength: 64 }),
      fc.constantFrom(1e-5, 1e-6, 0.1, 0, 3.4e38),
      (rows, d, ws, eps) => {
        const t = (shape: number[], salt: number) =>
          tensor(
            shape,
            fillWords(
              shape.reduce((a, b) => a * b, 1),
              ws,
              salt,
            ),
          );
        sameWithKernelsOnAndOff(t([rows, d], 0), t([rows, d], 3), t([d], 5), t([d], 11), Math.fround(eps));
      },
    ),
    { numRuns: 300 },
  );
});

test('layer_norm and both VJPs at the nanoGPT shape (768 rows × 128, batch of 12 × 64)', () => {
  const x = tensor([12, 64, 128], randomNormal(7, 0, 12 * 64 * 128));
  const g = tensor([12, 64, 128], randomNormal(7, 1, 12 * 64 * 128));
  const gamma = tensor([128], randomNormal(7, 2, 128));
  const beta = tensor([128], randomNormal(7, 3, 128));
  sameWithKernelsOnAndOff(x, g, gamma, beta, Math.fround(1e-5));
});
