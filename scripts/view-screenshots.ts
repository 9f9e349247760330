/**
 * Regenerates docs/img/view-*.png: every view of the app at 1280×800 in browser mode (Debian's
 * Chromium, the demo data), for docs/VIEWS.md. `node --import tsx scripts/view-screenshots.ts [view…]`
 * (only the named views, e.g. `proof`; all without arguments).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp } from '../test/e2e/helpers/app.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const nb = join(root, 'notebooks/03-single-ulp-tamper.md');
const onnx = join(root, 'test/fixtures/onnx/transformer-block.onnx');
const stops: [string, string, string][] = [
  ['notebook', `#/notebook?path=${encodeURIComponent(nb)}`, '[data-testid="cell"] .monaco-editor'],
  ['proof', '#/proof?step=5', '[data-role=step-label]'],
  ['graph', '#/graph?step=5', '.pp-view-graph svg.main'],
  ['graph-compare', '#/graph?step=5', '.pp-view-graph svg.main'],
  ['dispute', '#/dispute', '.pp-player'],
  ['ledger', '#/ledger', '.pp-view-ledger [data-role=accounts] tr'],
  ['model', `#/model?path=${encodeURIComponent(onnx)}`, 'text=✓ imports into RepOps'],
];

const only = process.argv.slice(2);
const app = await startApp({ viewport: { width: 1280, height: 800 }, open: [onnx] });
try {
  for (const [id, hash, ready] of stops) {
    if (only.length > 0 && !only.includes(id)) continue;
    await app.page.goto(app.url(hash));
    await app.page.locator(ready).first().waitFor({ timeout: 120_000 });
    if (id === 'graph-compare')
      await app.page.getByRole('button', { name: /Compare with tampered trace/ }).click();
    if (id === 'ledger') await app.page.getByRole('button', { name: 'Show settlement' }).first().click();
    await app.page.waitForTimeout(2500); // animations and lazy panels settle
    const path = join(root, `docs/img/view-${id}.png`);
    await app.page.screenshot({ path });
    console.log(path);
  }
} finally {
  await app.close();
}
