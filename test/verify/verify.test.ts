import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { packDigests } from '../../core/hash/hex.ts';
import { merkleRoot } from '../../core/hash/merkle.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { readBundle } from '../../core/proof/read.ts';
import { stateDigest } from '../../core/train/state.ts';
import { perturbState, prepareTask, stepOpDigests, type TrainResult } from '../../core/train/train.ts';
import { detectionProbability, fiatShamirSteps, samplesFor } from '../../core/verify/sampling.ts';
import { type VerifyOptions, verifyBundle } from '../../core/verify/verify.ts';
import { KEY, smallRun } from '../proof/helpers.ts';
import { bundledTask } from '../train/helpers.ts';

const verify = (run: TrainResult, opts: VerifyOptions = {}) =>
  verifyBundle(readBundle(bundleFromRun(run, KEY), 'p'), opts);
const honestTrace = smallRun('trace');
const honestFast = smallRun('fast');
const ctx = prepareTask(bundledTask('spirals-mlp', { steps: 30, checkpointEvery: 10 }));

test('honest proofs are accepted; the report accounts for the work', () => {
  for (const run of [honestTrace, honestFast]) {
    const r = verify(run, { samples: 4 });
    assert.equal(r.ok, true, JSON.stringify(r.failures));
    assert.equal(r.samples.length, 4);
    for (const s of r.samples) assert.ok(r.checkedSteps.includes(s));
    assert.ok(r.computeFraction > 0 && r.computeFraction <= 1);
    assert.equal(r.batchDigestsChecked, 30);
    assert.ok(r.opsReplayed > 0);
    const full = verify(run, { all: true });
    assert.equal(full.ok, true);
    assert.equal(full.stepsChecked, 30);
    assert.equal(full.computeFraction, 1);
  }
});

/** The forger re-signs a consistent bundle: only replay can catch it. */
function forged(
  edit: (run: { -readonly [K in keyof TrainResult]: TrainResult[K] }) => void,
  base = honestTrace,
): TrainResult {
  const run = structuredClone(base) as { -readonly [K in keyof TrainResult]: TrainResult[K] };
  edit(run);
  return run;
}

test('a perturbed weight is pinned to its step (and its op in trace mode)', () => {
  const tamper = perturbState(ctx, 17, 'fc2.weight', 5, 0.25);
  const t = verify(smallRun('trace', tamper), { all: true });
  assert.equal(t.ok, false);
  assert.equal(t.failures[0].step, 17);
  assert.equal(t.failures[0].field, 'opDigest');
  assert.equal(t.failures[0].op?.name, 'adam.param');
  const f = verify(smallRun('fast', tamper), { all: true });
  assert.equal(f.failures[0].step, 17);
  assert.equal(f.failures[0].field, 'stateAfter');
});

test('a single altered checkpoint element, step record or op digest is rejected at its step', () => {
  // checkpoint 20, element 3 of fc1.weight; the forger keeps the state chain consistent
  const ck = forged((run) => {
    const c = run.checkpoints[2];
    c.tensors[0].data[3] += 0.5;
    const d = stateDigest({ layout: run.layout, tensors: c.tensors }, 'sha256');
    run.records[19] = { ...run.records[19], stateAfter: d };
    run.records[20] = { ...run.records[20], stateBefore: d };
  });
  const r1 = verify(ck, { all: true });
  assert.equal(r1.ok, false);
  assert.deepEqual(r1.failures.map((f) => [f.step, f.field]).slice(0, 2), [
    [19, 'stateAfter'],
    [20, 'opDigest'],
  ]);
  // loss of step 7
  const r2 = verify(
    forged((run) => (run.records[7] = { ...run.records[7], loss: Math.fround(run.records[7].loss * 0.9) })),
    { all: true },
  );
  assert.deepEqual(
    r2.failures.map((f) => [f.step, f.field]),
    [[7, 'loss']],
  );
  // op 30 of step 12
  const r3 = verify(
    forged((run) => {
      const ops = stepOpDigests(run, 12) ?? [];
      ops[30] = ops[31];
      (run.opDigests ?? [])[12] = packDigests(ops);
      run.records[12] = { ...run.records[12], opRoot: merkleRoot(ops) };
    }),
    { all: true },
  );
  assert.equal(r3.failures[0].step, 12);
  assert.equal(r3.failures[0].op?.index, 30);
  // wrong data batch at step 5: caught without replay by the data-order check
  const r4 = verify(
    smallRun('fast', { batch: (t, idx) => (t === 5 ? idx.map((i) => (i + 1) % 300) : idx) }),
    { samples: 1 },
  );
  assert.deepEqual(
    r4.failures.map((f) => [f.step, f.field]),
    [[5, 'batchDigest']],
  );
  // a start that is not the seeded initialisation
  const r5 = verify(
    forged((run) => {
      run.checkpoints[0].tensors[0].data[0] = 1;
      run.records[0] = {
        ...run.records[0],
        stateBefore: stateDigest({ layout: run.layout, tensors: run.checkpoints[0].tensors }, 'sha256'),
      };
    }, honestFast),
  );
  assert.deepEqual(
    r5.failures.map((f) => [f.step, f.field]),
    [[0, 'stateBefore']],
  );
  // inflated final metrics
  const r6 = verify(
    forged((run) => (run.metrics = { ...run.metrics, accuracy: 1 }), honestFast),
    { samples: 1 },
  );
  assert.deepEqual(
    r6.failures.map((f) => f.field),
    ['metrics'],
  );
});

