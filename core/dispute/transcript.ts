/**
 * The dispute transcript: a complete, JSON-serialisable, versioned record of every round (question, both
 * answers with their proofs, the checks the referee made, the narrowing interval), the final op with its
 * input digests, the referee's recomputation, the verdict and the cost. The ledger stores it with the
 * dispute; the desktop app animates it through `replay()`. Schema: docs/DISPUTE.md.
 */
import type { Digest } from '../hash/hex.ts';
import type { CostReport } from './cost.ts';
import type { Fault, Role, Verdict } from './types.ts';

export const TRANSCRIPT_FORMAT = 'pinpoint.dispute-transcript';
/**
 * 2: phase 1 descends the run tree of full step records ('run-children' rounds) instead of bisecting
 * states; loss checks. Version 1 transcripts (state bisection) still parse and replay.
 */
export const TRANSCRIPT_VERSION = 2;
export const TRANSCRIPT_VERSIONS_READ: readonly number[] = [1, 2];

export type Stage = 'setup' | 'steps' | 'chain' | 'ops' | 'leaf' | 'recompute' | 'seal' | 'verdict';

export type QuestionKind =
  | 'claim'
  | 'open-step'
  | 'commit-ops'
  | 'run-children'
  | 'children'
  | 'open-op'
  | 'open-state-before'
  | 'reveal-inputs'
  | 'seal-state';

export interface Question {
  readonly kind: QuestionKind;
  readonly step?: number;
  /** Leaf range [lo, hi) of the op-tree node asked about (children). */
  readonly range?: readonly [number, number];
  readonly index?: number;
  readonly slot?: number;
}

/** A tensor as it appears in a transcript: shape, digest and (when small) its little-endian bytes. */
export interface TensorRecord {
  readonly shape: readonly number[];
  readonly digest: Digest;
  /** Base64 of the binary32 little-endian bytes; omitted above TRANSCRIPT_TENSOR_LIMIT elements. */
  readonly dataB64?: string;
}

export interface AnswerRecord {
  readonly status: 'ok' | 'timeout' | 'error';
  /** The answer as JSON (tensors as TensorRecord); absent on timeout/error. */
  readonly value?: unknown;
  /** Bytes on the wire for this answer (tensor payloads counted as raw binary32). */
  readonly bytes: number;
  readonly ms: number;
  /** The referee's checks of this answer: null = accepted, else the fault found. */
  readonly fault: Fault | null;
}

export interface RoundRecord {
  readonly seq: number;
  readonly stage: Stage;
  /** True for the bisection rounds counted against ⌈log2 T⌉ + ⌈log2 N⌉. */
  readonly bisection: boolean;
  readonly question: Question;
  readonly answers: { readonly solver?: AnswerRecord; readonly challenger?: AnswerRecord };
  /** Phase-1 interval after this round: agreed after `lo`, disagreement after `hi` (lo = −1: initial state). */
  readonly steps?: { readonly lo: number; readonly hi: number };
  /** Phase-2 interval after this round: first differing op lies in [lo, hi). */
  readonly ops?: { readonly lo: number; readonly hi: number };
  /** Whether the two parties' answers agreed (bisection rounds). */
  readonly agree?: boolean;
  readonly note: string;
}

export interface RecomputeRecord {
  readonly step: number;
  readonly index: number;
  readonly op: string;
  readonly attrs: unknown;
  readonly inputs: readonly {
    readonly index: number;
    readonly shape: readonly number[];
    readonly digest: Digest;
  }[];
  /** Digest the referee computed (null when the op failed on the agreed inputs). */
  readonly output: Digest | null;
  readonly outputShape: readonly number[] | null;
  readonly error?: string;
  readonly claims: { readonly solver: Digest | null; readonly challenger: Digest | null };
  readonly flops: number;
}

export interface Transcript {
  readonly format: typeof TRANSCRIPT_FORMAT;
  readonly version: 1 | 2;
  readonly task: string;
  readonly mode: 'trace' | 'fast';
  readonly parties: { readonly solver: string; readonly challenger: string };
  readonly public: {
    readonly steps: number;
    readonly initialState: Digest;
    readonly deadlineMs: number;
  };
  readonly rounds: readonly RoundRecord[];
  readonly recompute: RecomputeRecord | null;
  readonly verdict: Verdict;
  readonly cost: CostReport;
}

/** Serialise (stable key order is not needed: transcripts are data, not commitments). */
export function transcriptToJson(t: Transcript): string {
  return JSON.stringify(t, null, 1);
}

