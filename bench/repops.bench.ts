/**
 * RepOps matmul and hashing throughput, each next to a non-deterministic peer measured in the same
 * process: onnxruntime-web (wasm backend, single-threaded) and the TF.js cpu backend for matmul,
 * node:crypto (SHA-NI) for SHA-256. Inputs are PRNG-generated (deterministic); timings are medians of
 * several timed batches. Output: GFLOP/s (2·m·k·n flops) and ratios RepOps / peer.
 */
import { createHash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-web';
import { matmulKernelJs, matmulKernelWasm } from '../core/repops/kernels/matmul.ts';
import { randomNormal } from '../core/repops/prng.ts';
import { matmulModelBytes } from './onnx-matmul-model.ts';

type Runner = () => Promise<void> | void;

/** Median seconds per call over `batches` batches lasting ≈ budget/batches each (after a warm-up call). */
async function time(run: Runner, budgetMs: number, batches = 5, warmup = true): Promise<number> {
  if (warmup) await run();
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    let reps = 0;
    do {
      await run();
      reps++;
    } while (performance.now() - t0 < budgetMs / batches);
    per.push((performance.now() - t0) / reps / 1000);
  }
  per.sort((x, y) => x - y);
  return per[Math.floor(per.length / 2)];
}

const pad = (s: string, n: number) => s.padStart(n);

export default async function bench(): Promise<void> {
  ort.env.wasm.numThreads = 1; // before the first session: single-threaded peer
  ort.env.logLevel = 'error';
  await tf.setBackend('cpu');
  await tf.ready();
  // The cpu backend prints a "use tfjs-node" banner on first use; we measure the pure-JS backend on purpose.
  const warn = console.warn;
  console.warn = () => {};
  tf.tensor1d([0]).dispose();
  console.warn = warn;

  console.log('matmul (square, binary32), GFLOP/s — RepOps kernels are bitwise deterministic, peers are not');
  console.log(
    `${pad('n', 6)} ${pad('RepOps JS', 10)} ${pad('RepOps WASM', 12)} ${pad('ORT-web', 9)} ${pad('TF.js cpu', 10)}  ${pad('WASM/ORT', 9)} ${pad('JS/ORT', 7)} ${pad('WASM/TF', 8)}`,
  );
  for (const s of [256, 512, 1024]) {
    const a = randomNormal(1, 0, s * s);
    const b = randomNormal(1, 1, s * s);
    const out = new Float32Array(s * s);
    const flops = 2 * s * s * s;
    const budget = s >= 1024 ? 2500 : 1000;
    // The JS kernel takes seconds per call at 1024: a single timed call, no warm-up.
    const js = await time(() => void matmulKernelJs(a, b, s, s, s, out), budget, s >= 1024 ? 1 : 3, s < 1024);
    const wasm = await time(() => void matmulKernelWasm(a, b, s, s, s, out), budget);

    const session = await ort.InferenceSession.create(matmulModelBytes(s, s, s), {
      executionProviders: ['wasm'],
    });
    const ta = new ort.Tensor('float32', a, [s, s]);
    const tb = new ort.Tensor('float32', b, [s, s]);
    const ortT = await time(async () => {
      const r = await session.run({ A: ta, B: tb });
      void r.Y.data;
    }, budget);
    await session.release();

    const xa = tf.tensor2d(a, [s, s]);
    const xb = tf.tensor2d(b, [s, s]);
    const tfT = await time(() => {
      const y = tf.matMul(xa, xb);
      y.dataSync();
      y.dispose();
    }, budget);
    xa.dispose();
    xb.dispose();

    const g = (t: number) => flops / t / 1e9;
    console.log(
      `${pad(String(s), 6)} ${pad(g(js).toFixed(2), 10)} ${pad(g(wasm).toFixed(2), 12)} ${pad(g(ortT).toFixed(2), 9)} ${pad(g(tfT).toFixed(2), 10)}  ${pad((ortT / wasm).toFixed(2), 9)} ${pad((ortT / js).toFixed(2), 7)} ${pad((tfT / wasm).toFixed(2), 8)}`,
    );
  }

  console.log('\nSHA-256 throughput (4 MiB buffer), MB/s');
  const buf = new Uint8Array(4 * 1024 * 1024);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 24;
  const noble = await time(() => void nobleSha256(buf), 1000, 3);
  const node = await time(() => void createHash('sha256').update(buf).digest(), 500, 3);
  const mb = buf.length / 1e6;
  console.log(
    `  @noble/hashes ${(mb / noble).toFixed(0)}   node:crypto ${(mb / node).toFixed(0)}   noble/node ${(node / noble).toFixed(3)}`,
  );
}
