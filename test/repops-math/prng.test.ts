/**
 * Philox-4x32-10 against the Random123 known-answer vectors (tests/kat_vectors of
 * github.com/DEShawResearch/random123), umulhi against BigInt, the stream layout, the uniform and
 * normal transforms, and seed validation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  normalQuantile32,
  openUniformFromWord,
  philox4x32,
  randomNormal,
  randomUint32,
  randomUniform,
  umulhi,
} from '../../core/repops/prng.ts';
import { RepOpsError } from '../../core/repops/tensor.ts';
import { erfcRef } from './reference.ts';

const hex = (a: Uint32Array) => [...a].map((x) => x.toString(16).padStart(8, '0')).join(' ');
const words = (s: string) => new Uint32Array(s.split(' ').map((h) => Number.parseInt(h, 16)));

// name rounds ctr[4] key[2] expected[4], verbatim lines of Random123's kat_vectors.
const KAT = [
  'philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000 6627e8d5 e169c58d bc57ac4c 9b00dbd8',
  'philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 408f276d 41c83b0e a20bc7c6 6d5451fd',
  'philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 d16cfe09 94fdcceb 5001e420 24126ea1',
  'philox4x32 7 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 5207ddc2 45165e59 4d8ee751 8c52f662',
  'philox4x32 7 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 4dfccaba 190a87f0 c47362ba b6b5242a',
];

describe('Philox-4x32 known-answer tests (Random123)', () => {
  for (const line of KAT) {
    test(line.slice(0, 60), () => {
      const p = line.split(' ');
      const rounds = Number(p[1]);
      const ctr = words(p.slice(2, 6).join(' '));
      const key = words(p.slice(6, 8).join(' '));
      const want = p.slice(8, 12).join(' ');
      assert.equal(hex(philox4x32(ctr, key, rounds)), want);
      if (rounds === 10) assert.equal(hex(philox4x32(ctr, key)), want); // default is 10 rounds
    });
  }

  test('umulhi equals the BigInt high word for random and extreme operands', () => {
    const check = (a: number, b: number) =>
      assert.equal(umulhi(a, b), Number((BigInt(a) * BigInt(b)) >> 32n), `umulhi(${a}, ${b})`);
    for (const a of [0, 1, 0xffff, 0x10000, 0xffffffff, 0xd2511f53, 0xcd9e8d57]) {
      for (const b of [0, 1, 0xffff, 0x10000, 0xffffffff, 0x80000000]) check(a, b);
    }
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (a, b) => check(a, b)),
      {
        numRuns: 20000,
      },
    );
  });

  test('philox4x32 rejects malformed counter/key with a RepOpsError', () => {
    assert.throws(() => philox4x32(new Uint32Array(3), new Uint32Array(2)), RepOpsError);
    assert.throws(() => philox4x32(new Uint32Array(4), new Uint32Array(1)), /philox4x32/);
  });
});

describe('streams', () => {
  test('word n of stream s is lane n mod 4 of the block with counter (n/4, 0, s, 0)', () => {
    const seed = 0x12345678;
    const got = randomUint32(seed, 7, 40);
    for (let n = 0; n < 40; n++) {
      const block = philox4x32(new Uint32Array([Math.floor(n / 4), 0, 7, 0]), new Uint32Array([seed, 0]));
      assert.equal(got[n], block[n % 4]);
    }
    // 64-bit block index and seed pair
    const far = randomUint32([1, 2], 3, 4, 4 * 2 ** 33);
    assert.deepEqual([...far], [...philox4x32(new Uint32Array([0, 2, 3, 0]), new Uint32Array([1, 2]))]);
  });

  test('any window equals the slice of a longer draw (random access)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 50 }), fc.nat({ max: 50 }), fc.nat({ max: 0xffffffff }), (off, len, seed) => {
        const all = randomUint32(seed, 1, off + len);
        assert.deepEqual([...randomUint32(seed, 1, len, off)], [...all.subarray(off)]);
        const u = randomUniform(seed, 1, off + len);
        assert.deepEqual([...randomUniform(seed, 1, len, off)], [...u.subarray(off)]);
      }),
      { numRuns: 200 },
    );
  });

  test('different seeds and streams give different words', () => {
    const a = randomUint32(1, 0, 8);
    assert.notDeepEqual([...a], [...randomUint32(2, 0, 8)]);
    assert.notDeepEqual([...a], [...randomUint32(1, 1, 8)]);
    assert.notDeepEqual([...a], [...randomUint32([1, 1], 0, 8)]);
    assert.deepEqual([...randomUint32([1, 0], 0, 8)], [...a]); // seed n ≡ pair [n, 0]
  });

  test('randomUniform: values (w >> 8)·2^-24 in [0, 1), moments near U(0,1)', () => {
    const n = 200000;
    const w = randomUint32(42, 5, n);
    const u = randomUniform(42, 5, n);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      assert.equal(u[i], (w[i] >>> 8) / 16777216);
      assert.ok(u[i] >= 0 && u[i] < 1);
      sum += u[i];
      sq += u[i] * u[i];
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
  });

  test('bad seeds, streams, counts throw RepOpsError naming the function', () => {
    for (const seed of [Number.NaN, -1, 1.5, 2 ** 32, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => randomUniform(seed, 0, 1),
        (e: unknown) => e instanceof RepOpsError && /randomUniform/.test(e.message),
      );
      assert.throws(() => randomNormal(seed, 0, 1), /randomNormal: seed/);
      assert.throws(() => randomUint32(seed, 0, 1), /randomUint32: seed/);
    }
    assert.throws(() => randomUint32([1, -1], 0, 1), /randomUint32: seed\[1\]/);
    assert.throws(() => randomUint32(1, -1, 1), /randomUint32: stream/);
    assert.throws(() => randomUint32(1, 0, -1), /randomUint32: count/);
    assert.throws(() => randomUint32(1, 0, 1, 0.5), /randomUint32: offset/);
  });
});

/** Reference inverse normal CDF by bisection on Φ(z) = ½·erfc(−z/√2) in float64. */
function quantileRef(p: number): number {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (0.5 * erfcRef(-mid / Math.SQRT2) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe('normal samples', () => {
  test('normalQuantile32 matches the float64 inverse CDF (abs error < 1e-6·max(1,|z|))', () => {
    let worst = 0;
    for (let i = 0; i < 4000; i++) {
      const w = Math.floor((i / 4000) * 0xffffffff);
      const p = openUniformFromWord(w);
      const z = normalQuantile32(p);
      const r = quantileRef(p);
      worst = Math.max(worst, Math.abs(z - r) / Math.max(1, Math.abs(r)));
    }
    for (const w of [0, 1, 511, 512, 0xfffffdff, 0xffffffff]) {
      const p = openUniformFromWord(w);
      const r = quantileRef(p);
      worst = Math.max(worst, Math.abs(normalQuantile32(p) - r) / Math.max(1, Math.abs(r)));
    }
    assert.ok(worst < 1e-6, `worst relative error ${worst}`);
  });

  test('extremes are finite and symmetric (p never 0 or 1)', () => {
    const lo = normalQuantile32(openUniformFromWord(0));
    const hi = normalQuantile32(openUniformFromWord(0xffffffff));
    assert.ok(Number.isFinite(lo) && Number.isFinite(hi));
    assert.ok(lo < -5.29 && lo > -5.31, `min ${lo}`);
    assert.equal(hi, -lo, 'p and 1 − p map to exactly opposite z');
  });

  test('randomNormal moments and tail frequencies', () => {
    const n = 200000;
    const z = randomNormal(2024, 3, n);
    let s1 = 0;
    let s2 = 0;
    let s4 = 0;
    let beyond2 = 0;
    for (const v of z) {
      s1 += v;
      s2 += v * v;
      s4 += v ** 4;
      if (Math.abs(v) > 2) beyond2++;
    }
    const mean = s1 / n;
    const variance = s2 / n - mean * mean;
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.015, `variance ${variance}`);
    assert.ok(Math.abs(s4 / n - 3) < 0.08, `4th moment ${s4 / n}`);
    assert.ok(Math.abs(beyond2 / n - 0.0455) < 0.003, `P(|z|>2) ${beyond2 / n}`);
  });
});
