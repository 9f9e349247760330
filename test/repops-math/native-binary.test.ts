/**
 * The native broadcast binary kernel (native/binary.c via core/platform/node-native.ts) gives the bits of
 * ops/binary.ts's JavaScript walk (broadcastBinarySpec): every kind (+ − × ÷), every vector level this CPU
 * has (AVX-512, AVX2, plain C), random broadcast shapes (rank 1–5, size-1 axes, rows around and off each
 * vector width) with arbitrary bit patterns (NaN payloads, ±Inf, ±0, subnormals); and the add/mul ops use it.
 * NaN is compared as NaN-ness, as the tensor digest canonicalises it. Skipped, saying so, where the addon
 * was not built.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { getOp } from '../../core/repops/index.ts';
import { nativeBinary } from '../../core/repops/kernels/native-elementwise.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { broadcastBinarySpec } from '../../core/repops/ops/binary.ts';
import { tensor } from '../../core/repops/tensor.ts';
import { broadcastShapes, broadcastStrides } from '../../core/repops/util.ts';
import { binary32Word, canonicalBits, fillWords } from '../helpers/binary32.ts';
import { atLevel, NATIVE_LEVELS, nativeSkip } from '../helpers/native.ts';

const skip = nativeSkip;
after(() => setWasmKernelsEnabled(true));

const word = binary32Word({ maxAbs: 1e4, any: 3, ordinary: 4 });
const numel = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** An output shape and two operand shapes that broadcast to it (axes dropped from the front or set to 1). */
const shapes = fc
  .array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 40 })), {
    minLength: 1,
    maxLength: 5,
  })
  .chain((out) =>
    fc.tuple(
      fc.constant(out),
      fc.tuple(
        fc.integer({ min: 0, max: out.length - 1 }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      ),
      fc.tuple(
        fc.integer({ min: 0, max: out.length - 1 }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      ),
    ),
  )
  .map(([out, [da, ones], [db, ones2]]) => ({
    out,
    a: out.slice(da).map((d, i) => (ones[i] ? 1 : d)),
    b: out.slice(db).map((d, i) => (ones2[i] ? 1 : d)),
  }));

for (const level of NATIVE_LEVELS) {
  test(`native ${level}: + − × ÷ with broadcasting equal the JavaScript walk bit for bit`, { skip }, (t) => {
    atLevel(level, t, () => {
      const native = nativeBinary();
      assert.ok(native, 'installed');
      fc.assert(
        fc.property(
          shapes,
          fc.array(word, { minLength: 1, maxLength: 97 }),
          fc.integer({ min: 0, max: 3 }),
          (s, ws, kind) => {
            const outShape = broadcastShapes('test', s.a, s.b);
            const a = fillWords(numel(s.a), ws, 0);
            const b = fillWords(numel(s.b), ws, 5);
            const want = broadcastBinarySpec(kind as 0, a, s.a, b, s.b, outShape);
            const got = new Float32Array(numel(outShape)).fill(Number.NaN);
            native(
              kind,
              a,
              b,
              got,
              outShape,
              broadcastStrides(s.a, outShape),
              broadcastStrides(s.b, outShape),
            );
            assert.deepEqual(canonicalBits(got), canonicalBits(want), `kind ${kind} [${s.a}] ∘ [${s.b}]`);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
}

test('the add / sub / mul / div ops run it and give the bits of kernels off', { skip }, () => {
  fc.assert(
    fc.property(shapes, fc.array(word, { minLength: 1, maxLength: 50 }), (s, ws) => {
      const a = tensor(s.a, fillWords(numel(s.a), ws, 1));
      const b = tensor(s.b, fillWords(numel(s.b), ws, 2));
      for (const op of ['add', 'sub', 'mul', 'div']) {
        setWasmKernelsEnabled(false);
        const spec = getOp(op).forward([a, b], {});
        setWasmKernelsEnabled(true);
        const fast = getOp(op).forward([a, b], {});
        assert.deepEqual(canonicalBits(fast.data), canonicalBits(spec.data), op);
      }
    }),
    { numRuns: 100 },
  );
});

test('bad arguments are refused with a message, not read out of bounds', { skip }, () => {
  const native = nativeBinary();
  assert.ok(native);
  const f = (n: number) => new Float32Array(n);
  assert.throws(() => native(0, f(3), f(3), f(3), [4], [1], [1]), /too short/);
  assert.throws(() => native(0, f(3), f(1), f(3), [3], [1], [1]), /too short/);
  assert.throws(() => native(7, f(3), f(3), f(3), [3], [1], [1]), /kind/);
  assert.throws(() => native(0, f(3), f(3), f(3), [3], [1], [1, 1]), /rank/);
});
