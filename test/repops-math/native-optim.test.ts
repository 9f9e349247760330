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
import { selectNativeKernel, useNodeNative } from '../../core/platform/node-native.ts';
import { getOp } from '../../core/repops/index.ts';
import { nativeAdam } from '../../core/repops/kernels/native-elementwise.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { type Tensor, tensor } from '../../core/repops/tensor.ts';
import { binary32Word, canonicalBits } from '../helpers/binary32.ts';

const kernel = useNodeNative();
const skip =
  kernel === null ? 'native addon not built (npm install builds it with node-gyp and a C compiler)' : false;
after(() => {
  if (kernel) selectNativeKernel(kernel as 'avx512' | 'avx2');
  setWasmKernelsEnabled(true);
});

const word = binary32Word({ maxAbs: 4, any: 2, ordinary: 6 });
const fill = (n: number, ws: number[], salt: number) => {
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++) w[i] = ws[(i * 7 + salt) % ws.length];
  return new Float32Array(w.buffer);
};

function sameAsSpec(op: string, ins: Tensor[], attrs: Record<string, number>): void {
  setWasmKernelsEnabled(false);
  const spec = getOp(op).forward(ins, attrs);
  setWasmKernelsEnabled(true);
  const fast = getOp(op).forward(ins, attrs);
  assert.deepEqual(canonicalBits(fast.data), canonicalBits(spec.data), `${op} ${JSON.stringify(attrs)}`);
}

for (const level of ['avx512', 'avx2', 'c'] as const) {
  test(`native ${level}: adam.m, adam.v, adam.param and clip.apply equal the JavaScript loops bit for bit`, {
    skip,
  }, (t) => {
    if (selectNativeKernel(level) !== level) {
      t.skip(`this CPU has no ${level}`);
      return;
    }
    t.after(() => selectNativeKernel(kernel as 'avx512' | 'avx2'));
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
          const p = tensor([n], fill(n, ws, 0));
          const g = tensor([n], fill(n, ws, 3));
          const m = tensor([n], fill(n, ws, 5));
          const v = tensor([n], fill(n, ws, 11));
          sameAsSpec('adam.m', [m, g], { beta1 });
          sameAsSpec('adam.v', [v, g], { beta2 });
          sameAsSpec('adam.param', [p, m, v], { lr, beta1, beta2, eps: 1e-8, step, weightDecay });
          sameAsSpec('clip.apply', [g, tensor([], fill(1, ws, 7))], {});
        },
      ),
      { numRuns: 200 },
    );
  });
}
