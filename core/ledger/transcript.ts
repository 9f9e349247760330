/**
 * Dispute transcripts as the ledger stores them. A transcript is a JSON object whose `verdict` names the
 * loser (and step/op); a transcript in the dispute module's format ("pinpoint.dispute-transcript") is also
 * checked with that module's own envelope parser. The ledger keeps the transcript text in the disputes
 * table and its digest in the hash-chained event, so editing a stored transcript is caught by
 * `ledger verify`.
 */
import { parseTranscript, TRANSCRIPT_FORMAT, type Transcript } from '../dispute/transcript.ts';
import { canonicalJson, digestBytes } from '../hash/digest.ts';
import { type Digest, utf8 } from '../hash/hex.ts';
import { type Action, LedgerError, type Verdict } from './types.ts';

export const TRANSCRIPT_TAG = 'pinpoint.ledger.transcript.v1';
const MAX_TRANSCRIPT_CHARS = 16 * 1024 * 1024;

function bad(msg: string): never {
  throw new LedgerError('bad-transcript', msg);
}

/** The verdict fields a transcript records (`verdict.loser`, `verdict.step`, `verdict.op`). */
function recordedVerdict(t: Record<string, unknown>): Record<string, unknown> {
  const v = t.verdict;
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    bad('dispute transcript has no verdict object');
  return v as Record<string, unknown>;
}

const textCache = new WeakMap<object, string>();

/**
 * Canonical JSON of a transcript, memoised per object: settling checks, digests and stores the same
 * transcript, and serialising a large one is the dominant cost of a settlement.
 */
export function transcriptText(t: object): string {
  let text = textCache.get(t);
  if (text === undefined) {
    text = canonicalJson(t);
    textCache.set(t, text);
  }
  return text;
}

/** Validates a transcript against the verdict being settled and returns its digest. */
export function checkTranscript(transcript: unknown, verdict: Verdict): Digest {
  if (transcript === null || typeof transcript !== 'object' || Array.isArray(transcript))
    bad('dispute transcript must be a JSON object');
  const t = transcript as Record<string, unknown>;
  let text: string;
  try {
    text = transcriptText(t);
  } catch (err) {
    bad(`dispute transcript is not plain JSON: ${(err as Error).message}`);
  }
  if (text.length > MAX_TRANSCRIPT_CHARS)
    bad(`dispute transcript is ${text.length} characters; the limit is ${MAX_TRANSCRIPT_CHARS}`);
  if (t.format !== undefined) {
    if (t.format !== TRANSCRIPT_FORMAT)
      bad(`unknown transcript format ${JSON.stringify(t.format)} (expected "${TRANSCRIPT_FORMAT}")`);
    try {
      parseTranscript(text, 'dispute transcript');
    } catch (err) {
      bad((err as Error).message);
    }
  }
  const rv = recordedVerdict(t);
  if (rv.loser !== verdict.loser)
    bad(
      `verdict says the ${verdict.loser} lost but the transcript records loser ${JSON.stringify(rv.loser)}`,
    );
  for (const k of ['step', 'op'] as const) {
    if (rv[k] !== undefined && (rv[k] ?? null) !== verdict[k]) {
      bad(
        `verdict ${k} ${JSON.stringify(verdict[k])} differs from the transcript's ${JSON.stringify(rv[k])}`,
      );
    }
  }
  // Same bits as digestJson(TRANSCRIPT_TAG, t), without serialising the transcript a second time.
  return digestBytes(TRANSCRIPT_TAG, utf8(text));
}

/** The ledger verdict a dispute-module transcript decides. */
export function verdictOf(t: Transcript): Verdict {
  const v = t.verdict;
  return { loser: v.loser, step: v.step, op: v.op, reason: `${v.stage}: ${v.reason}`.slice(0, 200) };
}

/** The action that settles ledger dispute `dispute` with a core/dispute transcript (stakes move by its verdict). */
export function settlementAction(
  dispute: number,
  t: Transcript,
): Extract<Action, { type: 'dispute.settle' }> {
  return { type: 'dispute.settle', dispute, verdict: verdictOf(t), transcript: t };
}
