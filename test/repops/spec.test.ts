/**
 * Spec conformance: ops follow the arithmetic order written in SPEC.md, re-implemented here
 * independently (straight from the text) and compared bit for bit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bitwiseEqual, getOp, powInt32, tensor } from '../../core/repops/index.ts';
import { matmulReference } from '../../core/repops/kernels/matmul.ts';
import { exp32, log32 } from '../../core/repops/math.ts';

const fr = Math.fround;

/** SPEC "Reductions": 4 accumulators from +0, term i → acc[i mod 4], result (a0 + a1) + (a2 + a3). */
function specSum(xs: ArrayLike<number>): number {
  const acc = [0, 0, 0, 0];
  for (let i = 0; i < xs.length; i++) acc[i % 4] = fr(acc[i % 4] + xs[i]);
  return fr(fr(acc[0] + acc[1]) + fr(acc[2] + acc[3]));
}

const f32 = fc.float({ noDefaultInfinity: true, noNaN: true, min: fr(-1e4), max: fr(1e4) });

test('sum of all elements follows the lane order bit for bit', () => {
  fc.assert(
    fc.property(fc.array(f32, { maxLength: 67 }), (xs) => {
      const out = getOp('sum').forward([tensor([xs.length], xs)], {});
      assert.ok(Object.is(out.data[0], specSum(Float32Array.from(xs))));
    }),
    { numRuns: 300 },
  );
});

test('sum over a middle axis and over two axes: terms in row-major order of the reduced axes', () => {
  const shape = [3, 5, 6];
  const x = Float32Array.from({ length: 90 }, (_, i) => fr(Math.sin(i) * 10 ** ((i % 7) - 3)));
  const mid = getOp('sum').forward([tensor(shape, x)], { axes: [1] });
  for (let a = 0; a < 3; a++)
    for (let c = 0; c < 6; c++) {
      const terms = [0, 1, 2, 3, 4].map((b) => x[a * 30 + b * 6 + c]);
      assert.equal(mid.data[a * 6 + c], specSum(terms));
    }
  const two = getOp('sum').forward([tensor(shape, x)], { axes: [0, 2] });
  for (let b = 0; b < 5; b++) {
    const terms: number[] = [];
    for (let a = 0; a < 3; a++) for (let c = 0; c < 6; c++) terms.push(x[a * 30 + b * 6 + c]);
    assert.equal(two.data[b], specSum(terms));
  }
  const mean = getOp('mean').forward([tensor(shape, x)], { axes: [-1] });
  assert.equal(mean.data[7], fr(specSum(x.subarray(42, 48)) / 6));
});

test('matmul and linear use the kernel order (matmulReference) bit for bit', () => {
  const a = Float32Array.from({ length: 35 }, (_, i) => fr(Math.cos(i * 1.3) * 3));
  const b = Float32Array.from({ length: 56 }, (_, i) => fr(Math.sin(i * 0.7) / 3));
  const bias = Float32Array.from({ length: 8 }, (_, i) => fr(i / 7));
  const mm = getOp('matmul').forward([tensor([5, 7], a), tensor([7, 8], b)], {});
  assert.ok(bitwiseEqual(mm, tensor([5, 8], matmulReference(a, b, 5, 7, 8))));
  const lin = getOp('linear').forward([tensor([5, 7], a), tensor([7, 8], b), tensor([8], bias)], {});
  assert.ok(
    bitwiseEqual(
      lin,
      tensor(
        [5, 8],
        mm.data.map((v, i) => fr(v + bias[i % 8])),
      ),
    ),
  );
  const bmm = getOp('batch_matmul').forward([tensor([1, 5, 7], a), tensor([1, 7, 8], b)], {});
  assert.ok(bitwiseEqual(bmm, tensor([1, 5, 8], mm.data)));
});

