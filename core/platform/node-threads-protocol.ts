/** Layout of the shared control words and job descriptor of core/platform/node-threads.ts. */

/** Int32 control words. */
export const CTL = {
  /** Bumped by the calling thread to post a job; workers wait on it. */
  seq: 0,
  /** Workers that finished the current job. */
  done: 1,
  /** Non-zero when a worker's kernel threw. */
  failed: 2,
  length: 3,
} as const;

export const MAX_INS = 8;
export const MAX_PARAMS = 16;

/** Float64 job words: every value is an integer or a kernel param (an f32 value, exact in a double). */
export const JOB = {
  kernel: 0,
  arenaGen: 1,
  nIns: 2,
  outLen: 3,
  nParams: 4,
  offsets: 5,
  sizes: 5 + MAX_INS,
  params: 5 + 2 * MAX_INS,
  /** threads + 1 cut points: thread t computes units [cuts[t], cuts[t + 1]). */
  cuts: 5 + 2 * MAX_INS + MAX_PARAMS,
} as const;
