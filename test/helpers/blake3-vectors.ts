/**
 * The official BLAKE3 test vectors (test/fixtures/blake3-vectors.json, hash mode): each case's input is
 * `vectorInput(input_len)`, bytes i % 251.
 */
import { readFileSync } from 'node:fs';

export const BLAKE3_VECTORS = JSON.parse(
  readFileSync(new URL('../fixtures/blake3-vectors.json', import.meta.url), 'utf8'),
) as { cases: { input_len: number; hash: string }[] };

export const vectorInput = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i % 251);
