/**
 * The native Adam and clip updates (native/optim.c via core/platform/node-native.ts) give the bits of
 * ops/optim.ts's JavaScript loops: adam.m, adam.v, adam.param (with and without weight decay, over many
 * steps' bias corrections) and clip.apply, at every vector level this CPU has, on arbitrary bit patterns
 * (NaN payloads, ±Inf, ±0, subnormals, negative v) and lengths around every vector width. NaN is compared
 * as NaN-ness, as the tensor digest canonicalises it. Skipped, saying so, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { getOp } from '../../core/repops/index.ts';
import { nativeAdam } from '../../core/repops/kernels/native-elementwise.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { type Tensor, tensor } from '../../core/repops/tensor.ts';
import { binary32Word, canonicalBits, fillWords } from '../helpers/binary32.ts';
import { atLevel, NATIVE_LEVELS, nativeSkip } from '../helpers/native.ts';

const skip = nativeSkip;
after(() => setWasmKernelsEnabled(true));

const word = binary32Word({ maxAbs: 4, any: 2, ordinary: 6 });

function sameAsSpec(op: string, ins: Tensor[], attrs: Record<string, number>): void {
  setWasmKernelsEnabled(false);
  const spec = getOp(op).forward(ins, attrs);
  setWasmKernelsEnabled(true);
  const fast = getOp(op).forward(ins, attrs);
  assert.deepEqual(canonicalBits(fast.data), canonicalBits(spec.data), `${op} ${JSON.stringify(attrs)}`);
}

for (const level of NATIVE_LEVELS) {
  test(`native ${level}: adam.m, adam.v, adam.param and clip.apply equal the JavaScript loops bit for bit`, {
    skip,
  }, (t) => {
    atLevel(level, t, () => {
      assert.ok(nativeAdam(), 'installed');
      fc.assert(
        fc.property(
          fc.oneof(fc.integer({ min: 64, max: 100 }), fc.integer({ min: 101, max: 700 })),
          fc.array(word, { minLength: 1, maxLength: 80 }),
          fc.integer({ min: 1, max: 5000 }),
          fc.constantFrom(0, 0.01, 0.1),
          fc.constantFrom(1e-3, 3e-4, 1),
          fc.constantFrom(0.9, 0.5, 0),
          fc.constantFrom(0.999, 0.95),
          (n, ws, step, weightDecay, lr, beta1, beta2) => {
            const p = tensor([n], fillWords(n, ws, 0));
            const g = tensor([n], fillWords(n, ws, 3));
            const m = tensor([n], fillWords(n, ws, 5));
            const v = tensor([n], fillWords(n, ws, 11));
            sameAsSpec('adam.m', [m, g], { beta1 });
            sameAsSpec('adam.v', [v, g], { beta2 });
            sameAsSpec('adam.param', [p, m, v], { lr, beta1, beta2, eps: 1e-8, step, weightDecay });
            sameAsSpec('clip.apply', [g, tensor([], fillWords(1, ws, 7))], {});
          },
        ),
        { numRuns: 200 },
      );
    });
  });
}
