/**
 * RepOps matmul and hashing throughput, each next to a non-deterministic peer measured in the same
 * process: onnxruntime-web (wasm backend, single-threaded) and the TF.js cpu backend for matmul,
 * node:crypto (SHA-NI) for SHA-256. Then onnxruntime-web with 1 vs 2 threads, each in its own child
 * process (bench/ort-threads.ts), next to RepOps WASM measured in this process around them.
 * Inputs are PRNG-generated (deterministic). The single-thread matmul table interleaves the
 * implementations batch by batch and uses process CPU time (see timeInterleaved); the thread table
 * must use wall time and prints the load average next to it. Output: GFLOP/s (2·m·k·n flops) or ms,
 * and ratios peer time ÷ RepOps time (> 1: RepOps faster).
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-web';
import { matmulKernelJs, matmulKernelWasm } from '../core/repops/kernels/matmul.ts';
import { randomNormal } from '../core/repops/prng.ts';
import { blockRounded, blockUnrounded } from './matmul-js-bound.ts';
import { matmulKernelJsOld } from './matmul-js-old.ts';
import { matmulModelBytes } from './onnx-matmul-model.ts';
import { type ChildReport, runOrtChild } from './ort-threads.ts';

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

/**
 * Median seconds of process CPU time per call of each runner, measured in `rounds` rounds of one
 * ≈ sliceMs (wall) batch per runner (round-robin), after one warm-up call each. CPU time rather than
 * wall time because every runner here computes on this one thread (ORT with numThreads = 1, TF.js
 * cpu, both RepOps kernels) and the machine is shared: other processes' load stretches wall time
 * by whatever share of the core they take, but not this process's CPU time.
 */
async function timeInterleaved(runs: Runner[], sliceMs: number, rounds = 7): Promise<number[]> {
  for (const r of runs) await r();
  const per: number[][] = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < runs.length; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let reps = 0;
      do {
        await runs[i]();
        reps++;
      } while (performance.now() - t0 < sliceMs);
      const cpu = process.cpuUsage(cpu0);
      per[i].push((cpu.user + cpu.system) / 1e6 / reps);
    }
  }
  return per.map((p) => p.sort((x, y) => x - y)[Math.floor(p.length / 2)]);
}

const pad = (s: string, n: number) => s.padStart(n);
const row = (cells: [string, number][]) => cells.map(([s, w]) => pad(s, w)).join(' ');

async function ortSession(s: number) {
  const session = await ort.InferenceSession.create(matmulModelBytes(s, s, s), {
    executionProviders: ['wasm'],
  });
  return session;
}

/** Section 1: old vs new JS kernel, WASM, onnxruntime-web (1 thread) and TF.js at 128/256/512. */
async function matmulTable(): Promise<void> {
  console.log('matmul (square, binary32), GFLOP/s — RepOps kernels are bitwise deterministic, peers are not');
  console.log(
    '(CPU time per call, all on this thread, interleaved; ratios = peer time ÷ RepOps time, > 1: RepOps faster)',
  );
  const w = [5, 8, 8, 8, 8, 8, 9, 9, 9, 8, 8] as const;
  const head = [
    'n',
    'JS old',
    'JS new',
    'WASM',
    'ORT-1T',
    'TF.js',
    'old/ORT',
    'new/ORT',
    'WASM/ORT',
    'new/old',
    'WASM/TF',
  ];
  console.log(row(head.map((h, i) => [h, w[i]])));
  for (const s of [128, 256, 512]) {
    const a = randomNormal(1, 0, s * s);
    const b = randomNormal(1, 1, s * s);
    const out = new Float32Array(s * s);
    const session = await ortSession(s);
    const ta = new ort.Tensor('float32', a, [s, s]);
    const tb = new ort.Tensor('float32', b, [s, s]);
    const xa = tf.tensor2d(a, [s, s]);
    const xb = tf.tensor2d(b, [s, s]);
    const [jsOld, jsNew, wasm, ortT, tfT] = await timeInterleaved(
      [
        () => void matmulKernelJsOld(a, b, s, s, s, out),
        () => void matmulKernelJs(a, b, s, s, s, out),
        () => void matmulKernelWasm(a, b, s, s, s, out),
        async () => {
          const r = await session.run({ A: ta, B: tb });
          void r.Y.data;
        },
        () => {
          const y = tf.matMul(xa, xb);
          y.dataSync();
          y.dispose();
        },
      ],
      s >= 512 ? 400 : 150,
    );
    await session.release();
    xa.dispose();
    xb.dispose();
    const g = (t: number) => ((2 * s * s * s) / t / 1e9).toFixed(2);
    const r = (x: number, y: number) => (x / y).toFixed(2);
    const cells = [String(s), g(jsOld), g(jsNew), g(wasm), g(ortT), g(tfT)];
    cells.push(r(ortT, jsOld), r(ortT, jsNew), r(ortT, wasm), r(jsOld, jsNew), r(tfT, wasm));
    console.log(row(cells.map((c, i) => [c, w[i]])));
  }
}

