/**
 * `pinpoint train <task.json> --out <proof> [--mode fast|trace] [--key file | --key-seed phrase] [--quiet]
 *   [--nonce hex|random] [--tamper t[:node[:element[:delta]]]] [--checkpoint-store dir]`
 * Trains the task deterministically and writes a signed proof bundle (docs/PROOF_FORMAT.md).
 * The progress bar goes to stderr; the summary to stdout.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Digest } from '../../core/hash/hex.ts';
import { merkleRoot } from '../../core/hash/merkle.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { checkpointStorage } from '../../core/proof/format.ts';
import { checkpointStoreWriter } from '../../core/proof/node-checkpoint-store.ts';
import { DEMO_KEY_SEED, keyFromSeed, type SolverKey } from '../../core/proof/sign.ts';
import type { Tensor } from '../../core/repops/tensor.ts';
import { estimateTrainingMemory } from '../../core/train/memory.ts';
import { ensureModelKind } from '../../core/train/models.ts';
import { microBatchWorkersFor } from '../../core/train/node-microbatch.ts';
import { runCommitment, stepDigest } from '../../core/train/record.ts';
import { runStep, type Tamper, type TrainContext } from '../../core/train/step.ts';
import { isNonce, microBatchCount, parseTaskText, withNonce } from '../../core/train/task.ts';
import {
  checkpointSteps,
  initialState,
  perturbNode,
  prepareTask,
  RunReplayer,
  type TrainResult,
  train,
} from '../../core/train/train.ts';
import { readKeyOption } from '../files.ts';
import { applyThreadsOption, threadsSummary } from '../threads.ts';

export const summary = 'train a task deterministically and write a signed proof bundle';

const HELP = `usage: pinpoint train <task.json> --out <proof.pinproof> [options]

  --out <file>         where to write the proof bundle (required)
  --mode fast|trace    fast: step records only; trace: also the digest of every op (default fast)
  --key <file>         Ed25519 secret key: 64 hex chars or {"secretKey": "…"}
  --key-seed <phrase>  derive the key from a phrase (SHA-256); default: the public demo key
  --quiet              no progress bar
  --threads <n>        worker threads for the heavy elementwise kernels (default: every core); the
                       proof is bit-identical for any n. With the native kernels (npm install builds
                       them) ops are not split — measured slower — and the second core hashes
  --nonce <hex|random> set the task's per-instance nonce (64 hex chars; overrides $.nonce in the file);
                       "random" draws 32 bytes from the platform RNG and prints them. The nonce is
                       mixed into the run seed, so the proof only verifies for this task instance
  --tamper <t[:node[:element[:delta]]]>
                       cheat on purpose (for dispute demos and tests): add delta (default 0.001) to
                       element (default 0) of tape node (default: the step's first parameter update)
                       at step t; the bundle is well formed but wrong from step t on
  --checkpoint-store <dir>
                       also write the full state of every checkpoint the bundle keeps only as a
                       commitment (one <state digest>.pinstate file each; tasks with
                       fullCheckpointEvery). verify/inspect --checkpoint-store <dir> then
                       replay from the nearest checkpoint instead of the nearest full copy`;

export function loadKey(
  keyFile: string | undefined,
  keySeed: string | undefined,
  warn: (s: string) => void,
): SolverKey {
  const key = readKeyOption(keyFile, keySeed);
  if (key) return key;
  warn(
    `note: signing with the public demo key (seed "${DEMO_KEY_SEED}"); pass --key or --key-seed for a real identity`,
  );
  return keyFromSeed(DEMO_KEY_SEED);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      mode: { type: 'string', default: 'fast' },
      key: { type: 'string' },
      'key-seed': { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      tamper: { type: 'string' },
      nonce: { type: 'string' },
      threads: { type: 'string' },
      'checkpoint-store': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1 || !values.out) {
    console.error(
      `pinpoint train: ${positionals.length === 0 ? 'missing <task.json>' : positionals.length > 1 ? `one task file expected, got ${positionals.length}` : 'missing --out <proof.pinproof>'} (pinpoint train --help)`,
    );
    return 2;
  }
  const mode = values.mode;
  if (mode !== 'fast' && mode !== 'trace') {
    console.error(`pinpoint train: --mode must be "fast" or "trace", got "${mode}"`);
    return 2;
  }
  const file = positionals[0];
  const threads = applyThreadsOption(values.threads, (s) => console.error(s));
  const nonce = values.nonce === undefined ? undefined : parseNonceArg(values.nonce);
  if (nonce instanceof Error) {
    console.error(`pinpoint train: ${nonce.message}`);
    return 2;
  }
  // Fail before training, not after, when the bundle cannot be written there.
  const outDir = dirname(resolve(values.out));
  if (!existsSync(outDir)) {
    console.error(`pinpoint train: cannot write ${values.out}: directory ${outDir} does not exist`);
    return 1;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`pinpoint train: cannot read ${file}: ${(err as Error).message}`);
    return 1;
  }
  const parsed = parseTaskText(text, file);
  const task = nonce === undefined ? parsed : withNonce(parsed, nonce.hex, `${file} (--nonce)`);
  if (nonce?.random) console.error(`nonce ${nonce.hex} (random)`);
  await ensureModelKind(task.model.kind);
  const key = loadKey(values.key, values['key-seed'], (s) => console.error(s));
  const ctx = prepareTask(task);
  // A sparse bundle keeps most checkpoints as commitments only: their states are not kept in memory
  // (a long run's checkpoints would be most of it), only written to the store when one is named.
  const commitmentOnly = (s: number) =>
    s > 0 && s < task.steps && checkpointStorage(s, task.steps, task.fullCheckpointEvery) === 'none';
  const kept = checkpointSteps(task).filter((s) => values.tamper !== undefined || !commitmentOnly(s)).length;
  // Micro-batches on worker threads (tasks with microBatches > 1): the same proof for any --threads.
  const microThreads = values.tamper !== undefined ? 1 : Math.min(threads, microBatchCount(task));
  const mem = estimateTrainingMemory(ctx, totalmem(), kept, mode, microThreads - 1);
  if (mem.totalBytes > totalmem())
    throw new Error(
      `${file}: training "${task.name}" needs an estimated ${gib(mem.totalBytes)} (state ${gib(mem.stateBytes)}, one step ${gib(mem.stepBytes)}, checkpoints kept ${gib(mem.checkpointBytes)}${mem.opDigestBytes > 0 ? `, op digests ${gib(mem.opDigestBytes)}` : ''}${mem.workerBytes > 0 ? `, micro-batch threads ${gib(mem.workerBytes)}` : ''}); this machine has ${gib(totalmem())} — lower batchSize or the model size, or raise checkpointEvery${mem.opDigestBytes > 0 ? ', or train fewer steps per proof in trace mode' : ''}`,
    );
  const tamper = values.tamper === undefined ? undefined : parseTamper(ctx, values.tamper);
  const storeDir = values['checkpoint-store'];
  const store = storeDir === undefined ? null : checkpointStoreWriter(storeDir);
  if (!store && task.fullCheckpointEvery !== undefined && task.steps > task.fullCheckpointEvery)
    console.error(
      `note: the bundle keeps full states every ${task.fullCheckpointEvery} steps, so verify replays a sample from up to ${task.fullCheckpointEvery} steps back; --checkpoint-store <dir> also keeps every checkpoint's state (every ${task.checkpointEvery}) for verify, inspect and dispute to replay from`,
    );
  const workers = microBatchWorkersFor(ctx, microThreads);
  const bar = values.quiet ? null : progressBar(`train ${task.name}`, task.steps);
  const t0 = performance.now();
  let result: TrainResult;
  try {
    result = train(ctx, {
      mode,
      ...(workers ? { workers } : {}),
      // A tampered run keeps them: committedChange replays the honest step from the nearest one.
      ...(tamper ? {} : { dropCheckpoint: commitmentOnly }),
      ...(store
        ? {
            onCheckpoint: (s: number, tensors: readonly Tensor[], digests: readonly Digest[]) => {
              if (commitmentOnly(s)) store.write(merkleRoot(digests), tensors);
            },
          }
        : {}),
      ...(tamper ? { tamper: tamper.tamper } : {}),
      onStep: (r) =>
        bar?.update(
          r.record.step + 1,
          `loss ${r.record.loss.toFixed(4)}${r.metrics ? ` gnorm ${r.metrics.gradNorm.toPrecision(3)}` : ''}`,
        ),
    });
  } finally {
    workers?.close();
  }
  bar?.done();
  const seconds = (performance.now() - t0) / 1000;
  const bytes = bundleFromRun(result, key);
  writeFileSync(values.out, bytes);
  const first = result.records[0].loss;
  const last = result.records[result.records.length - 1].loss;
  console.log(
    [
      `task        ${task.name} (${task.steps} steps, mode ${mode})`,
      ...(task.nonce !== undefined ? [`nonce       ${task.nonce}`] : []),
      `loss        ${first.toFixed(4)} → ${last.toFixed(4)} (final model: loss ${result.metrics.loss.toFixed(4)}, accuracy ${(100 * result.metrics.accuracy).toFixed(1)} %)`,
      `memory      ≈ ${gib(mem.totalBytes)} estimated (state ${gib(mem.stateBytes)}, one step ${gib(mem.stepBytes)}, checkpoints ${gib(mem.checkpointBytes)}${mem.opDigestBytes > 0 ? `, op digests ${gib(mem.opDigestBytes)}` : ''}${mem.workerBytes > 0 ? `, micro-batch threads ${gib(mem.workerBytes)}` : ''})`,
      `time        ${seconds.toFixed(2)} s (${(task.steps / seconds).toFixed(1)} steps/s, ${threadsSummary(threads, workers ? workers.threads + 1 : 1)})`,
      `checkpoints ${checkpointSteps(task).join(', ')}${result.commitments ? ` (in full: ${result.checkpoints.map((c) => c.step).join(', ')}; the others as commitments${store ? ' and in the store' : ''})` : ''}`,
      `commitment  ${runCommitment(result.records)}${mode === 'trace' ? ` (${result.records[0].opCount} ops/step traced)` : ''}`,
      `proof       ${values.out} (${bytes.length} bytes)`,
      ...(store
        ? [
            store.written.files + store.written.kept > 0
              ? `store       ${storeDir}: ${store.written.files} state files written (${(store.written.bytes / 1e6).toFixed(1)} MB)${store.written.kept > 0 ? `, ${store.written.kept} already there` : ''}`
              : `store       ${storeDir}: nothing to write (the bundle keeps every checkpoint in full)`,
          ]
        : []),
      ...(tamper
        ? [
            committedChange(ctx, result, tamper.step)
              ? `TAMPERED    ${tamper.describe} (a deliberately wrong proof)`
              : `tamper      ${tamper.describe}: no committed value changed (the change is absorbed${mode === 'fast' ? '; fast mode commits no op digests' : ''}): the proof is honest`,
          ]
        : []),
    ].join('\n'),
  );
  return 0;
}

/** `--nonce hex|random` → the nonce (lowercased hex), or an Error naming the problem. */
export function parseNonceArg(text: string): { hex: string; random: boolean } | Error {
  if (text === 'random') return { hex: randomBytes(32).toString('hex'), random: true };
  const hex = text.toLowerCase();
  if (!isNonce(hex))
    return new Error(
      `--nonce must be 64 hex characters (32 bytes) or "random", got ${JSON.stringify(text.length > 70 ? `${text.slice(0, 70)}…` : text)} (${text.length} characters)`,
    );
  return { hex, random: false };
}

