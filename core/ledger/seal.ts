/**
 * Identity binding for proofs on the ledger (pure; @noble/curves like core/proof/sign.ts).
 *
 * Commit-then-reveal: a solver first records only a *sealed* commitment
 *   c = SHA-256("pinpoint.ledger.seal.v1\0" ‖ canonicalJson({account, publicKey, runCommitment, salt, task}))
 * and reveals (runCommitment, salt) later. The seal hides the run commitment (the salt is 32 random bytes),
 * so nobody can copy it from the ledger before the reveal, and it names the account, its key and the task
 * instance, so a seal cannot be replayed by another account or on another task.
 *
 * Keys: an account binds an Ed25519 public key once, with a signature over
 *   SHA-256("pinpoint.ledger.key.v1\0" ‖ canonicalJson({account, publicKey}))
 * proving it holds the secret key (otherwise a copier could bind the victim's public key to itself and
 * present the victim's signed bundle as its own). A proof bundle's signer must then be the claimant's key.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { digestJson } from '../hash/digest.ts';
import { type Digest, fromHex, isDigest, toHex } from '../hash/hex.ts';
import type { Action } from './types.ts';

export const SEAL_TAG = 'pinpoint.ledger.seal.v1';
export const KEY_TAG = 'pinpoint.ledger.key.v1';

export interface SealInput {
  readonly task: string;
  readonly account: string;
  /** The account's bound public key at commit time (null when it has none). */
  readonly publicKey: string | null;
  readonly runCommitment: Digest;
  /** 32 random bytes as 64 hex digits, kept secret until the reveal. */
  readonly salt: string;
}

export function sealCommitment(i: SealInput): Digest {
  return digestJson(SEAL_TAG, {
    task: i.task,
    account: i.account,
    publicKey: i.publicKey,
    runCommitment: i.runCommitment,
    salt: i.salt,
  });
}

/** A fresh salt (Web Crypto: available in Node ≥ 19 and browsers). */
export function newSalt(): string {
  const b = new Uint8Array(32);
  globalThis.crypto.getRandomValues(b);
  return toHex(b);
}

/** A 32-byte Ed25519 public key as 64 lowercase hex digits (the format of a bundle's solver.publicKey). */
export function isPublicKey(x: unknown): x is string {
  return isDigest(x);
}

export function keyBindingDigest(account: string, publicKey: string): Digest {
  return digestJson(KEY_TAG, { account, publicKey });
}

/** Never throws: a malformed key or signature is simply invalid. */
export function verifyKeyBinding(account: string, publicKey: string, signature: string): boolean {
  try {
    if (!isPublicKey(publicKey) || !/^[0-9a-f]{128}$/.test(signature)) return false;
    return ed25519.verify(
      fromHex(signature),
      fromHex(keyBindingDigest(account, publicKey)),
      fromHex(publicKey),
    );
  } catch {
    return false;
  }
}

/** The `account.key` action binding `key` to `account` (signed with the key's secret half). */
export function keyBindingAction(
  account: string,
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
): Extract<Action, { type: 'account.key' }> {
  const publicKey = toHex(key.publicKey);
  const signature = toHex(ed25519.sign(fromHex(keyBindingDigest(account, publicKey)), key.secretKey));
  return { type: 'account.key', account, publicKey, signature };
}

/** What a proof bundle contributes: its run commitment and the key that signed it (manifest fields). */
export interface SignedRun {
  readonly runCommitment: Digest;
  readonly solver: { readonly publicKey: string };
}

/**
 * The commit and reveal actions for a proof bundle whose signature was checked (core/proof readBundle):
 * sealed with the bundle's key, revealed with the bundle's key as `signer`. Submit `commit` first and
 * `reveal` later — only the seal is public in between.
 */
export function commitRevealActions(
  run: SignedRun,
  task: string,
  solver: string,
  salt: string = newSalt(),
): {
  commit: Extract<Action, { type: 'proof.commit' }>;
  reveal: Extract<Action, { type: 'proof.reveal' }>;
  salt: string;
} {
  const publicKey = run.solver.publicKey;
  const sealed = sealCommitment({ task, account: solver, publicKey, runCommitment: run.runCommitment, salt });
  return {
    commit: { type: 'proof.commit', task, solver, sealed },
    reveal: {
      type: 'proof.reveal',
      task,
      solver,
      runCommitment: run.runCommitment,
      salt,
      signer: publicKey,
    },
    salt,
  };
}
