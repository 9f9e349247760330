/**
 * The chain's game events as ledger actions (docs/LEDGER.md), in chain order, so the SQLite ledger can
 * mirror a deployed PinpointGame (`pinpoint ledger sync`) and `ledger verify --rpc` can check the mirror.
 * Deterministic: the same events always give the same actions, so a ledger holding the first k of them
 * is a prefix and sync appends the rest. Pure.
 */
import type { Action, GameParams, Loser } from '../ledger/types.ts';
import type { ChainGameParams } from './game.ts';

export interface ChainLog {
  eventName: string;
  args: Record<string, unknown>;
}

/** Where withdrawn wei go in the ledger (the ledger has no burn: a named sink keeps its invariant). */
export const WITHDRAWN = 'chain:withdrawn';

const LOSERS: Record<number, Loser> = { 1: 'solver', 2: 'challenger', 3: 'both' };

export const accountId = (a: unknown): string => String(a).toLowerCase();
/** Ledger task ids are at most 64 characters: the 32-byte key without 0x. */
export const taskId = (k: unknown): string => String(k).toLowerCase().replace(/^0x/, '');
const hex = (h: unknown): string => String(h).toLowerCase().replace(/^0x/, '');

function amount(v: unknown, what: string): number {
  const n = typeof v === 'bigint' ? v : BigInt(String(v));
  if (n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error(`${what} ${n} wei exceeds the ledger's safe-integer units (2^53 − 1)`);
  return Number(n);
}

/** The transcript a settlement carries into the ledger: the referee's file when its digest matches, else a minimal record. */
export type TranscriptLookup = (digest: string) => object | undefined;

export function mirrorActions(
  logs: readonly ChainLog[],
  transcripts: TranscriptLookup = () => undefined,
): Action[] {
  const out: Action[] = [];
  const opened = new Set<string>();
  const disputes = new Map<string, number>();
  const open = (a: string) => {
    if (!opened.has(a)) {
      opened.add(a);
      out.push({ type: 'account.open', account: a });
    }
  };
  for (const l of logs) {
    const a = l.args;
    switch (l.eventName) {
      case 'Deposited': {
        const acc = accountId(a.account);
        open(acc);
        const n = amount(a.amount, 'deposit');
        if (n > 0) out.push({ type: 'mint', account: acc, amount: n });
        break;
      }
      case 'Withdrawn': {
        open(WITHDRAWN);
        const n = amount(a.amount, 'withdrawal');
        if (n > 0) out.push({ type: 'transfer', from: accountId(a.account), to: WITHDRAWN, amount: n });
        break;
      }
      case 'TaskPosted':
        out.push({
          type: 'task.post',
          task: taskId(a.task),
          submitter: accountId(a.submitter),
          bounty: amount(a.bounty, 'bounty'),
        });
        break;
      case 'TaskClaimed':
        open(accountId(a.solver));
        out.push({ type: 'task.claim', task: taskId(a.task), solver: accountId(a.solver) });
        break;
      case 'ProofSubmitted':
        out.push({
          type: 'proof.submit',
          task: taskId(a.task),
          solver: accountId(a.solver),
          runCommitment: hex(a.runRoot),
        });
        break;
      case 'ProofCommitted':
        out.push({
          type: 'proof.commit',
          task: taskId(a.task),
          solver: accountId(a.solver),
          sealed: hex(a.seal),
        });
        break;
      case 'ProofRevealed':
        out.push({
          type: 'proof.reveal',
          task: taskId(a.task),
          solver: accountId(a.solver),
          runCommitment: hex(a.runRoot),
          salt: hex(a.salt),
        });
        break;
      case 'TaskVerified':
        open(accountId(a.verifier));
        out.push({ type: 'task.verify', task: taskId(a.task), verifier: accountId(a.verifier) });
        break;
      case 'DisputeOpened':
        disputes.set(taskId(a.task), disputes.size + 1);
        out.push({ type: 'dispute.open', task: taskId(a.task), challenger: accountId(a.challenger) });
        break;
      case 'DisputeSettled': {
        const loser = LOSERS[Number(a.loser)];
        const byTimeout = a.byTimeout === true;
        const verdict = {
          loser,
          step: byTimeout ? null : Number(a.step),
          op: null,
          reason: byTimeout ? 'timeout' : 'referee',
        };
        const file = byTimeout ? undefined : transcripts(hex(a.transcript));
        const t = file ?? { verdict, rounds: [], chain: { transcriptDigest: hex(a.transcript), byTimeout } };
        const fileVerdict = (
          file as { verdict?: { step?: number | null; op?: number | string | null } } | undefined
        )?.verdict;
        out.push({
          type: 'dispute.settle',
          dispute: disputes.get(taskId(a.task)) ?? 0,
          verdict: file
            ? { ...verdict, step: fileVerdict?.step ?? null, op: fileVerdict?.op ?? null }
            : verdict,
          transcript: t,
        });
        break;
      }
      case 'TaskFinalized':
        out.push({ type: 'task.finalize', task: taskId(a.task) });
        break;
      default:
        // RoundCommitted / RoundAdvanced (no ledger counterpart), and the effects ProofCopied, Slashed,
        // Jackpot, Moved, TreasuryPaid, which the ledger re-derives from its own rules (a reveal the
        // contract caught as a copy is one the ledger's copy rule catches too: verify --rpc checks it).
        break;
    }
  }
  return out;
}

/** The contract's parameters as the ledger's GameParams. */
export function ledgerParams(p: Omit<ChainGameParams, 'roundSeconds' | 'challengeSeconds'>): GameParams {
  return {
    solverStake: amount(p.solverStake, 'solverStake'),
    challengerStake: amount(p.challengerStake, 'challengerStake'),
    verifierReward: amount(p.verifierReward, 'verifierReward'),
    slashBps: p.slashBps,
    whistleblowerBps: p.whistleblowerBps,
    treasuryBps: p.treasuryBps,
  };
}
