/**
 * Debian's Chromium for every browser test and benchmark: where it is, the flags this machine needs
 * (no sandbox as root, no background networking on a closed network) and when tests may skip.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../cli/chromium.ts';

export { CHROMIUM, CHROMIUM_ARGS } from '../../cli/chromium.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Why browser tests would skip, or null when they must run. In CI (CI=true) they never skip. */
export function skipReason(): string | null {
  if (chromiumAvailable()) return null;
  if (process.env.CI === 'true') return null;
  return `Chromium not found at ${CHROMIUM} (apt-get install chromium); browser tests skipped locally`;
}

/**
 * Runs a TypeScript entry in headless Chromium: esbuild bundles it for the browser (imports resolve from
 * the repository root), a page served from 127.0.0.1 loads it, and what the entry leaves in
 * `globalThis[name]` comes back (structured-cloned). Any page error fails.
 */
export async function runOnPage<T>(entry: string, name: string, timeoutMs: number): Promise<T> {
  const bundle = await build({
    stdin: { contents: entry, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: `${name}-entry.ts` },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0].text;
  const server: Server = createServer((req, res) => {
    const isJs = req.url === '/bundle.js';
    res.writeHead(200, { 'content-type': `text/${isJs ? 'javascript' : 'html'}; charset=utf-8` });
    res.end(
      isJs
        ? js
        : `<!doctype html><meta charset="utf-8"><title>${name}</title><script src="/bundle.js"></script>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(`globalThis.${name} !== undefined`, undefined, { timeout: timeoutMs });
    const result = (await page.evaluate(`globalThis.${name}`)) as T;
    assert.deepEqual(errors, [], 'page errors');
    return result;
  } finally {
    await browser.close();
    server.close();
  }
}
