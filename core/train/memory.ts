/**
 * How much memory training a task will take, estimated before training starts (issue 13, "Bad input").
 * The optimizer state is counted from the layout without allocating it, so a model too large for the
 * machine is refused before anything big exists. The step's own tensors are measured: one step is recorded
 * at batch sizes 1, 2 and 3 and the tape bytes are fitted with a + b·B + c·B² (attention over all rows
 * of a batch grows with B²), then evaluated at the task's batch size.
 */

import { localMicroBatches, recordStep, type TrainContext } from './step.ts';
import { microBatchCount } from './task.ts';
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
  /**
   * Micro-batch worker threads (core/train/node-microbatch.ts): each keeps two jobs' op outputs in its
   * shared arenas (grown by a quarter over what a job needs).
   */
  readonly workerBytes: number;
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
 * `mode` "trace" adds the op digests of every step (one per tape node); `workers` micro-batch worker
 * threads add their arenas.
 */
export function estimateTrainingMemory(
  ctx: TrainContext,
  limitBytes = Number.POSITIVE_INFINITY,
  keptCheckpoints = Math.floor(ctx.task.steps / ctx.task.checkpointEvery) + 2,
  mode: 'fast' | 'trace' = 'fast',
  workers = 0,
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
      workerBytes: 0,
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
  // Batches of 1, 2 and 3 rows per micro-batch (a batch is cut into K equal micro-batches).
  const K = microBatchCount(ctx.task);
  const [t1, t2, t3] = [bytesAt(K), bytesAt(2 * K), bytesAt(3 * K)];
  const c = Math.max(0, (t3 - 2 * t2 + t1) / 2);
  const b = t2 - t1 - 3 * c;
  const a = t1 - b - c;
  const B = ctx.task.batchSize / K;
  const stepBytes = Math.max(t1, a + b * B + c * B * B);
  // A worker's job is its share of the micro-batches the calling thread leaves: of the step's bytes,
  // roughly that share of K (the state and optimizer are the caller's).
  const busy = Math.min(workers, K - 1);
  const remote = busy > 0 ? K - localMicroBatches(K, busy) : 0;
  const workerBytes = busy > 0 ? busy * 2 * 1.25 * ((Math.ceil(remote / busy) / K) * stepBytes) : 0;
  // The tape's structure does not depend on the batch size: the last recording's node count holds.
  const opDigestBytes = mode === 'trace' ? ctx.task.steps * nodes * OP_DIGEST_HEAP_BYTES : 0;
  return {
    stateBytes,
    stepBytes,
    checkpointBytes,
    opDigestBytes,
    workerBytes,
    totalBytes: stateBytes + stepBytes + checkpointBytes + opDigestBytes + workerBytes,
  };
}
