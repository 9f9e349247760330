/**
 * Soundness fuzzing (issue 14, docs/DISPUTE.md "One rule"): a solver trains a task honestly except for one
 * tamper — any tape node, element and kind of change (1 ulp, an addition, NaN, ±Inf, −0, a subnormal, a
 * large factor), a false loss, a wrong batch, a forged checkpoint element, false final metrics, a false
 * per-step metric or a false state layout (signed metadata the task determines) — and signs the bundle. Each case checks, against the honest bundle of the same task:
 *  - nothing committed changed ⇔ the run commitment and metrics are the honest ones ⇒ verify accepts it;
 *  - otherwise verify (full replay) rejects it and names the tampered step, and the dispute, with the
 *    cheater as solver and again as challenger, is lost by the cheater and never by the honest party,
 *    at the tampered step (and, in trace mode, at the tampered op when its output digest changed).
 * Pure core: the CLI (`pinpoint fuzz`) and the property test (test/dispute/soundness.property.test.ts)
 * drive it.
 */
import { canonicalJson } from '../hash/digest.ts';
import { bundleFromRun } from '../proof/bundle.ts';
import { keyFromSeed } from '../proof/sign.ts';
import { RepOpsError, type Tensor } from '../repops/tensor.ts';
import { metricsMismatch } from '../train/metrics.ts';
import { runCommitment } from '../train/record.ts';
import { runStep, type Tamper, type TraceMode, type TrainContext } from '../train/step.ts';
import type { TaskSpec } from '../train/task.ts';
import { initialState, prepareTask, type TrainResult, train } from '../train/train.ts';
import { verifyBundle } from '../verify/verify.ts';
import { disputeBundles, loadForDispute } from './bundles.ts';

export const FUZZ_FIELDS = ['op', 'loss', 'batch', 'checkpoint', 'metrics', 'stepMetrics', 'layout'] as const;
export type FuzzField = (typeof FUZZ_FIELDS)[number];
export const DELTA_KINDS = ['ulp', 'add', 'nan', 'inf', '-inf', 'neg-zero', 'subnormal', 'big'] as const;
export type DeltaKind = (typeof DELTA_KINDS)[number];

export interface FuzzCase {
  readonly mode: TraceMode;
  readonly field: FuzzField;
  /** Tampered step (op, loss, batch) or checkpoint index (checkpoint); fractions of the range in [0, 1). */
  readonly at: number;
  /** Tape node (op) or state tensor (checkpoint), as a fraction in [0, 1). */
  readonly node: number;
  readonly element: number;
  readonly delta: DeltaKind;
  /** Magnitude for 'add' (signed). */
  readonly amount: number;
}

export type FuzzOutcome =
  /** Changed something committed; verify rejected it; the cheater lost at the tampered step/op. */
  | 'pinpointed'
  /** The change left every commitment as the honest run's: verify accepts, nothing to dispute. */
  | 'no-committed-change'
  /** Training diverged under the tamper (a non-finite loss): no bundle to dispute. */
  | 'diverged'
  /** The value cannot be written into a bundle (non-finite numbers in the JSON manifest). */
  | 'unrepresentable'
  /** An op refuses the tampered value (e.g. a non-integer class target): no run to commit to. */
  | 'op-refused'
  /** A soundness failure: the detail says which check broke. */
  | 'WRONG';

export interface FuzzResult {
  readonly outcome: FuzzOutcome;
  readonly detail: string;
}

/** Applies a delta kind to one binary32 value (never returns the same bits unless no change exists). */
export function applyDelta(v: number, kind: DeltaKind, amount: number): number {
  switch (kind) {
    case 'ulp': {
      const b = new Float32Array([v]);
      const u = new Uint32Array(b.buffer);
      u[0] = (u[0] + 1) >>> 0;
      if (!Number.isFinite(b[0])) u[0] = (u[0] - 2) >>> 0;
      return b[0];
    }
    case 'add':
      return Math.fround(v + amount);
    case 'nan':
      return Number.NaN;
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    case 'neg-zero':
      return -0;
    case 'subnormal':
      return Math.fround(1e-40);
    case 'big':
      return Math.fround(v * 1e6 + 1);
  }
}

