/**
 * Accuracy of the RepOps binary32 transcendentals (core/repops/math.ts) against float64 references
 * (Math.exp/log/tanh in the test only — accurate to < 1e-8 binary32 ulp — and series/continued-fraction
 * erf/erfc in reference.ts), over ≥ 10^6 inputs per function sampled three ways: random bit patterns
 * (every exponent), a stride sweep over the bit patterns of the interesting range, and uniform values.
 * Targets: ≤ 1 ulp exp/log, ≤ 2 ulp tanh/sigmoid/erf/erfc/gelu.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { erf32, erfc32, exp32, gelu32, log32, sigmoid32, tanh32 } from '../../core/repops/math.ts';
import { erfcRef, erfRef, geluRef, sigmoidRef } from './reference.ts';
import { bitsOfF32, f32FromBits, measure, randomFloats, sweep, type UlpStats } from './ulp.ts';

function* uniformValues(lo: number, hi: number, count: number, seed: number): Generator<number> {
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    yield Math.fround(lo + ((hi - lo) * s) / 4294967296);
  }
}

interface Case {
  name: string;
  fn: (x: number) => number;
  ref: (x: number) => number;
  lo: number;
  hi: number;
  maxUlp: number;
}

const CASES: Case[] = [
  { name: 'exp32', fn: exp32, ref: Math.exp, lo: -104, hi: 89, maxUlp: 1 },
  { name: 'log32', fn: log32, ref: Math.log, lo: 0, hi: 3.4e38, maxUlp: 1 },
  { name: 'tanh32', fn: tanh32, ref: Math.tanh, lo: -10, hi: 10, maxUlp: 2 },
  { name: 'sigmoid32', fn: sigmoid32, ref: sigmoidRef, lo: -105, hi: 20, maxUlp: 2 },
  { name: 'erf32', fn: erf32, ref: erfRef, lo: -4.5, hi: 4.5, maxUlp: 2 },
  { name: 'erfc32', fn: erfc32, ref: erfcRef, lo: -4.5, hi: 10.5, maxUlp: 2 },
  { name: 'gelu32', fn: gelu32, ref: geluRef, lo: -15, hi: 15, maxUlp: 2 },
];

const N = Number(process.env.REPOPS_ULP_SAMPLES ?? 1_000_000);

function fmt(s: UlpStats): string {
  return `max ${s.max.toFixed(3)} ulp at x=${s.worstX} over ${s.count} inputs (${s.over1} > 1 ulp)`;
}

describe('transcendental accuracy (ulp vs float64 reference)', () => {
  for (const c of CASES) {
    test(`${c.name}: ≤ ${c.maxUlp} ulp`, (t) => {
      const bits = measure(c.fn, c.ref, randomFloats(Math.ceil(N / 2), 0x2545f491));
      const sw = measure(c.fn, c.ref, sweep(c.lo < 0 ? -0 : c.lo, c.hi, Math.ceil(N / 4)));
      const neg = c.lo < 0 ? measure(c.fn, c.ref, sweep(c.lo, -0, Math.ceil(N / 4))) : undefined;
      const uni = measure(c.fn, c.ref, uniformValues(c.lo, c.hi, Math.ceil(N / 4), 7));
      const all = [bits, sw, uni, ...(neg ? [neg] : [])];
      const total = all.reduce((a, s) => a + s.count, 0);
      const worst = all.reduce((a, s) => (s.max > a.max ? s : a));
      t.diagnostic(`${c.name}: ${fmt({ ...worst, count: total })}`);
      assert.ok(total >= N, `sampled ${total} inputs`);
      assert.ok(worst.max <= c.maxUlp, `${c.name}: ${fmt(worst)}`);
    });
  }
});

describe('exhaustive windows at the erfcx piece boundaries', () => {
  // Every binary32 in the bands where the piecewise erfc/GELU evaluation is weakest (y ≈ 1.75, y ≈ 4).
  const windows: [string, (x: number) => number, (x: number) => number, number, number][] = [
    ['erfc32', erfc32, erfcRef, 1.73, 1.77],
    ['erfc32', erfc32, erfcRef, 3.9, 4.0],
    ['gelu32', gelu32, geluRef, -2.52, -2.47],
    ['gelu32', gelu32, geluRef, -5.68, -5.6],
  ];
  for (const [name, fn, ref, lo, hi] of windows) {
    test(`${name}: every binary32 in [${lo}, ${hi}] within 2 ulp`, (t) => {
      const s = measure(fn, ref, sweep(lo, hi, 2 ** 32));
      t.diagnostic(`${name} [${lo}, ${hi}]: ${fmt(s)}`);
      assert.ok(s.max <= 2, fmt(s));
    });
  }
});

const inf = Number.POSITIVE_INFINITY;
const minSub = f32FromBits(1); // 2^-149
const maxF = f32FromBits(0x7f7fffff);

function same(a: number, b: number): boolean {
  return Object.is(a, b);
}

describe('special values', () => {
  test('NaN in → NaN out, every function', () => {
    for (const c of CASES) assert.ok(Number.isNaN(c.fn(Number.NaN)), c.name);
  });

  test('exp32: ±0, ±Inf, overflow, underflow, subnormal results', () => {
    assert.equal(exp32(0), 1);
    assert.equal(exp32(-0), 1);
    assert.equal(exp32(inf), inf);
    assert.ok(same(exp32(-inf), 0));
    assert.equal(exp32(f32FromBits(0x42b17217)), Math.fround(Math.exp(f32FromBits(0x42b17217)))); // largest finite
    assert.equal(exp32(f32FromBits(0x42b17218)), inf); // first overflow
    assert.equal(exp32(200), inf);
    assert.equal(exp32(f32FromBits(0xc2cff1b4)), minSub); // rounds up to 2^-149
    assert.ok(same(exp32(f32FromBits(0xc2cff1b5)), 0)); // below ½·2^-149
    assert.ok(same(exp32(-1000), 0));
    assert.equal(exp32(minSub), 1);
    assert.equal(exp32(-minSub), 1);
    // Subnormal results are correctly rounded to within one subnormal ulp.
    for (const x of [-88, -90, -95, -100, -103]) {
      const y = exp32(x);
      assert.ok(y > 0 && y < 1.1754943508222875e-38);
      assert.ok(Math.abs(y - Math.exp(x)) <= minSub, `exp32(${x})`);
    }
  });

  test('log32: ±0, negatives, ±Inf, 1, subnormals, max', () => {
    assert.equal(log32(0), -inf);
    assert.equal(log32(-0), -inf);
    assert.ok(Number.isNaN(log32(-1)));
    assert.ok(Number.isNaN(log32(-minSub)));
    assert.ok(Number.isNaN(log32(-inf)));
    assert.equal(log32(inf), inf);
    assert.ok(same(log32(1), 0));
    assert.equal(log32(minSub), Math.fround(Math.log(minSub)));
    assert.equal(log32(maxF), Math.fround(Math.log(maxF)));
    for (let e = -149; e <= 127; e++) {
      const x = 2 ** e;
      assert.ok(
        Math.abs(log32(x) - Math.log(x)) <= 2 ** (Math.floor(Math.log2(Math.abs(Math.log(x)) || 1)) - 23),
        `log32(2^${e})`,
      );
    }
  });

  test('tanh32 / sigmoid32 / erf32 / erfc32 / gelu32 at ±0 and ±Inf', () => {
    assert.ok(same(tanh32(0), 0) && same(tanh32(-0), -0));
    assert.equal(tanh32(inf), 1);
    assert.equal(tanh32(-inf), -1);
    assert.equal(tanh32(minSub), minSub);
    assert.equal(tanh32(-minSub), -minSub);
    assert.equal(sigmoid32(0), 0.5);
    assert.equal(sigmoid32(-0), 0.5);
    assert.equal(sigmoid32(inf), 1);
    assert.ok(same(sigmoid32(-inf), 0));
    assert.equal(sigmoid32(-100), exp32(-100)); // σ(x) = e^x once 1 + e^x rounds to 1
    assert.ok(same(erf32(0), 0) && same(erf32(-0), -0));
    assert.equal(erf32(inf), 1);
    assert.equal(erf32(-inf), -1);
    assert.equal(erf32(minSub), minSub);
    assert.equal(erfc32(0), 1);
    assert.ok(same(erfc32(inf), 0));
    assert.equal(erfc32(-inf), 2);
    assert.ok(same(erfc32(11), 0)); // underflows
    assert.ok(erfc32(10) > 0); // erfc(10) ≈ 2.09e-45: still a subnormal
    assert.ok(same(gelu32(0), 0) && same(gelu32(-0), -0));
    assert.equal(gelu32(inf), inf);
    assert.ok(same(gelu32(-inf), -0));
    assert.equal(gelu32(20), 20);
    assert.ok(same(gelu32(-20), -0));
  });

  test('symmetries hold exactly', () => {
    for (const x of randomFloats(20000, 99, -12, 12)) {
      assert.ok(same(tanh32(-x), -tanh32(x)), `tanh odd at ${x}`);
      assert.ok(same(erf32(-x), -erf32(x)), `erf odd at ${x}`);
    }
  });

  test('outputs are binary32 values (fround is the identity on them)', () => {
    for (const x of randomFloats(20000, 5)) {
      for (const c of CASES) {
        const y = c.fn(x);
        assert.ok(same(Math.fround(y), y), `${c.name}(${x}) = ${y} is not binary32`);
      }
    }
  });

  test('monotone: sampled across the range and on consecutive binary32 around every piece boundary', () => {
    const windows: Record<string, number[]> = {
      exp32: [-103.97, -87.3, -0.3466, 0.3466, 1.0397, 88.72, 0.00006103515625],
      log32: [1.1754943508222875e-38, Math.SQRT1_2, 1, Math.SQRT2, 0.998, 1.002],
      tanh32: [0.000244140625, 0.55, 9.01],
      sigmoid32: [-17, 0, -87.3],
      erf32: [0.00006103515625, 0.84375, 1.75, 4],
      gelu32: [0, Math.SQRT1_2, 1.2374, 2.4749, 5.6569], // not near its minimum (x ≈ −0.75), where it is flat
    };
    for (const c of CASES) {
      const ws = windows[c.name];
      if (ws === undefined) continue;
      const xs: number[] = [...sweep(c.lo < 0 ? -0 : c.lo, c.hi, 100000)];
      if (c.lo < 0) xs.unshift(...[...sweep(c.lo, -0, 100000)].reverse());
      const series: number[][] = [xs];
      for (const w of ws) {
        const b = bitsOfF32(Math.fround(w));
        const win: number[] = [];
        for (let d = -3000; d <= 3000; d++) win.push(f32FromBits(b + (w < 0 ? -d : d)));
        series.push(win.filter(Number.isFinite).sort((p, q) => p - q));
      }
      if (c.name === 'gelu32') series[0] = xs.filter((x) => x >= -0.5); // GELU: monotone above its minimum (x ≈ −0.75); flat near it
      for (const ser of series) {
        for (let i = 1; i < ser.length; i++) {
          if (ser[i] > ser[i - 1])
            assert.ok(
              c.fn(ser[i]) >= c.fn(ser[i - 1]),
              `${c.name} decreases between ${ser[i - 1]} and ${ser[i]}`,
            );
        }
      }
    }
  });

  test('non-binary32 inputs are rounded to binary32 first', () => {
    assert.equal(exp32(0.1), exp32(Math.fround(0.1)));
    assert.equal(log32(Math.PI), log32(Math.fround(Math.PI)));
  });
});
