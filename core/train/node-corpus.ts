/** Node adapter: corpora are read from <project>/data/<name>.txt.gz (gzip) and cached per process. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { setCorpusLoader } from './corpus.ts';

// Resolved on use: micro-batch workers bundle this module as CommonJS, where import.meta.url does not
// exist (they are given the directory).
export const defaultDataDir = (): string => fileURLToPath(new URL('../../data/', import.meta.url));

export function corpusPath(name: string, dir = defaultDataDir()): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`corpus name "${name}" is not a plain name`);
  return `${dir}${name}.txt.gz`;
}

/** Reads corpora from `dir` (with a trailing slash; default <project>/data/). */
export function useNodeCorpora(dir?: string): void {
  setCorpusLoader((name) => {
    const file = corpusPath(name, dir);
    let gz: Buffer;
    try {
      gz = readFileSync(file);
    } catch (e) {
      throw new Error(`corpus "${name}": cannot read ${file} (${(e as Error).message})`);
    }
    try {
      return gunzipSync(gz).toString('latin1');
    } catch (e) {
      throw new Error(`corpus "${name}": ${file} is not a valid gzip file (${(e as Error).message})`);
    }
  });
}