export class TranscriptError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'TranscriptError';
  }
}

/** Parse and check the envelope of a transcript (format, version, required fields). */
export function parseTranscript(text: string, where = 'transcript'): Transcript {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new TranscriptError(where, `not JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null) throw new TranscriptError(where, 'not an object');
  const o = v as Record<string, unknown>;
  if (o.format !== TRANSCRIPT_FORMAT)
    throw new TranscriptError(
      where,
      `format is ${JSON.stringify(o.format)}, expected "${TRANSCRIPT_FORMAT}"`,
    );
  if (!TRANSCRIPT_VERSIONS_READ.includes(o.version as number))
    throw new TranscriptError(
      where,
      `unsupported version ${JSON.stringify(o.version)} (this build reads ${TRANSCRIPT_VERSIONS_READ.join(', ')})`,
    );
  if (!Array.isArray(o.rounds)) throw new TranscriptError(where, 'rounds must be an array');
  for (const [i, r] of (o.rounds as unknown[]).entries()) {
    const rr = r as Record<string, unknown> | null;
    if (typeof rr !== 'object' || rr === null || typeof rr.seq !== 'number' || typeof rr.stage !== 'string') {
      throw new TranscriptError(where, `rounds[${i}] lacks seq/stage`);
    }
  }
  if (typeof o.verdict !== 'object' || o.verdict === null)
    throw new TranscriptError(where, 'verdict missing');
  if (typeof o.cost !== 'object' || o.cost === null) throw new TranscriptError(where, 'cost missing');
  return v as Transcript;
}

/** One frame of the step-by-step replay the desktop app animates. */
export interface ReplayFrame {
  readonly index: number;
  readonly stage: Stage;
  readonly round: RoundRecord | null;
  /** Current phase-1 interval (null before phase 1 starts). */
  readonly steps: { readonly lo: number; readonly hi: number } | null;
  /** Disputed step once phase 1 ended. */
  readonly step: number | null;
  /** Current phase-2 interval (null before phase 2). */
  readonly ops: { readonly lo: number; readonly hi: number } | null;
  /** Bisection rounds so far. */
  readonly bisectionRounds: number;
  readonly recompute: RecomputeRecord | null;
  readonly verdict: Verdict | null;
  readonly caption: string;
}

/**
 * Replays a transcript frame by frame: one frame per round, then the recomputation (if any), then the
 * verdict. Each frame carries the intervals as they stand, so a view can draw any frame on its own.
 */
export function* replay(t: Transcript): Generator<ReplayFrame> {
  let steps: { lo: number; hi: number } | null = null;
  let ops: { lo: number; hi: number } | null = null;
  let step: number | null = null;
  let bisections = 0;
  let index = 0;
  for (const r of t.rounds) {
    if (r.steps) steps = { ...r.steps };
    if (r.ops) ops = { ...r.ops };
    if (
      r.question.step !== undefined &&
      (r.stage === 'ops' || r.stage === 'leaf' || r.stage === 'seal' || r.stage === 'recompute')
    ) {
      step = r.question.step;
    }
    if (r.bisection) bisections++;
    yield {
      index: index++,
      stage: r.stage,
      round: r,
      steps,
      step,
      ops,
      bisectionRounds: bisections,
      recompute: null,
      verdict: null,
      caption: r.note,
    };
  }
  if (t.recompute) {
    const rc = t.recompute;
    yield {
      index: index++,
      stage: 'recompute',
      round: null,
      steps,
      step: rc.step,
      ops: { lo: rc.index, hi: rc.index + 1 },
      bisectionRounds: bisections,
      recompute: rc,
      verdict: null,
      caption: `referee recomputes ${rc.op} (node ${rc.index} of step ${rc.step}) from ${rc.inputs.length} agreed input(s)`,
    };
  }
  yield {
    index,
    stage: 'verdict',
    round: null,
    steps,
    step: t.verdict.step,
    ops,
    bisectionRounds: bisections,
    recompute: t.recompute,
    verdict: t.verdict,
    caption: t.verdict.reason,
  };
}

/** Who lost, in one line (CLI, notebooks). */
export function describeVerdict(v: Verdict): string {
  const who = v.loser === 'both' ? 'both parties lose' : `${v.loser} loses`;
  const where =
    v.step === null
      ? ''
      : v.op === null
        ? ` at step ${v.step}`
        : ` at step ${v.step}, op ${v.op} (${v.opName})`;
  return `${who}${where}: ${v.reason}`;
}

export type { Role };