function changed(t: Tensor, element: number, kind: DeltaKind, amount: number): Tensor {
  const data = t.data.slice();
  const e = element % Math.max(1, data.length);
  if (data.length > 0) data[e] = applyDelta(data[e], kind, amount);
  return { shape: [...t.shape], data };
}

/** Everything about the honest run a case compares with, computed once per task and mode. */
interface Honest {
  readonly run: TrainResult;
  readonly bytes: Uint8Array;
  readonly root: string;
}

export class SoundnessFuzzer {
  readonly ctx: TrainContext;
  /** Tape nodes per step and the loss node's index (the tape's shape is the same at every step). */
  readonly nodes: number;
  readonly lossId: number;
  private readonly honest = new Map<TraceMode, Honest>();
  private readonly key = keyFromSeed('pinpoint-fuzz-honest');
  private readonly cheatKey = keyFromSeed('pinpoint-fuzz-cheater');

  constructor(task: TaskSpec) {
    this.ctx = prepareTask(task);
    const r = runStep(this.ctx, initialState(this.ctx), 0, { mode: 'fast' });
    this.nodes = r.nodeCount;
    this.lossId = r.lossId;
  }

  private honestRun(mode: TraceMode): Honest {
    let h = this.honest.get(mode);
    if (!h) {
      const run = train(this.ctx, { mode });
      h = { run, bytes: bundleFromRun(run, this.key), root: runCommitment(run.records) };
      this.honest.set(mode, h);
    }
    return h;
  }

  /** The tampered bundle of a case (null when training diverged) and the step/op it should be found at. */
  private tampered(c: FuzzCase): { bytes: Uint8Array | null; step: number | null; op: number | null } {
    const T = this.ctx.task.steps;
    const step = Math.min(T - 1, Math.floor(c.at * T));
    const honest = this.honestRun(c.mode);
    if (c.field === 'metrics') {
      // node < ½: the final loss; otherwise the final accuracy.
      const key = c.node < 0.5 ? 'loss' : 'accuracy';
      const value = applyDelta(honest.run.metrics[key], c.delta, c.amount);
      // The manifest is canonical JSON: a non-finite metric cannot be signed into a bundle at all.
      if (!Number.isFinite(value)) return { bytes: null, step: null, op: null };
      const run = { ...honest.run, metrics: { ...honest.run.metrics, [key]: value } };
      return { bytes: bundleFromRun(run, this.cheatKey), step: null, op: null };
    }
    if (c.field === 'stepMetrics') {
      // One committed per-step metric (which one: node) at one step; the records stay honest.
      const fields = ['lr', 'gradNorm', 'updateNorm', 'weightNorm', 'accuracy'] as const;
      const key = fields[Math.min(fields.length - 1, Math.floor(c.node * fields.length))];
      const rows = honest.run.stepMetrics.map((m, t) =>
        t === step ? { ...m, [key]: Math.fround(applyDelta(m[key] ?? 0, c.delta, c.amount)) } : m,
      );
      // A value equal to the honest one (e.g. −0 for a +0 accuracy compares unequal: kept) commits nothing new.
      return { bytes: bundleFromRun({ ...honest.run, stepMetrics: rows }, this.cheatKey), step, op: null };
    }
    if (c.field === 'layout') {
      // Signed metadata the task determines: one state-layout entry renamed (the tensors stay honest).
      const i = Math.min(honest.run.layout.length - 1, Math.floor(c.node * honest.run.layout.length));
      const layout = honest.run.layout.map((e, j) => (j === i ? { ...e, name: `${e.name}′` } : e));
      return { bytes: bundleFromRun({ ...honest.run, layout }, this.cheatKey), step: null, op: null };
    }
    if (c.field === 'checkpoint') {
      const cps = honest.run.checkpoints;
      const k = Math.min(cps.length - 1, Math.floor(c.at * cps.length));
      const i = Math.min(cps[k].tensors.length - 1, Math.floor(c.node * cps[k].tensors.length));
      const tensors = cps[k].tensors.map((t, j) => (j === i ? changed(t, c.element, c.delta, c.amount) : t));
      const checkpoints = cps.map((cp, j) => (j === k ? { ...cp, tensors } : cp));
      return { bytes: bundleFromRun({ ...honest.run, checkpoints }, this.cheatKey), step: null, op: null };
    }
    let tamper: Tamper;
    let op: number | null = null;
    if (c.field === 'batch') {
      tamper = {
        batch: (t, idx) => {
          if (t !== step) return idx;
          const out = idx.slice();
          out[c.element % out.length] = (out[c.element % out.length] + 1) % this.ctx.dataset.count;
          return out;
        },
      };
    } else {
      op = c.field === 'loss' ? this.lossId : Math.min(this.nodes - 1, Math.floor(c.node * this.nodes));
      const target = op;
      tamper = {
        node: (t, n) =>
          t === step && n.id === target ? changed(n.out, c.element, c.delta, c.amount) : undefined,
      };
    }
    let run: TrainResult;
    try {
      run = train(this.ctx, { mode: c.mode, tamper });
    } catch (err) {
      if (err instanceof Error && /training diverged/.test(err.message)) return { bytes: null, step, op };
      if (err instanceof RepOpsError) return { bytes: null, step: -1, op };
      throw err;
    }
    try {
      return { bytes: bundleFromRun(run, this.cheatKey), step, op };
    } catch (err) {
      // E.g. a NaN planted in the last step's parameters makes the final metrics NaN: JSON cannot carry it.
      if (err instanceof Error && /non-finite number/.test(err.message))
        return { bytes: null, step: null, op };
      throw err;
    }
  }

