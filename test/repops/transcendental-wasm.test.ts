/**
 * The WebAssembly transcendentals (kernels/as/transcendental.ts) give the same bits as the JavaScript
 * specification (math.ts): a strided sweep over the whole binary32 space (every 4099th pattern, ~1 M
 * values: every sign, binade, subnormals, ±Inf and NaNs), fast-check samples weighted to the special
 * values and to where each function changes algorithm, and the ops (gelu, gelu.vjp0, tanh, sigmoid,
 * exp, log) with kernels on and off. NaN is compared as NaN-ness, as the tensor digest canonicalises it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { getOp } from '../../core/repops/index.ts';
import {
  UNARY_SPEC,
  type UnaryKind,
  wasmGeluVjpRange,
  wasmUnaryRange,
} from '../../core/repops/kernels/transcendental-wasm.ts';
import { setWasmKernelsEnabled, wasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { tensor } from '../../core/repops/tensor.ts';

after(() => setWasmKernelsEnabled(true));

const SPEC = UNARY_SPEC;

/** Index of the first element whose bits differ (NaN = NaN), or −1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] === ub[i]) continue;
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    return i;
  }
  return -1;
}

function fromWords(words: ArrayLike<number>): Float32Array {
  return new Float32Array(Uint32Array.from(words).buffer);
}

function assertSameAsSpec(kind: UnaryKind, x: Float32Array): void {
  const spec = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) spec[i] = SPEC[kind](x[i]);
  const wasm = new Float32Array(x.length);
  assert.ok(wasmUnaryRange(kind, x, wasm, 0, x.length), 'WebAssembly kernels run in Node');
  const at = firstDifference(spec, wasm);
  assert.equal(at, -1, at < 0 ? '' : `${kind}(${x[at]}): spec ${spec[at]}, wasm ${wasm[at]}`);
}

test('WebAssembly kernels are available here (else every other check would pass vacuously)', () => {
  assert.equal(wasmKernelsEnabled(), true);
});

const STRIDE = 4099; // prime: the sweep visits every exponent and all low-bit patterns
const sweep = (() => {
  const n = Math.floor(2 ** 32 / STRIDE);
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++) w[i] = (i * STRIDE) >>> 0;
  return new Float32Array(w.buffer);
})();

for (const kind of Object.keys(SPEC) as UnaryKind[]) {
  test(`${kind}: WebAssembly = specification on a sweep of the binary32 space`, () => {
    assertSameAsSpec(kind, sweep);
  });
}

// Weighted towards the special values and the branch points of the algorithms (0.5, 0.84375, 1.75, 4,
// 9.01, 10.2, the exp over/underflow thresholds, ±17 …), with a few ulps of jitter around each.
const edges = [0, 2 ** -14, 2 ** -12, 0.25, 0.5, 0.55, 0.84375, 1.75, 4, 9.01, 10.2, 14.4, 17, 88.72, 103.97];
const word = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0x7fc00000, 0xffc00001, 0x7f800000, 0xff800000, 0x80000000, 0, 1, 0x807fffff),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...edges), fc.boolean(), fc.integer({ min: -64, max: 64 }))
      .map(([e, neg, d]) => (new Uint32Array(new Float32Array([neg ? -e : e]).buffer)[0] + d) >>> 0),
  },
  {
    weight: 3,
    arbitrary: fc.float({ min: -12, max: 12 }).map((v) => new Uint32Array(new Float32Array([v]).buffer)[0]),
  },
);

test('every transcendental: WebAssembly = specification on random and edge inputs', () => {
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 64 }), (words) => {
      const x = fromWords(words);
      for (const kind of Object.keys(SPEC) as UnaryKind[]) assertSameAsSpec(kind, x);
    }),
  );
});

test('gelu.vjp0: WebAssembly = specification, including a sub-range write', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 64 }),
      fc.nat(),
      fc.nat(),
      (pairs, r1, r2) => {
        const g = fromWords(pairs.map((p) => p[0]));
        const x = fromWords(pairs.map((p) => p[1]));
        const from = r1 % x.length;
        const to = from + (r2 % (x.length - from + 1));
        const op = getOp('gelu.vjp0');
        setWasmKernelsEnabled(false);
        const spec = op.forward([tensor([x.length], g), tensor([x.length], x)], {}).data;
        setWasmKernelsEnabled(true);
        const out = new Float32Array(x.length).fill(7);
        assert.ok(wasmGeluVjpRange(g, x, out, from, to));
        assert.equal(firstDifference(spec.subarray(from, to), out.subarray(from, to)), -1);
        for (let i = 0; i < x.length; i++)
          if (i < from || i >= to) assert.equal(out[i], 7, 'outside the range');
      },
    ),
  );
});

test('the ops give the same bits with kernels on and off', () => {
  // 50 000 values spread over the whole sweep (every sign and binade), gradients from another stride.
  const x = sweep.filter((_, i) => i % 21 === 0);
  const g = sweep.filter((_, i) => i % 21 === 5);
  for (const name of ['gelu', 'tanh', 'sigmoid', 'exp', 'log']) {
    const op = getOp(name);
    setWasmKernelsEnabled(false);
    const spec = op.forward([tensor([x.length], x)], {}).data;
    setWasmKernelsEnabled(true);
    const wasm = op.forward([tensor([x.length], x)], {}).data;
    assert.equal(firstDifference(spec, wasm), -1, name);
  }
  const vjp = getOp('gelu.vjp0');
  setWasmKernelsEnabled(false);
  const spec = vjp.forward([tensor([x.length], g), tensor([x.length], x)], {}).data;
  setWasmKernelsEnabled(true);
  const wasm = vjp.forward([tensor([x.length], g), tensor([x.length], x)], {}).data;
  assert.equal(firstDifference(spec, wasm), -1, 'gelu.vjp0');
});

test('softmax, log_softmax and softmax_cross_entropy (+ VJPs): same bits with kernels on and off', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 80 }),
      fc.array(word, { minLength: 1, maxLength: 97 }),
      (rows, cols, words) => {
        const n = rows * cols;
        const x = fromWords(
          Array.from({ length: n }, (_, i) => words[i % words.length] ^ ((i * 40503) & 0x3ff)),
        );
        const g = fromWords(Array.from({ length: n }, (_, i) => words[(i * 7) % words.length]));
        const targets = Float32Array.from({ length: rows }, (_, r) => (r * 31) % cols);
        const X = tensor([rows, cols], x);
        const G = tensor([rows, cols], g);
        const T = tensor([rows], targets);
        const cases: [string, ReturnType<typeof tensor>[]][] = [
          ['softmax', [X]],
          ['log_softmax', [X]],
          ['log_softmax.vjp0', [G, X]],
          ['softmax_cross_entropy', [X, T]],
          ['softmax_cross_entropy.vjp0', [tensor([], new Float32Array([0.75])), X, T]],
        ];
        for (const [name, ins] of cases) {
          const op = getOp(name);
          setWasmKernelsEnabled(false);
          const spec = op.forward(ins, { axis: -1 }).data;
          setWasmKernelsEnabled(true);
          const wasm = op.forward(ins, { axis: -1 }).data;
          assert.equal(firstDifference(spec, wasm), -1, name);
        }
      },
    ),
  );
});