test('softmax, log-softmax and cross-entropy follow their written order', () => {
  const x = Float32Array.from([0.5, -1.25, 3, 2.75, -0.5, 0.125, 1, 1.5, -3, 0]);
  const row = Array.from(x.subarray(0, 5));
  const m = Math.max(...row);
  const e = row.map((v) => exp32(fr(v - m)));
  const s = specSum(e);
  const sm = getOp('softmax').forward([tensor([2, 5], x)], {});
  e.forEach((v, i) => {
    assert.equal(sm.data[i], fr(v / s));
  });
  const ls = getOp('log_softmax').forward([tensor([2, 5], x)], {});
  row.forEach((v, i) => {
    assert.equal(ls.data[i], fr(fr(v - m) - log32(s)));
  });
  const ce = getOp('softmax_cross_entropy').forward([tensor([2, 5], x), tensor([2], [2, 4])], {});
  const row2 = Array.from(x.subarray(5, 10));
  const m2 = Math.max(...row2);
  const l1 = fr(log32(s) - fr(row[2] - m));
  const l2 = fr(log32(specSum(row2.map((v) => exp32(fr(v - m2))))) - fr(row2[4] - m2));
  assert.equal(ce.data[0], fr(specSum([l1, l2]) / 2));
});

test('Adam bias correction uses square-and-multiply powers; SGD is p − lr·g', () => {
  assert.equal(powInt32(0.9, 1), fr(0.9));
  assert.equal(powInt32(0.9, 3), fr(fr(0.9) * fr(fr(0.9) * fr(0.9))));
  assert.ok(Math.abs(powInt32(0.999, 1000) - 0.999 ** 1000) < 1e-5);
  const p = tensor([2], [1, -1]);
  const g = tensor([2], [0.3, 0.7]);
  const out = getOp('sgd.param').forward([p, g], { lr: 0.1 });
  assert.deepEqual([...out.data], [fr(1 - fr(fr(0.1) * fr(0.3))), fr(-1 - fr(fr(0.1) * fr(0.7)))]);
});

test('IEEE specials: relu keeps NaN, maps −0 to +0; sums propagate Inf and NaN; softmax of −Inf is 0', () => {
  const r = getOp('relu').forward([tensor([4], [Number.NaN, -0, -1, Number.POSITIVE_INFINITY])], {});
  assert.ok(Number.isNaN(r.data[0]));
  assert.ok(Object.is(r.data[1], 0));
  assert.equal(r.data[3], Number.POSITIVE_INFINITY);
  assert.equal(
    getOp('sum').forward([tensor([3], [1, Number.POSITIVE_INFINITY, 2])], {}).data[0],
    Number.POSITIVE_INFINITY,
  );
  assert.ok(Number.isNaN(getOp('sum').forward([tensor([2], [Number.NaN, 1])], {}).data[0]));
  const sm = getOp('softmax').forward([tensor([1, 3], [0, Number.NEGATIVE_INFINITY, 0])], {});
  assert.deepEqual([...sm.data], [0.5, 0, 0.5]);
});

test('conv2d is the kernel-order matmul W·col over the zero-padded im2col matrix, bit for bit', () => {
  const [n, c, h, w, o, k, stride, pad] = [2, 3, 6, 5, 4, 3, 2, 1];
  const x = Float32Array.from({ length: n * c * h * w }, (_, i) => fr(Math.sin(i * 0.37) * 2));
  const wt = Float32Array.from({ length: o * c * k * k }, (_, i) => fr(Math.cos(i * 0.11)));
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  const q = c * k * k;
  const np = n * oh * ow;
  const col = new Float32Array(q * np);
  for (let ch = 0; ch < c; ch++)
    for (let ky = 0; ky < k; ky++)
      for (let kx = 0; kx < k; kx++)
        for (let b = 0; b < n; b++)
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < ow; ox++) {
              const iy = oy * stride - pad + ky;
              const ix = ox * stride - pad + kx;
              const row = (ch * k + ky) * k + kx;
              const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
              col[row * np + (b * oh + oy) * ow + ox] = inside ? x[((b * c + ch) * h + iy) * w + ix] : 0;
            }
  const ref = matmulReference(wt, col, o, q, np); // [O, (n, oy, ox)]
  const out = getOp('conv2d').forward([tensor([n, c, h, w], x), tensor([o, c, k, k], wt)], {
    stride,
    padding: pad,
  });
  assert.deepEqual(out.shape, [n, o, oh, ow]);
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++)
      for (let pos = 0; pos < oh * ow; pos++) {
        assert.ok(Object.is(out.data[(b * o + oc) * oh * ow + pos], ref[oc * np + b * oh * ow + pos]));
      }
});
