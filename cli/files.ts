/**
 * Files the CLI verbs read — proof bundles and signing keys — with errors that name the file.
 */
import { readFileSync } from 'node:fs';
import { type LoadedBundle, readBundle } from '../core/proof/read.ts';
import { keyFromSeed, parseKeyFile, type SolverKey } from '../core/proof/sign.ts';
import { REPOPS_SPEC_VERSION } from '../core/repops/version.ts';

/** A proof bundle from disk, fully checked (digests, checkpoints, Ed25519 signature, RepOps spec). */
export function readBundleFile(file: string): LoadedBundle {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  return readBundle(bytes, file, { repops: REPOPS_SPEC_VERSION });
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