/** Section 1b: old vs new JS kernel on the shapes RepOps really sends to JS (narrow n, odd, tiny). */
async function jsShapesTable(): Promise<void> {
  console.log('\nJS kernel old vs new on other shapes (m×k×n), GFLOP/s (CPU time, interleaved)');
  const shapes = [
    [64, 784, 128],
    [127, 129, 131],
    [150, 16, 3],
    [64, 128, 1],
    [1, 1000, 9],
    [8, 8, 8],
  ];
  const cells: string[] = [];
  for (const [m, k, n] of shapes) {
    const a = randomNormal(3, 0, m * k);
    const b = randomNormal(3, 1, k * n);
    const out = new Float32Array(m * n);
    const [o, w] = await timeInterleaved(
      [() => void matmulKernelJsOld(a, b, m, k, n, out), () => void matmulKernelJs(a, b, m, k, n, out)],
      60,
    );
    const g = (t: number) => ((2 * m * k * n) / t / 1e9).toFixed(2);
    cells.push(
      `  ${`${m}×${k}×${n}`.padEnd(12)} old ${g(o).padStart(5)}  new ${g(w).padStart(5)}  new/old ${(o / w).toFixed(2)}`,
    );
  }
  console.log(cells.join('\n'));

  // Why the JS kernel stays far below WASM: the inner loop with and without the spec's roundings.
  const k = 512;
  const ap = Float64Array.from(randomNormal(4, 0, 2 * k));
  const bp = Float64Array.from(randomNormal(4, 1, 4 * k));
  let sink = 0;
  const [rt, ut] = await timeInterleaved(
    [
      () => {
        for (let i = 0; i < 64; i++) sink += blockRounded(ap, bp, k);
      },
      () => {
        for (let i = 0; i < 64; i++) sink += blockUnrounded(ap, bp, k);
      },
    ],
    100,
  );
  const gf = (t: number) => ((64 * 16 * k) / t / 1e9).toFixed(2);
  console.log(
    `  inner loop (2×4 block, L1-resident panels): with the spec's fround roundings ${gf(rt)} GFLOP/s, same loop unrounded ${gf(ut)} GFLOP/s (invalid, for scale)${Number.isNaN(sink) ? '' : ''}`,
  );
}

/** Why a child's figures must not be shown as a multi-threaded measurement, or null if they may. */
function notMultiThreaded(r: ChildReport): string | null {
  if (r.error !== undefined) return r.error;
  if (r.threads > 1 && r.threadsAfterInit !== r.threads)
    return `onnxruntime reset numThreads to ${r.threadsAfterInit} (multi-threading unavailable)`;
  if (r.threads > 1 && r.osThreads !== null && r.osThreads.after <= r.osThreads.before)
    return `no worker thread appeared (${r.osThreads.before} → ${r.osThreads.after} OS threads)`;
  return null;
}

/** Section 2: onnxruntime-web 1 vs 2 threads (child processes) next to RepOps WASM (this process). */
async function ortThreadsTable(): Promise<void> {
  const sizes = [128, 256, 512];
  const inputs = sizes.map((s) => ({
    s,
    a: randomNormal(2, 0, s * s),
    b: randomNormal(2, 1, s * s),
    out: new Float32Array(s * s),
  }));
  const wasmMs = async () => {
    const ms: number[] = [];
    for (const { s, a, b, out } of inputs)
      ms.push(1000 * (await time(() => void matmulKernelWasm(a, b, s, s, s, out), 600)));
    return ms;
  };
  console.log(
    '\nonnxruntime-web wasm, 1 vs 2 threads (one child process each) vs RepOps WASM (1 thread, this process)',
  );
  const load0 = loadavg()[0];
  const before = await wasmMs();
  const children: ChildReport[] = [];
  for (const t of [1, 2]) children.push(await runOrtChild(t, sizes, 600));
  const after = await wasmMs();
  const load1 = loadavg()[0];
  const repops = before.map((x, i) => Math.min(x, after[i]));

  const w = [5, 12, 11, 11, 13, 13, 10] as const;
  console.log(
    row(
      ['n', 'RepOps ms', 'ORT-1T ms', 'ORT-2T ms', 'WASM/ORT-1T', 'WASM/ORT-2T', '2T/1T'].map((h, i) => [
        h,
        w[i],
      ]),
    ),
  );
  const why = children.map(notMultiThreaded);
  const ms = (c: number, i: number) => (why[c] === null ? children[c].sizes[i]?.ms : undefined);
  sizes.forEach((s, i) => {
    const o1 = ms(0, i);
    const o2 = ms(1, i);
    const f = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(2));
    const q = (x: number | undefined, y: number | undefined) =>
      x === undefined || y === undefined ? 'n/a' : (x / y).toFixed(2);
    const cells = [String(s), f(repops[i]), f(o1), f(o2), q(o1, repops[i]), q(o2, repops[i]), q(o1, o2)];
    console.log(row(cells.map((c, j) => [c, w[j]])));
  });
  for (const [c, r] of children.entries()) {
    const cpu = r.sizes.map((x) => `${x.n}: ${x.cpuPerWall.toFixed(2)}`).join(', ');
    const threads = r.osThreads
      ? `${r.osThreads.before} → ${r.osThreads.after} OS threads`
      : 'OS threads unknown';
    const state = why[c] === null ? 'ok' : `NOT MEASURED — ${why[c]}`;
    console.log(
      `  ORT-${r.threads}T child: numThreads after init ${r.threadsAfterInit ?? '?'}, ${threads}, CPU/wall ${cpu || '—'}; ${state}`,
    );
  }
  console.log(
    `  RepOps ms = min of runs before and after the children; load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${children[0].cores || '?'} cores (CPU/wall < threads means other processes took the cores)`,
  );
}

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

  await matmulTable();
  await jsShapesTable();
  await ortThreadsTable();

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
