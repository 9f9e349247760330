/**
 * Solver identity: an Ed25519 key pair (@noble/curves). The key is always an input — a key file or a
 * seed phrase — so two runs of the same task with the same key give byte-identical bundles (Ed25519
 * signatures are deterministic, RFC 8032). What is signed is the claim digest: canonical JSON of the
 * whole manifest except the signature under domain "pinpoint.claim.v1", which binds the run commitment
 * to the task, the checkpoints, the trace section and the metrics.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { digestBytes, digestJson } from '../hash/digest.ts';
import { type Digest, fromHex, toHex, utf8 } from '../hash/hex.ts';
import type { UnsignedManifest } from './format.ts';

export interface SolverKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The key the CLI uses when none is given: public, deterministic, for demos only (it says so). */
export const DEMO_KEY_SEED = 'pinpoint-demo-solver';

export function keyFromSecret(secretKey: Uint8Array): SolverKey {
  if (secretKey.length !== 32)
    throw new Error(`Ed25519 secret key must be 32 bytes, got ${secretKey.length}`);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/** secret key = SHA-256("pinpoint.key.v1\0" ‖ UTF-8 seed phrase). */
export function keyFromSeed(seed: string): SolverKey {
  if (seed.length === 0) throw new Error('key seed must be a non-empty string');
  return keyFromSecret(fromHex(digestBytes('pinpoint.key.v1', utf8(seed))));
}

/** Key file: 64 hex characters (the 32-byte secret key), or JSON {"secretKey": "<64 hex>"}; `file` names it in errors. */
export function parseKeyFile(text: string, file = 'key file'): SolverKey {
  let hex = text.trim();
  if (hex.startsWith('{')) {
    try {
      const o = JSON.parse(hex) as { secretKey?: unknown };
      hex = typeof o.secretKey === 'string' ? o.secretKey : '';
    } catch {
      throw new Error(`${file}: invalid JSON`);
    }
  }
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error(
      `${file}: expected a 32-byte Ed25519 secret key as 64 hex characters (or {"secretKey": "…"})`,
    );
  }
  return keyFromSecret(fromHex(hex.toLowerCase()));
}

export function claimDigest(m: UnsignedManifest): Digest {
  return digestJson('pinpoint.claim.v1', m);
}

export function signClaim(m: UnsignedManifest, key: SolverKey): string {
  return toHex(ed25519.sign(fromHex(claimDigest(m)), key.secretKey));
}

/** Never throws: malformed keys or signatures are simply invalid. */
export function verifyClaim(m: UnsignedManifest, signatureHex: string, publicKeyHex: string): boolean {
  try {
    if (!/^[0-9a-f]{128}$/.test(signatureHex) || !/^[0-9a-f]{64}$/.test(publicKeyHex)) return false;
    return ed25519.verify(fromHex(signatureHex), fromHex(claimDigest(m)), fromHex(publicKeyHex));
  } catch {
    return false;
  }
}
