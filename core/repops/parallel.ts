/**
 * Deterministic parallelism (issue 13): an op whose output element i depends only on element i of its
 * inputs (elementwise), or whose output row r depends only on row r (row-wise: softmax, layer norm, a
 * batch entry of a batched matmul, a matmul output row), computes contiguous ranges [from, to) with one
 * `RangeKernel`; a thread pool may hand ranges to other threads running the same JavaScript. Every
 * element is computed by the same code from the same inputs whatever the split, so the bits cannot depend
 * on the thread count (no reduction chain is ever split: a row's sums stay inside its row). The pool is a
 * platform adapter (Node: core/platform/node-threads.ts); without one, or for small tensors, everything
 * runs on the calling thread.
 */
import { overwrittenBuffer } from './buffers.ts';
/**
 * Computes units [from, to) of `out` (an element for elementwise ops, an output row for row-wise ops);
 * `params` are the kernel's numeric arguments (matmul: k, n; layer norm: D, eps) — plain numbers, so
 * they cross to worker threads unchanged.
 */
export type RangeKernel = (
  ins: readonly Float32Array[],
  out: Float32Array,
  from: number,
  to: number,
  params: readonly number[],
) => void;

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
  /**
   * Units [0, units) of `out` (out.length / units values each), cut into contiguous ranges that the
   * threads compute concurrently with `kernel` and `params`; inner cut points are multiples of `align`
   * (default 1). Which thread computes which range must not matter (no reduction crosses a cut).
   */
  run(
    kernel: string,
    ins: readonly Float32Array[],
    out: Float32Array,
    units: number,
    params: readonly number[],
    align?: number,
  ): void;
}

let pool: ThreadPool | null = null;
/** Below this many elements the hand-off costs more than it saves (measured: ~0.1 ms per call). */
const MIN_ELEMENTS = 32768;
let minElements = MIN_ELEMENTS;

/**
 * Whether native kernels are installed (kernels/native-install.ts says so). They compute on the caller's
 * buffers in place, while a split copies its ranges through the pool's shared arena: with them a nanoGPT
 * step measured slower split than on one thread (2 threads 64 and 59 ms, unsplit 53 and 46 ms; docs/REPOPS.md
 * "Threads"), so the pool then stands aside unless told to split anyway.
 */
let nativeInPlace = false;
let splitWithNative = false;

export function setNativeKernelsInPlace(on: boolean): void {
  nativeInPlace = on;
}

/**
 * Installs (or, with null, removes) the pool; `minElements` lowers the size threshold, `splitWithNative`
 * splits even when native kernels are installed (tests and `pinpoint certify`, which check that every
 * split gives the same bits).
 */
export function setThreadPool(
  p: ThreadPool | null,
  opts: { minElements?: number; splitWithNative?: boolean } = {},
): void {
  pool = p;
  minElements = opts.minElements ?? MIN_ELEMENTS;
  splitWithNative = opts.splitWithNative ?? false;
}

/** Threads elementwise ops use (1 without a pool). */
export function threadCount(): number {
  return pool?.threads ?? 1;
}

/**
 * True while a pool call runs: the calling thread then computes its own range, and any op that range
 * calls (bmm → matmul) must stay on that thread rather than re-enter the busy pool.
 */
let busy = false;

function usable(p: ThreadPool | null): p is ThreadPool {
  return p !== null && p.threads > 1 && !busy && (!nativeInPlace || splitWithNative);
}

function runOnPool(
  p: ThreadPool,
  kernel: string,
  ins: readonly Float32Array[],
  out: Float32Array,
  units: number,
  params: readonly number[],
  align?: number,
): void {
  busy = true;
  try {
    p.run(kernel, ins, out, units, params, align);
  } finally {
    busy = false;
  }
}

/** A fresh output of n elements computed by kernel `name`, split across the pool when large enough. */
export function elementwise(name: string, ins: readonly Float32Array[], n: number): Float32Array {
  const out = overwrittenBuffer(n); // every range kernel writes each element of its range
  if (usable(pool) && n >= minElements) runOnPool(pool, name, ins, out, n, []);
  else rangeKernel(name)(ins, out, 0, n, []);
  return out;
}

/**
 * Computes all `rows` units of `out` with the row kernel `name` (registered with defineRangeKernel): a row
 * is whatever the op computes independently — a softmax or layer-norm row, one batch entry of a batched
 * matmul — with every reduction chain inside one row, so any cut between rows gives the bits of one
 * thread. Split across the pool when `work` (elements touched; default out.length) is large enough to pay
 * for the hand-off; on one thread the very same kernel runs over [0, rows).
 */
export function rowwise(
  name: string,
  ins: readonly Float32Array[],
  out: Float32Array,
  rows: number,
  params: readonly number[],
  work: number = out.length,
): void {
  if (usable(pool) && rows >= 2 * pool.threads && work >= minElements)
    runOnPool(pool, name, ins, out, rows, params);
  else rangeKernel(name)(ins, out, 0, rows, params);
}

/** Multiply-adds below which a matmul stays on the calling thread. */
const MATMUL_MIN_WORK = 1 << 22;

/**
 * Runs a row-partitioned kernel (matmul: every output row is its own k-ascending chains) across the pool
 * when the work is large; returns false when the caller should compute it itself.
 */
export function parallelRows(
  kernel: string,
  ins: readonly Float32Array[],
  out: Float32Array,
  rows: number,
  params: readonly number[],
  work: number,
): boolean {
  if (!usable(pool) || rows < 2 * pool.threads || work < MATMUL_MIN_WORK * (minElements / MIN_ELEMENTS))
    return false;
  // Cuts at multiples of 4 rows: every row is then computed by the same register tile as on one thread
  // (the WASM kernel works in 4-row panels); the per-output chains make the bits split-independent anyway.
  // Each range packs the whole B operand again (a pack costs about as much as computing a handful of
  // rows), so ranges are about 2 per thread and ≥ 64 rows where the rows allow, ≥ 1 per thread always.
  const quads = Math.floor(rows / 4);
  const align =
    4 *
    Math.max(
      1,
      Math.min(Math.max(16, Math.floor(quads / (2 * pool.threads))), Math.floor(quads / pool.threads)),
    );
  runOnPool(pool, kernel, ins, out, rows, params, align);
  return true;
}
