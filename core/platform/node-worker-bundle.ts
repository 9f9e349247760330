/**
 * Node adapter: the JavaScript source of a TypeScript module bundled with everything it imports, for a
 * worker thread started from a string (workers get no TypeScript loader). esbuild is loaded on the first
 * call, when a worker is about to start, not at import: processes that never start one do not pay for it,
 * and bundlers that bundle a module importing this one do not pull esbuild in. Each entry is built once.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const built = new Map<string, string>();

/**
 * `entry` as CommonJS, or, with `globalName`, as a script that puts its exports on that global (for
 * source that is prepended to another worker script).
 */
export function workerBundle(entry: URL, globalName?: string): string {
  const key = `${entry.href} ${globalName ?? ''}`;
  let js = built.get(key);
  if (js === undefined) {
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const out = buildSync({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      // import.meta is empty in CommonJS: the modules workers import resolve paths on use, or are given them.
      logLevel: 'error',
      platform: 'node',
      write: false,
      ...(globalName === undefined ? { format: 'cjs' } : { format: 'iife', globalName }),
    });
    js = out.outputFiles[0].text;
    built.set(key, js);
  }
  return js;
}
