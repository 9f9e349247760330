/**
 * Compare any two proofs of the same task (issue 15), over core/*: the step records of both bundles
 * (first diverging step by record digest), one step's ops classified against the second proof (traces
 * replayed by the views' 'proof.trace', so the Graph view shows the same nodes) and the pinpoint dispute
 * between the two bundles — the same core/dispute `disputeBundles` run `pinpoint dispute a b` makes.
 *
 * Disputes run here are kept for the session and joined into the Dispute view's list
 * (`withCompareDisputes`), so the view opens them like any other transcript.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { disputeBundles, loadForDispute } from '../../../core/dispute/bundles.ts';
import { stepRecordDigest } from '../../../core/dispute/record.ts';
import { canonicalJson } from '../../../core/hash/digest.ts';
import { type LoadedBundle, readBundle } from '../../../core/proof/read.ts';
import type { StepMetrics } from '../../../core/train/metrics.ts';
import type { StepRecord } from '../../../core/train/record.ts';
import type {
  CompareApi,
  CompareSide,
  CompareStepResult,
  CompareSummary,
  OpMark,
} from '../../shared/api-compare.ts';
import type { DisputeEntry, DisputeReplay, StepTrace, ViewsApi } from '../../shared/api-views.ts';
import type { BackendContext } from './context.ts';
import { BadRequest } from './paths.ts';
import { publicGraph } from './views.ts';

/** Classifies a step's ops (tape order = topological order): ✓ same digest, ✗ differs, ◆ first ✗. */
export function classifyOps(
  a: readonly { op: string; digest: string }[],
  b: readonly { op: string; digest: string }[],
): { marks: OpMark[]; first: number | null; agree: number; disagree: number } {
  if (a.length !== b.length) throw new Error(`the step graphs differ: ${a.length} ops vs ${b.length} ops`);
  let first: number | null = null;
  let disagree = 0;
  const marks = a.map((n, i): OpMark => {
    if (n.op !== b[i].op) throw new Error(`the step graphs differ at op #${i}: ${n.op} vs ${b[i].op}`);
    if (n.digest === b[i].digest) return 'agree';
    disagree += 1;
    if (first !== null) return 'disagree';
    first = i;
    return 'culprit';
  });
  return { marks, first, agree: a.length - disagree, disagree };
}

/** The fields a step record has in both modes (a fast and a trace proof of one run agree on these). */
function stateFields(r: StepRecord): string {
  return canonicalJson({
    step: r.step,
    stateBefore: r.stateBefore,
    stateAfter: r.stateAfter,
    batchDigest: r.batchDigest,
    loss: r.loss,
  });
}

/** Why two tasks differ, in words: the top-level task fields whose values differ. */
/** One series per committed metric; accuracy only when every step has one (no labels: null). */
function metricSeries(rows: readonly StepMetrics[] | null): CompareSide['metrics'] {
  if (!rows || rows.length === 0) return {};
  const out: CompareSide['metrics'] = {
    lr: rows.map((r) => r.lr),
    gradNorm: rows.map((r) => r.gradNorm),
    updateNorm: rows.map((r) => r.updateNorm),
    weightNorm: rows.map((r) => r.weightNorm),
  };
  if (rows.every((r) => r.accuracy !== null)) out.accuracy = rows.map((r) => r.accuracy as number);
  return out;
}

function taskDifference(a: LoadedBundle, b: LoadedBundle): string {
  const ta = a.manifest.task as unknown as Record<string, unknown>;
  const tb = b.manifest.task as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ta), ...Object.keys(tb)])].sort();
  const differ = keys.filter((k) => canonicalJson(ta[k] ?? null) !== canonicalJson(tb[k] ?? null));
  return differ.length ? `they differ in ${differ.join(', ')}` : 'their task specs differ';
}

