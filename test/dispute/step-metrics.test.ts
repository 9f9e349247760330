/**
 * Per-step metrics in a dispute (docs/DISPUTE.md "One rule"): they are signed claims outside the step
 * records, so two bundles of the same run that differ only in one step's metrics are decided at setup —
 * the referee replays that step and the party whose claim differs from the replay loses, as solver and
 * as challenger; the honest party never loses. A bundle without the section claims none (as before).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disputeBundles, loadForDispute } from '../../core/dispute/bundles.ts';
import { DELTA_KINDS, SoundnessFuzzer } from '../../core/dispute/fuzz.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import type { TrainResult } from '../../core/train/train.ts';
import { smallRun } from '../proof/helpers.ts';
import { bundledTask } from '../train/helpers.ts';

const run = smallRun('fast', undefined, 12, 4);
const honest = () => loadForDispute({ file: 'honest.pinproof', bytes: bundleFromRun(run, keyFromSeed('h')) });

test('a false step metric on an honest run loses the dispute at setup, as solver and as challenger', async () => {
  const t = 6; // inside the second checkpoint interval: the referee replays from checkpoint 4
  const rows = run.stepMetrics.map((m, i) =>
    i === t ? { ...m, updateNorm: Math.fround(m.updateNorm * 2) } : m,
  );
  const cheat = () =>
    loadForDispute({
      file: 'cheat.pinproof',
      bytes: bundleFromRun({ ...run, stepMetrics: rows }, keyFromSeed('c')),
    });
  for (const cheaterIsSolver of [true, false]) {
    const [s, c] = cheaterIsSolver ? [cheat(), honest()] : [honest(), cheat()];
    const { verdict } = await disputeBundles(s, c);
    const cheater = cheaterIsSolver ? 'solver' : 'challenger';
    assert.deepEqual(verdict.losers, [cheater], verdict.reason);
    assert.equal(verdict.stage, 'setup');
    assert.equal(verdict.faults[cheater]?.code, 'wrong-metadata');
    assert.match(verdict.faults[cheater]?.detail ?? '', new RegExp(`"step":\\{"step":${t},`));
  }
});

test('honest bundles with and without the step-metrics section: nothing to decide (no-disagreement)', async () => {
  const old = loadForDispute({
    file: 'old.pinproof',
    bytes: bundleFromRun({ ...run, stepMetrics: undefined } as unknown as TrainResult, keyFromSeed('o')),
  });
  for (const [s, c] of [
    [honest(), old],
    [old, honest()],
  ]) {
    const { verdict } = await disputeBundles(s, c);
    assert.deepEqual(verdict.losers, ['challenger']);
    assert.equal(verdict.faults.challenger?.code, 'no-disagreement');
  }
});

test('fuzz field stepMetrics: every kind of change to every metric is pinpointed (verify and both disputes)', async () => {
  const fuzz = new SoundnessFuzzer(bundledTask('spirals-mlp', { steps: 8, checkpointEvery: 4 }));
  const outcomes = new Map<string, number>();
  for (const delta of DELTA_KINDS)
    for (let k = 0; k < 5; k++) {
      const r = await fuzz.run({
        mode: 'fast',
        field: 'stepMetrics',
        at: 0.7,
        node: (k + 0.5) / 5,
        element: 0,
        delta,
        amount: 0.25,
      });
      assert.notEqual(r.outcome, 'WRONG', r.detail);
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    }
  assert.ok((outcomes.get('pinpointed') ?? 0) >= 30, JSON.stringify([...outcomes]));
});
