/**
 * Shared layout of core/platform/node-threads.ts and its worker. A job's units are cut into a fixed list
 * of chunks; every thread (the caller included) claims chunks one at a time until none is left, so a
 * thread slowed down by other load on the machine simply computes fewer chunks. Which thread computes a
 * chunk never changes its bits: chunks hold whole units (elements, rows), no reduction crosses a cut.
 */

/** Int32 control words. */
export const CTL = {
  /** Bumped by the calling thread to post a job; idle workers wait on it. */
  seq: 0,
  /** (chunks << CHUNK_BITS) | next unclaimed chunk; claimed by compare-and-swap. */
  next: 1,
  /** Chunks finished in the current job. */
  finished: 2,
  /** Non-zero when a worker's kernel threw in the current job. */
  failed: 3,
  /** Then MAX_CHUNKS words: the thread that computed each chunk (0 = the calling thread). */
  owners: 4,
} as const;

export const CHUNK_BITS = 10;
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
export const CTL_LENGTH = CTL.owners + MAX_CHUNKS;

export const MAX_INS = 8;
export const MAX_PARAMS = 16;

/** Float64 job words: every value is an integer or a kernel param (a number, exact in a double). */
export const JOB = {
  /** The job's sequence number (workers keep what they read from the descriptor until it changes). */
  id: 0,
  kernel: 1,
  arenaGen: 2,
  nIns: 3,
  outLen: 4,
  nParams: 5,
  offsets: 6,
  sizes: 6 + MAX_INS,
  params: 6 + 2 * MAX_INS,
  /** chunks + 1 cut points: chunk c is units [cuts[c], cuts[c + 1]). */
  cuts: 6 + 2 * MAX_INS + MAX_PARAMS,
  length: 6 + 2 * MAX_INS + MAX_PARAMS + MAX_CHUNKS + 1,
} as const;

/** The `next` word that opens a job of `chunks` chunks (≤ MAX_CHUNKS) for claiming. */
export const openWord = (chunks: number): number => chunks << CHUNK_BITS;

/**
 * Claims the next chunk of the current job, or returns −1 when none is left. The calling thread writes a
 * job's descriptor only while no chunk can be claimed (the previous job's are all taken), and opens the
 * `next` word after it: a successful claim therefore always reads a complete, current descriptor.
 */
export function claimChunk(ctl: Int32Array): number {
  for (;;) {
    const cur = Atomics.load(ctl, CTL.next);
    const c = cur & MAX_CHUNKS;
    if (c >= cur >>> CHUNK_BITS) return -1;
    if (Atomics.compareExchange(ctl, CTL.next, cur, cur + 1) === cur) return c;
  }
}
