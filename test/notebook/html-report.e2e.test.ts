/**
 * End to end: `pinpoint run --html` on a notebook, then the report opened from disk (file://, offline)
 * in headless Chromium through playwright-core. Checks every figure has drawn SVG content, nothing was
 * fetched from the network, and saves a screenshot under test-artifacts/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS as ARGS, CHROMIUM } from '../helpers/chromium.ts';

const root = resolve(import.meta.dirname, '../..');
const skip =
  !existsSync(CHROMIUM) && process.env.CI !== 'true' ? 'Chromium not installed (CI=true never skips)' : false;

describe('HTML report in Chromium', { skip }, () => {
  it('shows non-empty SVG charts, works offline, screenshot saved', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pinpoint-report-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const html = join(dir, 'report.html');
    const json = join(dir, 'results.json');
    const nbPath = join(root, 'test/notebook/fixtures/all-outputs.md');
    const { stderr } = await promisify(execFile)(
      process.execPath,
      [join(root, 'bin/pinpoint.js'), 'run', nbPath, '--html', html, '--json', json],
      {
        cwd: root,
      },
    );
    assert.match(stderr, /passed: 5\/5 cells ok/);
    const source = readFileSync(html, 'utf8');
    assert.doesNotMatch(
      source,
      /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
      'report must be script-free and self-contained',
    );

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(html).href);
      assert.equal(await page.locator('#verdict').textContent(), 'PASSED');
      const figures = await page.locator('figure.figure').count();
      assert.equal(figures, 6, 'two charts, heat map, graph, dispute, ledger');
      const charts = page.locator('figure[data-kind="chart"] svg');
      assert.equal(await charts.count(), 2);
      for (let i = 0; i < 2; i++) {
        const svg = charts.nth(i);
        const box = await svg.boundingBox();
        assert.ok(box && box.width > 200 && box.height > 100, `chart ${i} has a size`);
        const paths = await svg
          .locator('path.series')
          .evaluateAll((ps) => ps.map((p) => (p as SVGPathElement).getTotalLength()));
        assert.ok(
          paths.length >= 1 && paths.every((len) => len > 50),
          `chart ${i} draws its lines: ${paths}`,
        );
      }
      // Heat map cells, graph nodes and edges, dispute rounds, ledger bars all drawn with real extent.
      assert.equal(await page.locator('figure[data-kind="heatmap"] rect.cell').count(), 24);
      assert.equal(await page.locator('figure[data-kind="graph"] g.node').count(), 5);
      assert.equal(await page.locator('figure[data-kind="graph"] path.edge').count(), 4);
      assert.equal(await page.locator('figure[data-kind="graph"] g.node[data-mark="culprit"]').count(), 1);
      assert.equal(await page.locator('figure[data-kind="dispute"] g.round').count(), 3);
      const bars = await page
        .locator('figure[data-kind="ledger"] rect.bar')
        .evaluateAll((rs) => rs.map((r) => (r as SVGRectElement).getBBox().width));
      assert.ok(bars.some((w) => w > 100));
      // Pixels: the first chart's screenshot is not blank (more than one colour present).
      const shot = await charts.nth(0).screenshot();
      assert.ok(shot.length > 2000);
      mkdirSync(join(root, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(root, 'test-artifacts/notebook-report.png'), fullPage: true });
      assert.deepEqual(
        requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')),
        [],
        'the report loads nothing from the network',
      );
    } finally {
      await browser.close();
    }
  });
});
