/** Initialisers: shapes, bounds, moments, reproducibility from (seed, stream), validation. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fans,
  kaimingNormal,
  kaimingUniform,
  normal,
  ones,
  uniform,
  xavierNormal,
  xavierUniform,
  zeros,
} from '../../core/repops/init.ts';
import { randomNormal, randomUniform } from '../../core/repops/prng.ts';
import { RepOpsError } from '../../core/repops/tensor.ts';

function moments(x: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    s += v;
    s2 += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / x.length;
  return { mean, std: Math.sqrt(s2 / x.length - mean * mean), min, max };
}

describe('initialisers', () => {
  test('zeros / ones', () => {
    const z = zeros([2, 3]);
    assert.deepEqual(z.shape, [2, 3]);
    assert.ok(z.data.every((v) => Object.is(v, 0)));
    assert.ok(ones([4]).data.every((v) => v === 1));
    assert.throws(() => zeros([2, -1]), RepOpsError);
  });

  test('uniform is low + (high − low)·u elementwise from the stream, within [low, high]', () => {
    const t = uniform([100, 50], { seed: 3, stream: 2, low: -0.5, high: 2 });
    const u = randomUniform(3, 2, 5000);
    for (let i = 0; i < 5000; i++) assert.equal(t.data[i], Math.fround(-0.5 + Math.fround(2.5 * u[i])));
    const m = moments(t.data);
    assert.ok(m.min >= -0.5 && m.max <= 2);
    assert.ok(Math.abs(m.mean - 0.75) < 0.03);
  });

  test('normal is mean + std·z from the stream', () => {
    const t = normal([20000], { seed: 11, mean: 1, std: 0.1 });
    const z = randomNormal(11, 0, 20000);
    assert.equal(t.data[7], Math.fround(1 + Math.fround(Math.fround(0.1) * z[7])));
    const m = moments(t.data);
    assert.ok(Math.abs(m.mean - 1) < 0.005 && Math.abs(m.std - 0.1) < 0.005, JSON.stringify(m));
  });

  test('fans follow RepOps layouts: [in, out] for linear, [O, C, kh, kw] for conv', () => {
    assert.deepEqual(fans([784, 128]), { fanIn: 784, fanOut: 128 });
    assert.deepEqual(fans([16, 3, 5, 5]), { fanIn: 75, fanOut: 400 });
    assert.deepEqual(fans([10]), { fanIn: 10, fanOut: 10 });
  });

  test('xavier / kaiming bounds and standard deviations', () => {
    const xu = xavierUniform([300, 200], { seed: 1 });
    const bx = Math.sqrt(6 / 500);
    const mx = moments(xu.data);
    assert.ok(mx.max <= bx && mx.min >= -bx && mx.max > 0.99 * bx);
    assert.ok(Math.abs(mx.std - bx / Math.sqrt(3)) < 0.01 * bx);
    const ku = kaimingUniform([300, 200], { seed: 1, stream: 1 });
    const bk = Math.sqrt(2) * Math.sqrt(3 / 300);
    const mk = moments(ku.data);
    assert.ok(mk.max <= bk * (1 + 1e-6) && mk.min >= -bk * (1 + 1e-6) && mk.max > 0.99 * bk);
    const kn = kaimingNormal([400, 100], { seed: 2 });
    assert.ok(Math.abs(moments(kn.data).std - Math.sqrt(2 / 400)) < 0.02 * Math.sqrt(2 / 400));
    const xn = xavierNormal([400, 100], { seed: 2, gain: 2 });
    assert.ok(Math.abs(moments(xn.data).std - 2 * Math.sqrt(2 / 500)) < 0.02 * 2 * Math.sqrt(2 / 500));
  });

  test('same (seed, stream) → same bits; different stream → different values', () => {
    const a = kaimingUniform([64, 32], { seed: 5, stream: 1 });
    const b = kaimingUniform([64, 32], { seed: 5, stream: 1 });
    const c = kaimingUniform([64, 32], { seed: 5, stream: 2 });
    assert.deepEqual([...a.data], [...b.data]);
    assert.notDeepEqual([...a.data], [...c.data]);
  });

  test('bad arguments throw RepOpsError naming the initialiser', () => {
    assert.throws(() => uniform([2], { seed: Number.NaN }), /uniform: seed/);
    assert.throws(() => normal([2], { seed: 1, std: -1 }), /normal: std/);
    assert.throws(() => uniform([2], { seed: 1, low: 2, high: 1 }), /uniform: high/);
    assert.throws(() => xavierUniform([3, 4], { seed: 1, fanIn: 0 }), /xavierUniform: fanIn/);
    assert.throws(() => kaimingUniform([3, 4], { seed: -4 }), /kaimingUniform: seed/);
  });
});
