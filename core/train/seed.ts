/**
 * Run seed: the Philox key every run-time random stream (data order, parameter initialisation and any
 * future dropout) is drawn under. Without a task nonce it is the task's 32-bit `seed` itself — exactly
 * what every run used before nonces existed, so old tasks, bundles and golden digests are unchanged.
 * With a nonce it is a 64-bit key taken from
 *   digestJson("pinpoint.task.nonce.v1", { nonce, seed })
 * (first 8 bytes, two little-endian uint32 words = Philox (key_lo, key_hi)), so every instance of a
 * task draws independent streams and no instance can share its key with a nonce-free run except by a
 * 2^-64 accident. The dataset generators stay under the plain `seed`: the data belongs to the task
 * (a poster may pin `dataset.digest`), the run's randomness to the instance.
 */
import { digestJson } from '../hash/digest.ts';
import { fromHex } from '../hash/hex.ts';
import type { Seed } from '../repops/prng.ts';
import type { TaskSpec } from './task.ts';

export const NONCE_SEED_TAG = 'pinpoint.task.nonce.v1';

export function runSeed(task: Pick<TaskSpec, 'seed' | 'nonce'>): Seed {
  if (task.nonce === undefined) return task.seed;
  const d = fromHex(digestJson(NONCE_SEED_TAG, { nonce: task.nonce, seed: task.seed }));
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  return [dv.getUint32(0, true), dv.getUint32(4, true)];
}
