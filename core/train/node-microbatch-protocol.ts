/**
 * The shared control words between the trainer's thread and a micro-batch worker
 * (node-microbatch.ts, node-microbatch-worker.ts): an Int32Array on a SharedArrayBuffer.
 */
export const CTL = {
  /** Set by the trainer: RUN (a job is ready) or EXIT; the worker puts IDLE back when done. */
  cmd: 0,
  /** Set by the worker: PENDING until the job ends, then OK or FAILED (the error is on the port). */
  done: 1,
  step: 2,
  /** Micro-batches [from, to). */
  from: 3,
  to: 4,
  /** Which of the worker's two arenas the job's outputs go to (alternating: see MicroBatchWorkers). */
  slot: 5,
  /** Nodes the job recorded (entries of the slot's table). */
  count: 6,
} as const;
export const CTL_LENGTH = 7;

export const CMD = { idle: 0, run: 1, exit: 2 } as const;
export const DONE = { pending: 0, ok: 1, failed: 2 } as const;

/** Where a table entry's output lives: the slot's arena, or the parameters the trainer shared. */
export const WHERE = { arena: 0, params: 1 } as const;

/** A table entry: where, offset (elements), length (elements). */
export const ENTRY = 3;

/**
 * Messages on the worker's port, read by the trainer (receiveMessageOnPort) after a job: a slot's arena or
 * table replaced by a larger one, or the error that failed the job.
 */
export type WorkerMessage =
  | { readonly kind: 'arena'; readonly slot: number; readonly buffer: SharedArrayBuffer }
  | { readonly kind: 'table'; readonly slot: number; readonly buffer: SharedArrayBuffer }
  | { readonly kind: 'error'; readonly message: string };
