/**
 * The graph canvas on a 1 000-op step in Chromium: nodes are created lazily near the view, yet every
 * node on screen is drawn exactly where the zoom transform puts it (before and after an animated zoom
 * and a pan, through the CSS-scaled SVG), and the selection and a first disagreement far away are in
 * the DOM. Oracle: the d3 zoom transform applied to the layout's node boxes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bigGraphPage, CHROMIUM, chromiumAvailable, launch } from './helpers/page.ts';

const skip = chromiumAvailable() || process.env.CI === 'true' ? null : `Chromium not found at ${CHROMIUM}`;
if (skip) console.log(`# SKIP graph canvas: ${skip}`);

interface Check {
  total: number;
  inDom: number;
  onScreen: number;
  missing: number[];
  misplaced: string[];
}

/** Every layout node entirely inside the stage must exist and sit where the transform maps it. */
function checkGeometry(page: Page): Promise<Check> {
  return page.evaluate(() => {
    const c = (
      window as unknown as {
        canvas: { layout: { nodes: { id: number; x: number; y: number; w: number; h: number }[] } };
      }
    ).canvas;
    const stage = document.querySelector('.pp-graph .gstage') as HTMLElement & {
      __zoom: { k: number; x: number; y: number };
    };
    const r = stage.getBoundingClientRect();
    const t = stage.__zoom;
    const out = {
      total: c.layout.nodes.length,
      inDom: document.querySelectorAll('g.node').length,
      onScreen: 0,
      missing: [] as number[],
      misplaced: [] as string[],
    };
    for (const p of c.layout.nodes) {
      const x0 = r.left + t.x + (p.x - p.w / 2) * t.k;
      const y0 = r.top + t.y + (p.y - p.h / 2) * t.k;
      const w = p.w * t.k;
      const h = p.h * t.k;
      if (x0 < r.left || y0 < r.top || x0 + w > r.right || y0 + h > r.bottom) continue;
      out.onScreen++;
      const el = document.querySelector(`g.node[data-id="${p.id}"] rect.body`);
      if (!el) {
        out.missing.push(p.id);
        continue;
      }
      const b = el.getBoundingClientRect();
      // Tolerance: the body's stroke (≤ 3 px at this zoom) extends its box.
      const tol = 3 * Math.max(1, t.k);
      if (Math.abs(b.left - x0) > tol || Math.abs(b.top - y0) > tol || Math.abs(b.width - w) > 2 * tol)
        out.misplaced.push(
          `#${p.id} at ${b.left.toFixed(0)},${b.top.toFixed(0)} expected ${x0.toFixed(0)},${y0.toFixed(0)}`,
        );
    }
    return out;
  });
}

describe('graph canvas on a 1 000-op graph (Chromium)', { skip: skip ?? false, timeout: 120_000 }, () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    browser = await launch();
    page = await bigGraphPage(browser);
  });
  after(async () => {
    await browser?.close();
  });

  it('creates the nodes near the view only, each drawn where the zoom transform maps it', async () => {
    const g = await checkGeometry(page);
    assert.ok(g.onScreen > 10, `${g.onScreen} nodes on screen`);
    assert.deepEqual(g.missing, []);
    assert.deepEqual(g.misplaced, []);
    assert.ok(g.inDom < g.total / 2, `${g.inDom} of ${g.total} nodes in the DOM`);
  });

  it('after an animated zoom and a pan the committed picture matches the transform', async () => {
    for (const move of ['zoom-in', 'pan', 'zoom-out'] as const) {
      await page.evaluate(async (move) => {
        const c = (
          window as unknown as {
            canvas: {
              zoomTo(k: number, d: number): Promise<void>;
              panBy(x: number, y: number, d: number): Promise<void>;
              focusNode(id: number, d: number): Promise<void>;
              layout: { nodes: { id: number; y: number; lane: string }[] };
            };
          }
        ).canvas;
        if (move === 'zoom-in') {
          // Centre on the middle node (by height) of the backward lane: ops all around it.
          const lane = c.layout.nodes.filter((p) => p.lane === 'backward').sort((a, b) => a.y - b.y);
          await c.focusNode(lane[Math.floor(lane.length / 2)].id, 0);
          await c.zoomTo(1.6, 300);
        } else if (move === 'pan') await c.panBy(-100, -300, 300);
        else await c.zoomTo(0.35, 300);
      }, move);
      // The end of the animation commits: no temporary CSS move is left on the pan layer.
      assert.equal(
        await page.locator('.pp-graph .gpan').evaluate((e) => (e as HTMLElement).style.transform),
        '',
      );
      const g = await checkGeometry(page);
      assert.ok(g.onScreen > 3, `${move}: ${g.onScreen} nodes on screen`);
      assert.deepEqual(g.missing, [], move);
      assert.deepEqual(g.misplaced, [], move);
    }
  });

  it('the selection and a first disagreement far from the view are in the DOM', async () => {
    const r = await page.evaluate(async () => {
      const c = (
        window as unknown as {
          canvas: {
            select(id: number, o?: { focus?: boolean }): void;
            setMarks(m: Map<number, string>): void;
            layout: { nodes: { id: number }[] };
          };
        }
      ).canvas;
      // Two ops not created yet (far from everything shown so far).
      const absent = c.layout.nodes
        .map((p) => p.id)
        .filter((id) => !document.querySelector(`g.node[data-id="${id}"]`));
      const [far, other] = [absent[absent.length - 1], absent[0]];
      c.setMarks(new Map([[far, 'culprit']]));
      const culprit = document.querySelector(`g.node[data-id="${far}"]`)?.getAttribute('class');
      c.select(other, { focus: false });
      const sel = document.querySelector('g.node.sel')?.getAttribute('data-id');
      return { absent: absent.length, far, other, culprit, sel };
    });
    assert.ok(r.absent >= 2, `${r.absent} ops not created`);
    assert.match(r.culprit ?? '', /\bm-culprit\b/);
    assert.equal(r.sel, String(r.other));
  });
});
