/**
 * Files the CLI verbs read — proof bundles and signing keys — with errors that name the file.
 */
import { readFileSync } from 'node:fs';
import { openFileSource } from '../core/platform/node-file-source.ts';
import type { ReadOptions } from '../core/proof/read.ts';
import { type LoadedBundle, openBundle } from '../core/proof/read.ts';
import { keyFromSeed, parseKeyFile, type SolverKey } from '../core/proof/sign.ts';
import { REPOPS_SPEC_VERSION } from '../core/repops/version.ts';

/**
 * A proof bundle on disk opened for random access: the manifest (step records, commitments, Ed25519
 * signature, RepOps spec) is checked now, payload sections when read (`full`: all of them now, one
 * section at a time). The file is never held in memory whole.
 */
export function openBundleFile(
  file: string,
  options: ReadOptions & { full?: boolean; onProgress?: (done: number, total: number) => void } = {},
): LoadedBundle {
  let src: ReturnType<typeof openFileSource>;
  try {
    src = openFileSource(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const { full, onProgress, ...read } = options;
  try {
    const bundle = openBundle(src, file, { repops: REPOPS_SPEC_VERSION, ...read });
    if (full) bundle.checkPayload(onProgress);
    return bundle;
  } catch (err) {
    src.close();
    throw err;
  }
}

/** A proof bundle from disk, fully checked (digests, checkpoints, Ed25519 signature, RepOps spec). */
export function readBundleFile(file: string): LoadedBundle {
  return openBundleFile(file, { full: true });
}

/** The key named by `--key <file>` or `--key-seed <phrase>`; undefined when neither is given. */
export function readKeyOption(
  keyFile: string | undefined,
  keySeed: string | undefined,
): SolverKey | undefined {
  if (keyFile !== undefined && keySeed !== undefined)
    throw new Error('give either --key or --key-seed, not both');
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(keyFile, 'utf8');
    } catch (err) {
      throw new Error(`cannot read key file ${keyFile}: ${(err as Error).message}`);
    }
    return parseKeyFile(text, keyFile);
  }
  return keySeed === undefined ? undefined : keyFromSeed(keySeed);
}
