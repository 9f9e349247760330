/**
 * `pinpoint fuzz [--cases N] [--task t.json] [--steps n] [--seed s] [--json]` — soundness fuzzing at scale
 * (core/dispute/fuzz.ts): N random single tampers of a task's honest run, each checked for verify/dispute
 * agreement with the cheater as solver and as challenger. Prints counts by outcome and every wrong case.
 * Exit 0 when no case is wrong, 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DELTA_KINDS,
  FUZZ_FIELDS,
  type FuzzCase,
  type FuzzField,
  type FuzzOutcome,
  SoundnessFuzzer,
} from '../../core/dispute/fuzz.ts';
import { randomUint32 } from '../../core/repops/prng.ts';
import { parseTaskText } from '../../core/train/task.ts';
import { progressBar } from './train.ts';

export const summary = 'fuzz the dispute game: random tampers, verify and dispute must agree';

const HELP = `usage: pinpoint fuzz [options]

  --cases <n>   number of random tampers (default 1000)
  --task <f>    task file (default tasks/spirals-mlp.json)
  --steps <n>   train this many steps (default 12; checkpoint every ⌈n/3⌉)
  --seed <s>    seed of the case generator (default 1)
  --fields <l>  comma-separated subset of ${FUZZ_FIELDS.join(', ')} (default all)
  --json        print the counts as JSON
Each case tampers one thing — a tape node's element (1 ulp, an addition, NaN, ±Inf, −0, a subnormal, a
large factor), the loss, the batch, a checkpoint element, the final metrics or the state layout — in
fast or trace mode, then checks: verify (full replay) and the dispute (cheater as solver, then as challenger) agree, at the
tampered step and op, and the honest party never loses. Exit 1 if any case is WRONG.`;

function int(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  return Number(v);
}

/** Case k of seed s: a pure function of (s, k), from Philox words, so any case can be replayed. */
export function fuzzCase(seed: number, k: number, fields: readonly FuzzField[] = FUZZ_FIELDS): FuzzCase {
  const w = randomUint32(seed, 0x66757a7a, 8, 8 * k);
  const unit = (x: number) => x / 2 ** 32;
  const delta = DELTA_KINDS[w[5] % DELTA_KINDS.length];
  const amount = Math.fround((unit(w[6]) * 2 - 1) * 10 ** ((w[7] % 8) - 4));
  return {
    mode: w[0] & 1 ? 'trace' : 'fast',
    field: fields[w[1] % fields.length],
    at: unit(w[2]),
    node: unit(w[3]),
    element: w[4] % 65536,
    delta,
    amount,
  };
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      cases: { type: 'string' },
      task: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      fields: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const cases = int('cases', values.cases, 1000, 1);
  const steps = int('steps', values.steps, 12, 2);
  const seed = int('seed', values.seed, 1, 0);
  const fields = (values.fields ?? FUZZ_FIELDS.join(',')).split(',').map((f) => f.trim());
  const unknown = fields.find((f) => !(FUZZ_FIELDS as readonly string[]).includes(f));
  if (unknown !== undefined)
    throw new Error(`--fields: unknown field "${unknown}" (valid: ${FUZZ_FIELDS.join(', ')})`);
  const file = values.task ?? 'tasks/spirals-mlp.json';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read task file ${file}: ${(err as Error).message}`);
  }
  const base = parseTaskText(text, file);
  const task = { ...base, steps, checkpointEvery: Math.max(1, Math.ceil(steps / 3)) };
  const fuzz = new SoundnessFuzzer(task);
  const counts = new Map<FuzzOutcome, number>();
  const byField = new Map<string, number>();
  const wrong: string[] = [];
  // The bar goes to stderr, so it never mixes with the counts (text or --json) on stdout.
  const bar = progressBar(`fuzz ${task.name}`, cases);
  const t0 = performance.now();
  for (let k = 0; k < cases; k++) {
    const c = fuzzCase(seed, k, fields as FuzzField[]);
    const r = await fuzz.run(c);
    counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    if (r.outcome === 'pinpointed')
      byField.set(`${c.mode} ${c.field}`, (byField.get(`${c.mode} ${c.field}`) ?? 0) + 1);
    if (r.outcome === 'WRONG') wrong.push(`case ${k}: ${r.detail}`);
    bar.update(k + 1, `${counts.get('WRONG') ?? 0} wrong`);
  }
  bar.done();
  const seconds = (performance.now() - t0) / 1000;
  const order: FuzzOutcome[] = [
    'pinpointed',
    'no-committed-change',
    'diverged',
    'unrepresentable',
    'op-refused',
    'WRONG',
  ];
  if (values.json) {
    console.log(
      JSON.stringify({
        task: task.name,
        steps,
        seed,
        cases,
        seconds,
        outcomes: Object.fromEntries(order.map((o) => [o, counts.get(o) ?? 0])),
        pinpointedByField: Object.fromEntries([...byField].sort()),
        wrong,
      }),
    );
  } else {
    console.log(
      `fuzz ${task.name}: ${cases} cases (${steps} steps, seed ${seed}) in ${seconds.toFixed(1)} s`,
    );
    for (const o of order) console.log(`  ${o.padEnd(20)} ${counts.get(o) ?? 0}`);
    console.log(
      `  pinpointed by mode and field: ${[...byField]
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    for (const w of wrong) console.log(`WRONG ${w}`);
  }
  return wrong.length === 0 ? 0 : 1;
}
