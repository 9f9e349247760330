/**
 * Node adapter: MicroBatchWorkers (core/train/step.ts) on worker threads. Each worker prepares the task
 * itself and records the micro-batches it is given on its own tape; op outputs go to one of two shared
 * arenas per worker (alternating by job), so the trainer's thread splices them into the step's tape without
 * copying, and they stay valid until the job after next (the step after next) starts. The parameters are
 * shared the same way: copied once per step into a SharedArrayBuffer every worker reads.
 *
 * Control goes through shared words (node-microbatch-protocol.ts) and Atomics: the trainer's thread waits
 * synchronously, since a step is synchronous. Arena and table replacements and errors come as port
 * messages, read synchronously (receiveMessageOnPort) once the job is done.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { nativeAddonPath } from '../platform/node-native.ts';
import { workerBundle } from '../platform/node-worker-bundle.ts';
import { sizeOf } from '../repops/tensor.ts';
import { defaultDataDir } from './node-corpus.ts';
import { CMD, CTL, CTL_LENGTH, DONE, ENTRY, WHERE, type WorkerMessage } from './node-microbatch-protocol.ts';
import type { TrainState } from './state.ts';
import type { MicroBatchWorkers, TrainContext } from './step.ts';
import { microBatchCount } from './task.ts';

/** Seconds the trainer waits for a worker to finish a job (its first includes preparing the task) before it declares it lost. */
const STALL_SECONDS = 300;

interface Thread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly ctl: Int32Array;
  readonly arenas: (SharedArrayBuffer | null)[];
  readonly tables: (Int32Array | null)[];
  /** Micro-batches of the current job ([0, 0): none). */
  from: number;
  to: number;
}

export interface NodeMicroBatchWorkers extends MicroBatchWorkers {
  /** Bytes of the workers' arenas as of their last jobs (what core/train/memory.ts estimates). */
  arenaBytes(): number;
  /** Stops the worker threads (a process also exits without it: they are unreferenced). */
  close(): void;
}

/**
 * `threads` worker threads for `ctx`'s micro-batches (at most microBatches − 1 are ever busy: the calling
 * thread records its share too). Returns at once: the workers prepare the task while the caller prepares
 * its own run, and take their first job when ready. One that could not prepare it fails its jobs: the
 * first `finish` throws its reason.
 */
