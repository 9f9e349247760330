/**
 * Worker side of core/platform/node-threads.ts (bundled by esbuild into the worker's source): loads every
 * op (which registers the range kernels) and runs the ranges it is sent on the shared arena.
 */
import { parentPort, workerData } from 'node:worker_threads';
import '../repops/ops/all.ts';
import { rangeKernel } from '../repops/parallel.ts';

interface Job {
  type: 'job';
  kernel: string;
  offsets: number[];
  sizes: number[];
  outLen: number;
  from: number;
  to: number;
  params: number[];
}

const ctl = new Int32Array(workerData.ctl as SharedArrayBuffer);
let arena: Float32Array<ArrayBufferLike> = new Float32Array(0);
parentPort?.on('message', (m: { type: 'arena'; sab: SharedArrayBuffer } | Job) => {
  if (m.type === 'arena') {
    arena = new Float32Array(m.sab);
    return;
  }
  const ins = m.offsets.map((o, k) => arena.subarray(o, o + m.sizes[k]));
  const total = m.sizes.reduce((a, b) => a + b, 0);
  try {
    rangeKernel(m.kernel)(ins, arena.subarray(total, total + m.outLen), m.from, m.to, m.params);
  } catch {
    Atomics.store(ctl, 1, 1);
  }
  Atomics.add(ctl, 0, 1);
  Atomics.notify(ctl, 0);
});
