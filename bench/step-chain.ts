/**
 * Steps of one run taken one at a time as train() takes them, for benchmarks that time single steps: each
 * step's digests are hashed on the digest queue while the next computes and collected right after it
 * (chainedTo), the state before the previous step goes back to the op pool (StepOptions.recycle), and a
 * task's micro-batches go to `workers` when given.
 */
import { tensorDigestQueue } from '../core/platform/hash.ts';
import type { Tensor } from '../core/repops/tensor.ts';
import {
  chainedTo,
  type MicroBatchWorkers,
  runStep,
  type StepResult,
  type TraceMode,
  type TrainContext,
} from '../core/train/step.ts';
import { initialState } from '../core/train/train.ts';

export interface StepChain {
  /** Runs the next step (its predecessor's digests are collected after it); returns it. */
  next(): StepResult;
  /** Collects the last step's digests. */
  finish(): void;
}

export function stepChain(ctx: TrainContext, mode: TraceMode, workers?: MicroBatchWorkers): StepChain {
  const queue = tensorDigestQueue();
  let state = initialState(ctx);
  let t = 0;
  let pending: StepResult | null = null;
  let spent: readonly Tensor[] | undefined;
  return {
    next() {
      const r = runStep(ctx, state, t++, {
        mode,
        ...(pending ? chainedTo(pending) : {}),
        ...(queue ? { digestQueue: queue } : {}),
        ...(workers ? { workers } : {}),
        ...(spent ? { recycle: spent } : {}),
      });
      pending?.finish?.();
      spent = state.tensors;
      pending = r;
      state = r.after;
      return r;
    },
    finish() {
      pending?.finish?.();
    },
  };
}
