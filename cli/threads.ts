/** `--threads N`: worker threads for elementwise kernels (default: every core; results identical for any N). */
import { availableParallelism } from 'node:os';
import { useNodeNative } from '../core/platform/node-native.ts';
import { nodeThreadPool } from '../core/platform/node-threads.ts';
import { setThreadPool } from '../core/repops/parallel.ts';

/** Installs the default pool: one thread per core. */
export function useDefaultThreads(): void {
  setThreadPool(nodeThreadPool(availableParallelism()));
}

/**
 * Applies a `--threads` value (undefined = keep the default). 0, negatives and non-integers are errors;
 * more than the machine has is clamped, and `note` says so.
 */
export function applyThreadsOption(value: string | undefined, note: (s: string) => void): number {
  const cores = availableParallelism();
  if (value === undefined) return cores;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new Error(`--threads must be a positive integer, got "${value}"`);
  let n = Number(value);
  if (n > cores) {
    note(`note: --threads ${n} is more than this machine's ${cores} cores; using ${cores}`);
    n = cores;
  }
  setThreadPool(nodeThreadPool(n));
  return n;
}

/**
 * How a run's work was spread, for summary lines: `microThreads` threads recorded micro-batches (task
 * microBatches > 1); with the native kernels the pool stands aside (the ops run on the calling thread) and
 * tensor digests run on the addon's hashing thread.
 */
export function threadsSummary(n: number, microThreads = 1): string {
  const native = useNodeNative();
  const micro = microThreads > 1 ? `micro-batches on ${microThreads} threads, ` : '';
  if (native === null) return `${micro}${n} thread${n === 1 ? '' : 's'}`;
  return `${micro}native ${native} kernels${micro ? '' : ' on one thread'}, digests on another`;
}
