/**
 * The Model view end to end in Chromium: an ONNX fixture opens from its path, shows its summary, its
 * RepOps graph (every op with a digest that the backend recomputes independently), and the
 * onnxruntime-web cross-check; a model with unsupported operators lists them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tensorDigest } from '../../core/hash/digest.ts';
import { exampleInputs, runRepOps } from '../../core/onnx/crosscheck.ts';
import { readOnnx } from '../../core/onnx/read.ts';
import { writeOnnx } from '../../core/onnx/write.ts';
import { REPO_ROOT } from '../../desktop/main/browser-mode.ts';
import { type App, skipReason, startApp } from './helpers/app.ts';

const skip = skipReason();

describe('Model view', { skip: skip ?? false, timeout: 240_000 }, () => {
  let app: App;
  before(async () => {
    app = await startApp({ open: [join(REPO_ROOT, 'test/fixtures/onnx/transformer-block.onnx')] });
  });
  after(async () => {
    await app?.close();
  });

  it('shows an ONNX model on RepOps with per-op digests and cross-checks it against onnxruntime-web', async () => {
    const path = join(REPO_ROOT, 'test/fixtures/onnx/transformer-block.onnx');
    const { page } = app;
    await page.goto(app.url(`#/model?path=${encodeURIComponent(path)}`));
    await page.getByText('✓ imports into RepOps').waitFor({ timeout: 90_000 });
    const body = await page.locator('.pp-view-model').textContent();
    assert.match(body ?? '', /ids: int64\[6\]/);
    assert.match(body ?? '', /LayerNormalization×1/);
    // The last RepOps op's digest, computed here independently with batch 2 example inputs, is shown.
    const model = readOnnx(new Uint8Array(readFileSync(path)), path);
    const outs = runRepOps(model, exampleInputs(model, 2, 1), path);
    const digest = tensorDigest(Object.values(outs)[0], 'sha256');
    // The graph is drawn after the summary (and its nodes are built lazily): wait for the digest, do not
    // read the SVG once (that raced the drawing on a loaded machine).
    const graph = page.locator('.pp-view-model svg.main').first();
    // The canvas starts at 100 % on the first ops; Fit brings the last op into the drawn window.
    await page.locator('.pp-view-model .zoomctl').getByRole('button', { name: 'Fit graph' }).click();
    await page.waitForFunction(
      ([sel, d]) => document.querySelector(sel)?.textContent?.includes(d) ?? false,
      ['.pp-view-model svg.main', digest.slice(0, 8)] as const,
      { timeout: 30_000 },
    );
    assert.ok(
      (await graph.textContent())?.includes(digest.slice(0, 8)),
      `short digest ${digest.slice(0, 8)} not drawn`,
    );
    await page.getByTestId('model-check-run').click();
    const check = page.getByTestId('model-check');
    await check.waitFor({ timeout: 90_000 });
    const text = (await check.textContent()) ?? '';
    assert.match(text, /within tolerance/);
    assert.match(text, /bitwise identical/);
    await app.screenshot('model-01-transformer');
    assert.deepEqual(app.pageErrors, []);
  });

  it('lists unsupported operators instead of drawing a graph', async () => {
    const bad = join(app.dataDir, 'unsupported.onnx');
    await writeFile(
      bad,
      writeOnnx({
        irVersion: 8,
        opset: 17,
        producerName: 'test',
        producerVersion: '0',
        graph: {
          name: 'bad',
          nodes: [{ name: 'rnn', opType: 'LSTM', domain: '', inputs: ['x'], outputs: ['y'], attrs: {} }],
          initializers: [],
          inputs: [{ name: 'x', dataType: 'float32', shape: [1, 2] }],
          outputs: [{ name: 'y', dataType: 'float32', shape: [1, 2] }],
        },
      }),
    );
    await app.page.goto(app.url(`#/model?path=${encodeURIComponent(bad)}`));
    const err = app.page.getByTestId('model-import-error');
    await err.waitFor({ timeout: 60_000 });
    assert.match((await err.textContent()) ?? '', /LSTM at node "rnn": operator not supported/);
    await app.screenshot('model-02-unsupported');
  });
});
