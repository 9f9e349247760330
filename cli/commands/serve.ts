/**
 * `pinpoint serve [files…] [--port p] [--data-dir d]`: browser mode — the app served on
 * 127.0.0.1 with a random access token in the printed URL (desktop/main/server.ts explains the checks).
 */
import { parseArgs } from 'node:util';
import { startBrowserMode } from '../../desktop/main/browser-mode.ts';

export const summary = 'Serve the app in browser mode on 127.0.0.1 (prints a URL with an access token)';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p' },
      'data-dir': { type: 'string' },
      rebuild: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`usage: pinpoint serve [files…] [--port <p>] [--data-dir <dir>] [--rebuild]

Serves the desktop app to a local browser at http://127.0.0.1:<port>/?token=…
The page may open notebooks/, the data folder and the files named here (proofs, notebooks, models).
  --port      port to listen on (default: a free port)
  --data-dir  user data folder (default: $PINPOINT_HOME or ~/.pinpoint)
  --rebuild   rebuild the renderer even if it is up to date`);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`pinpoint serve: --port must be an integer 0–65535, got "${values.port}"`);
    return 2;
  }
  const app = await startBrowserMode({
    port,
    dataDir: values['data-dir'],
    rebuild: values.rebuild,
    open: positionals,
  });
  await app.closed;
  return 0;
}
