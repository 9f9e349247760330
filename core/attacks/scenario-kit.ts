/**
 * How an attack scenario runs (core/attacks/scenarios.ts lists the scenarios): the scenario and outcome
 * types, the per-seed context with its cached honest run, the dispute helper that checks a verdict
 * against the expectation, and the tampering helpers the scenarios share.
 */
import { type ExecHooks, executeRun, type RunTrace } from '../dispute/execute.ts';
import { TraceParty } from '../dispute/party.ts';
import { runDispute } from '../dispute/referee.ts';
import { hash32, syntheticTask } from '../dispute/synthetic.ts';
import { type DisputeTask, refereeConfig } from '../dispute/task.ts';
import type { Transcript } from '../dispute/transcript.ts';
import type { DisputeParty, FaultCode, Loser, Verdict } from '../dispute/types.ts';
import type { LedgerCheck } from '../ledger/copy-check.ts';
import type { Tensor } from '../repops/tensor.ts';
import * as H from './hooks.ts';
import { type JiaOptions, type JiaReport, paramSlots } from './jia.ts';

export interface ScenarioOptions {
  /** Task to attack (default: a 64-step synthetic task from the seed). */
  readonly task?: DisputeTask;
  readonly seed?: number;
  readonly mode?: 'trace' | 'fast';
  readonly deadlineMs?: number;
}

export interface Expectation {
  readonly loser: Loser;
  /** null = not decided at a step (or not asserted). */
  readonly step: number | null;
  readonly op: number | null;
  readonly stage: Verdict['stage'] | null;
  readonly fault: FaultCode | null;
}

export interface SpoofReport {
  readonly paper: string;
  readonly jia: JiaReport;
  readonly jiaOptions: JiaOptions;
  /** Does the plain Jia-style checker accept the spoof? */
  readonly passesJia: boolean;
  /** Is the spoofer caught by the pinpoint dispute against an honest challenger? */
  readonly stoppedByPinpoint: boolean;
  /** Is the spoofer caught by the ledger's identity binding (commit-then-reveal order, bundle keys)? */
  readonly caughtByLedger?: boolean;
  readonly note: string;
}

export interface AttackOutcome {
  readonly name: string;
  readonly title: string;
  readonly verdict: Verdict;
  readonly transcript: Transcript;
  readonly expected: Expectation;
  /** The verdict matches the expectation (who lost, step, op, stage, fault). */
  readonly asExpected: boolean;
  readonly spoof?: SpoofReport;
  /** Ledger-level outcome (copy-proof: the per-op dispute cannot catch it, the ledger does). */
  readonly ledger?: LedgerCheck;
}

export interface AttackScenario {
  readonly name: string;
  readonly title: string;
  /** Who deviates. */
  readonly attacker: 'solver' | 'challenger' | 'both' | 'none';
  readonly description: string;
  run(options?: ScenarioOptions): Promise<AttackOutcome>;
}

export interface Ctx {
  task: DisputeTask;
  seed: number;
  mode: 'trace' | 'fast';
  deadlineMs: number;
  honest: RunTrace;
  rand(k: number, n: number): number;
}

// Honest runs are shared between scenarios of the same task (they are never mutated).
const syntheticTasks = new Map<number, DisputeTask>();
const honestRuns = new WeakMap<DisputeTask, Map<string, RunTrace>>();
function honestRun(task: DisputeTask, mode: 'trace' | 'fast'): RunTrace {
  const m = honestRuns.get(task) ?? new Map<string, RunTrace>();
  honestRuns.set(task, m);
  const r = m.get(mode) ?? executeRun(task, { mode });
  m.set(mode, r);
  return r;
}

export function context(o: ScenarioOptions = {}): Ctx {
  const seed = o.seed ?? 1;
  let task = o.task;
  if (!task) {
    task = syntheticTasks.get(seed) ?? syntheticTask({ seed, steps: 64 });
    syntheticTasks.set(seed, task);
  }
  const mode = o.mode ?? 'trace';
  return {
    task,
    seed,
    mode,
    deadlineMs: o.deadlineMs ?? 250,
    honest: honestRun(task, mode),
    rand: (k, n) => hash32(seed, 77_000 + k) % n,
  };
}

export const run = (c: Ctx, hooks: ExecHooks): RunTrace => executeRun(c.task, { mode: c.mode, hooks });

/** Independent oracle: first node of step t whose output digest differs between two runs. */
export function firstDifferingOp(a: RunTrace, b: RunTrace, t: number): number | null {
  const da = a.step(t).digests;
  const db = b.step(t).digests;
  for (let i = 0; i < da.length; i++) if (da[i] !== db[i]) return i;
  return null;
}

