/**
 * A dispute transcript (core/dispute/transcript.ts) as a sequence of animation frames (pure): one per
 * recorded round, then the referee's recomputation, then the verdict. Each frame carries the phase-1
 * step interval and the phase-2 op interval *after* that round (carried forward), the probe, both
 * parties' digests and the running cost — everything the player draws, so drawing is stateless.
 */
import type { RoundRecord, Transcript } from '../../../core/dispute/transcript.ts';

export type FramePhase = 'setup' | 'steps' | 'ops' | 'referee' | 'verdict';

export interface PartyAnswer {
  status: string;
  /** The digest this party stated in the round (stateAfter, op root, child hash or op output). */
  digest: string | null;
  bytes: number;
  fault: string | null;
}

export interface ReplayFrame {
  index: number;
  phase: FramePhase;
  stage: string;
  title: string;
  note: string;
  /** Phase-1 interval after this frame: agreed after `lo`, disagreement after `hi` (lo −1 = initial state). */
  steps: { lo: number; hi: number } | null;
  /** Phase-2 interval after this frame: first differing op in [lo, hi). */
  ops: { lo: number; hi: number } | null;
  probeStep: number | null;
  probeOps: [number, number] | null;
  solver: PartyAnswer | null;
  challenger: PartyAnswer | null;
  agree: boolean | null;
  cost: { stepRounds: number; opRounds: number; messages: number; bytes: number };
}

export interface ReplayModel {
  frames: ReplayFrame[];
  totalSteps: number;
  /** Op count of the disputed step when known (from the op intervals). */
  opCount: number | null;
  verdict: VerdictSummary;
}

export interface VerdictSummary {
  outcome: string;
  loser: string;
  /** One line, e.g. "Challenger wins — solver loses its stake". */
  headline: string;
  /** e.g. "step 7 · op #42 matmul.vjp1". */
  pinpoint: string;
  reason: string;
  step: number | null;
  op: number | null;
  opName: string | null;
}

