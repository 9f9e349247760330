/**
 * Node adapter: a ThreadPool (core/repops/parallel.ts) of `threads − 1` worker threads plus the calling
 * thread. A call copies the inputs into a shared arena, sends each worker its contiguous range, computes
 * the first range itself straight from the inputs, waits on an Atomics counter and copies the workers'
 * ranges back. The workers run the same op code (esbuild bundles node-threads-worker.ts with every op),
 * so results are bit-identical to one thread.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { rangeKernel, type ThreadPool } from '../repops/parallel.ts';

let workerSource: string | null = null;

function source(): string {
  if (workerSource === null) {
    const entry = fileURLToPath(new URL('./node-threads-worker.ts', import.meta.url));
    const out = buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
    });
    workerSource = out.outputFiles[0].text;
  }
  return workerSource;
}

/** Seconds a call waits for its workers before it declares them lost. */
const STALL_SECONDS = 120;

export function nodeThreadPool(threads: number): ThreadPool {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a positive integer, got ${threads}`);
  const ctlBuf = new SharedArrayBuffer(8);
  const ctl = new Int32Array(ctlBuf);
  let workers: Worker[] = [];
  let sab = new SharedArrayBuffer(0);
  let arena = new Float32Array(sab);
  const start = () => {
    workers = Array.from({ length: threads - 1 }, () => {
      const w = new Worker(source(), { eval: true, workerData: { ctl: ctlBuf } });
      w.unref();
      return w;
    });
  };
  const ensure = (floats: number) => {
    if (arena.length >= floats) return;
    sab = new SharedArrayBuffer(4 * Math.max(floats, 2 * arena.length));
    arena = new Float32Array(sab);
    for (const w of workers) w.postMessage({ type: 'arena', sab });
  };
  return {
    threads,
    run(kernel, ins, out, units, params, align = 1) {
      const k = rangeKernel(kernel);
      if (threads === 1) return k(ins, out, 0, units, params);
      if (workers.length === 0) start();
      // Arena: the inputs one after another, then the output.
      const sizes = ins.map((x) => x.length);
      const offsets: number[] = [];
      let total = 0;
      for (const sz of sizes) {
        offsets.push(total);
        total += sz;
      }
      ensure(total + out.length);
      for (let i = 0; i < ins.length; i++) arena.set(ins[i], offsets[i]);
      const per = out.length / units;
      const cut = (t: number) => (t >= threads ? units : Math.floor((units * t) / threads / align) * align);
      Atomics.store(ctl, 0, 0);
      Atomics.store(ctl, 1, 0);
      for (const [j, w] of workers.entries()) {
        const job = {
          type: 'job',
          kernel,
          offsets,
          sizes,
          outLen: out.length,
          from: cut(j + 1),
          to: cut(j + 2),
          params,
        };
        w.postMessage(job);
      }
      k(ins, out, 0, cut(1), params);
      const t0 = Date.now();
      for (;;) {
        const done = Atomics.load(ctl, 0);
        if (done === workers.length) break;
        if (Date.now() - t0 > STALL_SECONDS * 1000)
          throw new Error(`thread pool: no answer for ${STALL_SECONDS} s`);
        Atomics.wait(ctl, 0, done, 100);
      }
      if (Atomics.load(ctl, 1) !== 0) throw new Error(`thread pool: kernel "${kernel}" failed in a worker`);
      out.set(arena.subarray(total + cut(1) * per, total + out.length), cut(1) * per);
    },
  };
}