/** `--tamper t[:node[:element[:delta]]]` → a perturbNode tamper, checked against the step's tape. */
function parseTamper(ctx: TrainContext, text: string): { tamper: Tamper; step: number; describe: string } {
  const bad = (why: string) =>
    new Error(`--tamper ${JSON.stringify(text)}: ${why} (format: step[:node[:element[:delta]]])`);
  const parts = text.split(':');
  if (parts.length > 4 || parts.some((p) => p.trim() === ''))
    throw bad('expected 1 to 4 fields separated by ":"');
  const int = (p: string, what: string) => {
    if (!/^\d+$/.test(p)) throw bad(`${what} must be a non-negative integer, got "${p}"`);
    return Number(p);
  };
  const step = int(parts[0], 'step');
  if (step >= ctx.task.steps) throw bad(`step ${step} is outside the run (${ctx.task.steps} steps)`);
  // The tape's shape is the same at every step, so running the step on the initial state names its nodes.
  const tape = runStep(ctx, initialState(ctx), step, { mode: 'fast', keepTape: true });
  const nodes = tape.nodeCount;
  const node = parts[1] === undefined ? tape.outputIds[0] : int(parts[1], 'node');
  if (node >= nodes)
    throw bad(`node ${node} is outside step ${step}'s tape (${nodes} nodes: valid 0..${nodes - 1})`);
  const element = parts[2] === undefined ? 0 : int(parts[2], 'element');
  const size = tape.nodes?.[node].out.data.length ?? 0;
  if (element >= size)
    throw bad(
      `element ${element} is outside node ${node} (${tape.nodes?.[node].op}, ${size} values: valid 0..${size - 1})`,
    );
  const delta = parts[3] === undefined ? 1e-3 : Number(parts[3]);
  if (!Number.isFinite(delta) || delta === 0)
    throw bad(`delta must be a finite non-zero number, got "${parts[3]}"`);
  return {
    tamper: perturbNode(step, node, element, delta),
    step,
    describe: `step ${step}, node ${node}, element ${element}, delta ${delta}`,
  };
}

