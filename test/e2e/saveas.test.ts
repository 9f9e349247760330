/**
 * Save As in browser mode, in Chromium: the in-app dialog (Ctrl+Shift+S, the palette, the toolbar)
 * saves an edited notebook under a new path in the data folder; the view then shows the new file, the
 * original is untouched, Recent lists the copy and reopening it shows the edit. An existing file needs
 * an explicit Overwrite; a path outside the allowed folders is refused with the backend's message.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { REPO_ROOT } from '../../desktop/main/browser-mode.ts';
import { type App, itWithScreenshot, skipReason, startApp } from './helpers/app.ts';

const FIXTURE = join(REPO_ROOT, 'test/e2e/fixtures/shell-demo.md');
const skip = skipReason();

describe('Save As (browser mode, Chromium)', { skip: skip ?? false, timeout: 600_000 }, () => {
  let app: App;
  let original: string;
  let target: string;
  before(async () => {
    app = await startApp({ open: [FIXTURE] });
    mkdirSync(join(app.dataDir, 'work'), { recursive: true });
    original = join(app.dataDir, 'work', 'demo.md');
    target = join(app.dataDir, 'saved', 'copy.md');
    copyFileSync(FIXTURE, original);
  });
  after(async () => {
    await app?.close();
  });
  const test = itWithScreenshot(() => app, 'saveas-');

  test('saves an edited notebook to a new path, then reopens it from Recent', async () => {
    const { page } = app;
    await page.goto(app.url(`#/notebook?path=${encodeURIComponent(original)}`));
    await page.getByTestId('notebook-path').filter({ hasText: 'demo.md' }).waitFor();
    await page.locator('.monaco-editor').first().waitFor();
    await page.getByTestId('add-code').click();
    const added = page.locator('[data-testid="cell"]').last();
    await added.locator('.monaco-editor textarea').waitFor({ state: 'attached' });
    await page.keyboard.insertText("display('savedAsMarker');");
    await added.locator('.view-lines').filter({ hasText: 'savedAsMarker' }).waitFor();
    await page.keyboard.press('Control+Shift+S');
    const dialog = page.getByTestId('saveas-dialog');
    await dialog.waitFor();
    // The allowed root is shown, and the suggestion is a copy next to the current file.
    assert.match(
      (await page.getByTestId('saveas-root').textContent()) ?? '',
      new RegExp(`Data folder — ${app.dataDir}`),
    );
    assert.equal(await page.getByTestId('saveas-path').inputValue(), 'work/demo-copy.md');
    await page.getByTestId('saveas-path').fill('saved/copy');
    await page
      .getByTestId('saveas-target')
      .filter({ hasText: `Saves to ${target}` })
      .waitFor();
    await app.screenshot('saveas-01-dialog');
    await page.getByTestId('saveas-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('notebook-path').filter({ hasText: 'copy.md' }).waitFor();
    await page.getByTestId('crumb').filter({ hasText: 'saved/copy.md' }).waitFor();
    assert.equal(decodeURIComponent(new URL(page.url()).hash), `#/notebook?path=${target}`);
    await page
      .getByTestId('status-message')
      .filter({ hasText: `Saved as ${target}` })
      .waitFor();
    assert.match(readFileSync(target, 'utf8'), /display\('savedAsMarker'\);/);
    assert.deepEqual(readFileSync(original), readFileSync(FIXTURE), 'the original file is untouched');
    await app.screenshot('saveas-02-saved');

    // Reopen: the notebook list's Recent section has the copy first.
    await page.goto(app.url('#/notebook'));
    const card = page.locator(`[data-testid="notebook-card"][data-path="${target}"]`).first();
    await card.waitFor();
    await card.click();
    await page.getByTestId('notebook-path').filter({ hasText: 'copy.md' }).waitFor();
    await page.locator('[data-testid="cell"] .view-lines').filter({ hasText: 'savedAsMarker' }).waitFor();
    // Ctrl+O's Recent group lists it too.
    await page.keyboard.press('Control+O');
    await page.getByTestId('open-dialog').getByText(target).first().waitFor();
    await page.keyboard.press('Escape');
  });

  test('an existing file needs Overwrite; a path outside the allowed folders is refused', async () => {
    const { page } = app;
    const before = readFileSync(target, 'utf8');
    // From the command palette this time.
    await page.getByTestId('palette-button').click();
    await page.keyboard.insertText('Save As');
    await page.getByTestId('palette').getByText('Notebook: Save As…').waitFor();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('saveas-dialog');
    await dialog.waitFor();
    await page.getByTestId('saveas-path').fill('../../../../../etc/evil.md');
    await page.getByTestId('saveas-save').click();
    await page
      .getByTestId('saveas-error')
      .filter({ hasText: 'outside the folders the app may open' })
      .waitFor();
    assert.equal(existsSync('/etc/evil.md'), false);
    await app.screenshot('saveas-03-outside');
    // The same file again: refused until the user confirms.
    await page.getByTestId('saveas-path').fill('saved/copy.md');
    await page.getByTestId('saveas-save').click();
    await page.getByTestId('saveas-error').filter({ hasText: 'already exists' }).waitFor();
    await page.getByTestId('saveas-save').filter({ hasText: 'Overwrite' }).waitFor();
    assert.equal(readFileSync(target, 'utf8'), before, 'not overwritten before confirmation');
    await app.screenshot('saveas-04-confirm');
    await page.getByTestId('saveas-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByTestId('status-message')
      .filter({ hasText: `Saved as ${target}` })
      .waitFor();
    // Cancel from the toolbar button leaves everything as it was.
    await page.getByTestId('save-as').click();
    await dialog.waitFor();
    await page.getByTestId('saveas-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    // Leaving the view closes an open dialog (it belongs to the notebook it would save).
    await page.getByTestId('save-as').click();
    await dialog.waitFor();
    await page.goto(app.url('#/proof'));
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(app.pageErrors, []);
  });
});
