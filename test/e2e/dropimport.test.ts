/**
 * Drag-and-drop in browser mode, in Chromium: real files (an ONNX fixture, a proof bundle made by
 * core/train + core/proof, a 3 MiB model) dropped on the window are uploaded into <data>/imports/ and
 * open in their view with their content; malformed files are refused with a toast and an error-panel
 * entry naming the file.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { readOnnx } from '../../core/onnx/read.ts';
import { writeOnnx } from '../../core/onnx/write.ts';
import { readBundle } from '../../core/proof/read.ts';
import { REPO_ROOT } from '../../desktop/main/browser-mode.ts';
import { smallProof } from '../desktop/proof-fixture.ts';
import { type App, itWithScreenshot, skipReason, startApp } from './helpers/app.ts';
import { dropFiles } from './helpers/drop.ts';

const skip = skipReason();

/** ONNX op counts as the Model view prints them ("Gemm×3"), from the file itself. */
function opCounts(bytes: Uint8Array): string[] {
  const counts = new Map<string, number>();
  for (const n of readOnnx(bytes, 'oracle').graph.nodes)
    counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${op}×${n}`);
}

describe('drag-and-drop import (browser mode, Chromium)', { skip: skip ?? false, timeout: 600_000 }, () => {
  let app: App;
  before(async () => {
    app = await startApp();
    await app.page.goto(app.url('#/notebook'));
    await app.page.getByRole('heading', { name: 'Notebooks', exact: true }).waitFor();
  });
  after(async () => {
    await app?.close();
  });
  const test = itWithScreenshot(() => app, 'drop-');

  test('an .onnx file opens in the Model view with its graph', async () => {
    const { page } = app;
    const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, 'test/fixtures/onnx/mlp.onnx')));
    await dropFiles(page, [{ name: 'mlp.onnx', bytes }]);
    const stored = join(app.dataDir, 'imports', 'mlp.onnx');
    const view = page.locator(`.pp-view-model`);
    await view.getByText('✓ imports into RepOps').waitFor();
    assert.match(decodeURIComponent(new URL(page.url()).hash), new RegExp(`^#/model\\?path=${stored}$`));
    const text = (await view.textContent()) ?? '';
    for (const c of opCounts(bytes)) assert.ok(text.includes(c), `${c} shown`);
    assert.deepEqual(new Uint8Array(readFileSync(stored)), bytes);
    await app.screenshot('drop-01-onnx');
  });

  test('Open… offers an upload from this computer (browser file chooser), opened like a drop', async () => {
    const { page } = app;
    const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, 'test/fixtures/onnx/cnn.onnx')));
    await page.keyboard.press('Control+O');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('open-dialog').getByText('Upload and open a file from this computer…').click();
    await (await chooser).setFiles({
      name: 'picked-cnn.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(bytes),
    });
    const stored = join(app.dataDir, 'imports', 'picked-cnn.onnx');
    await page.waitForURL((u) => decodeURIComponent(u.hash).includes('picked-cnn.onnx'));
    await page.locator('.pp-view-model').getByText('✓ imports into RepOps').waitFor();
    assert.match(decodeURIComponent(new URL(page.url()).hash), new RegExp(`^#/model\\?path=${stored}$`));
    assert.deepEqual(new Uint8Array(readFileSync(stored)), bytes);
  });

  test('a proof bundle opens in the Proof view with its steps', async () => {
    const { page } = app;
    const bytes = smallProof(REPO_ROOT, { name: 'iris-dropped', steps: 8 });
    await dropFiles(page, [{ name: 'dropped-run.pinproof', bytes }]);
    const stored = join(app.dataDir, 'imports', 'dropped-run.pinproof');
    const view = page.locator(`.pp-view-proof[data-path="${stored}"]`);
    await view.waitFor();
    const steps = readBundle(bytes, 'oracle').manifest.steps.length;
    await view.getByText(`Loss curve · ${steps} steps`).waitFor();
    await view.getByText('iris-dropped', { exact: false }).first().waitFor();
    await app.screenshot('drop-02-proof');
  });

  test('a malformed proof and a non-ONNX .onnx are refused with errors naming the files', async () => {
    const { page } = app;
    const before = await readdir(join(app.dataDir, 'imports'));
    const proof = smallProof(REPO_ROOT);
    await dropFiles(page, [
      { name: 'broken.pinproof', bytes: proof.subarray(0, 300) },
      { name: 'notes.onnx', bytes: new TextEncoder().encode('these are my notes\n') },
    ]);
    const toasts = page.getByTestId('error-toast');
    await toasts.filter({ hasText: 'broken.pinproof: not a valid proof bundle' }).waitFor();
    await toasts.filter({ hasText: 'notes.onnx: not an ONNX model' }).waitFor();
    await toasts.filter({ hasText: 'Importing notes.onnx' }).waitFor();
    // The error panel keeps them.
    await page.getByTestId('errors-button').click();
    const panel = page.locator('.error-panel');
    await panel.getByText('Importing broken.pinproof', { exact: false }).waitFor();
    await panel.getByText('notes.onnx: not an ONNX model', { exact: false }).waitFor();
    await app.screenshot('drop-03-malformed');
    await page.getByTestId('errors-button').click();
    assert.deepEqual(await readdir(join(app.dataDir, 'imports')), before, 'nothing stored');
    // The Proof view that was open stays open.
    assert.match(new URL(page.url()).hash, /^#\/proof/);
  });

  test('a 3 MiB model shows upload progress, then opens', async () => {
    const { page } = app;
    const k = 768;
    const n = 1024;
    const weights = new Float32Array(k * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const bytes = writeOnnx({
      irVersion: 8,
      opset: 17,
      producerName: 'dropimport-test',
      producerVersion: '0',
      graph: {
        name: 'big',
        nodes: [
          { name: 'proj', opType: 'MatMul', domain: '', inputs: ['x', 'W'], outputs: ['y'], attrs: {} },
        ],
        initializers: [{ name: 'W', dims: [k, n], dataType: 'float32', data: weights }],
        inputs: [{ name: 'x', dataType: 'float32', shape: ['batch', k] }],
        outputs: [{ name: 'y', dataType: 'float32', shape: ['batch', n] }],
      },
    });
    assert.ok(bytes.length > 3 * 1024 * 1024);
    // Record every progress value the status bar shows (the upload may finish between two polls).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __progress: string[] }).__progress = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll<HTMLElement>('[data-testid="transfer"]'))
          if (el.dataset.progress && seen.at(-1) !== el.dataset.progress) seen.push(el.dataset.progress);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await dropFiles(page, [{ name: 'big-projection.onnx', bytes }]);
    const view = page.locator('.pp-view-model');
    await view.getByText('MatMul×1').waitFor();
    const seen = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
    const values = seen.map(Number);
    assert.ok(
      values.some((v) => v > 0 && v < 100),
      `intermediate progress shown: ${seen.join(',')}`,
    );
    assert.ok(
      values.every((v, i) => i === 0 || v >= values[i - 1]),
      `progress only grows: ${seen.join(',')}`,
    );
    assert.equal(await page.getByTestId('transfer').count(), 0, 'the progress item is gone when done');
    assert.ok(existsSync(join(app.dataDir, 'imports', 'big-projection.onnx')));
    await page.getByTestId('status-message').filter({ hasText: 'Imported big-projection.onnx' }).waitFor();
    assert.deepEqual(
      app.pageErrors.filter((e) => !/Importing|broken\.pinproof|notes\.onnx|\[pinpoint\]/.test(e)),
      [],
    );
  });
});
