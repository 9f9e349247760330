/**
 * The WebAssembly softmax rows (kernels/as/transcendental.ts softmaxRows / softmaxVjpRows) give the bits of
 * their JavaScript specification (ops/nn.ts's row kernels) with kernels on and off: arbitrary bit patterns
 * (NaN payloads, ±Inf, −0, subnormals, rows where the maximum is NaN or ±Inf), row lengths around and off
 * the SIMD width, causally masked rows (−Inf above the diagonal) and the nanoGPT attention shape.
 * NaN is compared as NaN-ness, as the tensor digest canonicalises it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { getOp } from '../../core/repops/index.ts';
import { wasmSoftmaxRows } from '../../core/repops/kernels/transcendental-wasm.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { randomNormal } from '../../core/repops/prng.ts';
import { type Tensor, tensor } from '../../core/repops/tensor.ts';
import { maskedAttention, maskedScores } from '../helpers/attention.ts';
import { binary32Word, canonicalBits, fillWords } from '../helpers/binary32.ts';

after(() => setWasmKernelsEnabled(true));

const word = binary32Word({ maxAbs: 30, any: 2, ordinary: 6 });

function sameWithKernelsOnAndOff(x: Tensor, g: Tensor): void {
  setWasmKernelsEnabled(false);
  const y = getOp('softmax').forward([x], {});
  const dx = getOp('softmax.vjp0').forward([g, y], {});
  setWasmKernelsEnabled(true);
  const yFast = getOp('softmax').forward([x], {});
  const dxFast = getOp('softmax.vjp0').forward([g, y], {});
  assert.deepEqual(canonicalBits(yFast.data), canonicalBits(y.data), `softmax on [${x.shape}]`);
  assert.deepEqual(canonicalBits(dxFast.data), canonicalBits(dx.data), `softmax.vjp0 on [${x.shape}]`);
}

test('the WebAssembly softmax runs here (else the comparisons below would compare JS with JS)', () => {
  const out = new Float32Array(4);
  assert.ok(wasmSoftmaxRows(new Float32Array([1, 2, 3, 4]), out, 0, 1, 4));
  assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

test('softmax and softmax.vjp0: WebAssembly = JavaScript spec on arbitrary bits', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 14, max: 70 })),
      fc.array(word, { minLength: 1, maxLength: 64 }),
      (rows, n, ws) => {
        sameWithKernelsOnAndOff(
          tensor([rows, n], fillWords(rows * n, ws, 0)),
          tensor([rows, n], fillWords(rows * n, ws, 3)),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('causally masked attention rows (−Inf above the diagonal, wide score ranges)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.double({ min: 0.01, max: 200, noNaN: true }),
      (t, scale) => {
        const x = maskedScores(t, scale);
        sameWithKernelsOnAndOff(tensor([t, t], x), tensor([t, t], randomNormal(t, 1, t * t)));
      },
    ),
    { numRuns: 80 },
  );
});

test('softmax and softmax.vjp0 at the nanoGPT attention shape (12 × 4 heads × 64 × 64)', () => {
  const n = 12 * 4 * 64 * 64;
  const x = maskedAttention(3);
  sameWithKernelsOnAndOff(tensor([12, 4, 64, 64], x), tensor([12, 4, 64, 64], randomNormal(3, 1, n)));
});
