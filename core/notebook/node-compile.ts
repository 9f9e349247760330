/**
 * Node-side compilation with esbuild: each cell's TypeScript is *transformed* (never bundled) to
 * JavaScript, then node-hoist.ts turns its top-level declarations into notebook globals and wraps the
 * body in an async function (top-level await); `import … from 'pinpoint'` becomes `require('pinpoint')`,
 * which the sandbox resolves to the prelude. The prelude and the sandbox worker are bundled once per
 * process.
 */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { HoistError, hoistCell } from './node-hoist.ts';
import type { CellCompiler, CompileResult } from './protocol.ts';
import { decodeMappings, originalLine } from './sourcemap.ts';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

export const compileCell: CellCompiler = async (source, cellId) => {
  let r: esbuild.TransformResult;
  try {
    r = await esbuild.transform(source, {
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
      sourcemap: 'external',
      sourcefile: `cell ${cellId}`,
      // Every import() becomes require(), which the sandbox answers; a real dynamic import would
      // reach Node's module loader and hand back host-realm errors.
      supported: { 'dynamic-import': false },
      // Keep imports a cell does not use itself: later cells may (imports are notebook globals).
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      logLevel: 'silent',
    });
  } catch (err) {
    const e = (err as esbuild.TransformFailure).errors?.[0];
    if (!e) throw err;
    return {
      ok: false,
      message: e.text,
      line: e.location?.line ?? 1,
      column: e.location?.column ?? 0,
    } satisfies CompileResult;
  }
  try {
    return { ok: true, code: hoistCell(r.code).code, map: r.map };
  } catch (err) {
    if (!(err instanceof HoistError)) throw err;
    const line =
      originalLine(decodeMappings((JSON.parse(r.map) as { mappings: string }).mappings), err.line) ?? 1;
    return { ok: false, message: err.message, line, column: 0 };
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
  workerCache ??= bundle(here('./node-sandbox.ts'), {
    format: 'cjs',
    platform: 'node',
    banner: { js: "'use strict';" },
  });
  return workerCache;
}