  async run(c: FuzzCase): Promise<FuzzResult> {
    const honest = this.honestRun(c.mode);
    const bad = this.tampered(c);
    if (!bad.bytes && bad.step === -1) return { outcome: 'op-refused', detail: describeCase(c) };
    if (!bad.bytes)
      return bad.step === null
        ? { outcome: 'unrepresentable', detail: `${describeCase(c)}: a non-finite value in the manifest` }
        : { outcome: 'diverged', detail: `step ${bad.step}: non-finite loss` };
    const wrong = (detail: string): FuzzResult => ({
      outcome: 'WRONG',
      detail: `${describeCase(c)}: ${detail}`,
    });

    const loadedBad = loadForDispute({ file: 'cheater.pinproof', bytes: bad.bytes });
    const report = 'bundle' in loadedBad ? verifyBundle(loadedBad.bundle, { all: true }) : null;
    const verifyOk = report?.ok === true;
    const sameRun =
      'bundle' in loadedBad &&
      loadedBad.bundle.manifest.runCommitment === honest.root &&
      Object.is(loadedBad.bundle.manifest.metrics.loss, honest.run.metrics.loss) &&
      Object.is(loadedBad.bundle.manifest.metrics.accuracy, honest.run.metrics.accuracy) &&
      canonicalJson(loadedBad.bundle.manifest.stateLayout) === canonicalJson(honest.run.layout);
    // The first step whose committed metrics are not the honest run's (records may still be honest: a
    // tamper masked in the states — e.g. one gradient ulp lost in Adam's rounding — still moves the norm).
    const badMetrics = 'bundle' in loadedBad ? loadedBad.bundle.stepMetrics() : null;
    const metricStep = badMetrics
      ? badMetrics.findIndex((m, t) => metricsMismatch(m, honest.run.stepMetrics[t]) !== null)
      : -1;
    if (sameRun && metricStep >= 0) {
      // Only per-step metrics changed: verify names that step (field 'metrics'); the dispute decides it
      // at setup (equal run roots, differing signed claims), so no step/op is expected from the game.
      if (verifyOk)
        return wrong(`a changed step metric (step ${metricStep}) that verify (full replay) accepts`);
      const f = report?.failures[0];
      if (f?.step !== metricStep || f.field !== 'metrics')
        return wrong(
          `verify names step ${f?.step} (${f?.field}), the changed step metric is at step ${metricStep}`,
        );
      return this.disputeBothWays(c, loadedBad, honest, null, null, wrong);
    }
    if (sameRun) {
      if (!verifyOk)
        return wrong(`commitments unchanged but verify rejects: ${report?.failures[0]?.message}`);
      return { outcome: 'no-committed-change', detail: describeCase(c) };
    }
    if (verifyOk) return wrong('a changed commitment that verify (full replay) accepts');
    if (report && bad.step !== null && report.failures[0]?.step !== bad.step)
      return wrong(`verify names step ${report.failures[0]?.step}, the tamper is at step ${bad.step}`);

    const honestLoaded = loadForDispute({ file: 'honest.pinproof', bytes: honest.bytes });
    // Which op the referee should land on: the tampered node, if its own output digest changed.
    let expectOp: number | null = null;
    if (
      c.mode === 'trace' &&
      bad.op !== null &&
      bad.step !== null &&
      'bundle' in loadedBad &&
      'bundle' in honestLoaded
    ) {
      const mine = loadedBad.bundle.opDigests(bad.step);
      const theirs = honestLoaded.bundle.opDigests(bad.step);
      const first = mine && theirs ? mine.findIndex((d, i) => d !== theirs[i]) : -1;
      if (first >= 0) expectOp = first;
      if (first >= 0 && first !== bad.op)
        return wrong(`first differing op digest ${first}, tampered node ${bad.op}`);
    }
    return this.disputeBothWays(c, loadedBad, honest, bad.step, expectOp, wrong, honestLoaded);
  }

