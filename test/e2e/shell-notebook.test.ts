/**
 * End-to-end: the app in browser mode, driven in Debian's Chromium. A newcomer's first start, opening
 * a notebook from notebooks/ (or this test's fixture), editing a cell in Monaco, Shift+Enter, output;
 * cancelling a long cell; a malformed notebook's clear error. Screenshots go to test-artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { REPO_ROOT } from '../../desktop/main/browser-mode.ts';
import { type App, itWithScreenshot, skipReason, startApp } from './helpers/app.ts';

const FIXTURE = join(REPO_ROOT, 'test/e2e/fixtures/shell-demo.md');
const MALFORMED = join(REPO_ROOT, 'test/e2e/fixtures/malformed.md');
const skip = skipReason();

describe('shell e2e (browser mode, Chromium)', { skip: skip ?? false, timeout: 600_000 }, () => {
  let app: App;
  before(async () => {
    app = await startApp({ open: [FIXTURE, MALFORMED] });
  });
  after(async () => {
    await app?.close();
  });
  const test = itWithScreenshot(() => app);

  test('first start opens the welcome notebook and runs a cell', async () => {
    const { page } = app;
    const t0 = performance.now();
    await page.goto(app.url());
    await page.getByTestId('notebook-name').filter({ hasText: 'Welcome to Pinpoint' }).waitFor();
    await page.locator('.monaco-editor').first().waitFor();
    console.log(`# first paint with Monaco: ${Math.round(performance.now() - t0)} ms`);
    // The rail lists the five views; views not built yet are placeholders.
    for (const id of ['notebook', 'proof', 'graph', 'dispute', 'ledger'])
      assert.equal(await page.locator(`.rail button[data-view="${id}"]`).count(), 1, id);
    await page.locator('[data-cell-id="hello"] .monaco-editor').click();
    await page.keyboard.press('Shift+Enter');
    await page
      .locator('[data-cell-id="hello"] [data-testid="cell-outputs"]')
      .filter({ hasText: 'Hello from a notebook cell: 5 steps' })
      .waitFor();
    // Shift+Enter moved the focus to the next cell: run it too (a table and a heat map of a tensor).
    await page.keyboard.press('Shift+Enter');
    const digestCell = page.locator('[data-cell-id="digest"]');
    // Outputs stream in one by one: wait for both before counting.
    await digestCell.locator('table td').first().waitFor();
    await digestCell.locator('.heatmap-meta').waitFor();
    assert.equal(await digestCell.locator('tbody tr').count(), 1);
    assert.equal(await digestCell.locator('svg.heatmap rect').count(), 12, 'a 3×4 heat map');
    const digestText = (await digestCell.locator('.heatmap-meta').textContent()) ?? '';
    assert.match(digestText, /digest [0-9a-f]{64}/);
    await app.screenshot('shell-01-welcome');
  });

  test('opens a notebook from the notebook list, edits a cell in Monaco and runs it with Shift+Enter', async () => {
    const { page } = app;
    // Open a notebook from notebooks/ through the UI when the project has some (it must render).
    const projectNotebooks = readdirSync(join(REPO_ROOT, 'notebooks')).filter((f) => f.endsWith('.md'));
    await page.goto(app.url('#/notebook'));
    await page.getByRole('heading', { name: 'Notebooks', exact: true }).waitFor();
    if (projectNotebooks.length > 0) {
      await page
        .locator(`[data-testid="notebook-card"][data-path$="/notebooks/${projectNotebooks[0]}"]`)
        .click();
      await page.locator('[data-testid="cell"]').first().waitFor();
      await page.locator('.monaco-editor').first().waitFor();
      await app.screenshot('shell-02-project-notebook');
    }
    // The run itself uses this test's fixture (its cells do not depend on other modules).
    await page.goto(app.url(`#/notebook?path=${encodeURIComponent(FIXTURE)}`));
    await page.getByTestId('notebook-name').filter({ hasText: 'Shell e2e fixture' }).waitFor();
    // Run the first cell (defines `base`), then edit the second one and run it: cells share scope.
    await page.locator('[data-cell-id="first"] .monaco-editor').click();
    await page.keyboard.press('Shift+Enter');
    await page
      .locator('[data-cell-id="first"] [data-testid="cell-outputs"]')
      .filter({ hasText: 'base is 20' })
      .waitFor();
    const cell = page.locator('[data-cell-id="second"]');
    await cell.locator('.monaco-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(
      'const answer = base * 2 + 2;\ndisplay(`the answer is ${answer}`);\nchart({ "x²": [[0, 0], [1, 1], [2, 4], [3, 9]] }, { title: "squares", x: "x", y: "x²" });',
    );
    // Monaco holds the edit (the model is the source of truth for the run).
    await cell.locator('.view-lines').filter({ hasText: 'the answer is' }).waitFor();
    await page.keyboard.press('Shift+Enter');
    const out = cell.locator('[data-testid="cell-outputs"]');
    await out.filter({ hasText: 'the answer is 42' }).waitFor();
    // Outputs stream in one by one: the chart may land after the text, so wait for it.
    const line = out.locator('svg.chart path.series').first();
    await line.waitFor({ timeout: 10_000 });
    assert.match(
      (await line.getAttribute('d')) ?? '',
      /^M[\d.]+,[\d.]+L/,
      'the chart output is drawn with d3',
    );
    await page
      .locator('[data-cell-id="second"] .nb-gutter')
      .filter({ hasText: /\[\d+\]/ })
      .waitFor();
    await app.screenshot('shell-03-cell-output');
  });

  test('switching to another view and back keeps edits, outputs and the unsaved mark', async () => {
    const { page } = app;
    await page.goto(app.url(`#/notebook?path=${encodeURIComponent(FIXTURE)}`));
    await page.getByTestId('notebook-name').filter({ hasText: 'Shell e2e fixture' }).waitFor();
    await page.locator('[data-cell-id="first"] .monaco-editor').click();
    await page.keyboard.press('Shift+Enter');
    const firstOut = page.locator('[data-cell-id="first"] [data-testid="cell-outputs"]');
    await firstOut.filter({ hasText: 'base is 20' }).waitFor();
    const cell = page.locator('[data-cell-id="second"]');
    await cell.locator('.monaco-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('display("kept across views");');
    await cell.locator('.view-lines').filter({ hasText: 'kept across views' }).waitFor();
    await page.locator('.nb-dirty.on').waitFor();
    await page.goto(app.url('#/proof'));
    await page.locator('.nb-root').waitFor({ state: 'detached' });
    await page.goto(app.url(`#/notebook?path=${encodeURIComponent(FIXTURE)}`));
    await page
      .locator('[data-cell-id="second"] .view-lines')
      .filter({ hasText: 'kept across views' })
      .waitFor();
    await firstOut.filter({ hasText: 'base is 20' }).waitFor();
    await page.locator('.nb-dirty.on').waitFor();
    // The file on disk is untouched until Save.
    assert.doesNotMatch(readFileSync(FIXTURE, 'utf8'), /kept across views/);
    await app.screenshot('shell-03b-back-from-another-view');
  });

  test('New notebook from the notebook list opens an untitled notebook in the data folder', async () => {
    const { page } = app;
    await page.goto(app.url('#/notebook'));
    await page.getByTestId('home-new-notebook').click();
    await page
      .getByTestId('notebook-name')
      .filter({ hasText: /^Untitled \d+$/ })
      .waitFor();
    assert.match(decodeURIComponent(page.url()), /notebooks\/untitled-\d+\.md$/);
    await page.locator('[data-cell-id="c1"] .monaco-editor').waitFor();
    // Back to the fixture, where the next test continues.
    await page.goto(app.url(`#/notebook?path=${encodeURIComponent(FIXTURE)}`));
    await page.getByTestId('notebook-name').filter({ hasText: 'Shell e2e fixture' }).waitFor();
  });

  test('cancels a long-running cell from the toolbar', async () => {
    const { page } = app;
    const cell = page.locator('[data-cell-id="forever"]');
    await cell.locator('.monaco-editor').click();
    await page.keyboard.press('Shift+Enter');
    // The status bar shows the job with progress and a cancel button while the cell spins.
    await page.getByTestId('job').first().waitFor();
    await cell.locator('.nb-gutter .spinner').waitFor();
    await app.screenshot('shell-04-running');
    await page.getByTestId('cancel-run').click();
    await cell
      .locator('[data-testid="cell-error"]')
      .filter({ hasText: 'Cancelled' })
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('job').first().waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('cancel-run').isDisabled(), true);
    await app.screenshot('shell-05-cancelled');
  });

  test('shows a clear error for a malformed notebook', async () => {
    const { page } = app;
    await page.goto(app.url(`#/notebook?path=${encodeURIComponent(MALFORMED)}`));
    const error = page.getByTestId('notebook-error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    assert.match(text, /could not be opened/);
    assert.match(text, /malformed\.md/, 'names the file');
    assert.match(text, /:7\b|line 7/, 'points at the line of the unclosed cell');
    assert.match(text, /never closed/, 'says what is wrong');
    await page.getByTestId('error-toast').first().waitFor();
    await app.screenshot('shell-06-malformed');
  });

  test('knows the Pinpoint API in the editor: hover and completion', async () => {
    const { page } = app;
    await page.goto(app.url(`#/notebook?path=${encodeURIComponent(FIXTURE)}`));
    const first = page.locator('[data-cell-id="first"]');
    await first.locator('.monaco-editor').waitFor();
    // The prelude's declarations (generated from core/notebook/prelude.ts) reach the TS worker.
    await page.waitForFunction(() => Number(document.body.dataset.preludeTypes) > 5);
    await first
      .locator('.view-lines span', { hasText: /^display$/ })
      .first()
      .hover();
    // The hover shows the prelude's type and its doc comment.
    await page
      .getByText(/display: \(value: unknown\) => void/)
      .first()
      .waitFor();
    await page
      .getByText(/Shows any value/)
      .first()
      .waitFor();
    await app.screenshot('shell-08-hover');
    // Completion: typing `heatm` offers the prelude's heatmap().
    await first.locator('.monaco-editor').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('heatm');
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget .monaco-list-row', { hasText: 'heatmap' }).first().waitFor();
    await app.screenshot('shell-09-completion');
    await page.keyboard.press('Escape');
  });

  test('command palette finds and runs commands; Ctrl+2 switches views', async () => {
    const { page } = app;
    await page.goto(app.url(`#/notebook?path=${encodeURIComponent(FIXTURE)}`));
    await page.locator('.monaco-editor').first().waitFor();
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByTestId('palette');
    await palette.waitFor();
    await page.keyboard.type('clear outputs');
    await palette.locator('.row').first().filter({ hasText: 'Notebook: Clear outputs' }).waitFor();
    await app.screenshot('shell-07-palette');
    await page.keyboard.press('Escape');
    await palette.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+2');
    await page.waitForURL(/#\/proof/);
    assert.equal(await page.locator('.rail button[data-view="proof"]').getAttribute('aria-current'), 'page');
    assert.match((await page.getByTestId('view-title').textContent()) ?? '', /Proof/);
  });
});
