/**
 * Worker side of core/platform/node-threads.ts (bundled by esbuild into the worker's source): loads every
 * op (which registers the range kernels), then waits on the shared job sequence number and runs its range
 * of each job on the shared arena. Arena swaps and kernel names arrive as messages, read synchronously.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import '../repops/ops/all.ts';
import { rangeKernel } from '../repops/parallel.ts';
import { CTL, JOB } from './node-threads-protocol.ts';

type Control =
  | { type: 'arena'; sab: SharedArrayBuffer; gen: number }
  | { type: 'kernel'; name: string; id: number };

const ctl = new Int32Array(workerData.ctl as SharedArrayBuffer);
const job = new Float64Array(workerData.job as SharedArrayBuffer);
const index = workerData.index as number;
const port = workerData.port as MessagePort;
let arena: Float32Array<ArrayBufferLike> = new Float32Array(0);
let arenaGen = 0;
const kernelNames: string[] = [];

/** Reads control messages until the arena and kernel the job names are known. */
function catchUp(kernel: number, gen: number): void {
  const t0 = Date.now();
  while (arenaGen !== gen || kernelNames[kernel] === undefined) {
    const m = receiveMessageOnPort(port)?.message as Control | undefined;
    if (m === undefined) {
      // Posted before the job, so it is on its way; never expected to take long.
      if (Date.now() - t0 > 10_000) throw new Error('thread pool worker: control message lost');
      continue;
    }
    if (m.type === 'arena') {
      arena = new Float32Array(m.sab);
      arenaGen = m.gen;
    } else kernelNames[m.id] = m.name;
  }
}

let seen = 0;
for (;;) {
  Atomics.wait(ctl, CTL.seq, seen);
  seen = Atomics.load(ctl, CTL.seq);
  try {
    const kernel = job[JOB.kernel];
    catchUp(kernel, job[JOB.arenaGen]);
    const nIns = job[JOB.nIns];
    const ins: Float32Array[] = [];
    let total = 0;
    for (let i = 0; i < nIns; i++) {
      const o = job[JOB.offsets + i];
      const sz = job[JOB.sizes + i];
      ins.push(arena.subarray(o, o + sz));
      total += sz;
    }
    const params: number[] = [];
    for (let i = 0; i < job[JOB.nParams]; i++) params.push(job[JOB.params + i]);
    const outLen = job[JOB.outLen];
    rangeKernel(kernelNames[kernel])(
      ins,
      arena.subarray(total, total + outLen),
      job[JOB.cuts + index],
      job[JOB.cuts + index + 1],
      params,
    );
  } catch {
    Atomics.store(ctl, CTL.failed, 1);
  }
  Atomics.add(ctl, CTL.done, 1);
  Atomics.notify(ctl, CTL.done);
}