/* Progress bar on stderr: on a terminal one redrawn line; otherwise (CI logs, pipes) a line per 10 %. */ export interface ProgressBar {
  update(done: number, note?: string): void;
  done(): void;
}

export function progressBar(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  const tty = stream.isTTY === true;
  const width = 30;
  const t0 = performance.now();
  let lastDecile = -1;
  let lastDraw = 0;
  const line = (done: number, note: string) => {
    const frac = total > 0 ? done / total : 1;
    const fill = Math.round(frac * width);
    const secs = (performance.now() - t0) / 1000;
    const eta = done > 0 ? (secs * (total - done)) / done : 0;
    return `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${(100 * frac).toFixed(0)}% ${note} eta ${eta.toFixed(1)}s`;
  };
  return {
    update(done, note = '') {
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 50 && done < total) return;
        lastDraw = now;
        stream.write(`\r${line(done, note)}\x1b[K`);
      } else {
        const decile = Math.floor((10 * done) / Math.max(1, total));
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`${line(done, note)}\n`);
        }
      }
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}

/**
 * Whether a one-step tamper at `step` changed anything the bundle commits to: the tampered step's record
 * against the honest step from the same (honest, earlier) state. Equal records mean equal states, so
 * every later record and the final metrics are the honest ones too.
 */
function committedChange(ctx: TrainContext, result: TrainResult, step: number): boolean {
  const before = RunReplayer.fromRun(ctx, result).stateBefore(step);
  const honest = runStep(ctx, before, step, { mode: result.mode });
  return stepDigest(honest.record) !== stepDigest(result.records[step]);
}

function gib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