test('sampled verification catches a forged step exactly when the replay covers it', () => {
  const cps = [0, 10, 20, 30];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 29 }), fc.integer({ min: 1, max: 4 }), (s, q) => {
      const run = smallRun('fast', perturbState(ctx, s, 'fc3.bias', 1, 0.125));
      const r = verify(run, { samples: q });
      const covered = r.samples.some((t) => {
        const c = Math.max(...cps.filter((x) => x <= t));
        return c <= s && s <= t;
      });
      // the forged step itself is the first to disagree; steps after it inherit the forged state
      assert.equal(r.ok, !covered, `forged ${s}, samples ${r.samples.join(',')}`);
      if (!r.ok) assert.equal(r.failures[0].step, s);
    }),
    { numRuns: 12 },
  );
});

test('top-Q replays, per epoch, the Q intervals with the largest parameter updates in full', () => {
  // spirals: 300 points / batch 30 = 10 steps per epoch; checkpoints every 3 steps → intervals
  // [0,3) [3,6) [6,9) in epoch 0, [9,12) [12,15) [15,18) in epoch 1, [18,21) … [27,30) in epochs 1–2.
  const run = smallRun('fast', undefined, 30, 3);
  const b = readBundle(bundleFromRun(run, KEY));
  const stepsPerEpoch = Math.floor(300 / 30);
  // independent norms from the raw checkpoints
  const norm = (c: number) => {
    const a = b.checkpoint(c).tensors.slice(0, 6);
    const z = b.checkpoint(c + 3).tensors.slice(0, 6);
    let s = 0;
    for (const [i, t] of a.entries()) for (const [j, v] of t.data.entries()) s += (z[i].data[j] - v) ** 2;
    return Math.sqrt(s);
  };
  const starts = Array.from({ length: 10 }, (_, i) => 3 * i);
  for (const Q of [1, 2]) {
    const want = [0, 1, 2].flatMap((e) =>
      starts
        .filter((c) => Math.floor(c / stepsPerEpoch) === e)
        .sort((x, y) => norm(y) - norm(x))
        .slice(0, Q),
    );
    const r = verifyBundle(b, { samples: 0, topQ: Q });
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.topQ.map((u) => u.from),
      want,
    );
    // every epoch is represented, not only the early ones where updates are largest
    assert.deepEqual([...new Set(r.topQ.map((u) => u.epoch))], [0, 1, 2]);
    assert.deepEqual(
      r.checkedSteps,
      want.flatMap((c) => [c, c + 1, c + 2]).sort((x, y) => x - y),
    );
  }
});

test('top-Q per epoch catches a forged late interval that a whole-run top-Q would miss', () => {
  // Forge step 28, inside [27, 30), the only interval of epoch 2. The largest update of the run is
  // elsewhere, so a whole-run top-1 would not replay it; per epoch it is replayed and caught.
  const forged = smallRun('fast', perturbState(ctx, 28, 'fc2.weight', 5, 0.5), 30, 3);
  const r = verify(forged, { samples: 0, topQ: 1 });
  const largest = [...r.topQ].sort((a, b) => b.norm - a.norm)[0];
  assert.notEqual(largest.from, 27, 'the forged interval is not the run-wide largest update');
  assert.equal(r.ok, false);
  assert.equal(r.failures[0].step, 28);
  assert.ok(r.topQ.some((u) => u.epoch === 2 && u.from === 27));
});

test('Fiat–Shamir samples: distinct, in range, fixed by the commitment', () => {
  const c = honestTrace.records[0].stateAfter;
  const a = fiatShamirSteps(c, 1000, 50);
  assert.equal(new Set(a).size, 50);
  assert.ok(a.every((t) => Number.isInteger(t) && t >= 0 && t < 1000));
  assert.deepEqual(fiatShamirSteps(c, 1000, 50), a);
  assert.notDeepEqual(fiatShamirSteps(honestTrace.records[1].stateAfter, 1000, 50), a);
  assert.deepEqual([...fiatShamirSteps(c, 7, 100)].sort(), [0, 1, 2, 3, 4, 5, 6]);
  // rough uniformity: 20 000 samples of 10^6 steps over 10 buckets (σ ≈ 42 per bucket)
  const counts = new Array(10).fill(0);
  for (const t of fiatShamirSteps(c, 1_000_000, 20000)) counts[Math.floor(t / 100_000)]++;
  assert.ok(
    counts.every((n) => Math.abs(n - 2000) < 250),
    counts.join(','),
  );
});

test('detection probability matches a Monte Carlo simulation of a forger', () => {
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (const [T, n, f] of [
    [100, 8, 0.05],
    [400, 20, 0.01],
    [50, 10, 0.2],
  ] as const) {
    const m = Math.ceil(f * T);
    let caught = 0;
    const trials = 20000;
    for (let k = 0; k < trials; k++) {
      const forgedSet = new Set<number>();
      while (forgedSet.size < m) forgedSet.add(Math.floor(rand() * T));
      const picked = new Set<number>();
      while (picked.size < n) picked.add(Math.floor(rand() * T));
      if ([...picked].some((t) => forgedSet.has(t))) caught++;
    }
    const p = detectionProbability(T, n, f);
    assert.ok(
      Math.abs(caught / trials - p) < 0.015,
      `T=${T} n=${n} f=${f}: simulated ${caught / trials}, formula ${p}`,
    );
    assert.ok(p >= 1 - (1 - f) ** n - 1e-12, 'sampling without replacement is at least as good as with');
  }
  assert.equal(detectionProbability(100, 0, 0.5), 0);
  assert.equal(detectionProbability(100, 60, 0.5), 1);
  // without replacement needs no more samples than the with-replacement bound ⌈ln 0.01 / ln 0.9⌉ = 44
  const n99 = samplesFor(1000, 0.1, 0.99);
  assert.ok(
    n99 <= 44 &&
      detectionProbability(1000, n99, 0.1) >= 0.99 &&
      detectionProbability(1000, n99 - 1, 0.1) < 0.99,
  );
});
