/**
 * E2E harness: starts browser mode in-process on a fresh temp data dir and opens Debian's Chromium
 * through playwright-core. Used by test/e2e/shell-*.test.ts and the views' tests.
 *
 *   const app = await startApp();          // throws SkipError when Chromium is missing (not in CI)
 *   await app.page.goto(app.url('#/notebook?path=…'));
 *   await app.screenshot('name');         // → test-artifacts/e2e/name.png
 *   await app.close();
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type BrowserMode, REPO_ROOT, startBrowserMode } from '../../../desktop/main/browser-mode.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../../helpers/chromium.ts';

export { CHROMIUM, CHROMIUM_ARGS, skipReason } from '../../helpers/chromium.ts';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/e2e');

export interface App {
  mode: BrowserMode;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  dataDir: string;
  /** The app URL with its token, plus an optional hash route ('#/notebook?path=…'). */
  url(hash?: string): string;
  screenshot(name: string): Promise<string>;
  /** Errors the page logged (console.error and uncaught), for assertions. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startApp(
  opts: {
    dataDir?: string;
    viewport?: { width: number; height: number };
    /** Files opened as `pinpoint start <files…>` would (the page may read only those outside notebooks/ and the data folder). */
    open?: readonly string[];
  } = {},
): Promise<App> {
  const { chromium } = await import('playwright-core');
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'pinpoint-e2e-')));
  const ownsDataDir = !opts.dataDir;
  const mode = await startBrowserMode({ port: 0, dataDir, quiet: true, open: opts.open });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({
      viewport: opts.viewport ?? { width: 1360, height: 860 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    // Generous: CI machines have 2 cores shared by parallel test files; Monaco's first parse is heavy.
    page.setDefaultTimeout(90_000);
    const pageErrors: string[] = [];
    // "Discard unsaved changes?" and similar prompts: accept, as a user moving on would.
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    await mkdir(ARTIFACTS, { recursive: true });
    const b = browser;
    return {
      mode,
      browser: b,
      context,
      page,
      dataDir,
      pageErrors,
      url: (hash = '') => `${mode.server.openUrl}${hash}`,
      async screenshot(name) {
        const path = join(ARTIFACTS, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
      async close() {
        await b.close().catch(() => {});
        await mode.close();
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => {});
    await mode.close();
    throw err;
  }
}

/**
 * `it`, except that a failing test leaves a screenshot of what the page showed
 * (test-artifacts/e2e/FAILED-<prefix><test name>.png). `app` is read when the test fails.
 */
export function itWithScreenshot(app: () => App | undefined, prefix = '') {
  return (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      try {
        await fn();
      } catch (err) {
        await app()
          ?.screenshot(`FAILED-${prefix}${name.replace(/\W+/g, '-').slice(0, 60)}`)
          .catch(() => {});
        throw err;
      }
    });
}
