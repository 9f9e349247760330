/**
 * Loads TF.js core + the cpu backend *with its gradients registered* in Node. tfjs-core 4.x only
 * registers gradients from the @tensorflow/tfjs union package, and its ESM dist uses extensionless
 * imports Node cannot load, so we bundle core + register_all_gradients + backend-cpu with esbuild into
 * one temporary ESM file (one shared engine instance) and import that.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export type TF = typeof import('@tensorflow/tfjs-core');

export async function loadTfjs(): Promise<TF> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-tfjs-'));
  try {
    const entry = join(dir, 'entry.js');
    writeFileSync(
      entry,
      [
        "export * from '@tensorflow/tfjs-core';",
        "import '@tensorflow/tfjs-core/dist/register_all_gradients';",
        "import '@tensorflow/tfjs-backend-cpu';",
      ].join('\n'),
    );
    const out = join(dir, 'tfjs.mjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      mainFields: ['module', 'main'],
      outfile: out,
      nodePaths: [fileURLToPath(new URL('../../node_modules', import.meta.url))],
      logLevel: 'error',
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    const tf = (await import(pathToFileURL(out).href)) as TF;
    await tf.setBackend('cpu');
    return tf;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
