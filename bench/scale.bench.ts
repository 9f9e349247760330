/**
 * Real size (issue 13): the nanoGPT shakespeare-char CPU shape (tasks/nanogpt-char.json: 4 layers, 4 heads,
 * d 128, ffn 512, context 64, batch 12, Adam + clip 1.0, exact GELU; 0.82 M parameters), side by side
 * with PyTorch in the same run:
 *  - Pinpoint s/step in fast and trace mode (median of timed steps after warm-up, one child process
 *    each, so peak RSS is the step's own), per thread count this build supports; trace mode twice, with
 *    the task's BLAKE3 tensor digests and with SHA-256 ones (the same task with "tensorDigest": "sha256"),
 *    and each one's overhead over the fast step;
 *  - bytes of a 10-step bundle (checkpoint every 5) and peak RSS of `train` and `verify` on it;
 *  - PyTorch 1.x CPU s/step for the same model, threads and optimizer (bench/torch_nanogpt.py), and the
 *    ratio — when some python3 can import torch; otherwise one line saying how to get it.
 * BENCH_SCALE_STEPS=<timed steps per child> (default 5) and BENCH_SCALE_ROUNDS=<rounds> (default 3: the rows
 * run in turn, one child each, and each figure is the median over the rounds) trade time for stability.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './compare-sides.ts';

const TIMED = Number(process.env.BENCH_SCALE_STEPS ?? 5);
/** Rounds of the rows, one child each, alternating: a row's figures are its rounds' medians. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_SCALE_ROUNDS ?? 3));
/** Warm-up steps per child: the micro-batch worker thread compiles its code during them too (4 measured too few: 2 threads 1.35× after 4, 1.63–1.67× after 12). */
const WARM = Math.max(1, Number(process.env.BENCH_SCALE_WARM ?? 10));
const node = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

function lastJson(text: string): Record<string, unknown> {
  const line = text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`no result line in:\n${text.slice(-2000)}`);
  return JSON.parse(line);
}

/** Per step, from the native hashing thread (bench/scale-child.ts). */
interface HashFigures {
  readonly mb: number;
  readonly hashThreadMs: number;
  readonly callerMs: number;
  readonly waitMs: number;
}

interface StepFigures {
  readonly ms: number;
  readonly rss: number;
  readonly ops: number;
  readonly mainCpuMs: number;
  readonly otherCpuMs: number;
  readonly hash: HashFigures | null;
}

function pinpointStep(task: string, mode: string, threads: number): StepFigures {
  const r = node(['bench/scale-child.ts', task, mode, String(WARM), String(TIMED), String(threads)]);
  if (r.status !== 0) throw new Error(`scale-child ${mode} failed:\n${r.stderr}`);
  const j = lastJson(r.stdout);
  return {
    ms: Number(j.msPerStep),
    rss: Number(j.maxRssMiB),
    ops: Number(j.ops),
    mainCpuMs: Number(j.mainCpuMsPerStep),
    otherCpuMs: Number(j.otherCpuMsPerStep),
    hash: (j.hash ?? null) as HashFigures | null,
  };
}

/** Every figure of a row as the median over its rounds (peak RSS: the largest). */
function medianFigures(runs: readonly StepFigures[]): StepFigures {
  const hashes = runs.map((r) => r.hash).filter((h): h is HashFigures => h !== null);
  const m = (f: (h: HashFigures) => number) => median(hashes.map(f));
  return {
    ms: median(runs.map((r) => r.ms)),
    rss: Math.max(...runs.map((r) => r.rss)),
    ops: runs[0].ops,
    mainCpuMs: median(runs.map((r) => r.mainCpuMs)),
    otherCpuMs: median(runs.map((r) => r.otherCpuMs)),
    hash:
      hashes.length === 0
        ? null
        : {
            mb: m((h) => h.mb),
            hashThreadMs: m((h) => h.hashThreadMs),
            callerMs: m((h) => h.callerMs),
            waitMs: m((h) => h.waitMs),
          },
  };
}

