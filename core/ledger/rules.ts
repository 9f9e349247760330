/**
 * The arithmetic of the staking game: pure functions over the parameters. Every split rounds down and
 * gives the remainder to a named party, so no unit is ever created or lost by rounding.
 */
import { BPS, type GameParams, LedgerError } from './types.ts';

export function isAmount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Checks every parameter and returns a clean copy (unknown keys dropped). */
export function validateParams(p: unknown): GameParams {
  if (p === null || typeof p !== 'object')
    throw new LedgerError('params', 'game parameters must be an object');
  const o = p as Record<string, unknown>;
  const out = {} as GameParams;
  for (const k of ['solverStake', 'challengerStake', 'verifierReward'] as const) {
    if (!isAmount(o[k]))
      throw new LedgerError(
        'params',
        `parameter ${k} must be a non-negative safe integer, got ${String(o[k])}`,
      );
    out[k] = o[k];
  }
  for (const k of ['slashBps', 'whistleblowerBps', 'treasuryBps'] as const) {
    if (!isAmount(o[k]) || o[k] > BPS)
      throw new LedgerError(
        'params',
        `parameter ${k} must be an integer in 0..${BPS} (basis points), got ${String(o[k])}`,
      );
    out[k] = o[k];
  }
  if (out.whistleblowerBps + out.treasuryBps > BPS) {
    throw new LedgerError(
      'params',
      `whistleblowerBps + treasuryBps must not exceed ${BPS} (got ${out.whistleblowerBps + out.treasuryBps})`,
    );
  }
  return out;
}

/** floor(amount · bps / 10 000) without leaving the safe-integer range for large amounts. */
export function bpsOf(amount: number, bps: number): number {
  if (amount * bps <= Number.MAX_SAFE_INTEGER) return Math.floor((amount * bps) / BPS);
  return Number((BigInt(amount) * BigInt(bps)) / BigInt(BPS));
}

/** A losing party's stake: `slashed` is taken, `returned` goes back to the owner. */
export function slashStake(params: GameParams, stake: number): { slashed: number; returned: number } {
  const slashed = bpsOf(stake, params.slashBps);
  return { slashed, returned: stake - slashed };
}

/**
 * How a slashed amount is shared: the whistleblower jackpot (only when a challenger caught a cheating
 * solver), the treasury share, and the rest as compensation to the wronged party (the submitter when the
 * solver cheated, the solver when a challenge was false).
 */
export function splitSlashed(
  params: GameParams,
  slashed: number,
  withJackpot: boolean,
): { jackpot: number; treasury: number; compensation: number } {
  const jackpot = withJackpot ? bpsOf(slashed, params.whistleblowerBps) : 0;
  const treasury = bpsOf(slashed, params.treasuryBps);
  return { jackpot, treasury, compensation: slashed - jackpot - treasury };
}

/**
 * The penalty for a copied proof (a reveal sealed after someone else revealed the same run commitment):
 * the copier's stake is slashed like a caught cheater's — `slashed` = slashBps of it, the rest returned —
 * and the slashed part is shared as in a dispute the solver lost, with the *original solver* (whose work
 * was copied) in the whistleblower's place: `victim` = whistleblowerBps, `treasury` = treasuryBps, the
 * rest `compensation` to the task's submitter, whose escrow is refunded. No new parameters: the ledger
 * itself proves the copy from its own event order, so no challenger stake is at risk.
 */
export function copyPenalty(
  params: GameParams,
  stake: number,
): { slashed: number; returned: number; victim: number; treasury: number; compensation: number } {
  const { slashed, returned } = slashStake(params, stake);
  const split = splitSlashed(params, slashed, true);
  return {
    slashed,
    returned,
    victim: split.jackpot,
    treasury: split.treasury,
    compensation: split.compensation,
  };
}
