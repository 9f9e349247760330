/** Node adapter: read .onnx files and local model folders from disk. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { LocalModelFiles } from './hf-local.ts';
import { OnnxError, type OnnxModel } from './model.ts';
import { readOnnx } from './read.ts';

export function readOnnxFile(path: string): { bytes: Uint8Array; model: OnnxModel } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new OnnxError(
      path,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return { bytes, model: readOnnx(bytes, path) };
}

export function localModelFiles(folder: string): LocalModelFiles {
  const abs = resolve(folder);
  return {
    root: dirname(abs),
    name: basename(abs),
    readFile: (p) => new Uint8Array(readFileSync(p)),
    exists: (p) => existsSync(p),
  };
}
