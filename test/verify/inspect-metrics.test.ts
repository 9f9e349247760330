/**
 * `pinpoint inspect` shows the step metrics: the overview draws a curve per metric, `--step t` prints
 * step t's committed values (oracle: the run that wrote the bundle) and whether the replay recomputes
 * them; a bundle without the section says so instead.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import type { TrainResult } from '../../core/train/train.ts';
import { KEY, smallRun } from '../proof/helpers.ts';
import { pinpoint } from '../train/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-inspect-metrics-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = smallRun('fast', undefined, 12, 4);
const file = join(dir, 'm.pinproof');
writeFileSync(file, bundleFromRun(run, KEY));

test('inspect --step prints the committed metrics of that step and checks them by replay', async () => {
  const t = 9;
  const j = await pinpoint(['inspect', file, '--step', String(t), '--json']);
  assert.equal(j.code, 0, j.stderr);
  const v = JSON.parse(j.stdout);
  assert.deepEqual(v.metrics, run.stepMetrics[t]);
  assert.equal(v.replay.metricsMatch, true);
  const h = await pinpoint(['inspect', file, '--step', String(t)]);
  const m = run.stepMetrics[t];
  const line = h.stdout.split('\n').find((l) => l.startsWith('metrics '));
  assert.equal(
    line,
    `metrics     lr 0.02, grad norm ${Number(m.gradNorm.toPrecision(6))}, update norm ${Number(m.updateNorm.toPrecision(6))}, weight norm ${Number(m.weightNorm.toPrecision(6))}, batch accuracy ${(100 * (m.accuracy ?? 0)).toFixed(1)} %`,
  );
  assert.match(h.stdout, /loss matches, metrics match/);
});

test('inspect overview: one curve per metric; --json lists every step', async () => {
  const h = await pinpoint(['inspect', file]);
  for (const label of ['grad norm', 'update norm', 'weight norm', 'batch acc'])
    assert.match(h.stdout, new RegExp(`^${label} +[▁▂▃▄▅▆▇█]{60}  `, 'm'), label);
  const j = JSON.parse((await pinpoint(['inspect', file, '--json'])).stdout);
  assert.deepEqual(j.stepMetrics, run.stepMetrics);
});

test('inspect of a bundle written before step metrics: says so, loss only', async () => {
  const old = join(dir, 'old.pinproof');
  writeFileSync(old, bundleFromRun({ ...run, stepMetrics: undefined } as unknown as TrainResult, KEY));
  const h = await pinpoint(['inspect', old]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /step metrics none \(bundle written before they were recorded\): loss only/);
  const s = await pinpoint(['inspect', old, '--step', '3']);
  assert.match(s.stdout, /metrics {5}\(none: bundle written before step metrics were recorded\)/);
  assert.doesNotMatch(s.stdout, /metrics match/);
});