export function nonLeafOps(task: DisputeTask, t: number): number[] {
  return task.graph(t).nodes.flatMap((n, i) => (n.op === 'leaf' ? [] : [i]));
}

function matches(v: Verdict, e: Expectation): boolean {
  return (
    v.loser === e.loser &&
    (e.step === null || v.step === e.step) &&
    (e.op === null || v.op === e.op) &&
    (e.stage === null || v.stage === e.stage) &&
    (e.fault === null || [v.faults.solver?.code, v.faults.challenger?.code].includes(e.fault))
  );
}

export async function dispute(
  c: Ctx,
  name: string,
  title: string,
  solver: DisputeParty,
  challenger: DisputeParty,
  expected: Expectation,
  spoof?: Omit<SpoofReport, 'stoppedByPinpoint'>,
): Promise<AttackOutcome> {
  const { verdict, transcript } = await runDispute(
    solver,
    challenger,
    refereeConfig(c.task, c.mode, c.deadlineMs),
  );
  const asExpected = matches(verdict, expected);
  const out: AttackOutcome = { name, title, verdict, transcript, expected, asExpected };
  if (!spoof) return out;
  return { ...out, spoof: { ...spoof, stoppedByPinpoint: verdict.losers.includes('solver') } };
}

export const honestParty = (c: Ctx, name = 'honest'): TraceParty => new TraceParty(name, c.honest);

/** The solver loses at step s, on the first op where its run departs from the honest one. */
export const firstOpFrom = (c: Ctx, bad: RunTrace, s: number): Expectation =>
  E('solver', s, firstDifferingOp(c.honest, bad, s), 'recompute', 'wrong-output');

/** The common scenario shape: a solver answering from its own run `bad` against an honest challenger. */
export function cheatingSolver(
  c: Ctx,
  scenario: { readonly name: string; readonly title: string },
  party: string,
  bad: RunTrace,
  expected: Expectation,
): Promise<AttackOutcome> {
  return dispute(c, scenario.name, scenario.title, new TraceParty(party, bad), honestParty(c), expected);
}
export const E = (
  loser: Loser,
  step: number | null,
  op: number | null,
  stage: Verdict['stage'] | null,
  fault: FaultCode | null,
): Expectation => ({
  loser,
  step,
  op,
  stage,
  fault,
});

export function firstLeaf(task: DisputeTask, t: number, kinds: readonly string[]): number {
  const i = task.graph(t).nodes.findIndex((n) => n.op === 'leaf' && kinds.includes(String(n.attrs.kind)));
  if (i < 0) throw new Error(`task ${task.name} has no ${kinds.join('/')} leaf`);
  return i;
}

/**
 * A tampered run (one op, one element, a few ulps) used by several scenarios. On real models a tiny tamper
 * can be absorbed (ReLU of a negative value, rounding) so the final state equals the honest one and there
 * is nothing to dispute; such a cheater gained nothing, so the scenario draws again (up to 16 times).
 */
export function tampered(c: Ctx, salt = 0): { t: number; i: number; run: RunTrace } {
  const T = c.task.steps;
  const final = c.honest.records[T - 1].stateAfter;
  let last: { t: number; i: number; run: RunTrace } | null = null;
  for (let k = 0; k < 16; k++) {
    const s = salt + 100 * k;
    const t = c.rand(1 + s, T);
    const ops = nonLeafOps(c.task, t);
    const i = ops[c.rand(2 + s, ops.length)];
    const bad = executeRun(c.task, {
      mode: c.mode,
      base: c.honest,
      fromStep: t,
      hooks: H.alterOp(t, i, c.rand(3 + s, 1 << 16), 1 + c.rand(4 + s, 3)),
    });
    last = { t, i, run: bad };
    if (bad.records[T - 1].stateAfter !== final) return last;
  }
  return last as { t: number; i: number; run: RunTrace };
}

export const JIA: JiaOptions = { delta: 0.05, q: 1, epochSegments: 4 };
export const JIA_K = 4;

/** Moves each parameter element toward the target by at most eta. */
export function nudgeToward(out: Tensor, target: Tensor, eta: number): Tensor {
  const data = new Float32Array(out.data.length);
  for (let e = 0; e < data.length; e++) {
    const d = target.data[e] - out.data[e];
    data[e] = Math.fround(out.data[e] + Math.max(-eta, Math.min(eta, d)));
  }
  return { shape: [...out.shape], data };
}

/** A "stolen" model: the honest final parameters shifted by 0.1 (another owner's fine-tune). */
export function stolenTarget(c: Ctx): Tensor[] {
  const final = c.honest.states[c.task.steps];
  const params = new Set(paramSlots(c.task));
  return final.map((t, k) =>
    params.has(k) ? { shape: [...t.shape], data: t.data.map((x) => Math.fround(x + 0.1)) } : t,
  );
}
