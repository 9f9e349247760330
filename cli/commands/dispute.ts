/**
 * `pinpoint dispute <proof-solver> <proof-challenger> [--transcript out.json] [--json]`
 * Runs the two-phase pinpoint dispute between two proof bundles of the same task: bisection over steps,
 * Merkle descent over the disputed step's ops, one-op recomputation by the referee. Exit 0 = solver wins.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runDispute } from '../../core/dispute/referee.ts';
import { bundleParty, repopsTask } from '../../core/dispute/repops-task.ts';
import { refereeConfig } from '../../core/dispute/task.ts';
import { describeVerdict, transcriptToJson } from '../../core/dispute/transcript.ts';
import { type LoadedBundle, readBundle } from '../../core/proof/read.ts';
import { REPOPS_SPEC_VERSION } from '../../core/repops/version.ts';

export const summary = 'settle a disagreement between two proofs by pinpoint bisection';

const HELP = `usage: pinpoint dispute <proof-solver> <proof-challenger> [options]

  --transcript <f>  write the full transcript (JSON, docs/DISPUTE.md) to f
  --deadline <ms>   per-answer deadline (default 10000)
  --json            print verdict and cost as JSON
Exit status: 0 solver wins, 3 challenger wins, 4 both lose.`;

function load(file: string): LoadedBundle {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  return readBundle(bytes, file, { repops: REPOPS_SPEC_VERSION });
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      transcript: { type: 'string' },
      deadline: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 2) {
    console.error(HELP);
    return 2;
  }
  const deadline = values.deadline === undefined ? 10_000 : Number(values.deadline);
  if (!Number.isInteger(deadline) || deadline <= 0)
    throw new Error(`--deadline must be a positive integer (ms), got "${values.deadline}"`);
  const [a, b] = positionals.map(load);
  if (a.manifest.taskDigest !== b.manifest.taskDigest) {
    throw new Error(
      `${a.file} and ${b.file} are proofs of different tasks (${a.manifest.task.name} ${a.manifest.taskDigest.slice(0, 12)}… vs ${b.manifest.task.name} ${b.manifest.taskDigest.slice(0, 12)}…)`,
    );
  }
  const task = repopsTask(a.manifest.task);
  const mode = a.manifest.mode === 'trace' && b.manifest.mode === 'trace' ? 'trace' : 'fast';
  const { verdict, transcript } = await runDispute(
    bundleParty(a.file, task, a),
    bundleParty(b.file, task, b),
    refereeConfig(task, mode, deadline),
  );
  if (values.transcript) writeFileSync(values.transcript, transcriptToJson(transcript));
  const c = transcript.cost;
  if (values.json) console.log(JSON.stringify({ verdict, cost: c }, null, 1));
  else {
    console.log(describeVerdict(verdict));
    console.log(
      `rounds: ${c.rounds.steps} over steps + ${c.rounds.ops} over ops (bound ⌈log2 T⌉+⌈log2 N⌉ = ${c.rounds.bound}), ${c.rounds.messages} exchanges; ${c.bytes.total} bytes`,
    );
    console.log(
      `referee: ${c.referee.flops} FLOPs for one op vs ${c.replication.flops} to replay all ${c.replication.steps} steps (${(c.replication.ratio * 100).toExponential(2)} %)`,
    );
    if (values.transcript) console.log(`transcript: ${values.transcript}`);
  }
  return verdict.loser === 'challenger' ? 0 : verdict.loser === 'solver' ? 3 : 4;
}
