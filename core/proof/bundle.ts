/** Glue between the trainer and the bundle writer: a TrainResult becomes signed bundle bytes. */
import { REPOPS_SPEC_VERSION } from '../repops/version.ts';
import type { TrainResult } from '../train/train.ts';
import type { SolverKey } from './sign.ts';
import { writeBundle } from './write.ts';

export function bundleFromRun(run: TrainResult, key: SolverKey): Uint8Array {
  return writeBundle(
    {
      task: run.task,
      repops: REPOPS_SPEC_VERSION,
      mode: run.mode,
      stateLayout: run.layout,
      steps: run.records,
      checkpoints: run.checkpoints,
      ...(run.commitments ? { commitments: run.commitments } : {}),
      ...(run.opDigests ? { opDigests: run.opDigests } : {}),
      metrics: run.metrics,
      stepMetrics: run.stepMetrics,
    },
    key,
  );
}
