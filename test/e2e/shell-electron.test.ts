/**
 * The desktop app in Electron, driven by Playwright's Electron support — when an Electron binary is
 * installed. The binary cannot run on the project's build machines (no download possible), so there
 * the test is skipped with the reason. It never imports `electron` itself.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, startBrowserMode } from '../../desktop/main/browser-mode.ts';
import { bundleElectron, installedElectron } from '../../desktop/main/electron-launch.ts';
import { ARTIFACTS } from './helpers/app.ts';

const bin = installedElectron(REPO_ROOT);
const skip = bin
  ? false
  : 'Electron binary not installed (node_modules/electron/dist is missing: the electron package downloads it on first use, which needs github.com); the browser-mode e2e tests cover the renderer';

describe('desktop app in Electron', { skip, timeout: 180_000 }, () => {
  it('opens the window with the welcome notebook and a sandboxed bridge', async () => {
    const { _electron } = await import('playwright-core');
    const dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-electron-'));
    const app = await startBrowserMode({ port: 0, dataDir, quiet: true });
    try {
      const main = await bundleElectron(REPO_ROOT);
      const electron = await _electron.launch({
        executablePath: bin as string,
        args: [main, '--no-sandbox'],
        env: {
          ...process.env,
          PINPOINT_BACKEND_URL: app.server.url,
          PINPOINT_BACKEND_TOKEN: app.server.token,
          PINPOINT_ADMIN_TOKEN: app.server.adminToken,
          PINPOINT_RENDERER_DIR: app.rendererDir,
        },
      });
      try {
        const page = await electron.firstWindow();
        await page
          .getByTestId('notebook-name')
          .filter({ hasText: 'Welcome to Pinpoint' })
          .waitFor({ timeout: 60_000 });
        // The page sees the one typed bridge and no Node.
        assert.equal(
          await page.evaluate(() => typeof (window as unknown as { pinpoint?: unknown }).pinpoint),
          'object',
        );
        assert.equal(
          await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require),
          'undefined',
        );
        assert.equal(
          await page.evaluate(() => typeof (globalThis as unknown as { process?: unknown }).process),
          'undefined',
        );
        assert.match(
          await page.evaluate(() => document.querySelector('.statusbar')?.textContent ?? ''),
          /Desktop/,
        );
        await page.screenshot({ path: join(ARTIFACTS, 'shell-electron.png') });
      } finally {
        await electron.close();
      }
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