  /** Disputes the cheater's bundle against the honest one, the cheater as solver and as challenger. */
  private async disputeBothWays(
    c: FuzzCase,
    loadedBad: ReturnType<typeof loadForDispute>,
    honest: Honest,
    step: number | null,
    expectOp: number | null,
    wrong: (detail: string) => FuzzResult,
    honestLoaded = loadForDispute({ file: 'honest.pinproof', bytes: honest.bytes }),
  ): Promise<FuzzResult> {
    for (const cheaterIsSolver of [true, false]) {
      const [s, ch] = cheaterIsSolver ? [loadedBad, honestLoaded] : [honestLoaded, loadedBad];
      const { verdict } = await disputeBundles(s, ch, { deadlineMs: 60_000 });
      const cheater = cheaterIsSolver ? 'solver' : 'challenger';
      const honestRole = cheaterIsSolver ? 'challenger' : 'solver';
      const role = `cheater as ${cheater}`;
      if (verdict.losers.includes(honestRole))
        return wrong(`${role}: the honest party loses (${verdict.reason})`);
      if (!verdict.losers.includes(cheater))
        return wrong(`${role}: the cheater does not lose (${verdict.reason})`);
      if (step !== null && verdict.step !== step)
        return wrong(`${role}: decided at step ${verdict.step}, tamper at step ${step}`);
      if (expectOp !== null && verdict.op !== expectOp)
        return wrong(`${role}: decided at op ${verdict.op}, tampered op ${expectOp}`);
    }
    return { outcome: 'pinpointed', detail: describeCase(c) };
  }
}

export function describeCase(c: FuzzCase): string {
  return `${c.mode} ${c.field} at ${c.at.toFixed(3)} node ${c.node.toFixed(3)} element ${c.element} ${c.delta}${c.delta === 'add' ? ` ${c.amount}` : ''}`;
}
