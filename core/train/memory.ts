/**
 * How much memory training a task will take, estimated before training starts (issue 13, "Bad input").
 * The optimizer state is counted from the layout without allocating it, so a model too large for the
 * machine is refused before anything big exists. The step's own tensors are measured: one step is recorded
 * at batch sizes 1, 2 and 3 and the tape bytes are fitted with a + b·B + c·B² (attention over all rows
 * of a batch grows with B²), then evaluated at the task's batch size.
 */

import { recordStep, type TrainContext } from './step.ts';
import { initialState } from './train.ts';

export interface MemoryEstimate {
  /** Parameters + optimizer state, bytes. */
  readonly stateBytes: number;
  /** Tensors of one recorded step at the task's batch size (activations, gradients, updates). */
  readonly stepBytes: number;
  /** Checkpoints the trainer keeps in memory for the bundle. */
  readonly checkpointBytes: number;
  /** Trace mode: every op digest of every step, kept for the bundle until it is written. */
  readonly opDigestBytes: number;
  readonly totalBytes: number;
}

/**
 * Heap bytes one op digest takes while `train` keeps it: its 32 raw bytes in its step's packed array
 * (TrainResult.opDigests) plus that array's share of one typed-array header per step. Kept as hex strings
 * they took 104 bytes each (measured with --expose-gc over 300 steps of 853 distinct digests);
 * test/train/memory.test.ts measures a real run against this figure.
 */
export const OP_DIGEST_HEAP_BYTES = 34;

export function stateBytesOf(ctx: TrainContext): number {
  return ctx.layout.reduce((n, e) => n + 4 * e.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * The estimate, or null-free early refusal: when the state alone (×4: state, next state, gradients, a
 * checkpoint) exceeds `limitBytes`, returns without recording any step. `keptCheckpoints`: how many
 * checkpoint states the trainer keeps (default every one; fewer with TrainOptions.dropCheckpoint).
 * `mode` "trace" adds the op digests of every step (one per tape node).
 */
export function estimateTrainingMemory(
  ctx: TrainContext,
  limitBytes = Number.POSITIVE_INFINITY,
  keptCheckpoints = Math.floor(ctx.task.steps / ctx.task.checkpointEvery) + 2,
  mode: 'fast' | 'trace' = 'fast',
): MemoryEstimate {
  const stateBytes = stateBytesOf(ctx);
  const kept = keptCheckpoints;
  const checkpointBytes = kept * stateBytes;
  if (4 * stateBytes + checkpointBytes > limitBytes)
    return {
      stateBytes,
      stepBytes: 3 * stateBytes,
      checkpointBytes,
      opDigestBytes: 0,
      totalBytes: 4 * stateBytes + checkpointBytes,
    };
  let nodes = 0;
  const state = initialState(ctx);
  const bytesAt = (b: number) => {
    const idx = Uint32Array.from({ length: b }, (_, i) => i % ctx.dataset.count);
    const { tape } = recordStep(ctx, state, 0, idx);
    nodes = tape.nodes.length;
    const seen = new Set<ArrayBufferLike>();
    let n = 0;
    for (const node of tape.nodes) {
      if (seen.has(node.out.data.buffer)) continue;
      seen.add(node.out.data.buffer);
      n += node.out.data.byteLength;
    }
    return n;
  };
  const [t1, t2, t3] = [bytesAt(1), bytesAt(2), bytesAt(3)];
  const c = Math.max(0, (t3 - 2 * t2 + t1) / 2);
  const b = t2 - t1 - 3 * c;
  const a = t1 - b - c;
  const B = ctx.task.batchSize;
  const stepBytes = Math.max(t1, a + b * B + c * B * B);
  // The tape's structure does not depend on the batch size: the last recording's node count holds.
  const opDigestBytes = mode === 'trace' ? ctx.task.steps * nodes * OP_DIGEST_HEAP_BYTES : 0;
  return {
    stateBytes,
    stepBytes,
    checkpointBytes,
    opDigestBytes,
    totalBytes: stateBytes + stepBytes + checkpointBytes + opDigestBytes,
  };
}
