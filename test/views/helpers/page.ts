/**
 * Chromium page with the component playground bundle loaded (esbuild, no server): for the component
 * e2e tests and bench/views.bench.ts. Launches Debian's Chromium with the project's standard flags.
 */

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../helpers/chromium.ts';

export { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable } from '../../helpers/chromium.ts';

let bundle: string | undefined;
export async function playgroundBundle(): Promise<string> {
  if (bundle) return bundle;
  const entry = fileURLToPath(new URL('../../../desktop/renderer/views/playground.ts', import.meta.url));
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
  });
  bundle = out.outputFiles[0].text;
  return bundle;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A page sized width×height with an empty #root and `window.pp` loaded. */
export async function playgroundPage(browser: Browser, width = 1280, height = 800): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setContent(
    `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#15171c;height:100%}#root{width:${width}px;height:${height}px}</style></head><body><div id="root"></div></body></html>`,
  );
  await page.addScriptTag({ content: await playgroundBundle() });
  // tsx compiles test code with keepNames: functions passed to page.evaluate may reference __name.
  await page.evaluate('window.__name = (f) => f');
  if (errors.length) throw new Error(`playground page errors: ${errors.join('; ')}`);
  return page;
}

/**
 * A 1280×800 playground page with the graph canvas mounted on a synthetic step of `ops` operations, as
 * `window.canvas` (the graph tests at real size share it).
 */
export async function bigGraphPage(browser: Browser, ops = 1000): Promise<Page> {
  const page = await playgroundPage(browser, 1280, 800);
  await page.evaluate((n) => {
    const root = document.getElementById('root') as HTMLElement;
    const t = window.pp.data.syntheticTraceOfSize(n);
    (window as unknown as { canvas: unknown }).canvas = window.pp.mountGraphCanvas(root, t, { title: 'big' });
  }, ops);
  return page;
}
