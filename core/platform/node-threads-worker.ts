/**
 * Worker side of core/platform/node-threads.ts (bundled by esbuild into the worker's source): loads every
 * op (which registers the range kernels), then waits on the shared job sequence number and claims chunks
 * of each job (node-threads-protocol.ts), computing them into the shared arena. Arena swaps and kernel
 * names arrive as messages, read synchronously when a job needs them.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import '../repops/ops/all.ts';
import { type RangeKernel, rangeKernel } from '../repops/parallel.ts';
import { loadNativeKernels } from './node-native-load.ts';
import { CTL, claimChunk, JOB } from './node-threads-protocol.ts';

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
// The caller's native matmul, if it has one (same bits as WebAssembly; only faster).
if (typeof workerData.nativeAddon === 'string') {
  try {
    loadNativeKernels(workerData.nativeAddon);
  } catch {
    // Not loadable here: this worker runs the WebAssembly kernel (same bits).
  }
}

/** Reads control messages until the arena and kernel the job names are known. */
function catchUp(kernel: number, gen: number): void {
  const t0 = Date.now();
  while (arenaGen !== gen || kernelNames[kernel] === undefined) {
    const m = receiveMessageOnPort(port)?.message as Control | undefined;
    if (m === undefined) {
      // Posted before the job, so it is already queued; this is only a guard.
      if (Date.now() - t0 > 10_000) throw new Error('thread pool worker: control message lost');
      continue;
    }
    if (m.type === 'arena') {
      arena = new Float32Array(m.sab);
      arenaGen = m.gen;
    } else kernelNames[m.id] = m.name;
  }
}

/** The current job as read from the descriptor (re-read when its id changes). */
let current: {
  id: number;
  k: RangeKernel;
  ins: Float32Array[];
  out: Float32Array;
  params: number[];
} | null = null;

function load(): NonNullable<typeof current> {
  const id = job[JOB.id];
  if (current?.id === id) return current;
  const kernel = job[JOB.kernel];
  catchUp(kernel, job[JOB.arenaGen]);
  const ins: Float32Array[] = [];
  let total = 0;
  for (let i = 0; i < job[JOB.nIns]; i++) {
    const o = job[JOB.offsets + i];
    const sz = job[JOB.sizes + i];
    ins.push(arena.subarray(o, o + sz));
    total += sz;
  }
  const params: number[] = [];
  for (let i = 0; i < job[JOB.nParams]; i++) params.push(job[JOB.params + i]);
  const out = arena.subarray(total, total + job[JOB.outLen]);
  current = { id, k: rangeKernel(kernelNames[kernel]), ins, out, params };
  return current;
}

let seen = 0;
for (;;) {
  Atomics.wait(ctl, CTL.seq, seen);
  seen = Atomics.load(ctl, CTL.seq);
  for (let c = claimChunk(ctl); c >= 0; c = claimChunk(ctl)) {
    try {
      const j = load();
      j.k(j.ins, j.out, job[JOB.cuts + c], job[JOB.cuts + c + 1], j.params);
    } catch {
      Atomics.store(ctl, CTL.failed, 1);
    }
    ctl[CTL.owners + c] = index;
    Atomics.add(ctl, CTL.finished, 1);
    Atomics.notify(ctl, CTL.finished);
  }
}
