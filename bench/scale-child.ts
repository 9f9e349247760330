/**
 * One measurement of bench/scale.bench.ts, in its own process so peak RSS is its own:
 *   node --import tsx bench/scale-child.ts <task.json> <fast|trace> <warm-up steps> <timed steps> [threads]
 * prints one JSON line { msPerStep (median of the timed steps), maxRssMiB, ops, mainCpuMsPerStep (the
 * calling thread's CPU time per timed step; NaN off Linux), otherCpuMsPerStep (every other thread's: the
 * hashing thread, micro-batch workers, V8's garbage collector and compiler), hash (per timed step, from the native hashing
 * thread: MB hashed, CPU ms it and the caller spent hashing, ms the caller waited; null without the addon) };
 *   node --import tsx bench/scale-child.ts cli <pinpoint args…>
 * runs a CLI command and prints { maxRssMiB, exit } as the last line of stderr.
 */
import { readFileSync } from 'node:fs';
import { useNodeRuntime } from '../core/node-runtime.ts';
import { nativeDigestStats } from '../core/platform/node-native.ts';
import { nodeThreadPool } from '../core/platform/node-threads.ts';
import { setThreadPool } from '../core/repops/parallel.ts';
import { microBatchWorkersFor } from '../core/train/node-microbatch.ts';
import type { TraceMode } from '../core/train/step.ts';
import { parseTask } from '../core/train/task.ts';
import { prepareTask } from '../core/train/train.ts';
import { median } from './compare-sides.ts';
import { stepChain } from './step-chain.ts';

useNodeRuntime();
if (process.argv[2] === 'cli') {
  const { main } = await import('../cli/main.ts');
  const exit = await main(process.argv.slice(3));
  console.error(JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024, exit }));
  process.exit(exit);
}
const [file, mode, warm, timed, threads] = process.argv.slice(2);
setThreadPool(nodeThreadPool(Number(threads ?? 1)));
const ctx = prepareTask(parseTask(JSON.parse(readFileSync(file, 'utf8')), file));
// As `pinpoint train --threads` does: a task with micro-batches records some on worker threads.
const workers = microBatchWorkersFor(ctx, Number(threads ?? 1));
const times: number[] = [];
let ops = 0;
/**
 * CPU seconds of this (the calling) thread, or NaN off Linux. On a loaded machine wall time mostly measures
 * the other processes; the calling thread's CPU time shows how much of a step stays on it.
 */
const callerCpu = (): number => {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
let cpu0 = 0;
let process0 = 0;
let hash0 = nativeDigestStats();
const processCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
// As train() runs steps (bench/step-chain.ts): step t's digests (state after; in trace mode every op output)
// are hashed on the digest worker while step t+1 computes, and collected right after it — a step's time
// includes collecting its predecessor.
const chain = stepChain(ctx, mode as TraceMode, workers);
for (let t = 0; t < Number(warm) + Number(timed); t++) {
  if (t === Number(warm)) {
    cpu0 = callerCpu();
    process0 = processCpu();
    hash0 = nativeDigestStats();
  }
  const t0 = performance.now();
  const r = chain.next();
  if (t >= Number(warm)) times.push(performance.now() - t0);
  ops = r.nodeCount;
}
chain.finish();
workers?.close();
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
const steps = Number(timed);
const mainCpuMsPerStep = ((callerCpu() - cpu0) * 1000) / steps;
const otherCpuMsPerStep = ((processCpu() - process0) * 1000) / steps - mainCpuMsPerStep;
const hash1 = nativeDigestStats();
const hash =
  hash0 && hash1
    ? {
        mb: (hash1.bytes - hash0.bytes) / 1e6 / steps,
        hashThreadMs: (hash1.hashThreadMs - hash0.hashThreadMs) / steps,
        callerMs: (hash1.callerMs - hash0.callerMs) / steps,
        waitMs: (hash1.waitMs - hash0.waitMs) / steps,
      }
    : null;
console.log(
  JSON.stringify({
    msPerStep: median(times),
    maxRssMiB,
    ops,
    mainCpuMsPerStep,
    otherCpuMsPerStep,
    hash,
  }),
);
