/**
 * Issue 15: graph text legible on screen. In Chromium on a 1 000-op step: at the start view every op
 * name and digest line on screen is ≥ 11 px tall as painted; after Fit the per-op text gives way to
 * chunk labels (semantic zoom) that are ≥ 11 px, fit inside their chunk and name every op range
 * exactly once; every lane title — the optimizer's included — is on screen; the lane button brings
 * the optimizer lane's ops on screen at full size. Oracle for the overview: the layout itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { layoutGraph } from '../../desktop/renderer/components/graph-layout.ts';
import { fitText, overviewGroups } from '../../desktop/renderer/components/graph-overview.ts';
import { syntheticTraceOfSize } from '../../desktop/renderer/views/playground-data.ts';
import { bigGraphPage, CHROMIUM, chromiumAvailable, launch } from './helpers/page.ts';

const skip = chromiumAvailable() || process.env.CI === 'true' ? null : `Chromium not found at ${CHROMIUM}`;

describe('overviewGroups (pure)', () => {
  it('partitions the tape into the layout chunks, each group a contiguous box of its nodes', () => {
    const nodes = syntheticTraceOfSize(400);
    const layout = layoutGraph(nodes);
    const groups = overviewGroups(layout, nodes);
    assert.equal(groups.length, layout.chunks);
    assert.equal(
      groups.reduce((a, g) => a + g.count, 0),
      nodes.length,
    );
    for (const g of groups) {
      const mine = layout.nodes.filter((p) => p.id >= g.first && p.id <= g.last && p.lane === g.lane);
      assert.ok(mine.length >= g.count, `${g.title}`);
      for (const p of layout.nodes.filter((q) => q.id === g.first || q.id === g.last)) {
        assert.ok(
          p.x - p.w / 2 >= g.x0 && p.x + p.w / 2 <= g.x1 && p.y - p.h / 2 >= g.y0 && p.y + p.h / 2 <= g.y1,
        );
      }
      assert.equal(g.title, `#${g.first}–#${g.last} · ${g.count} ops`);
      assert.ok(g.detail.length > 0, g.title);
    }
    assert.equal(fitText('abcdef', 4), 'abc…');
    assert.equal(fitText('abc', 4), 'abc');
    assert.equal(fitText('abc', 1), '');
  });
});

interface TextBox {
  text: string;
  h: number;
  fontPx: number;
  inside: boolean;
}

/** Visible text elements of `selector` inside the stage, with their painted font size in CSS px. */
function visibleText(page: Page, selector: string): Promise<TextBox[]> {
  return page.evaluate((sel) => {
    const stage = (document.querySelector('.pp-graph .gstage') as HTMLElement).getBoundingClientRect();
    const k = (document.querySelector('.pp-graph .gstage') as HTMLElement & { __zoom: { k: number } }).__zoom
      .k;
    const out: { text: string; h: number; fontPx: number; inside: boolean }[] = [];
    for (const e of document.querySelectorAll<SVGTextElement>(sel)) {
      if (!e.textContent || getComputedStyle(e).visibility === 'hidden' || e.getClientRects().length === 0)
        continue;
      const b = e.getBoundingClientRect();
      if (b.right < stage.left || b.left > stage.right || b.bottom < stage.top || b.top > stage.bottom)
        continue;
      out.push({
        text: e.textContent,
        h: b.height,
        fontPx: Number.parseFloat(getComputedStyle(e).fontSize) * k,
        inside:
          b.left >= stage.left - 1 &&
          b.right <= stage.right + 1 &&
          b.top >= stage.top - 1 &&
          b.bottom <= stage.bottom + 1,
      });
    }
    return out;
  }, selector);
}

describe('graph canvas legibility (Chromium)', { skip: skip ?? false, timeout: 120_000 }, () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    browser = await launch();
    page = await bigGraphPage(browser);
  });
  after(async () => {
    await browser?.close();
  });

  it('start view: op names and digest lines are at least 11 px on screen', async () => {
    assert.equal(await page.locator('.pp-graph').getAttribute('data-lod'), 'high');
    for (const sel of ['g.node text.op', 'g.node text.sub']) {
      const texts = await visibleText(page, sel);
      assert.ok(texts.length > 10, `${sel}: ${texts.length} on screen`);
      for (const t of texts) assert.ok(t.fontPx >= 11, `${sel} "${t.text}" at ${t.fontPx.toFixed(1)} px`);
    }
  });

  it('Fit: chunk labels ≥ 11 px replace per-op text, and every lane title is on screen', async () => {
    await page.evaluate(() =>
      (window as unknown as { canvas: { fit(d: number): Promise<void> } }).canvas.fit(0),
    );
    assert.equal(await page.locator('.pp-graph').getAttribute('data-lod'), 'low');
    assert.equal((await visibleText(page, 'g.node text')).length, 0);
    const titles = await visibleText(page, '.overview text.otitle');
    assert.ok(titles.length >= 10, `${titles.length} chunk titles`);
    for (const t of titles) {
      assert.ok(
        t.fontPx >= 11.9 && t.h >= 11,
        `"${t.text}" at ${t.fontPx.toFixed(1)} px, box ${t.h.toFixed(1)} px`,
      );
      assert.match(t.text, /^#\d+(–#\d+ · \d+ ops|.*…)$/);
    }
    const lanes = await visibleText(page, '.lane text');
    const names = lanes.map((l) => l.text.split(' ')[0]);
    assert.deepEqual(names, ['forward', 'bwd', 'optimizer']);
    // Most chunk titles are whole (the side lanes' labels go into the free space beside the picture).
    assert.ok(titles.filter((t) => !t.text.endsWith('…')).length >= titles.length / 2);
    for (const l of lanes) assert.ok(l.inside && l.fontPx >= 12.9, `${l.text} at ${l.fontPx} px`);
  });

  it('the optimizer lane button shows optimizer ops at full size', async () => {
    await page.locator('.pp-graph .zoomctl button[data-lane=optimizer]').click();
    await page.waitForFunction(
      () => document.querySelector('.pp-graph')?.getAttribute('data-lod') === 'high',
    );
    await page.waitForTimeout(500);
    const ops = await page.evaluate(() => {
      const stage = (document.querySelector('.pp-graph .gstage') as HTMLElement).getBoundingClientRect();
      return [...document.querySelectorAll('g.node.ph-optimizer rect.body')].filter((e) => {
        const b = e.getBoundingClientRect();
        return (
          b.left >= stage.left && b.right <= stage.right && b.top >= stage.top && b.bottom <= stage.bottom
        );
      }).length;
    });
    assert.ok(ops >= 5, `${ops} optimizer ops on screen`);
    const subs = await visibleText(page, 'g.node.ph-optimizer text.sub');
    assert.ok(subs.length >= 5 && subs.every((t) => t.fontPx >= 11));
  });
});
