/**
 * Notebooks never lose work, in browser mode in Chromium (issue 15, "Must show"), one test per flow:
 * edit and run a cell → visit every view → back: text and outputs intact; reload with unsaved edits →
 * the guard asks and the autosaved edits are offered back (Restore / Discard; Save deletes them); New
 * notebook → save → reopen; Export HTML from the app → open the report in a new page. Upload-and-open
 * is covered by dropimport.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { pathToFileURL } from 'node:url';
import { recoveryFile } from '../../desktop/main/backend/recovery.ts';
import { type App, itWithScreenshot, skipReason, startApp } from './helpers/app.ts';

const skip = skipReason();
const NOTEBOOK = [
  '---',
  'title: Work fixture',
  '---',
  '',
  '# Work fixture',
  '',
  '```ts {id=first}',
  'const base = 20;',
  'display(`base is ${base}`);',
  '```',
  '',
  '```ts {id=second}',
  "display('not run yet');",
  '```',
  '',
].join('\n');
const VIEWS = ['proof', 'graph', 'dispute', 'ledger', 'model'] as const;

describe('notebooks never lose work (browser mode, Chromium)', {
  skip: skip ?? false,
  timeout: 600_000,
}, () => {
  let app: App;
  let nb: string;
  const dialogs: string[] = [];
  before(async () => {
    app = await startApp();
    mkdirSync(join(app.dataDir, 'work'), { recursive: true });
    nb = join(app.dataDir, 'work', 'work.md');
    writeFileSync(nb, NOTEBOOK);
    app.page.on('dialog', (d) => dialogs.push(d.type()));
  });
  after(async () => {
    await app?.close();
  });
  const test = itWithScreenshot(() => app, 'work-');
  const openNb = async (path: string, title: string) => {
    await app.page.goto(app.url(`#/notebook?path=${encodeURIComponent(path)}`));
    await app.page.getByTestId('notebook-name').filter({ hasText: title }).waitFor();
    await app.page.locator('.monaco-editor').first().waitFor();
  };
  const replaceCell = async (id: string, text: string) => {
    const cell = app.page.locator(`[data-cell-id="${id}"]`);
    await cell.locator('.monaco-editor').click();
    await app.page.keyboard.press('Control+A');
    await app.page.keyboard.insertText(text);
    await cell
      .locator('.view-lines')
      .filter({ hasText: text.split('\n')[0]?.slice(0, 20) ?? '' })
      .waitFor();
  };

  test('edit a cell and run it, visit every view, come back: text and outputs intact', async () => {
    const { page } = app;
    await openNb(nb, 'Work fixture');
    await page.locator('[data-cell-id="first"] .monaco-editor').click();
    await page.keyboard.press('Shift+Enter');
    await replaceCell('second', 'display(`twice ${base * 2}`);');
    await page.keyboard.press('Control+Enter');
    const out = (id: string) => page.locator(`[data-cell-id="${id}"] [data-testid="cell-outputs"]`);
    await out('first').filter({ hasText: 'base is 20' }).waitFor();
    await out('second').filter({ hasText: 'twice 40' }).waitFor();
    const gutter = (await page.locator('[data-cell-id="second"] .nb-gutter').innerText()).trim();
    assert.match(gutter, /^\[\d+\]$/);
    for (const id of VIEWS) {
      await page.locator(`.rail button[data-view="${id}"]`).click();
      await page.locator('.nb-root').waitFor({ state: 'detached' });
      await page.locator(`.view[data-view="${id}"]`).waitFor();
      assert.equal(await page.locator('.rail button[aria-current="page"]').getAttribute('data-view'), id);
    }
    await openNb(nb, 'Work fixture');
    await page
      .locator('[data-cell-id="second"] .view-lines')
      .filter({ hasText: 'twice ${base * 2}' })
      .waitFor();
    assert.match(await out('first').innerText(), /base is 20/);
    assert.match(await out('second').innerText(), /twice 40/);
    assert.equal((await page.locator('[data-cell-id="second"] .nb-gutter').innerText()).trim(), gutter);
    await page.locator('.nb-dirty.on').waitFor();
    assert.equal(readFileSync(nb, 'utf8'), NOTEBOOK, 'the file changes only on Save');
    await app.screenshot('work-01-back-after-every-view');
  });

  test('reload with unsaved edits: the guard asks, then the autosaved edits are offered back', async () => {
    const { page } = app;
    // The notebook from the previous test is on screen and dirty; make one more edit and let it autosave.
    await replaceCell('first', 'const base = 21; // edited before reload');
    await page.locator('.nb-root[data-autosaved-at]').waitFor();
    await page.waitForFunction(() => {
      const at = Number(document.querySelector('.nb-root')?.getAttribute('data-autosaved-at'));
      return Date.now() - at < 30_000;
    });
    const rec = recoveryFile(app.dataDir, nb);
    await waitFor(() => existsSync(rec) && readFileSync(rec, 'utf8').includes('edited before reload'));
    dialogs.length = 0;
    await page.reload();
    assert.deepEqual(dialogs, ['beforeunload'], 'the unsaved-changes guard asked before the reload');
    await page.getByTestId('notebook-name').filter({ hasText: 'Work fixture' }).waitFor();
    const banner = page.getByTestId('recovery-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /Restore unsaved edits from .+\?/);
    // The file still has the old text until Restore (and a Save).
    assert.ok(!(await page.locator('[data-cell-id="first"] .view-lines').innerText()).includes('edited'));
    await app.screenshot('work-02-restore-offer');
    await page.getByTestId('recovery-restore').click();
    await banner.waitFor({ state: 'detached' });
    await page
      .locator('[data-cell-id="first"] .view-lines')
      .filter({ hasText: 'edited before reload' })
      .waitFor();
    await page
      .locator('[data-cell-id="second"] .view-lines')
      .filter({ hasText: 'twice ${base * 2}' })
      .waitFor();
    await page.locator('.nb-dirty.on').waitFor();
    // Save writes the edits and deletes the recovery file; a reload then offers nothing.
    await page.keyboard.press('Control+S');
    await page.locator('.nb-dirty.on').waitFor({ state: 'detached' });
    await waitFor(() => !existsSync(rec));
    assert.match(readFileSync(nb, 'utf8'), /edited before reload/);
    dialogs.length = 0;
    await page.reload();
    await page.getByTestId('notebook-name').filter({ hasText: 'Work fixture' }).waitFor();
    await page.locator('.monaco-editor').first().waitFor();
    await page.waitForTimeout(500);
    assert.equal(await banner.count(), 0, 'nothing to restore after a save');
    assert.deepEqual(dialogs, [], 'no guard without unsaved edits');
  });

  test('Discard drops autosaved edits; they are also kept for a notebook left in another view', async () => {
    const { page } = app;
    await replaceCell('second', "display('left in another view');");
    // Leaving for another view autosaves at once, then the page reloads there.
    await page.locator('.rail button[data-view="proof"]').click();
    await page.locator('.nb-root').waitFor({ state: 'detached' });
    const rec = recoveryFile(app.dataDir, nb);
    await waitFor(() => existsSync(rec) && readFileSync(rec, 'utf8').includes('left in another view'));
    dialogs.length = 0;
    await page.reload();
    assert.deepEqual(dialogs, ['beforeunload'], 'the guard covers notebooks left in other views');
    await openNb(nb, 'Work fixture');
    await page.getByTestId('recovery-banner').waitFor();
    await page.getByTestId('recovery-discard').click();
    await page.getByTestId('recovery-banner').waitFor({ state: 'detached' });
    await waitFor(() => !existsSync(rec));
    assert.ok(!(await page.locator('[data-cell-id="second"] .view-lines').innerText()).includes('left in'));
    assert.doesNotMatch(readFileSync(nb, 'utf8'), /left in another view/);
  });

  test('opening another notebook with unsaved edits asks first; discarding drops the autosave', async () => {
    const { page } = app;
    await openNb(nb, 'Work fixture');
    await replaceCell('second', "display('about to be discarded');");
    const rec = recoveryFile(app.dataDir, nb);
    await waitFor(() => existsSync(rec) && readFileSync(rec, 'utf8').includes('about to be discarded'));
    dialogs.length = 0;
    // The harness accepts the prompt ("Discard unsaved changes to Work fixture?"), as a user moving on.
    await page.goto(app.url('#/notebook'));
    await page.getByRole('heading', { name: 'Notebooks', exact: true }).waitFor();
    assert.deepEqual(dialogs, ['confirm']);
    await waitFor(() => !existsSync(rec));
    assert.doesNotMatch(readFileSync(nb, 'utf8'), /about to be discarded/);
  });

  test('New notebook → edit → Save → reopen from the notebook list', async () => {
    const { page } = app;
    await page.goto(app.url('#/notebook'));
    await page.getByTestId('home-new-notebook').click();
    await page
      .getByTestId('notebook-name')
      .filter({ hasText: /^Untitled \d+$/ })
      .waitFor();
    const path = decodeURIComponent(new URL(page.url()).hash).replace(/^#\/notebook\?path=/, '');
    assert.ok(path.startsWith(join(app.dataDir, 'notebooks')), path);
    await page.locator('[data-cell-id="c1"] .monaco-editor').waitFor();
    await replaceCell('c1', "display('saved in a new notebook');");
    await page.getByTestId('save').click();
    await page.locator('.nb-dirty.on').waitFor({ state: 'detached' });
    assert.match(readFileSync(path, 'utf8'), /saved in a new notebook/);
    await page.goto(app.url('#/notebook'));
    const card = page.locator(`[data-testid="notebook-card"][data-path="${path}"]`).first();
    await card.click();
    await page
      .locator('[data-cell-id="c1"] .view-lines')
      .filter({ hasText: 'saved in a new notebook' })
      .waitFor();
    assert.equal(await page.locator('.nb-dirty.on').count(), 0);
  });

  test('Export HTML from the app, then open the report in a new page', async () => {
    const { page, context } = app;
    await openNb(nb, 'Work fixture');
    // The report shows the notebook as on screen, unsaved edits included.
    await replaceCell('first', 'const base = 30;\ndisplay(`report base ${base}`);');
    await replaceCell('second', 'display(`report twice ${base * 2}`);');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-html').click();
    const dl = await download;
    assert.equal(dl.suggestedFilename(), 'work.html');
    const saved = join(app.dataDir, 'reports', 'work.html');
    await waitFor(() => existsSync(saved));
    const downloaded = await dl.path();
    assert.equal(readFileSync(downloaded, 'utf8'), readFileSync(saved, 'utf8'), 'download = file on disk');
    const report = await context.newPage();
    try {
      await report.goto(pathToFileURL(saved).href);
      await report.getByText('Work fixture').first().waitFor();
      // The cells ran, in order, from a fresh kernel: outputs, not just the sources, are in the report.
      await report.locator('.output').getByText('report base 30').waitFor();
      await report.locator('.output').getByText('report twice 60').waitFor();
      // Self-contained: nothing is fetched from elsewhere.
      const external = await report.evaluate(
        () =>
          [...document.querySelectorAll('script[src], link[href], img[src]')].filter((e) =>
            /^(https?:)?\/\//.test(e.getAttribute('src') ?? e.getAttribute('href') ?? ''),
          ).length,
      );
      assert.equal(external, 0);
      await report.screenshot({ path: join(app.dataDir, 'report.png') });
    } finally {
      await report.close();
    }
    assert.deepEqual(
      readdirSync(join(app.dataDir, 'reports')).filter((f) => f.endsWith('.html')),
      ['work.html'],
    );
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 100));
  }
}
