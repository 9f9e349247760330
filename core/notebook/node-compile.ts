/**
 * Node-side compilation with esbuild: each cell's TypeScript is *transformed* (never bundled) to a
 * script — `import … from 'pinpoint'` becomes `require('pinpoint')`, which the sandbox resolves to the
 * prelude — and the prelude and the sandbox worker are bundled once per process.
 */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { CellCompiler, CompileResult } from './protocol.ts';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

export const compileCell: CellCompiler = async (source, cellId) => {
  try {
    const r = await esbuild.transform(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'es2022',
      sourcemap: 'external',
      sourcefile: `cell ${cellId}`,
      // Every import() becomes require(), which the sandbox answers; a real dynamic import would
      // reach Node's module loader and hand back host-realm errors.
      supported: { 'dynamic-import': false },
      logLevel: 'silent',
    });
    return { ok: true, code: r.code, map: r.map } satisfies CompileResult;
  } catch (err) {
    const e = (err as esbuild.TransformFailure).errors?.[0];
    if (!e) throw err;
    let message = e.text;
    if (/Top-level await/.test(message)) {
      message =
        'top-level await is not supported in cells; put the awaiting code in an async function and end the cell with a call to it — the runner awaits a promise a cell ends with';
    }
    return { ok: false, message, line: e.location?.line ?? 1, column: e.location?.column ?? 0 };
  }
};

let preludeCache: Promise<string> | null = null;
let workerCache: Promise<string> | null = null;

async function bundle(entry: string, opts: esbuild.BuildOptions): Promise<string> {
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    target: 'es2022',
    logLevel: 'silent',
    legalComments: 'none',
    ...opts,
  });
  const out = r.outputFiles?.[0];
  if (!out) throw new Error(`esbuild produced no output for ${entry}`);
  return out.text;
}

/** The `pinpoint` prelude as one IIFE script defining `__pinpointPrelude` (evaluated inside the sandbox). */
export function preludeBundle(): Promise<string> {
  preludeCache ??= bundle(here('./prelude.ts'), {
    format: 'iife',
    globalName: '__pinpointPrelude',
    platform: 'browser',
  });
  return preludeCache;
}

/** The sandbox worker's code (started with `new Worker(code, { eval: true })`). */
export function sandboxWorkerBundle(): Promise<string> {
  // Strict mode: sloppy host frames would expose their functions through CallSite#getFunction.
  workerCache ??= bundle(here('./node-sandbox.ts'), { format: 'cjs', platform: 'node', banner: { js: "'use strict';" } });
  return workerCache;
}