const percentOver = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${(100 * ratio - 100).toFixed(0)} %`;

/** One line of the hashing table: where a step's hashing ran and whether the caller waited for it. */
function hashLine(threads: number, mode: string, p: StepFigures): string {
  const h = p.hash;
  const cols = h
    ? [
        h.mb.toFixed(1),
        (h.hashThreadMs / 1000).toFixed(3),
        (h.callerMs / 1000).toFixed(3),
        h.hashThreadMs + h.callerMs > 0 ? (h.mb / (h.hashThreadMs + h.callerMs)).toFixed(1) : '—',
        (h.waitMs / 1000).toFixed(3),
      ]
    : ['—', '—', '—', '—', '—'];
  const widths = [9, 13, 10, 10, 11];
  return `${String(threads).padStart(7)}  ${mode.padEnd(12)}  ${(p.otherCpuMs / 1000).toFixed(3).padStart(11)}  ${cols.map((c, i) => c.padStart(widths[i])).join('  ')}`;
}

/** A python3 that can import torch (PATH's python3, then Debian's), or null. */
function torchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

function torchStep(py: string, threads: number): { ms: number; version: string } {
  const env = { ...process.env };
  // Debian's OpenBLAS picks its own kernels only without these (../shared/ENVIRONMENT.md).
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(py, ['bench/torch_nanogpt.py', String(threads), '5', String(Math.max(TIMED, 5) * 2)], {
    encoding: 'utf8',
    env,
  });
  if (r.status !== 0) throw new Error(`torch_nanogpt.py failed:\n${r.stderr}`);
  const j = lastJson(r.stdout);
  return { ms: Number(j.msPerStep), version: String(j.torch) };
}

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-scale-'));
  try {
    const base = JSON.parse(readFileSync('tasks/nanogpt-char.json', 'utf8'));
    const task = join(dir, 'nanogpt-10.json');
    writeFileSync(task, JSON.stringify({ ...base, steps: 10, checkpointEvery: 5 }));
    const shaTask = join(dir, 'nanogpt-10-sha256.json');
    writeFileSync(
      shaTask,
      JSON.stringify({ ...base, steps: 10, checkpointEvery: 5, tensorDigest: 'sha256' }),
    );
    const oneMicro = join(dir, 'nanogpt-10-one-micro-batch.json');
    const { microBatches: _k, ...withoutMicro } = base;
    writeFileSync(oneMicro, JSON.stringify({ ...withoutMicro, steps: 10, checkpointEvery: 5 }));
    const py = torchPython();
    const threadCounts = availableParallelism() > 1 ? [1, 2] : [1];
    const K = base.microBatches ?? 1;
    const rows = threadCounts.flatMap((threads) => [
      { threads, label: 'fast', file: task, mode: 'fast' },
      { threads, label: `trace ${base.tensorDigest ?? 'sha256'}`, file: task, mode: 'trace' },
      { threads, label: 'trace sha256', file: shaTask, mode: 'trace' },
      ...(threads === 1 && K > 1 ? [{ threads, label: 'fast, K = 1', file: oneMicro, mode: 'fast' }] : []),
    ]);
    console.log(
      `nanogpt-char (0.82 M params, batch 12 × 64 in ${K} micro-batch${K === 1 ? '' : 'es'}), ${WARM} warm-up + ${TIMED} timed steps per child, ${ROUNDS} alternating rounds of every row (medians); load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores`,
    );
    const refs = new Map(threadCounts.map((t) => [t, py ? torchStep(py, t) : null]));
    console.log(
      'threads  mode          Pinpoint s/step  over fast  main CPU s  ops/step  peak RSS   PyTorch s/step  ratio',
    );
    const hashLines: string[] = [];
    // Every row runs once per round, so a change of load meets every row alike; a row's ratio to another
    // (trace over fast, 1 thread over 2) is the median of its per-round ratios.
    const rounds = Array.from({ length: ROUNDS }, () =>
      rows.map((row) => pinpointStep(row.file, row.mode, row.threads)),
    );
    const fastOf = (threads: number) => rows.findIndex((r) => r.threads === threads && r.label === 'fast');
    for (const [k, row] of rows.entries()) {
      const p = medianFigures(rounds.map((r) => r[k]));
      const ref = refs.get(row.threads) ?? null;
      hashLines.push(hashLine(row.threads, row.label, p));
      const ratio = ref ? `${(p.ms / ref.ms).toFixed(1)}×` : '—';
      const f = fastOf(row.threads);
      const over = k === f ? '' : percentOver(median(rounds.map((r) => r[k].ms / r[f].ms)));
      console.log(
        `${String(row.threads).padStart(7)}  ${row.label.padEnd(12)}  ${(p.ms / 1000).toFixed(3).padStart(15)}  ${over.padStart(9)}  ${(p.mainCpuMs / 1000).toFixed(3).padStart(10)}  ${String(p.ops).padStart(8)}  ${`${p.rss.toFixed(0)} MiB`.padStart(8)}   ${ref ? (ref.ms / 1000).toFixed(3).padStart(14) : '             —'}  ${ratio.padStart(5)}`,
      );
    }
    if (threadCounts.length > 1)
      for (const label of ['fast', `trace ${base.tensorDigest ?? 'sha256'}`]) {
        const one = rows.findIndex((r) => r.threads === 1 && r.label === label);
        const two = rows.findIndex((r) => r.threads === 2 && r.label === label);
        const speedup = median(rounds.map((r) => r[one].ms / r[two].ms));
        console.log(
          `2 threads over 1, ${label}: ${speedup.toFixed(2)}× (median of per-round ratios; goal ≥ 1.6×)`,
        );
      }
    console.log(
      '\nthreads  mode          other CPU s  hashed MB  hash thread s  caller s  GB/s hashed  take waited s',
    );
    for (const line of hashLines) console.log(line);
    console.log(
      "(per step. other CPU: every thread but the calling one — the hashing thread, V8's collector and compiler; on two cores they share the second. hash thread / caller: CPU seconds spent hashing by the native hashing thread and by the caller while taking digests, rather than waiting; take waited: wall seconds the caller still waited. A trace step costs little more than a fast one only while other CPU stays under main CPU.)",
    );
    console.log(
      "(main CPU: the calling thread's CPU seconds per step — on a loaded machine wall-clock s/step mostly measures the other processes, while this shows how much work stays on the calling thread)",
    );
    console.log(
      '(threads: the task\'s micro-batches are recorded on that many threads (core/train/node-microbatch.ts); besides, without the native addon Pinpoint splits large matmuls by output rows, softmax/layer-norm/cross-entropy/batched-matmul by rows and its transcendental kernels by ranges; with it (as here, when built) each op runs on one thread and the hashing thread takes the digests. "fast, K = 1": the task without micro-batches, one thread. PyTorch: torch.set_num_threads)',
    );
    if (py)
      console.log(`PyTorch reference: ${py}, torch ${torchStep(py, 1).version}, same model and optimizer`);
    else
      console.log(
        'PyTorch reference: not available (no python3 imports torch). Debian: apt-get install python3-torch (see ../shared/ENVIRONMENT.md for OpenBLAS)',
      );

    const bundle = join(dir, 'n10.pinproof');
    const tr = node(['bench/scale-child.ts', 'cli', 'train', task, '--out', bundle, '--key-seed', 'bench']);
    if (tr.status !== 0) throw new Error(`train failed:\n${tr.stderr}`);
    const vr = node(['bench/scale-child.ts', 'cli', 'verify', bundle]);
    const trRss = Number(lastJson(tr.stderr).maxRssMiB);
    const vrRss = Number(lastJson(vr.stderr).maxRssMiB);
    const bytes = statSync(bundle).size;
    console.log(
      `10-step bundle (checkpoint every 5): ${(bytes / 1e6).toFixed(1)} MB (goal ≤ 5 MB); peak RSS train ${trRss.toFixed(0)} MiB, verify ${vrRss.toFixed(0)} MiB (exit ${vr.status})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
