/**
 * Bench child (spawned by bench/ort-threads.ts, one process per configuration): times
 * onnxruntime-web's wasm MatMul with `ort.env.wasm.numThreads` set before the first session —
 * onnxruntime fixes its thread pool then, for the life of the process, which is why each thread
 * count needs its own process. Prints exactly one JSON line (ChildReport) on stdout.
 *
 *   node --import tsx bench/ort-threads-child.ts <threads> <size,size,…> <budgetMs>
 */
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-web';
import { matmulModelBytes } from './onnx-matmul-model.ts';

export interface ChildReport {
  threads: number;
  /** The value onnxruntime-web left in env.wasm.numThreads after creating the first session. */
  threadsAfterInit: number | null;
  /** ms: median wall time per call; cpuPerWall: process CPU time ÷ wall time while timing (> 1 only if
   * more than one thread really computed). */
  sizes: { n: number; ms: number; cpuPerWall: number }[];
  /** OS threads of this process (Linux /proc/self/task) before onnxruntime started and after the
   * first session: extra threads are the evidence that a multi-threaded pool really exists. */
  osThreads: { before: number; after: number } | null;
  error?: string;
  cores: number;
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
}

/** Median milliseconds per call over 5 batches of ≈ budget/5 each, after one warm-up call. */
async function medianMs(run: () => Promise<void>, budgetMs: number): Promise<number> {
  await run();
  const per: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    let reps = 0;
    do {
      await run();
      reps++;
    } while (performance.now() - t0 < budgetMs / 5);
    per.push((performance.now() - t0) / reps);
  }
  per.sort((x, y) => x - y);
  return per[2];
}

function osThreadCount(): number | null {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const threads = Number(process.argv[2]);
  const sizes = (process.argv[3] ?? '').split(',').map(Number);
  const budget = Number(process.argv[4] ?? 600);
  const report: ChildReport = {
    threads,
    threadsAfterInit: null,
    sizes: [],
    osThreads: null,
    cores: availableParallelism(),
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
  };
  try {
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`threads must be a positive integer, got ${process.argv[2]}`);
    if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`bad size list ${process.argv[3]}`);
    const before = osThreadCount();
    ort.env.wasm.numThreads = threads;
    ort.env.logLevel = 'error';
    for (const s of sizes) {
      const a = new Float32Array(s * s).map((_, i) => Math.fround(Math.sin(i) * 0.5));
      const session = await ort.InferenceSession.create(matmulModelBytes(s, s, s), {
        executionProviders: ['wasm'],
      });
      report.threadsAfterInit = ort.env.wasm.numThreads ?? null;
      const after = osThreadCount();
      if (before !== null && after !== null && report.osThreads === null)
        report.osThreads = { before, after };
      const t = new ort.Tensor('float32', a, [s, s]);
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      const ms = await medianMs(async () => {
        const r = await session.run({ A: t, B: t });
        void r.Y.data;
      }, budget);
      const cpu = process.cpuUsage(cpu0);
      const cpuPerWall = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
      await session.release();
      report.sizes.push({ n: s, ms, cpuPerWall });
    }
  } catch (e) {
    report.error = e instanceof Error ? e.message : String(e);
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // onnxruntime's worker threads (if any) would keep the process alive.
  process.exit(report.error === undefined ? 0 : 1);
}

await main();
