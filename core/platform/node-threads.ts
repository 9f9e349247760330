/**
 * Node adapter: a ThreadPool (core/repops/parallel.ts) of `threads − 1` worker threads plus the calling
 * thread. A call copies the inputs into a shared arena, writes the job (kernel, operand offsets, params,
 * chunk cut points) into a shared descriptor and wakes the workers with Atomics.notify; all threads then
 * claim chunks until none is left (node-threads-protocol.ts) — workers computing into the arena, the
 * calling thread straight into `out` — and the calling thread waits on an Atomics counter and copies the
 * workers' chunks back. Claiming balances the work when another process slows one thread down. The
 * workers run the same op code (esbuild bundles node-threads-worker.ts with every op), so results are
 * bit-identical to one thread.
 *
 * Why shared memory rather than postMessage per call: a step makes hundreds of pool calls of a
 * millisecond or less, and a structured-clone message plus an event-loop wake-up cost a sizeable share of
 * that. Messages remain only for rare events (a new arena, a kernel name seen for the first time), read
 * synchronously by the worker (receiveMessageOnPort) before it runs the job that needs them.
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { rangeKernel, type ThreadPool } from '../repops/parallel.ts';
import { nativeAddonPath } from './node-native.ts';
import {
  CTL,
  CTL_LENGTH,
  claimChunk,
  JOB,
  MAX_CHUNKS,
  MAX_INS,
  MAX_PARAMS,
  openWord,
} from './node-threads-protocol.ts';
import { workerBundle } from './node-worker-bundle.ts';

const source = (): string => workerBundle(new URL('./node-threads-worker.ts', import.meta.url));

/** Seconds a call waits for its workers before it declares them lost. */
const STALL_SECONDS = 120;

/** Chunks per thread: enough for the faster thread to take over a slowed one's share. */
const CHUNKS_PER_THREAD = 4;

export interface NodeThreadPool extends ThreadPool {
  /** Chunks computed so far by the calling thread and by the workers (tests check both took part). */
  chunkCounts(): { caller: number; workers: number };
}

/**
 * `callerComputes: false` leaves every chunk to the workers (tests: small jobs are otherwise often done by
 * the calling thread alone before a worker has woken up).
 */
export function nodeThreadPool(threads: number, opts: { callerComputes?: boolean } = {}): NodeThreadPool {
  const callerComputes = opts.callerComputes ?? true;
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a positive integer, got ${threads}`);
  const ctlBuf = new SharedArrayBuffer(4 * CTL_LENGTH);
  const ctl = new Int32Array(ctlBuf);
  const jobBuf = new SharedArrayBuffer(8 * JOB.length);
  const job = new Float64Array(jobBuf);
  let workers: { worker: Worker; port: MessagePort }[] = [];
  let sab = new SharedArrayBuffer(0);
  let arena = new Float32Array(sab);
  let arenaGen = 0;
  let seq = 0;
  const counts = { caller: 0, workers: 0 };
  const kernelIds = new Map<string, number>();
  const start = () => {
    workers = Array.from({ length: threads - 1 }, (_, j) => {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source(), {
        eval: true,
        workerData: { ctl: ctlBuf, job: jobBuf, index: j + 1, port: port2, nativeAddon: nativeAddonPath() },
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
    chunkCounts: () => ({ ...counts }),
    run(kernel, ins, out, units, params, align = 1) {
      const k = rangeKernel(kernel);
      const blocks = Math.floor(units / align);
      if (threads === 1 || blocks < 2) return k(ins, out, 0, units, params);
      if (ins.length > MAX_INS || params.length > MAX_PARAMS)
        throw new Error(
          `thread pool: kernel "${kernel}" has more than ${MAX_INS} inputs or ${MAX_PARAMS} params`,
        );
      if (workers.length === 0) start();
      // The previous job's chunks are all claimed, so no worker reads the descriptor while it is written.
      let total = 0;
      for (let i = 0; i < ins.length; i++) {
        job[JOB.offsets + i] = total;
        job[JOB.sizes + i] = ins[i].length;
        total += ins[i].length;
      }
      // Arena: the inputs one after another, then the output.
      ensure(total + out.length);
      for (let i = 0; i < ins.length; i++) arena.set(ins[i], job[JOB.offsets + i]);
      const per = out.length / units;
      const chunks = Math.min(threads * CHUNKS_PER_THREAD, blocks, MAX_CHUNKS);
      // Inner cuts at multiples of `align`; the last chunk ends at `units`. Chunk sizes shrink towards
      // the end (cut c at 1 − (1 − c/chunks)² of the blocks), so the thread that finishes first waits
      // for at most a small last chunk of another.
      const cut = (c: number) =>
        c >= chunks ? units : Math.floor(blocks * (1 - (1 - c / chunks) ** 2)) * align;
      job[JOB.id] = ++seq;
      job[JOB.kernel] = kernelId(kernel);
      job[JOB.arenaGen] = arenaGen;
      job[JOB.nIns] = ins.length;
      job[JOB.outLen] = out.length;
      job[JOB.nParams] = params.length;
      for (let i = 0; i < params.length; i++) job[JOB.params + i] = params[i];
      for (let c = 0; c <= chunks; c++) job[JOB.cuts + c] = cut(c);
      Atomics.store(ctl, CTL.finished, 0);
      Atomics.store(ctl, CTL.failed, 0);
      // Opening the chunks publishes the descriptor (sequentially consistent store after plain writes).
      Atomics.store(ctl, CTL.next, openWord(chunks));
      Atomics.add(ctl, CTL.seq, 1);
      Atomics.notify(ctl, CTL.seq);
      // This thread claims chunks too, computing them straight into `out`. If its kernel throws, it still
      // claims (without computing) every chunk left, so the job closes before the error propagates and no
      // worker can be reading this descriptor when the next call rewrites it.
      let failure: { error: unknown } | null = null;
      for (let c = callerComputes ? claimChunk(ctl) : -1; c >= 0; c = claimChunk(ctl)) {
        if (failure === null) {
          try {
            k(ins, out, cut(c), cut(c + 1), params);
          } catch (error) {
            failure = { error };
          }
        }
        ctl[CTL.owners + c] = 0;
        Atomics.add(ctl, CTL.finished, 1);
        counts.caller++;
      }
      const t0 = Date.now();
      for (;;) {
        const done = Atomics.load(ctl, CTL.finished);
        if (done === chunks) break;
        if (Date.now() - t0 > STALL_SECONDS * 1000)
          throw new Error(`thread pool: no answer for ${STALL_SECONDS} s`);
        Atomics.wait(ctl, CTL.finished, done, 100);
      }
      if (failure !== null) throw failure.error;
      if (Atomics.load(ctl, CTL.failed) !== 0)
        throw new Error(`thread pool: kernel "${kernel}" failed in a worker`);
      // Copy back the chunks the workers computed (adjacent ones in one copy).
      for (let c = 0; c < chunks; ) {
        if (ctl[CTL.owners + c] === 0) {
          c++;
          continue;
        }
        let e = c + 1;
        while (e < chunks && ctl[CTL.owners + e] !== 0) e++;
        counts.workers += e - c;
        out.set(arena.subarray(total + cut(c) * per, total + cut(e) * per), cut(c) * per);
        c = e;
      }
    },
  };
}
