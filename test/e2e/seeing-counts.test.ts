/**
 * Issue 15 "Seeing", in browser mode in Debian's Chromium: one op-count definition shown identically
 * in the Proof and Graph views (oracle: the step record's opCount read by core/proof here), and the
 * Model view's node details (oracle: the ONNX initializer read by core/onnx here).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readOnnx } from '../../core/onnx/read.ts';
import { readBundle } from '../../core/proof/read.ts';
import { REPO_ROOT } from '../../desktop/main/browser-mode.ts';
import { fmtNum } from '../../desktop/renderer/components/format.ts';
import { OP_COUNT_DEFINITION } from '../../desktop/shared/op-count.ts';
import { type App, skipReason, startApp } from './helpers/app.ts';

const skip = skipReason();
const ONNX = join(REPO_ROOT, 'test/fixtures/onnx/transformer-block.onnx');

describe('seeing: op counts, model details (browser mode, Chromium)', {
  skip: skip ?? false,
  timeout: 300_000,
}, () => {
  let app: App;
  before(async () => {
    app = await startApp({ viewport: { width: 1280, height: 800 }, open: [ONNX] });
  });
  after(async () => {
    await app?.close();
  });

  it('the Proof and Graph views show the same op count for a step, with the definition as tooltip', async () => {
    const { page } = app;
    await page.goto(app.url('#/proof?step=4'));
    const proofView = page.locator('.pp-view-proof');
    await page.locator('[data-role=step-label]').filter({ hasText: 'step 4 /' }).waitFor({ timeout: 60_000 });
    const path = (await proofView.getAttribute('data-path')) ?? '';
    const recorded = readBundle(readFileSync(path), path).manifest.steps[4].opCount;
    assert.ok(recorded && recorded > 10);
    const recordEl = page.locator('[data-role=step-detail] [data-testid=op-count]');
    const traceEl = page.locator('[data-role=trace] [data-testid=op-count]');
    await traceEl.waitFor({ timeout: 60_000 });
    assert.equal(await recordEl.getAttribute('data-total'), String(recorded));
    assert.equal(await traceEl.getAttribute('data-total'), String(recorded));
    const traceText = await traceEl.innerText();
    assert.match(
      traceText,
      new RegExp(`^${recorded} tape ops \\(leaf \\d+ · forward \\d+ · backward \\d+ · optimizer \\d+\\)$`),
    );
    assert.equal(await recordEl.innerText(), `${recorded} tape ops`);
    // The phase split adds up (counted here by hand from the text).
    const parts = [...traceText.matchAll(/(?:leaf|forward|backward|optimizer) (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    assert.equal(
      parts.reduce((a, b) => a + b, 0),
      recorded,
    );
    for (const el of [recordEl, traceEl]) assert.equal(await el.getAttribute('title'), OP_COUNT_DEFINITION);
    await proofView.focus();
    await page.keyboard.press('g');
    const graphEl = page.locator('.pp-view-graph [data-testid=op-count]');
    await graphEl.waitFor({ timeout: 60_000 });
    assert.equal(await graphEl.innerText(), traceText);
    assert.equal(await graphEl.getAttribute('title'), OP_COUNT_DEFINITION);
    assert.deepEqual(app.pageErrors, []);
  });

  it('Model view: clicking a weight shows its kind, shapes, statistics and a histogram', async () => {
    const { page } = app;
    await page.goto(app.url(`#/model?path=${encodeURIComponent(ONNX)}`));
    await page.getByText('✓ imports into RepOps').waitFor({ timeout: 90_000 });
    const modelCount = page.locator('.pp-view-model [data-testid=op-count]');
    assert.match(await modelCount.innerText(), /^\d+ tape ops \(leaf \d+ · forward \d+\)$/);
    assert.equal(await modelCount.getAttribute('title'), OP_COUNT_DEFINITION);
    // Node #0 is the first parameter leaf; its values are an initializer of the file.
    const node = page.locator('.pp-view-model g.node[data-id="0"]');
    await node.waitFor({ timeout: 30_000 });
    await node.click();
    const details = page.getByTestId('model-node-details');
    const bars = details.locator('.pp-inspector svg rect.bar');
    await bars.first().waitFor({ timeout: 30_000 });
    assert.ok((await bars.count()) > 1);
    const text = await details.innerText();
    assert.match(text, /weight \(initializer\)/);
    const name = /node\s+#0 (\S+)/.exec(text)?.[1];
    const model = readOnnx(new Uint8Array(readFileSync(ONNX)), ONNX);
    const init = model.graph.initializers.find((t) => t.name === name);
    assert.ok(init && init.data instanceof Float32Array, `initializer ${name}`);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of init.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assert.ok(text.includes(`${fmtNum(min)} / ${fmtNum(max)}`), `min/max ${min}/${max} in ${text}`);
    assert.ok(text.includes(`[${init.dims.join('×')}]`) || text.includes(init.dims.join('×')), text);
    await app.screenshot('seeing-model-details');
    assert.deepEqual(app.pageErrors, []);
  });
});