function rec(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The digest a party stated in a round, by question kind. */
function answerDigest(kind: string, value: unknown): string | null {
  const v = rec(value);
  if (!v) return null;
  switch (kind) {
    case 'open-step':
      return typeof rec(v.record)?.stateAfter === 'string' ? (rec(v.record)?.stateAfter as string) : null;
    case 'claim':
      return typeof v.runRoot === 'string' ? v.runRoot : null;
    case 'commit-ops':
      return typeof v.root === 'string' ? v.root : null;
    case 'children':
    case 'run-children':
      // The left child: the round's agree flag says whether the two left halves match.
      return typeof v.left === 'string' ? v.left : null;
    case 'open-op':
      return typeof v.digest === 'string' ? v.digest : null;
    default:
      return null;
  }
}

function party(r: RoundRecord, role: 'solver' | 'challenger'): PartyAnswer | null {
  const a = r.answers[role];
  if (!a) return null;
  return {
    status: a.status,
    digest: answerDigest(r.question.kind, a.value),
    bytes: a.bytes,
    fault: a.fault ? `${a.fault.code}: ${a.fault.detail}` : null,
  };
}

function phaseOf(stage: string): FramePhase {
  if (stage === 'steps' || stage === 'chain') return 'steps';
  if (stage === 'ops' || stage === 'leaf' || stage === 'seal') return 'ops';
  if (stage === 'recompute') return 'referee';
  if (stage === 'verdict') return 'verdict';
  return 'setup';
}

export function summarizeVerdict(t: Transcript): VerdictSummary {
  const v = t.verdict;
  const loser = v.loser;
  const headline =
    v.outcome === 'solver-wins'
      ? 'Solver wins — the challenger loses its stake'
      : v.outcome === 'challenger-wins'
        ? 'Challenger wins — the solver loses its stake'
        : 'Both lose — both stakes are slashed';
  const parts: string[] = [];
  if (v.step !== null) parts.push(`step ${v.step}`);
  if (v.op !== null) parts.push(`op #${v.op}${v.opName ? ` ${v.opName}` : ''}`);
  return {
    outcome: v.outcome,
    loser,
    headline,
    pinpoint: parts.length ? parts.join(' · ') : `decided at ${v.stage}`,
    reason: v.reason,
    step: v.step,
    op: v.op,
    opName: v.opName,
  };
}

export function replayModel(t: Transcript): ReplayModel {
  if (!t || !Array.isArray(t.rounds) || !t.verdict)
    throw new Error('dispute replay: not a transcript (needs rounds and verdict)');
  const frames: ReplayFrame[] = [];
  let steps: { lo: number; hi: number } | null = null;
  let ops: { lo: number; hi: number } | null = null;
  let opCount: number | null = null;
  const cost = { stepRounds: 0, opRounds: 0, messages: 0, bytes: 0 };
  for (const r of t.rounds) {
    const q = r.question;
    if (r.steps) steps = { lo: r.steps.lo, hi: r.steps.hi };
    if (q.kind === 'children' && q.range && opCount === null) opCount = q.range[1] - q.range[0];
    if (q.kind === 'children' && !ops && q.range) ops = { lo: q.range[0], hi: q.range[1] };
    if (r.ops) ops = { lo: r.ops.lo, hi: r.ops.hi };
    const ph = phaseOf(r.stage);
    if (r.bisection && ph === 'steps') cost.stepRounds++;
    if (r.bisection && ph === 'ops') cost.opRounds++;
    cost.messages++;
    cost.bytes += (r.answers.solver?.bytes ?? 0) + (r.answers.challenger?.bytes ?? 0);
    const probeStep =
      q.kind === 'open-step' && typeof q.step === 'number'
        ? q.step
        : q.kind === 'run-children' && q.range
          ? q.range[0]
          : null;
    const title = roundTitle(r);
    frames.push({
      index: frames.length,
      phase: ph,
      stage: r.stage,
      title,
      note: repeats(title, r.note) ? '' : r.note,
      steps: steps && { ...steps },
      ops: ops && { ...ops },
      probeStep,
      probeOps:
        q.kind === 'children' && q.range
          ? [q.range[0], q.range[1]]
          : q.kind === 'open-op' && typeof q.index === 'number'
            ? [q.index, q.index + 1]
            : null,
      solver: party(r, 'solver'),
      challenger: party(r, 'challenger'),
      agree: r.agree ?? null,
      cost: { ...cost },
    });
  }
  if (t.recompute) {
    const rc = t.recompute;
    ops = { lo: rc.index, hi: rc.index + 1 };
    const claim = (d: string | null): PartyAnswer => ({ status: 'ok', digest: d, bytes: 0, fault: null });
    frames.push({
      index: frames.length,
      phase: 'referee',
      stage: 'recompute',
      title: `Referee recomputes op #${rc.index} ${rc.op}`,
      note: rc.error
        ? `the op failed on the agreed inputs: ${rc.error}`
        : `recomputed output ${rc.output?.slice(0, 12) ?? '—'}… from ${rc.inputs.length} agreed input(s) (${rc.flops} FLOPs)`,
      steps: steps && { ...steps },
      ops: { ...ops },
      probeStep: null,
      probeOps: [rc.index, rc.index + 1],
      solver: claim(rc.claims.solver),
      challenger: claim(rc.claims.challenger),
      agree: rc.claims.solver === rc.claims.challenger,
      cost: { ...cost },
    });
  }
  const verdict = summarizeVerdict(t);
  frames.push({
    index: frames.length,
    phase: 'verdict',
    stage: 'verdict',
    title: verdict.headline,
    note: verdict.reason,
    steps: steps && { ...steps },
    ops: ops && { ...ops },
    probeStep: null,
    probeOps: null,
    solver: null,
    challenger: null,
    agree: null,
    cost: { ...cost },
  });
  return { frames, totalSteps: t.public.steps, opCount, verdict };
}

/** Words of a sentence, for comparing two texts regardless of case and punctuation. */
const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * Whether `note` only repeats `title` ("Both state their run commitment" — "both parties state their
 * run commitment"): then the narration shows the title alone instead of saying it twice.
 */
export function repeats(title: string, note: string): boolean {
  const t = words(title);
  const n = words(note);
  if (!n) return true;
  if (t.includes(n) || n.includes(t)) return true;
  // Same words apart from a few fillers ("parties"): at most one word of the note is new.
  const tw = new Set(t.split(' '));
  const extra = n.split(' ').filter((w) => !tw.has(w));
  return extra.length <= 1 && n.split(' ').length >= 3;
}

/**
 * The phase-1 axis over T steps: each step is a cell centred on its number, so the axis starts at
 * step 0 (the initial state is the left edge, not a "step −1") and interval bounds "after step s"
 * fall between cells, at s + 0.5. Ticks are whole step numbers only.
 */
export function phase1Axis(T: number, maxTicks = 12): { domain: [number, number]; ticks: number[] } {
  const last = Math.max(0, T - 1);
  const every = Math.max(1, Math.ceil((last + 1) / maxTicks));
  const nice = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((s) => s >= every) ?? every;
  const ticks: number[] = [];
  for (let s = 0; s <= last; s += nice) ticks.push(s);
  return { domain: [-0.5, last + 0.5], ticks };
}

function roundTitle(r: RoundRecord): string {
  const q = r.question;
  switch (q.kind) {
    case 'claim':
      return 'Both state their run commitment';
    case 'open-step':
      return r.stage === 'steps' ? `Round: state after step ${q.step}?` : `Open step ${q.step}`;
    case 'commit-ops':
      return `Commit op root of step ${q.step}`;
    case 'run-children':
      return q.range
        ? `Round: step records [${q.range[0]}, ${q.range[1]}) — which half differs?`
        : 'Round: run tree';
    case 'children':
      return q.range ? `Round: ops [${q.range[0]}, ${q.range[1]}) — which half differs?` : 'Round: op tree';
    case 'open-op':
      return `Open output of op #${q.index}`;
    case 'open-state-before':
      return `Open state slot ${q.slot}`;
    case 'reveal-inputs':
      return `Reveal inputs of op #${q.index}`;
    case 'seal-state':
      return `Seal state after step ${q.step}`;
    default:
      return String(q.kind);
  }
}
