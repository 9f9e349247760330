/**
 * `pinpoint start` (= `npm start`): the desktop app. Starts the backend and renderer (building it on
 * first start), then tries Electron; when Electron cannot run (binary missing and not downloadable,
 * no display…) it says so in one line and stays in browser mode, printing the URL to open.
 */
import { parseArgs } from 'node:util';
import { REPO_ROOT, startBrowserMode } from '../../desktop/main/browser-mode.ts';
import { launchElectron } from '../../desktop/main/electron-launch.ts';

export const summary = 'Start the desktop app (Electron, or browser mode when Electron cannot run)';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      browser: { type: 'boolean', default: false },
      'no-download': { type: 'boolean', default: false },
      port: { type: 'string', short: 'p' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`usage: pinpoint start [files…] [--browser] [--no-download] [--port <p>] [--data-dir <dir>]

Starts the desktop app. Without a usable Electron binary it falls back to browser mode.
  --browser      skip Electron, serve the app to a local browser (same as \`pinpoint serve\`)
  --no-download  do not let the electron package download its binary
  --port         browser-mode port (default: a free port)
  --data-dir     user data folder (default: $PINPOINT_HOME or ~/.pinpoint)`);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`pinpoint start: --port must be an integer 0–65535, got "${values.port}"`);
    return 2;
  }
  const t0 = performance.now();
  const app = await startBrowserMode({
    port,
    dataDir: values['data-dir'],
    announce: false,
    open: positionals,
  });
  if (!values.browser && !process.env.PINPOINT_BROWSER) {
    const launch = await launchElectron({
      repoRoot: REPO_ROOT,
      server: app.server,
      rendererDir: app.rendererDir,
      files: positionals,
      allowDownload: !values['no-download'],
    });
    if (launch.ok) {
      console.log(`pinpoint: desktop app started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const code = await launch.exited;
      await app.close();
      return code;
    }
    console.log(`pinpoint: Electron is not available: ${launch.reason}; using browser mode instead.`);
  }
  app.announce();
  await app.closed;
  return 0;
}
