/**
 * `npm run bench verify-cost`: what verifying a real-size proof costs next to producing it, in one run.
 * nanogpt-char for BENCH_VERIFY_STEPS steps (default 200; commitments every 10 steps, full copies only at
 * the start and the end, as the bundled task's sparse policy does at its own scale), trained once with
 * `--checkpoint-store`; then `verify` with the default 8 Fiat–Shamir samples from the bundle alone (every
 * sample replays from step 0) and with the store (each replays from the checkpoint below it). Every row is
 * a CLI process; its wall time includes start-up, the payload check and the final-model evaluation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const STEPS = Number(process.env.BENCH_VERIFY_STEPS ?? 200);
const EVERY = 10;

function pinpoint(args: string[]): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/pinpoint.js', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(`pinpoint ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-verify-cost-'));
  try {
    const base = JSON.parse(readFileSync('tasks/nanogpt-char.json', 'utf8'));
    const task = join(dir, 'task.json');
    writeFileSync(
      task,
      JSON.stringify({ ...base, steps: STEPS, checkpointEvery: EVERY, fullCheckpointEvery: STEPS }),
    );
    const proof = join(dir, 'run.pinproof');
    const store = join(dir, 'store');
    console.log(
      `nanogpt-char, ${STEPS} steps, commitments every ${EVERY}, full copies at 0 and ${STEPS}; 8 Fiat–Shamir samples; load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores`,
    );
    const train = pinpoint([
      'train',
      task,
      '--out',
      proof,
      '--quiet',
      '--key-seed',
      'bench',
      '--checkpoint-store',
      store,
    ]);
    const rows: [string, number, string][] = [
      ['train (fast mode)', train.seconds, `${STEPS} steps computed`],
    ];
    for (const [label, extra] of [
      ['verify (bundle alone)', []],
      ['verify --checkpoint-store', ['--checkpoint-store', store]],
    ] as const) {
      const v = pinpoint(['verify', proof, '--json', ...extra]);
      const report = JSON.parse(v.stdout) as { ok: boolean; stepsChecked: number; computeFraction: number };
      if (!report.ok) throw new Error(`${label}: the honest proof was rejected`);
      rows.push([
        label,
        v.seconds,
        `${report.stepsChecked} steps replayed (${(100 * report.computeFraction).toFixed(1)} % of a full replay)`,
      ]);
    }
    console.log('                             wall s   ÷ training   work');
    for (const [label, s, work] of rows)
      console.log(
        `${label.padEnd(27)}  ${s.toFixed(1).padStart(6)}   ${`${((100 * s) / train.seconds).toFixed(0)} %`.padStart(10)}   ${work}`,
      );
    console.log(
      `bundle ${(statSync(proof).size / 1e6).toFixed(1)} MB; checkpoint store ${(dirBytes(store) / 1e6).toFixed(0)} MB (${readdirSync(store).length} states the bundle keeps as commitments only)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
