/**
 * Proof view metrics (issue 15), in Chromium against browser mode: a real bundle with per-step metrics
 * opens with one small chart per metric on the loss curve's step axis; hovering one chart reads out
 * the same step in every chart and in the loss curve, with the values the bundle holds (oracle: the
 * bundle read in this process, formatted like the view formats them); clicking selects the step and
 * the step panel lists its metrics. A bundle written before step metrics says it has the loss only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { readBundle } from '../../core/proof/read.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import type { StepMetrics } from '../../core/train/metrics.ts';
import { prepareTask, type TrainResult, train } from '../../core/train/train.ts';
import { fmtNum } from '../../desktop/renderer/components/format.ts';
import { bundledTask } from '../train/helpers.ts';
import { type App, itWithScreenshot, skipReason, startApp } from './helpers/app.ts';

const skip = skipReason();
const STEPS = 20;

describe('Proof view: per-step metric charts (browser mode, Chromium)', {
  skip: skip ?? false,
  timeout: 600_000,
}, () => {
  let app: App;
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-e2e-metrics-'));
  const file = join(dir, 'metrics.pinproof');
  const oldFile = join(dir, 'old.pinproof');
  let metrics: readonly StepMetrics[];
  let losses: number[];
  before(async () => {
    const run = train(prepareTask(bundledTask('iris-mlp', { steps: STEPS, checkpointEvery: 5 })), {
      mode: 'fast',
    });
    const key = keyFromSeed('e2e-metrics');
    writeFileSync(file, bundleFromRun(run, key));
    writeFileSync(oldFile, bundleFromRun({ ...run, stepMetrics: undefined } as unknown as TrainResult, key));
    const b = readBundle(bundleFromRun(run, key), 'oracle');
    metrics = b.stepMetrics() ?? [];
    losses = b.manifest.steps.map((s) => s.loss);
    app = await startApp({ viewport: { width: 1280, height: 800 }, open: [file, oldFile] });
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const test = itWithScreenshot(() => app, 'proof-metrics-');

  const expected = (k: number): Record<string, string> => {
    const m = metrics[k];
    return {
      accuracy: `step ${k} · batch accuracy ${(100 * (m.accuracy ?? 0)).toFixed(1)} %`,
      gradNorm: `step ${k} · grad norm ${fmtNum(m.gradNorm)}`,
      updateNorm: `step ${k} · update norm ${fmtNum(m.updateNorm)}`,
      weightNorm: `step ${k} · weight norm ${fmtNum(m.weightNorm)}`,
      lr: `step ${k} · learning rate ${fmtNum(m.lr)}`,
    };
  };

  test('one chart per metric; hover reads out the same step everywhere, with the bundle values', async () => {
    const { page } = app;
    await page.goto(app.url(`#/proof?path=${encodeURIComponent(file)}`));
    const grid = page.locator('.pp-view-proof [data-role=metric-charts]');
    await grid.waitFor();
    // The Proof panel names the task's tensor-digest scheme (iris-mlp has none: SHA-256).
    await page.locator('.pp-view-proof').getByText('SHA-256', { exact: true }).waitFor();
    const keys = await grid
      .locator('[data-metric]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-metric')));
    assert.deepEqual(keys, ['accuracy', 'gradNorm', 'updateNorm', 'weightNorm', 'lr']);
    for (const k of keys)
      assert.equal(await grid.locator(`[data-metric=${k}] svg path.line`).count(), 1, `${k} line`);

    for (const k of [3, 14]) {
      // Point at step k in the grad-norm chart (its x scale: margins 54 / 18 in viewBox units).
      const svg = grid.locator('[data-metric=gradNorm] svg');
      const box = await svg.boundingBox();
      assert.ok(box);
      const vbw = Number((await svg.getAttribute('viewBox'))?.split(' ')[2]);
      const ux = 54 + (k / (STEPS - 1)) * (vbw - 54 - 18);
      await page.mouse.move(box.x + (ux * box.width) / vbw, box.y + box.height / 3);
      const want = expected(k);
      for (const [metric, text] of Object.entries(want)) {
        const tip = grid.locator(`[data-metric=${metric}] [data-role=hover-readout]`);
        assert.equal(await tip.textContent(), text, `${metric} read-out at step ${k}`);
        assert.equal(await tip.getAttribute('data-step'), String(k));
      }
      const lossTip = page.locator('.pp-view-proof .pp-chart [data-role=hover-readout]').first();
      assert.equal(await lossTip.textContent(), `step ${k} · loss ${fmtNum(losses[k])}`, 'loss curve synced');
      if (k === 14) await app.screenshot('proof-metrics-01-hover');
    }
    // Leaving hides every read-out.
    await page.mouse.move(2, 2);
    assert.equal(await page.locator('.pp-view-proof [data-role=hover-readout]:visible').count(), 0);
  });

  test('clicking a metric chart selects the step; the step panel lists its metrics', async () => {
    const { page } = app;
    const k = 9;
    const svg = page.locator('.pp-view-proof [data-metric=weightNorm] svg');
    const box = await svg.boundingBox();
    assert.ok(box);
    const vbw = Number((await svg.getAttribute('viewBox'))?.split(' ')[2]);
    await page.mouse.click(box.x + ((54 + (k / (STEPS - 1)) * (vbw - 72)) * box.width) / vbw, box.y + 40);
    await page.locator('.pp-view-proof [data-role=step-label]', { hasText: `step ${k} /` }).waitFor();
    const detail = await page.locator('.pp-view-proof [data-role=step-detail]').innerText();
    const m = metrics[k];
    for (const [label, v] of [
      ['grad norm', fmtNum(m.gradNorm)],
      ['update norm', fmtNum(m.updateNorm)],
      ['weight norm', fmtNum(m.weightNorm)],
      ['learning rate', fmtNum(m.lr)],
      ['batch accuracy', `${(100 * (m.accuracy ?? 0)).toFixed(1)} %`],
    ])
      assert.match(detail, new RegExp(`${label}\\s+${v.replace(/[.+]/g, '\\$&')}`), label);
    assert.equal(await page.locator('.pp-view-proof tr.sel').getAttribute('data-step'), String(k));
  });

  test('Run this step now recomputes the step metrics and matches the committed ones', async () => {
    const { page } = app;
    await page.locator('.pp-view-proof [data-role=run-step]').click();
    await page.locator('.pp-view-proof [data-role=run-verdict]').waitFor();
    assert.match(
      await page.locator('.pp-view-proof [data-role=run-verdict]').innerText(),
      /step 9 reproduces bit for bit/,
    );
    const rows = await page
      .locator('.pp-view-proof [data-role=run-result] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => td.getAttribute('title') ?? td.textContent),
        ),
      );
    const m = metrics[9];
    for (const k of ['lr', 'gradNorm', 'updateNorm', 'weightNorm', 'accuracy'] as const) {
      const row = rows.find((r) => r[0] === `metric ${k}`);
      assert.deepEqual(row, [`metric ${k}`, String(m[k]), String(m[k]), '✓ match'], k);
    }
  });

  test('a bundle written before step metrics: loss curve only, said plainly', async () => {
    const { page } = app;
    await page.goto(app.url(`#/proof?path=${encodeURIComponent(oldFile)}`));
    await page.locator('.pp-view-proof [data-role=metric-charts-none]').waitFor();
    assert.match(
      await page.locator('.pp-view-proof [data-role=metric-charts-none]').innerText(),
      /written before per-step metrics were recorded/,
    );
    assert.equal(await page.locator('.pp-view-proof [data-metric]').count(), 0);
    assert.equal(await page.locator('.pp-view-proof .pp-chart svg path.line').count(), 1, 'the loss curve');
    assert.deepEqual(
      app.pageErrors.filter((e) => e.startsWith('pageerror')),
      [],
    );
  });
});
