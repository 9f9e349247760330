/**
 * Deterministic parallelism for elementwise ops (issue 13): an op whose output element i depends only on
 * element i of its inputs computes contiguous ranges [from, to) with one `RangeKernel`; a thread pool may
 * hand ranges to other threads running the same JavaScript. Every element is computed by the same code
 * from the same inputs whatever the split, so the bits cannot depend on the thread count (no reduction is
 * ever split). The pool is a platform adapter (Node: core/platform/node-threads.ts); without one, or for
 * small tensors, everything runs on the calling thread.
 */
export type RangeKernel = (ins: readonly Float32Array[], out: Float32Array, from: number, to: number) => void;

const kernels = new Map<string, RangeKernel>();

/** Registers the range kernel of elementwise op `name` (ops/*.ts do, at load). */
export function defineRangeKernel(name: string, k: RangeKernel): void {
  kernels.set(name, k);
}

export function rangeKernel(name: string): RangeKernel {
  const k = kernels.get(name);
  if (!k) throw new Error(`no range kernel "${name}"`);
  return k;
}

export interface ThreadPool {
  readonly threads: number;
  /** out[from…to) for the whole of out, split into `threads` contiguous ranges run concurrently. */
  run(kernel: string, ins: readonly Float32Array[], out: Float32Array): void;
}

let pool: ThreadPool | null = null;
/** Below this many elements the hand-off costs more than it saves (measured: ~0.1 ms per call). */
const MIN_ELEMENTS = 32768;
let minElements = MIN_ELEMENTS;

/** Installs (or, with null, removes) the pool; `minElements` lowers the size threshold (tests). */
export function setThreadPool(p: ThreadPool | null, opts: { minElements?: number } = {}): void {
  pool = p;
  minElements = opts.minElements ?? MIN_ELEMENTS;
}

/** Threads elementwise ops use (1 without a pool). */
export function threadCount(): number {
  return pool?.threads ?? 1;
}

/** A fresh output of n elements computed by kernel `name`, split across the pool when large enough. */
export function elementwise(name: string, ins: readonly Float32Array[], n: number): Float32Array {
  const out = new Float32Array(n);
  if (pool && pool.threads > 1 && n >= minElements) pool.run(name, ins, out);
  else rangeKernel(name)(ins, out, 0, n);
  return out;
}