export function createCompareHandlers(ctx: BackendContext, views: ViewsApi) {
  const bundles = new Map<string, LoadedBundle>();
  const disputes = new Map<string, DisputeReplay>();

  function load(path: unknown, role: string, method: string): LoadedBundle {
    if (typeof path !== 'string' || !path)
      throw new BadRequest(`${method}: "${role}" must be the path of a proof bundle`);
    const file = ctx.resolvePath(path);
    const hit = bundles.get(file);
    if (hit) return hit;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new BadRequest(`${method}: cannot read ${file}: ${(err as Error).message}`, { file });
    }
    let bundle: LoadedBundle;
    try {
      bundle = readBundle(bytes, file);
    } catch (err) {
      throw new BadRequest(`${method}: ${file} is not a valid proof bundle: ${(err as Error).message}`, {
        file,
      });
    }
    bundles.set(file, bundle);
    return bundle;
  }

  /** Both bundles, refused with a message naming both files when they prove different tasks. */
  function pair(args: { a: string; b: string }, method: string): [LoadedBundle, LoadedBundle] {
    const a = load(args?.a, 'a', method);
    const b = load(args?.b, 'b', method);
    if (a.manifest.taskDigest !== b.manifest.taskDigest) {
      const ta = a.manifest.task.name;
      const tb = b.manifest.task.name;
      throw new BadRequest(
        `${basename(a.file)} and ${basename(b.file)} are proofs of different tasks, so they cannot be compared: ` +
          `${basename(a.file)} proves "${ta}" (task digest ${a.manifest.taskDigest.slice(0, 12)}…), ` +
          `${basename(b.file)} proves "${tb}" (task digest ${b.manifest.taskDigest.slice(0, 12)}…)` +
          `${ta === tb ? ' — same name, but ' : ' — '}${taskDifference(a, b)}`,
        { code: 'task-mismatch', file: b.file },
      );
    }
    return [a, b];
  }

  function side(x: LoadedBundle): CompareSide {
    const m = x.manifest;
    return {
      path: x.file,
      name: basename(x.file),
      taskId: m.task.name,
      taskDigest: m.taskDigest,
      mode: m.mode,
      runCommitment: m.runCommitment,
      losses: m.steps.map((s) => s.loss),
      metrics: metricSeries(x.stepMetrics()),
    };
  }

  const handlers: CompareApi = {
    async 'compare.summary'(args) {
      const [a, b] = pair(args, 'compare.summary');
      const ra = a.manifest.steps;
      const rb = b.manifest.steps;
      const basis = a.manifest.mode === b.manifest.mode ? 'record' : 'state';
      const key = basis === 'record' ? stepRecordDigest : stateFields;
      const steps = Math.min(ra.length, rb.length);
      let first: number | null = null;
      let diverging = 0;
      for (let i = 0; i < steps; i++) {
        if (key(ra[i]) === key(rb[i])) continue;
        diverging += 1;
        first ??= i;
      }
      const summary: CompareSummary = {
        a: side(a),
        b: side(b),
        basis,
        firstDivergingStep: first,
        divergingSteps: diverging,
        steps,
      };
      return summary;
    },

    async 'compare.step'(args) {
      const [a, b] = pair(args, 'compare.step');
      const step = args.step;
      // The graph comes from the replay; the digests compared are what each proof commits to (its recorded
      // op digests, trace mode) — a proof whose claim differs from its own replay is still compared on its
      // claim, as a dispute would. Fast-mode proofs record none: their replayed digests stand in.
      const claimed = async (x: LoadedBundle): Promise<StepTrace> => {
        const t = await views['proof.trace']({ path: x.file, step });
        const rec = x.opDigests(step);
        if (!rec || rec.length !== t.nodes.length) return t;
        return { ...t, nodes: t.nodes.map((n, i) => ({ ...n, digest: rec[i] })) };
      };
      const ta = await claimed(a);
      const tb = await claimed(b);
      let cls: ReturnType<typeof classifyOps>;
      try {
        cls = classifyOps(ta.nodes, tb.nodes);
      } catch (err) {
        throw new BadRequest(
          `compare.step: step ${step} of ${basename(a.file)} and ${basename(b.file)}: ${(err as Error).message}`,
        );
      }
      const res: CompareStepResult = { step, a: ta, b: tb, ...cls };
      return res;
    },

    async 'compare.dispute'(args) {
      const [a, b] = pair(args, 'compare.dispute');
      const r = await disputeBundles(
        loadForDispute({ file: a.file, bytes: readFileSync(a.file) }),
        loadForDispute({ file: b.file, bytes: readFileSync(b.file) }),
      ).catch((err: Error) => {
        throw new BadRequest(`compare.dispute: ${err.message}`, { file: b.file });
      });
      const v = r.transcript.verdict;
      let graph: DisputeReplay['graph'] = null;
      if (typeof v.step === 'number') {
        graph = publicGraph((await views['proof.trace']({ path: a.file, step: v.step })).nodes);
      }
      const id = `compare:${disputes.size + 1}`;
      const replay: DisputeReplay = {
        id,
        title: `Dispute: ${basename(a.file)} (solver) vs ${basename(b.file)} (challenger)`,
        transcript: r.transcript,
        graph,
        ledgerDispute: null,
        ledgerPath: null,
        proofPath: a.file,
      };
      disputes.set(id, replay);
      return replay;
    },
  };

  /** The views' dispute list/load, extended with the disputes run here (newest first). */
  function withCompareDisputes(v: ViewsApi): Pick<ViewsApi, 'dispute.list' | 'dispute.load'> {
    return {
      async 'dispute.list'(args) {
        const mine: DisputeEntry[] = [...disputes.values()].reverse().map((d) => ({
          id: d.id,
          title: d.title,
          source: 'file',
          task: d.transcript.task,
          outcome:
            d.transcript.verdict.loser === 'both'
              ? 'both lose'
              : `${d.transcript.verdict.loser ?? 'nobody'} loses`,
        }));
        return [...mine, ...(await v['dispute.list'](args))];
      },
      async 'dispute.load'(args) {
        const hit = args?.id ? disputes.get(args.id) : undefined;
        return hit ?? v['dispute.load'](args);
      },
    };
  }

  return { handlers, withCompareDisputes };
}
