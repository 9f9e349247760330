/** Node adapter: corpora are read from <project>/data/<name>.txt.gz (gzip) and cached per process. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { setCorpusLoader } from './corpus.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

export function corpusPath(name: string): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`corpus name "${name}" is not a plain name`);
  return `${DATA_DIR}${name}.txt.gz`;
}

export function useNodeCorpora(): void {
  setCorpusLoader((name) => {
    const file = corpusPath(name);
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
