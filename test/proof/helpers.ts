/** Builds small real bundles for the proof and verify tests. */
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import type { Tamper } from '../../core/train/step.ts';
import { prepareTask, type TrainResult, train } from '../../core/train/train.ts';
import { bundledTask } from '../train/helpers.ts';

export const KEY = keyFromSeed('test-solver');

export function smallRun(mode: 'fast' | 'trace', tamper?: Tamper, steps = 30, every = 10): TrainResult {
  const ctx = prepareTask(bundledTask('spirals-mlp', { steps, checkpointEvery: every }));
  return train(ctx, { mode, tamper });
}

export function smallBundle(mode: 'fast' | 'trace'): Uint8Array {
  return bundleFromRun(smallRun(mode), KEY);
}

/** Header + manifest text + payload offset of a bundle (for targeted edits). */
export function parts(bytes: Uint8Array): { manifest: string; payloadStart: number } {
  const mlen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return { manifest: new TextDecoder().decode(bytes.subarray(16, 16 + mlen)), payloadStart: 16 + mlen };
}

/** Replaces the manifest JSON (keeps the payload), fixing the length field. */
export function withManifest(bytes: Uint8Array, manifest: string): Uint8Array {
  const { payloadStart } = parts(bytes);
  const m = new TextEncoder().encode(manifest);
  const out = new Uint8Array(16 + m.length + bytes.length - payloadStart);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, m.length, true);
  out.set(m, 16);
  out.set(bytes.subarray(payloadStart), 16 + m.length);
  return out;
}