export function nodeMicroBatchWorkers(ctx: TrainContext, threads: number): NodeMicroBatchWorkers {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`micro-batch workers: threads must be a positive integer, got ${threads}`);
  const nParams = ctx.model.params.length;
  // Where each parameter starts in the shared copy (and, last, its length).
  const paramStarts = [0];
  for (const e of ctx.layout.slice(0, nParams))
    paramStarts.push(paramStarts[paramStarts.length - 1] + sizeOf(e.shape));
  const paramsBuf = new SharedArrayBuffer(4 * paramStarts[nParams]);
  const params = new Float32Array(paramsBuf);
  const source = workerBundle(new URL('./node-microbatch-worker.ts', import.meta.url));
  const pool: Thread[] = [];
  for (let i = 0; i < threads; i++) {
    const ctlBuf = new SharedArrayBuffer(4 * CTL_LENGTH);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(source, {
      eval: true,
      workerData: {
        task: ctx.task,
        ctl: ctlBuf,
        params: paramsBuf,
        port: port2,
        addon: nativeAddonPath(),
        dataDir: defaultDataDir(),
      },
      transferList: [port2],
    });
    worker.unref();
    pool.push({
      worker,
      port: port1,
      ctl: new Int32Array(ctlBuf),
      arenas: [null, null],
      tables: [null, null],
      from: 0,
      to: 0,
    });
  }
  const close = () => {
    for (const t of pool) {
      Atomics.store(t.ctl, CTL.cmd, CMD.exit);
      Atomics.notify(t.ctl, CTL.cmd);
      void t.worker.terminate();
      t.port.close();
    }
  };
  let job = 0;
  /** The state of the job in flight: a worker's view of its shared parameters is a view of these. */
  let current: TrainState | null = null;
  /**
   * Elements [off, off + len) of the shared parameters as a view of the state's own tensor: the shared
   * copy is overwritten by the next step while this step's outputs are still read.
   */
  const paramView = (state: TrainState, off: number, len: number): Float32Array => {
    let i = nParams - 1;
    while (i > 0 && paramStarts[i] > off) i--;
    return state.tensors[i].data.subarray(off - paramStarts[i], off - paramStarts[i] + len);
  };
  return {
    threads,
    start(state: TrainState, step: number, from: number, to: number) {
      // A job whose step was abandoned (an error between start and finish) ends first: its worker must not
      // read the parameters while they are overwritten, nor report it as the new job.
      for (const t of pool) {
        if (t.to === t.from) continue;
        waitWhile(t.ctl, CTL.done, DONE.pending, 'to end an abandoned job');
        try {
          drain(t);
        } catch {
          // That step failed already; its worker's error was its own.
        }
        t.from = t.to = 0;
      }
      current = state;
      for (let i = 0; i < nParams; i++) params.set(state.tensors[i].data, paramStarts[i]);
      const slot = job++ % 2;
      // Contiguous shares, in order: the first workers take one more when they do not divide evenly.
      const n = to - from;
      let k = from;
      for (let i = 0; i < pool.length; i++) {
        const t = pool[i];
        const share = Math.floor(n / pool.length) + (i < n % pool.length ? 1 : 0);
        t.from = k;
        t.to = k + share;
        k += share;
        if (share === 0) continue;
        t.ctl[CTL.step] = step;
        t.ctl[CTL.from] = t.from;
        t.ctl[CTL.to] = t.to;
        t.ctl[CTL.slot] = slot;
        Atomics.store(t.ctl, CTL.done, DONE.pending);
        Atomics.store(t.ctl, CTL.cmd, CMD.run);
        Atomics.notify(t.ctl, CTL.cmd);
      }
    },
    finish() {
      const slot = (job - 1) % 2;
      const outs: Float32Array[] = [];
      for (const t of pool) {
        if (t.to === t.from) continue;
        waitWhile(t.ctl, CTL.done, DONE.pending, 'to record its micro-batches');
        // The job was served: the worker has been ready since (or failed to prepare: drain throws why).
        drain(t);
        const arena = t.arenas[slot] as SharedArrayBuffer;
        const table = t.tables[slot] as Int32Array;
        const count = t.ctl[CTL.count];
        for (let j = 0; j < count; j++) {
          const off = table[ENTRY * j + 1];
          const len = table[ENTRY * j + 2];
          outs.push(
            table[ENTRY * j] === WHERE.params
              ? paramView(current as TrainState, off, len)
              : new Float32Array(arena, 4 * off, len),
          );
        }
        t.from = t.to = 0;
      }
      current = null;
      return outs;
    },
    arenaBytes: () => pool.reduce((n, t) => n + t.arenas.reduce((m, a) => m + (a?.byteLength ?? 0), 0), 0),
    close,
  };

  /** Reads the worker's messages: arena and table replacements; its first error is thrown. */
  function drain(t: Thread): void {
    let errorMessage: string | null = null;
    for (let m = receiveMessageOnPort(t.port); m; m = receiveMessageOnPort(t.port)) {
      const msg = m.message as WorkerMessage;
      if (msg.kind === 'arena') t.arenas[msg.slot] = msg.buffer;
      else if (msg.kind === 'table') t.tables[msg.slot] = new Int32Array(msg.buffer);
      else errorMessage ??= msg.message;
    }
    if (errorMessage !== null || Atomics.load(t.ctl, CTL.done) === DONE.failed)
      throw new Error(`micro-batch worker for task "${ctx.task.name}": ${errorMessage ?? 'failed'}`);
  }
}

/** Waits while ctl[i] === value; throws after STALL_SECONDS. */
function waitWhile(ctl: Int32Array, i: number, value: number, what: string): void {
  const deadline = Date.now() + STALL_SECONDS * 1000;
  while (Atomics.load(ctl, i) === value) {
    if (Atomics.wait(ctl, i, value, 1000) === 'timed-out' && Date.now() > deadline)
      throw new Error(`a micro-batch worker took more than ${STALL_SECONDS} s ${what}`);
  }
}

/** Micro-batch workers for a run on `threads` threads in all, or undefined when they would not help. */
export function microBatchWorkersFor(ctx: TrainContext, threads: number): NodeMicroBatchWorkers | undefined {
  const K = microBatchCount(ctx.task);
  const others = Math.min(threads, K) - 1;
  return others >= 1 ? nodeMicroBatchWorkers(ctx, others) : undefined;
}
