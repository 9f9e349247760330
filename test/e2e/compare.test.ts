/**
 * Compare any two proofs (issue 15), in Chromium against browser mode: two real bundles of one task
 * (honest, and the same run with one op nudged) dropped together open compared — both loss curves with
 * the first diverging step marked and a hover read-out of both values; the Graph view colours the step's
 * ops ✓/✗/◆ against the second proof; "Dispute these" runs the referee and the Dispute view shows the
 * verdict at the nudged op. A proof of another task gets a message naming both files.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { REPO_ROOT } from '../../desktop/main/browser-mode.ts';
import { type ComparePair, comparePair } from '../desktop/compare-fixture.ts';
import { type App, itWithScreenshot, skipReason, startApp } from './helpers/app.ts';
import { dropFiles } from './helpers/drop.ts';

const skip = skipReason();

describe('compare two proofs (browser mode, Chromium)', { skip: skip ?? false, timeout: 600_000 }, () => {
  let app: App;
  let fx: ComparePair;
  before(async () => {
    fx = comparePair(REPO_ROOT);
    app = await startApp();
    await app.page.goto(app.url('#/notebook'));
    await app.page.getByRole('heading', { name: 'Notebooks', exact: true }).waitFor();
  });
  after(async () => {
    await app?.close();
  });
  const test = itWithScreenshot(() => app, 'compare-');

  test('two proofs dropped together: overlaid curves, divergence marked, hover read-out', async () => {
    const { page } = app;
    await dropFiles(page, [
      { name: 'honest.pinproof', bytes: fx.honest },
      { name: 'tampered.pinproof', bytes: fx.tampered },
    ]);
    const panel = page.locator('.pp-view-proof [data-role=compare-panel]');
    await panel.locator('[data-role=diverge-marker]').waitFor({ timeout: 60_000 });
    const legend = await panel.locator('[data-role=compare-legend]').innerText();
    assert.match(legend, /honest\.pinproof \(solid\)/);
    assert.match(legend, /tampered\.pinproof \(dashed\)/);
    assert.match(legend, new RegExp(`first diverging step: ${fx.tamperStep}\\b`));
    assert.match(
      await panel.locator('[data-role=compare-status]').innerText(),
      new RegExp(`first diverging step ${fx.tamperStep}`),
    );
    // Two curves, told apart by dash as well as colour.
    assert.equal(await panel.locator('[data-role=curve-a]').getAttribute('stroke-dasharray'), null);
    assert.ok(await panel.locator('[data-role=curve-b]').getAttribute('stroke-dasharray'));
    // Hover the last step: the read-out names both proofs with their values.
    const svg = panel.locator('[data-role=compare-chart] svg[role=img]');
    const box = await svg.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
    const readout = await panel.locator('[data-role=compare-readout]').textContent();
    assert.match(
      readout ?? '',
      new RegExp(`step ${fx.steps - 1} · honest\\.pinproof \\S+ · tampered\\.pinproof \\S+`),
    );
    await app.screenshot('compare-01-proof-overlay');
    // Any committed metric both proofs have: the gradient norm, redrawn with the divergence still marked.
    const picker = panel.locator('[data-role=compare-metric]');
    assert.deepEqual(await picker.locator('option').allInnerTexts(), [
      'loss',
      'batch accuracy',
      'grad norm',
      'update norm',
      'weight norm',
      'learning rate',
    ]);
    const lossPath = await panel.locator('[data-role=curve-a]').getAttribute('d');
    await picker.selectOption('gradNorm');
    await panel
      .locator('[data-role=compare-chart] svg[aria-label^="Grad norm of honest.pinproof"]')
      .waitFor();
    assert.notEqual(await panel.locator('[data-role=curve-a]').getAttribute('d'), lossPath);
    assert.equal(await panel.locator('[data-role=compare-chart]').count(), 1, 'one chart, redrawn');
    await panel.locator('[data-role=diverge-marker]').waitFor();
    const gbox = await panel.locator('[data-role=compare-chart] svg[role=img]').boundingBox();
    assert.ok(gbox);
    await page.mouse.move(gbox.x + gbox.width - 20, gbox.y + gbox.height / 2);
    assert.match(
      (await panel.locator('[data-role=compare-readout]').textContent()) ?? '',
      new RegExp(`step ${fx.steps - 1} · honest\\.pinproof \\S+ · tampered\\.pinproof \\S+`),
    );
    await app.screenshot('compare-01b-grad-norm');
    await picker.selectOption('loss');
    await panel.locator('[data-role=compare-chart] svg[aria-label^="Loss of"]').waitFor();
  });

  test('graph of the diverging step: ops ✓/✗/◆ against the second proof', async () => {
    const { page } = app;
    await page.locator(`.pp-view-proof tr[data-step="${fx.tamperStep}"]`).click();
    await page.locator('.pp-view-proof [data-role=open-graph]').click();
    const summary = page.locator('.pp-view-graph [data-role=compare-summary]');
    await page.waitForFunction(
      () =>
        /vs tampered\.pinproof: ✓ \d+ agree · ✗ \d+ disagree/.test(
          document.querySelector('.pp-view-graph [data-role=compare-summary]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    assert.match(await summary.innerText(), new RegExp(`first ✗ #${fx.tamperOp}\\b`));
    const view = page.locator('.pp-view-graph');
    assert.equal(await view.locator('g.node[data-mark=culprit]').count(), 1);
    assert.equal(
      await view.locator('g.node[data-mark=culprit]').getAttribute('data-id'),
      String(fx.tamperOp),
    );
    assert.ok((await view.locator('g.node[data-mark=agree]').count()) > 0);
    assert.match((await view.locator('.legend').textContent()) ?? '', /◆ first disagreement/);
    await app.screenshot('compare-02-graph');
  });

  test('Dispute these: the Dispute view shows the verdict at the nudged op', async () => {
    const { page } = app;
    await page.locator('.pp-view-graph [data-role=dispute-these]').click();
    const player = page.locator('.pp-view-dispute .pp-player');
    await player.waitFor({ timeout: 120_000 });
    assert.match(await page.locator('[data-role=dispute-picker]').inputValue(), /^compare:\d+$/);
    await page.locator('#pp-speed').selectOption('8');
    await page.locator('[data-role=play]').click();
    const headline = page.locator('[data-role=verdict-headline]');
    await headline.waitFor({ timeout: 120_000 });
    assert.match(await headline.innerText(), /Solver wins/);
    assert.match(
      await page.locator('[data-role=pinpoint]').innerText(),
      new RegExp(`step ${fx.tamperStep} · op #${fx.tamperOp}\\b`),
    );
    await app.screenshot('compare-03-dispute');
  });

  test('back from the Graph, the Proof view is still compared at that step', async () => {
    const { page } = app;
    await page.goBack();
    await page.locator('.pp-view-graph g.node[data-mark=culprit]').waitFor({ timeout: 60_000 });
    await page.locator('.pp-view-graph').getByRole('button', { name: 'Proof', exact: true }).click();
    await page.locator('.pp-view-proof [data-role=compare-panel] [data-role=diverge-marker]').waitFor();
    assert.match(
      await page.locator('.pp-view-proof [data-role=step-label]').innerText(),
      new RegExp(`step ${fx.tamperStep} /`),
    );
  });

  test('a proof of another task: a message naming both files, the proof still shown', async () => {
    const { page } = app;
    await dropFiles(page, [
      { name: 'honest.pinproof', bytes: fx.honest },
      { name: 'other-task.pinproof', bytes: fx.otherTask },
    ]);
    const err = page.locator('.pp-view-proof [data-role=compare-error]');
    await err.waitFor({ timeout: 60_000 });
    assert.match(
      await err.innerText(),
      /honest\.pinproof and other-task\.pinproof are proofs of different tasks.*"iris-mlp-compare-test".*"iris-mlp-other-task"/s,
    );
    // The first proof is still on screen, whole.
    assert.ok(
      (await page.locator('.pp-view-proof table[aria-label="Step records"] tbody tr').count()) === fx.steps,
    );
    await app.screenshot('compare-04-task-mismatch');
    assert.deepEqual(
      app.pageErrors.filter((e) => e.startsWith('pageerror')),
      [],
    );
  });

  test('Compare with… in the Proof view picks the second proof from the data folder', async () => {
    const { page } = app;
    const honest = join(app.dataDir, 'imports', 'honest.pinproof');
    await page.goto(app.url(`#/proof?path=${encodeURIComponent(honest)}`));
    await page.locator('.pp-view-proof [data-role=compare-with]').click();
    const picker = page.getByTestId('compare-picker');
    await picker.waitFor();
    await picker.getByText('tampered.pinproof', { exact: true }).first().waitFor();
    // The proof itself is not offered.
    assert.equal(await picker.getByText('honest.pinproof', { exact: true }).count(), 0);
    await page.keyboard.type('tampered');
    await page.keyboard.press('Enter');
    await page.locator('.pp-view-proof [data-role=compare-panel] [data-role=diverge-marker]').waitFor();
    assert.match(decodeURIComponent(new URL(page.url()).hash), /compare=.*imports\/tampered\.pinproof$/);
  });
});
