/**
 * `pinpoint attack <name|all> [--task synthetic|<task.json>] [--seed s] [--mode trace|fast] …`
 * Runs an attack scenario end to end (honest and adversarial training, dispute, verdict) and prints who
 * was caught where. `pinpoint attack --list` lists the library (core/attacks/scenarios.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ATTACKS, type AttackOutcome, describeOutcome, getAttack } from '../../core/attacks/scenarios.ts';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import type { DisputeTask } from '../../core/dispute/task.ts';
import { transcriptToJson } from '../../core/dispute/transcript.ts';

export const summary = 'run an attack scenario end to end and show who was caught where';

const HELP = `usage: pinpoint attack <name|all> [options]
       pinpoint attack --list

  --task <t>        "synthetic" (default) or a task file (e.g. tasks/spirals-mlp.json)
  --steps <n>       steps to train (default: 64 synthetic, min(task steps, 40) for a task file)
  --seed <s>        picks the attack's step/op/element (default 1)
  --mode <m>        trace (op roots in every record, default) or fast (op root committed in the dispute)
  --transcript <f>  write the dispute transcript (JSON) of a single attack
  --json            print outcomes as JSON`;

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

async function loadTask(spec: string, seed: number, steps: number | undefined): Promise<DisputeTask> {
  if (spec === 'synthetic') return syntheticTask({ seed, steps: steps ?? 64 });
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (err) {
    throw new Error(`cannot read task file ${spec}: ${(err as Error).message}`);
  }
  const { parseTaskText } = await import('../../core/train/task.ts');
  const { repopsTask } = await import('../../core/dispute/repops-task.ts');
  const parsed = parseTaskText(text, spec);
  return repopsTask({ ...parsed, steps: steps ?? Math.min(parsed.steps, 40) });
}

function row(o: AttackOutcome): string {
  const s = o.spoof
    ? `   Jia-style check: ${o.spoof.passesJia ? 'PASSES' : 'rejects'} (δ=${o.spoof.jiaOptions.delta}, Q=${o.spoof.jiaOptions.q}/epoch, replayed ${(100 * o.spoof.jia.computeFraction).toFixed(0)}% of steps); pinpoint: ${o.spoof.stoppedByPinpoint ? 'stopped' : 'NOT stopped'} — ${o.spoof.note}`
    : '';
  const c = o.transcript.cost;
  return `${describeOutcome(o)}\n   ${o.title}; rounds ${c.rounds.steps}+${c.rounds.ops} (bound ${c.rounds.bound}), ${c.bytes.total} bytes${s ? `\n${s}` : ''}`;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      list: { type: 'boolean', default: false },
      task: { type: 'string', default: 'synthetic' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      mode: { type: 'string', default: 'trace' },
      transcript: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.list) {
    for (const a of ATTACKS) console.log(`${a.name.padEnd(24)} [${a.attacker}] ${a.title}`);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(
      `pinpoint attack: ${positionals.length === 0 ? 'missing <name|all>' : `one attack name expected, got ${positionals.length}`} (pinpoint attack --list for the names, --help for options)`,
    );
    return 2;
  }
  if (values.mode !== 'trace' && values.mode !== 'fast')
    throw new Error(`--mode must be trace or fast, got "${values.mode}"`);
  const seed = int('seed', values.seed, 1);
  const steps = values.steps === undefined ? undefined : int('steps', values.steps, 64);
  if (steps !== undefined && steps < 2) throw new Error('--steps must be at least 2');
  const names = positionals[0] === 'all' ? ATTACKS.map((a) => a.name) : [getAttack(positionals[0]).name];
  if (values.transcript && names.length !== 1) throw new Error('--transcript needs a single attack name');
  const task = await loadTask(values.task ?? 'synthetic', seed, steps);
  const outcomes: AttackOutcome[] = [];
  for (const name of names) {
    const o = await getAttack(name).run({ task, seed, mode: values.mode });
    outcomes.push(o);
    if (!values.json) console.log(row(o));
  }
  if (values.transcript) writeFileSync(values.transcript, transcriptToJson(outcomes[0].transcript));
  if (values.json) {
    console.log(
      JSON.stringify(
        outcomes.map((o) => ({
          name: o.name,
          asExpected: o.asExpected,
          expected: o.expected,
          verdict: o.verdict,
          cost: o.transcript.cost,
          spoof: o.spoof && { ...o.spoof, jia: { ...o.spoof.jia } },
        })),
        null,
        1,
      ),
    );
  }
  return outcomes.every((o) => o.asExpected) ? 0 : 1;
}
