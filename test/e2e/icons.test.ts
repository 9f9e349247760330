/**
 * Every control shows a visible glyph and is named as it reads (issue 15, "Seeing"), in Debian's
 * Chromium: on each view, every visible button's icon is an inline SVG with real geometry, every
 * non-ASCII character of its text renders as a glyph — a canvas pixel check against the missing-glyph
 * box (⏸ drew as a box here) — and its accessible name is its visible text, or for an icon-only
 * button its tooltip without the shortcut.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { type App, itWithScreenshot, skipReason, startApp } from './helpers/app.ts';

const skip = skipReason();

interface ButtonReport {
  where: string;
  text: string;
  ariaLabel: string | null;
  title: string | null;
  svgs: number;
  emptySvgs: number;
  missingGlyphs: string[];
}

/**
 * Audits the visible buttons of the page. A character is "missing" when it draws exactly like a
 * code point no font has (U+0378, unassigned), i.e. as the missing-glyph box; the box of each button's
 * own font is the reference.
 */
async function auditButtons(page: Page): Promise<{ buttons: ButtonReport[]; tofuDetected: boolean }> {
  // tsx compiles this file with keepNames: the function below references __name in the page.
  await page.evaluate('window.__name = (f) => f');
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 48;
    canvas.height = 48;
    const g = canvas.getContext('2d', { willReadFrequently: true });
    if (!g) throw new Error('no 2d canvas');
    const draw = (ch: string, font: string) => {
      g.clearRect(0, 0, 48, 48);
      g.font = font;
      g.fillStyle = '#000';
      g.textBaseline = 'middle';
      g.fillText(ch, 8, 24);
      return g.getImageData(0, 0, 48, 48).data;
    };
    const same = (a: Uint8ClampedArray, b: Uint8ClampedArray) => a.every((v, i) => v === b[i]);
    const missing = (ch: string, font: string) => same(draw(ch, font), draw('\u0378', font));
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const buttons = [...document.querySelectorAll('button')].filter(visible).map((b) => {
      const cs = getComputedStyle(b);
      const font = `${cs.fontSize} ${cs.fontFamily}`;
      const text = (b.innerText ?? '').replace(/\s+/g, ' ').trim();
      const svgs = [...b.querySelectorAll('svg')];
      const emptySvgs = svgs.filter((s) => {
        const r = s.getBoundingClientRect();
        const shapes = [...s.querySelectorAll('path, rect, circle, ellipse, line, polyline, polygon')];
        const drawn = shapes.some(
          (e) => e.tagName !== 'path' || (e.getAttribute('d') ?? '').trim().length > 0,
        );
        return !(r.width > 0 && r.height > 0 && drawn);
      }).length;
      const symbols = [...new Set([...text].filter((c) => c.codePointAt(0)! > 0x2000))];
      return {
        where: `${b.closest('[data-view]')?.getAttribute('data-view') ?? 'shell'} ${b.className}`.trim(),
        text,
        ariaLabel: b.getAttribute('aria-label'),
        title: b.getAttribute('title'),
        svgs: svgs.length,
        emptySvgs,
        missingGlyphs: symbols.filter((c) => missing(c, font)),
      };
    });
    // Sanity of the oracle on this machine: does the box detector see a box for U+23F8 (⏸)?
    return { buttons, tofuDetected: missing('\u23f8', '13px sans-serif') };
  });
}

describe('icons and accessible names (browser mode, Chromium)', {
  skip: skip ?? false,
  timeout: 300_000,
}, () => {
  let app: App;
  let nb: string;
  before(async () => {
    app = await startApp();
    mkdirSync(join(app.dataDir, 'work'), { recursive: true });
    nb = join(app.dataDir, 'work', 'icons.md');
    writeFileSync(nb, '---\ntitle: Icons\n---\n\n```ts {id=c1}\n1 + 1\n```\n');
  });
  after(async () => {
    await app?.close();
  });
  const test = itWithScreenshot(() => app, 'icons-');

  test('every visible button on every view has a drawn glyph and is named as it reads', async () => {
    const { page } = app;
    const stops: [string, string, string][] = [
      ['notebook', `#/notebook?path=${encodeURIComponent(nb)}`, '[data-testid="cell"] .monaco-editor'],
      ['proof', '#/proof', '[data-role=step-label]'],
      ['graph', '#/graph', '.pp-view-graph svg.main'],
      ['dispute', '#/dispute', '.pp-player'],
      ['ledger', '#/ledger', '.pp-view-ledger [data-role=accounts] tr'],
      ['model', '#/model', '.view[data-view="model"]'],
    ];
    const all: ButtonReport[] = [];
    let tofu = false;
    for (const [id, hash, ready] of stops) {
      await page.goto(app.url(hash));
      await page.locator(ready).first().waitFor({ timeout: 60_000 });
      if (id === 'dispute') {
        // Both faces of the play button: Play, then Pause while playing.
        await page.locator('[data-role=play]').click();
        await page.locator('[data-role=play][aria-pressed=true]').waitFor();
        const playing = await auditButtons(page);
        all.push(...playing.buttons.filter((b) => /Pause/.test(b.text)));
        assert.ok(
          playing.buttons.some((b) => b.text === 'Pause' && b.svgs === 1),
          'Pause shows an SVG icon',
        );
        await page.locator('[data-role=play]').click();
      }
      const r = await auditButtons(page);
      tofu ||= r.tofuDetected;
      assert.ok(r.buttons.length > 0, `${id}: buttons found`);
      all.push(...r.buttons);
    }
    console.log(`# ${all.length} buttons audited; missing-glyph detector sees ⏸ as a box here: ${tofu}`);
    const problems: string[] = [];
    for (const b of all) {
      const id = `${b.where} "${b.text || b.ariaLabel || b.title}"`;
      if (b.emptySvgs) problems.push(`${id}: an icon SVG draws nothing`);
      if (b.missingGlyphs.length) problems.push(`${id}: no glyph for ${b.missingGlyphs.join(' ')}`);
      if (!b.text && b.svgs === 0) problems.push(`${id}: neither text nor icon`);
      if (b.text) {
        if (b.ariaLabel !== null && b.ariaLabel !== b.text)
          problems.push(`${id}: accessible name "${b.ariaLabel}" differs from the visible label`);
      } else {
        if (!b.ariaLabel) problems.push(`${id}: icon-only button without a name`);
        else if (b.title && !b.title.startsWith(b.ariaLabel))
          problems.push(`${id}: tooltip "${b.title}" does not start with its name "${b.ariaLabel}"`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
