/**
 * More WebAssembly-vs-specification checks for the transcendental kernels, complementing
 * transcendental-wasm.test.ts: every branch threshold of math.ts (0.25, 0.5, 0.55, 0.84375, 1.75, 4,
 * 9.01, 10.2, 17, the exp overflow/underflow bounds, 2^-14, 2^-12, max/min normal, min subnormal) and its
 * ±1-ulp neighbours of both signs, both in the sweep and weighted into fast-check samples together with
 * moderate magnitudes (|x| in [2^-8, 2^8), where training values live); gelu.vjp0 against an independent
 * copy of its formula with g scattered over the bit space; and the registered range kernels (what worker
 * threads run) writing exactly [from, to). NaN is compared as NaN-ness (digests canonicalise NaN).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import '../../core/repops/index.ts'; // registers the ops' range kernels
import {
  UNARY_SPEC,
  type UnaryKind,
  wasmGeluVjpRange,
  wasmUnaryRange,
} from '../../core/repops/kernels/transcendental-wasm.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { erfc32, exp32 } from '../../core/repops/math.ts';
import { rangeKernel } from '../../core/repops/parallel.ts';

after(() => setWasmKernelsEnabled(true));

const SPEC = UNARY_SPEC;
const FNS = Object.keys(SPEC) as UnaryKind[];

const INV_SQRT2 = Math.fround(Math.SQRT1_2);
const INV_SQRT_2PI = Math.fround(0.3989422804014327);
/** gelu.vjp0 exactly as ops/unary.ts spells it (an independent copy of the formula, in JS). */
function geluGradSpec(g: number, v: number): number {
  const f = Math.fround;
  const a = f(0.5 * erfc32(-f(v * INV_SQRT2)));
  const p = f(exp32(f(f(v * v) * -0.5)) * INV_SQRT_2PI);
  return f(g * f(a + f(v * p)));
}

function fromWords(words: ArrayLike<number>): Float32Array {
  return new Float32Array(Uint32Array.from(words).buffer);
}

/** Index of the first element whose bits differ (NaN = NaN), or −1. */
function firstMismatch(want: Float32Array, got: Float32Array): number {
  const w = new Uint32Array(want.buffer);
  const g = new Uint32Array(got.buffer);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]) && Number.isNaN(got[i])) continue;
    if (w[i] !== g[i]) return i;
  }
  return -1;
}

function hex(v: number): string {
  return `0x${(new Uint32Array(new Float32Array([v]).buffer)[0] >>> 0).toString(16).padStart(8, '0')}`;
}

function checkUnary(fn: UnaryKind, x: Float32Array): void {
  const want = x.map(SPEC[fn]);
  const got = new Float32Array(x.length);
  assert.ok(wasmUnaryRange(fn, x, got, 0, x.length), 'WebAssembly kernels must run under Node');
  const i = firstMismatch(want, got);
  if (i >= 0)
    assert.fail(
      `${fn}(${x[i]} = ${hex(x[i])}): JS ${want[i]} (${hex(want[i])}) vs WASM ${got[i]} (${hex(got[i])})`,
    );
}

function checkGeluVjp(g: Float32Array, x: Float32Array): void {
  const want = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) want[i] = geluGradSpec(g[i], x[i]);
  const got = new Float32Array(x.length);
  assert.ok(wasmGeluVjpRange(g, x, got, 0, x.length));
  const i = firstMismatch(want, got);
  if (i >= 0) assert.fail(`gelu.vjp0(g ${g[i]}, x ${x[i]} = ${hex(x[i])}): JS ${want[i]} vs WASM ${got[i]}`);
}

// Bit patterns of the values where the specification changes branch or saturates, ± each.
const THRESHOLDS = [
  0, 1, 0.5, 0.25, 0.55, 0.84375, 1.75, 4, 9.01, 10.2, 17, 88.7228317, 103.972076, 0.00006103515625,
  0.000244140625, 1.4142135, 3.4028234663852886e38, 1.1754943508222875e-38, 1e-45,
].flatMap((v) => {
  const b = new Uint32Array(new Float32Array([v]).buffer)[0];
  return [b - 1, b, b + 1, (b ^ 0x80000000) - 1, b ^ 0x80000000, (b ^ 0x80000000) + 1].map((w) => w >>> 0);
});

const word = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  // Moderate magnitudes (|x| in [2^-8, 2^8)), where training values live and every branch is taken.
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: 0x3b800000, max: 0x437fffff })
      .chain((w) => fc.constantFrom(w, w | 0x80000000)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0x7fc00000,
      0xffc00001,
      0x7f800001,
      0x7f800000,
      0xff800000,
      0x80000000,
      0x00000000,
      0x00000001,
      0x80000001,
      0x007fffff,
      0x807fffff,
      0x00800000,
      0x7f7fffff,
      0xff7fffff,
      0x3f800000,
      0xbf800000,
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(...THRESHOLDS) },
);

for (const fn of FNS) {
  test(`${fn}: WASM = JS spec bit for bit on random float32 patterns incl. NaN, ±Inf, ±0, subnormals`, () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 16, maxLength: 300 }), (ws) => checkUnary(fn, fromWords(ws))),
      { numRuns: 200 },
    );
  });

  test(`${fn}: WASM = JS spec on every 4099th float32 bit pattern (1.05 M values) and the thresholds`, () => {
    const n = Math.ceil(2 ** 32 / 4099);
    const words = new Uint32Array(n + THRESHOLDS.length);
    for (let i = 0; i < n; i++) words[i] = i * 4099;
    words.set(THRESHOLDS, n);
    checkUnary(fn, new Float32Array(words.buffer));
  });
}

test('gelu.vjp0: WASM = JS spec on random (g, x) pairs incl. special values', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(word, word), { minLength: 16, maxLength: 300 }), (pairs) =>
      checkGeluVjp(fromWords(pairs.map((p) => p[0])), fromWords(pairs.map((p) => p[1]))),
    ),
    { numRuns: 200 },
  );
});

test('gelu.vjp0: WASM = JS spec on every 4099th float32 bit pattern of x (g from a second stride)', () => {
  const n = Math.ceil(2 ** 32 / 4099);
  const x = new Uint32Array(n);
  const g = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i * 4099;
    g[i] = i % 3 === 0 ? 0x3f800000 : (i * 2654435761) >>> 0; // g = 1 (Φ + xφ itself) or scattered bits
  }
  checkGeluVjp(new Float32Array(g.buffer), new Float32Array(x.buffer));
});

test('range kernels (what worker threads run) fill exactly [from, to) with the spec bits', () => {
  const n = 1000;
  const x = new Float32Array(n);
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.fround(Math.sin(i * 3.7) * 6);
    g[i] = Math.fround(Math.cos(i * 1.3));
  }
  for (const [from, to] of [
    [0, n],
    [3, 517],
    [517, 999],
    [40, 50],
  ]) {
    for (const name of ['gelu', 'tanh', 'sigmoid', 'exp']) {
      const out = new Float32Array(n).fill(7);
      rangeKernel(name)([x], out, from, to, []);
      for (let i = 0; i < n; i++) {
        const want = i >= from && i < to ? Math.fround(SPEC[name as UnaryKind](x[i])) : 7;
        assert.equal(out[i], want, `${name}[${i}] of range [${from}, ${to})`);
      }
    }
    const out = new Float32Array(n).fill(7);
    rangeKernel('gelu.vjp0')([g, x], out, from, to, []);
    for (let i = 0; i < n; i++)
      assert.equal(out[i], i >= from && i < to ? geluGradSpec(g[i], x[i]) : 7, `gelu.vjp0[${i}]`);
  }
});
