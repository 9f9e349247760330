/**
 * Step-record digest, identical to core/train/record.ts `stepDigest` (canonical JSON under
 * "pinpoint.step.v1"), restated so the protocol core does not depend on the trainer.
 */
import { digestJson } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import type { StepRecord } from './types.ts';

export const STEP_RECORD_DOMAIN = 'pinpoint.step.v1';

export function stepRecordDigest(r: StepRecord): Digest {
  return digestJson(STEP_RECORD_DOMAIN, r);
}
