/**
 * Dispute cost vs full replication for runs of 100, 1 000 and 10 000 steps (synthetic task, one op
 * tampered at a random step), plus a 100-step run of the real spirals MLP (RepOps, Adam). Printed as a
 * table: bisection rounds vs the ⌈log2 T⌉+⌈log2 N⌉ bound, bytes the two parties sent, the referee's
 * FLOPs (one op) vs replaying every step, and wall times.
 */
import { readFileSync } from 'node:fs';
import { alterOp } from '../core/attacks/hooks.ts';
import { executeRun } from '../core/dispute/execute.ts';
import { TraceParty } from '../core/dispute/party.ts';
import { runDispute } from '../core/dispute/referee.ts';
import { repopsTask } from '../core/dispute/repops-task.ts';
import { hash32, syntheticTask } from '../core/dispute/synthetic.ts';
import { type DisputeTask, refereeConfig } from '../core/dispute/task.ts';
import { parseTaskText } from '../core/train/task.ts';

interface Row {
  task: string;
  T: number;
  N: number;
  mode: string;
  rounds: string;
  bound: number;
  bytes: number;
  replBytes: number;
  refFlops: number;
  replFlops: number;
  ratio: number;
  disputeMs: number;
  replayMs: number;
  pinned: string;
}

async function measure(label: string, task: DisputeTask, mode: 'trace' | 'fast', seed: number): Promise<Row> {
  const T = task.steps;
  const t0 = performance.now();
  const honest = executeRun(task, { mode });
  const replayMs = performance.now() - t0;
  const t = hash32(seed, 1) % T;
  const ops = task.graph(t).nodes.flatMap((n, i) => (n.op === 'leaf' ? [] : [i]));
  // Tamper a state-producing op so the deviation reaches the final state on any model.
  const slotOuts = new Set(task.graph(t).slots.map((s) => s.out));
  const i = ops.filter((j) => slotOuts.has(j))[hash32(seed, 2) % slotOuts.size] ?? ops[0];
  const bad = executeRun(task, { mode, base: honest, fromStep: t, hooks: alterOp(t, i, hash32(seed, 3), 1) });
  const t1 = performance.now();
  const { verdict, transcript } = await runDispute(
    new TraceParty('tamperer', bad),
    new TraceParty('honest', honest),
    refereeConfig(task, mode, 600_000),
  );
  const disputeMs = performance.now() - t1;
  const c = transcript.cost;
  return {
    task: label,
    T,
    N: task.graph(t).nodes.length,
    mode,
    rounds: `${c.rounds.steps}+${c.rounds.ops}`,
    bound: c.rounds.bound,
    bytes: c.bytes.total,
    replBytes: c.replication.bytes,
    refFlops: c.referee.flops,
    replFlops: c.replication.flops,
    ratio: c.replication.ratio,
    disputeMs,
    replayMs,
    pinned:
      verdict.step === t && verdict.op === i && verdict.loser === 'solver'
        ? `yes (${t},${i})`
        : `NO: ${verdict.reason}`,
  };
}

function table(rows: Row[]): string {
  const head = [
    'task',
    'T',
    'N ops',
    'mode',
    'rounds',
    'bound',
    'bytes',
    'replica bytes',
    'referee FLOPs',
    'replay FLOPs',
    'referee/replay',
    'dispute ms',
    'replay ms',
    'pinpointed',
  ];
  const body = rows.map((r) => [
    r.task,
    String(r.T),
    String(r.N),
    r.mode,
    r.rounds,
    String(r.bound),
    r.bytes.toLocaleString('en-US'),
    r.replBytes.toLocaleString('en-US'),
    r.refFlops.toLocaleString('en-US'),
    r.replFlops.toLocaleString('en-US'),
    r.ratio.toExponential(2),
    r.disputeMs.toFixed(0),
    r.replayMs.toFixed(0),
    r.pinned,
  ]);
  const w = head.map((h, k) => Math.max(h.length, ...body.map((b) => b[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padStart(w[k])).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

export default async function bench(): Promise<void> {
  const rows: Row[] = [];
  for (const T of [100, 1000, 10_000]) {
    rows.push(
      await measure('synthetic', syntheticTask({ seed: 11, steps: T, width: 16, forwardOps: 12 }), 'fast', T),
    );
    console.log(table(rows.slice(-1)).split('\n').at(-1));
  }
  const spec = parseTaskText(readFileSync('tasks/spirals-mlp.json', 'utf8'), 'tasks/spirals-mlp.json');
  const steps = Number(process.env.PINPOINT_BENCH_MLP_STEPS ?? 100);
  rows.push(await measure('spirals-mlp', repopsTask({ ...spec, steps }), 'trace', 5));
  console.log(`\n${table(rows)}`);
  console.log(
    'rounds = bisection over steps + Merkle descent over ops; bytes = both parties, tensors as raw binary32;',
  );
  console.log(
    'replay = executing every step once (what full replication costs a verifier); dispute ms includes both parties answering;',
  );
  console.log(
    "replica bytes = initial state + every step's batch, what a full replicator must obtain (besides the code).",
  );
}
