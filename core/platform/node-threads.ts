/**
 * Node adapter: a ThreadPool (core/repops/parallel.ts) of `threads − 1` worker threads plus the calling
 * thread. A call copies the inputs into a shared arena, writes the job (kernel, operand offsets, params,
 * cut points) into a shared descriptor and wakes the workers with Atomics.notify; each worker computes its
 * contiguous range into the arena while the calling thread computes the first range straight from the
 * inputs, then waits on an Atomics counter and copies the workers' ranges back. The workers run the same
 * op code (esbuild bundles node-threads-worker.ts with every op), so results are bit-identical to one
 * thread.
 *
 * Why shared memory rather than postMessage per call: a step makes hundreds of pool calls of a
 * millisecond or less, and a structured-clone message plus an event-loop wake-up cost a sizeable share of
 * that. Messages remain only for rare events (a new arena, a kernel name seen for the first time), read
 * synchronously by the worker (receiveMessageOnPort) before it runs the job that needs them.
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { rangeKernel, type ThreadPool } from '../repops/parallel.ts';
import { CTL, JOB, MAX_INS, MAX_PARAMS } from './node-threads-protocol.ts';

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
  const ctlBuf = new SharedArrayBuffer(4 * CTL.length);
  const ctl = new Int32Array(ctlBuf);
  const jobBuf = new SharedArrayBuffer(8 * (JOB.cuts + threads + 1));
  const job = new Float64Array(jobBuf);
  let workers: { worker: Worker; port: MessagePort }[] = [];
  let sab = new SharedArrayBuffer(0);
  let arena = new Float32Array(sab);
  let arenaGen = 0;
  const kernelIds = new Map<string, number>();
  const start = () => {
    workers = Array.from({ length: threads - 1 }, (_, j) => {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source(), {
        eval: true,
        workerData: { ctl: ctlBuf, job: jobBuf, index: j + 1, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      return { worker, port: port1 };
    });
  };
  const broadcast = (m: unknown) => {
    for (const w of workers) w.port.postMessage(m);
  };
  const ensure = (floats: number) => {
    if (arena.length >= floats) return;
    sab = new SharedArrayBuffer(4 * Math.max(floats, 2 * arena.length));
    arena = new Float32Array(sab);
    broadcast({ type: 'arena', sab, gen: ++arenaGen });
  };
  const kernelId = (name: string) => {
    let id = kernelIds.get(name);
    if (id === undefined) {
      id = kernelIds.size;
      kernelIds.set(name, id);
      broadcast({ type: 'kernel', name, id });
    }
    return id;
  };
  return {
    threads,
    run(kernel, ins, out, units, params, align = 1) {
      const k = rangeKernel(kernel);
      if (threads === 1 || units < threads) return k(ins, out, 0, units, params);
      if (ins.length > MAX_INS || params.length > MAX_PARAMS)
        throw new Error(
          `thread pool: kernel "${kernel}" has more than ${MAX_INS} inputs or ${MAX_PARAMS} params`,
        );
      if (workers.length === 0) start();
      // Arena: the inputs one after another, then the output.
      let total = 0;
      for (let i = 0; i < ins.length; i++) {
        job[JOB.offsets + i] = total;
        job[JOB.sizes + i] = ins[i].length;
        total += ins[i].length;
      }
      ensure(total + out.length);
      for (let i = 0; i < ins.length; i++) arena.set(ins[i], job[JOB.offsets + i]);
      const per = out.length / units;
      const cut = (t: number) => (t >= threads ? units : Math.floor((units * t) / threads / align) * align);
      job[JOB.kernel] = kernelId(kernel);
      job[JOB.arenaGen] = arenaGen;
      job[JOB.nIns] = ins.length;
      job[JOB.outLen] = out.length;
      job[JOB.nParams] = params.length;
      for (let i = 0; i < params.length; i++) job[JOB.params + i] = params[i];
      for (let t = 0; t <= threads; t++) job[JOB.cuts + t] = cut(t);
      Atomics.store(ctl, CTL.done, 0);
      Atomics.store(ctl, CTL.failed, 0);
      // The job words above are published by this sequentially consistent add (workers read them after
      // they observe the new sequence number).
      Atomics.add(ctl, CTL.seq, 1);
      Atomics.notify(ctl, CTL.seq);
      k(ins, out, 0, cut(1), params);
      const t0 = Date.now();
      for (;;) {
        const done = Atomics.load(ctl, CTL.done);
        if (done === workers.length) break;
        if (Date.now() - t0 > STALL_SECONDS * 1000)
          throw new Error(`thread pool: no answer for ${STALL_SECONDS} s`);
        Atomics.wait(ctl, CTL.done, done, 100);
      }
      if (Atomics.load(ctl, CTL.failed) !== 0)
        throw new Error(`thread pool: kernel "${kernel}" failed in a worker`);
      out.set(arena.subarray(total + cut(1) * per, total + out.length), cut(1) * per);
    },
  };
}
