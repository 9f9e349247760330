/**
 * `pinpoint verify <proof> [--task file] [--samples q] [--top-q Q] [--all] [--checkpoint-store dir] [--json]`
 * Loads the bundle (every digest, checkpoint and the signature), then replays Fiat–Shamir-sampled
 * steps (+ top-Q largest-update intervals) from the nearest checkpoints. Exit 0 = accepted, 1 = rejected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CheckpointStore, CheckpointStoreError } from '../../core/proof/checkpoint-store.ts';
import { ProofError } from '../../core/proof/format.ts';
import { directoryCheckpointStore, siblingStoreDir } from '../../core/proof/node-checkpoint-store.ts';
import type { LoadedBundle } from '../../core/proof/read.ts';
import { ensureModelKind } from '../../core/train/models.ts';
import { microBatchWorkersFor, type NodeMicroBatchWorkers } from '../../core/train/node-microbatch.ts';
import { parseTaskText, type TaskSpec } from '../../core/train/task.ts';
import { type VerifyReport, verifyBundle } from '../../core/verify/verify.ts';
import { oneProofArg } from '../args.ts';
import { openBundleFile } from '../files.ts';
import { applyThreadsOption } from '../threads.ts';
import { progressBar } from './train.ts';

export const summary = 'check a proof bundle and replay sampled steps';

const HELP = `usage: pinpoint verify <proof.pinproof> [options]

  --task <file>   the task instance the proof must be for (its digest, incl. any nonce, must match)
  --samples <q>   Fiat–Shamir sampled steps to replay (default 8)
  --top-q <Q>     also replay, in every epoch, the Q checkpoint intervals with the largest
                  parameter updates (Jia et al. 2021; default 0)
  --all           replay every step (full re-execution)
  --checkpoint-store <dir>
                  full states written by train --checkpoint-store: replays start at the nearest
                  checkpoint, not the nearest full copy in the bundle (each state is checked
                  against the bundle's commitment before use)
  --threads <n>   threads (default: every core): a task with micro-batches replays them on that many
                  at once; the verdict is the same for any n
  --json          print the report as JSON
  --quiet         no progress bar`;

function natural(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      task: { type: 'string' },
      samples: { type: 'string' },
      'top-q': { type: 'string' },
      all: { type: 'boolean', default: false },
      'checkpoint-store': { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const arg = oneProofArg('verify', positionals);
  if (!arg.ok) {
    console.error(arg.message);
    return 2;
  }
  const file = arg.file;
  const samples = natural('samples', values.samples, 8);
  const topQ = natural('top-q', values['top-q'], 0);
  const threads = applyThreadsOption(values.threads, (s) => console.error(s));
  let expectTask: TaskSpec | undefined;
  if (values.task !== undefined) {
    try {
      expectTask = parseTaskText(readFileSync(values.task, 'utf8'), values.task);
    } catch (err) {
      console.error(`pinpoint verify: cannot use --task ${values.task}: ${(err as Error).message}`);
      return 1;
    }
  }
  let checkpointStore: CheckpointStore | undefined;
  const sibling = siblingStoreDir(file);
  if (values['checkpoint-store'] === undefined && existsSync(sibling))
    console.error(
      `note: ${sibling} looks like this proof's checkpoint store; pass --checkpoint-store ${sibling} to replay from its states`,
    );
  if (values['checkpoint-store'] !== undefined) {
    try {
      checkpointStore = directoryCheckpointStore(values['checkpoint-store']);
    } catch (err) {
      console.error(`pinpoint verify: ${(err as Error).message}`);
      return 1;
    }
  }
  const t0 = performance.now();
  let report: VerifyReport;
  let bundle: LoadedBundle;
  try {
    try {
      bundle = openBundleFile(file, {
        ...(expectTask ? { expectTask } : {}),
        ...(checkpointStore ? { checkpointStore } : {}),
      });
    } catch (err) {
      if (err instanceof ProofError) throw err;
      console.error(`pinpoint verify: ${(err as Error).message}`);
      return 1;
    }
    // Every payload byte against its digest, a section at a time (a bundle never sits in memory whole).
    const check = values.quiet || values.json ? null : progressBar('check', 100);
    bundle.checkPayload((d, n) => check?.update(Math.floor((100 * d) / Math.max(n, 1))));
    check?.done();
    await ensureModelKind(bundle.manifest.task.model.kind);
    const holder: { bar: ReturnType<typeof progressBar> | null } = { bar: null };
    // Started on the task verify prepares (once), and stopped when it is done.
    let workers: NodeMicroBatchWorkers | undefined;
    try {
      report = verifyBundle(bundle, {
        samples,
        topQ,
        all: values.all,
        onProgress: (d, n) => {
          if (values.quiet || values.json) return;
          holder.bar ??= progressBar('replay', n);
          holder.bar.update(d);
        },
        workers: (ctx) => {
          workers = microBatchWorkersFor(ctx, threads);
          return workers;
        },
      });
    } finally {
      workers?.close();
    }
    holder.bar?.done();
  } catch (err) {
    if (err instanceof CheckpointStoreError) {
      console.error(
        `pinpoint verify: ${err.message}; the proof was not judged (verify without --checkpoint-store, or fix the store)`,
      );
      return 1;
    }
    if (!(err instanceof ProofError)) throw err;
    if (values.json)
      console.log(
        JSON.stringify(
          { ok: false, file, error: err.message, where: err.where, step: err.step ?? null },
          null,
          2,
        ),
      );
    else console.log(`REJECTED  ${err.message}`);
    return 1;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (values.json) {
    const store = checkpointStore
      ? { checkpointStore: { dir: checkpointStore.name, steps: bundle.checkpointStoreSteps } }
      : {};
    console.log(JSON.stringify({ file, seconds, ...store, ...report }, null, 2));
    return report.ok ? 0 : 1;
  }
  const lines = [
    `${report.ok ? 'ACCEPTED' : 'REJECTED'}  ${file} (task ${report.task}, ${report.steps} steps, ${report.mode} mode)`,
    `sampled     ${report.samples.length ? report.samples.join(', ') : values.all ? 'all steps' : '-'}`,
  ];
  if (checkpointStore) {
    const n = bundle.checkpointStoreSteps.length;
    lines.push(
      `store       ${checkpointStore.name}: ${n} checkpoint state${n === 1 ? '' : 's'} to replay from, besides the bundle's full copies`,
    );
  }
  if (report.topQ.length)
    lines.push(
      `top-Q       ${report.topQ.map((u) => `epoch ${u.epoch} [${u.from}, ${u.to}) |Δ|=${u.norm.toFixed(3)}`).join('; ')}`,
    );
  lines.push(
    `checked     ${report.stepsChecked} steps replayed, ${report.batchDigestsChecked} batch digests, ${report.opsReplayed} ops (${(100 * report.computeFraction).toFixed(1)} % of full replay)`,
    `detection   over the ${report.stepsChecked} checked steps (forged steps placed at random): ${report.detection.map((d) => `f=${d.f}: ${percent(d.miss)}`).join(', ')}`,
    `            any placement (the ${report.samples.length} Fiat–Shamir samples alone): ${report.detection.map((d) => `f=${d.f}: ${percent(d.worstCaseMiss)}`).join(', ')}`,
    `time        ${seconds.toFixed(2)} s`,
  );
  for (const f of report.failures) lines.push(`FAIL        step ${f.step} [${f.field}] ${f.message}`);
  console.log(lines.join('\n'));
  return report.ok ? 0 : 1;
}

/**
 * A detection probability, given as its miss chance, as a percentage that never reads as certainty when it
 * is not: a miss chance of 4e-4 prints 99.96 %, one of 1e-17 prints "100 % − 1.0e-15 %"; only 0 prints 100 %.
 */
export function percent(miss: number): string {
  if (miss <= 0) return '100 %';
  if (miss >= 1) return '0 %';
  const p = 100 * (1 - miss);
  if (p >= 100) return `100 % − ${(100 * miss).toExponential(1)} %`;
  let digits = 1;
  while (digits < 15 && (Number(p.toFixed(digits)) >= 100 || Number(p.toFixed(digits)) <= 0)) digits++;
  return `${p.toFixed(digits)} %`;
}
