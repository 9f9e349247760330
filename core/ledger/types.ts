/**
 * Plain data types of the staking game. Amounts are integer units (safe integers, never floats) so the
 * supply invariant holds exactly; fractions are basis points (1/10 000).
 */
import type { Digest } from '../hash/hex.ts';

export const BPS = 10_000;

/** Game parameters, fixed by the genesis event of a ledger. */
export interface GameParams {
  /** Units a solver locks when claiming a task. */
  solverStake: number;
  /** Units a challenger locks when opening a dispute. */
  challengerStake: number;
  /** Fraction (bps) of a losing party's stake that is slashed; the rest is returned to it. */
  slashBps: number;
  /** Fraction (bps) of a slashed solver stake paid to the winning challenger (whistleblower jackpot). */
  whistleblowerBps: number;
  /** Fraction (bps) of every slashed amount that goes to the treasury. */
  treasuryBps: number;
  /** Units a submitter escrows on top of the bounty to pay the verifier who attests a proof. */
  verifierReward: number;
}

export const DEFAULT_PARAMS: GameParams = {
  solverStake: 100,
  challengerStake: 50,
  slashBps: 8_000,
  whistleblowerBps: 5_000,
  treasuryBps: 2_000,
  verifierReward: 10,
};

export type TaskState = 'posted' | 'claimed' | 'proved' | 'verified' | 'disputed' | 'settled';
export const TASK_STATES: readonly TaskState[] = [
  'posted',
  'claimed',
  'proved',
  'verified',
  'disputed',
  'settled',
];

export type Loser = 'solver' | 'challenger' | 'both';
export type StakeRole = 'solver' | 'challenger';
export type StakeStatus = 'locked' | 'returned' | 'slashed';

export interface Account {
  id: string;
  name: string;
  balance: number;
}

export interface Task {
  id: string;
  submitter: string;
  bounty: number;
  verifierReward: number;
  /** Units currently held in escrow for this task (bounty + verifier reward until paid out/refunded). */
  escrow: number;
  state: TaskState;
  spec: string;
  solver: string | null;
  verifier: string | null;
  /** Outcome once settled: 'paid' (solver paid) or 'refunded' (submitter refunded). */
  outcome: 'paid' | 'refunded' | null;
}

export interface Stake {
  id: number;
  task: string;
  account: string;
  role: StakeRole;
  amount: number;
  /** Units still locked (amount while locked, 0 once released). */
  locked: number;
  status: StakeStatus;
}

export interface Proof {
  id: number;
  task: string;
  solver: string;
  runCommitment: Digest;
  /** Ed25519 public key (hex) that signed the proof bundle, when the submitter named it (must be the solver's key). */
  signer?: string | null;
}

/**
 * A sealed run commitment: c = H("pinpoint.ledger.seal.v1" ‖ canonical {task, account, publicKey, runCommitment,
 * salt}) recorded before the solver reveals anything (core/ledger/seal.ts). 'replaced' = the solver sealed again
 * before revealing; 'copy' = the reveal showed it was sealed after someone else had revealed the same run.
 */
export interface Commitment {
  id: number;
  task: string;
  solver: string;
  sealed: Digest;
  status: 'sealed' | 'revealed' | 'replaced' | 'copy';
}

/** A reveal the ledger caught as a copy: the copier sealed its commitment after `original` was revealed. */
export interface CopyRecord {
  id: number;
  task: string;
  copier: string;
  runCommitment: Digest;
  /** The copier's sealed commitment (null: a direct proof.submit, sealed and revealed in one event). */
  commitment: number | null;
  /** Event seq of the copier's sealed commitment (null for a direct submit: the submit event itself). */
  commitSeq: number | null;
  /** The earlier public reveal of the same run commitment by another account. */
  original: { task: string; account: string; seq: number };
  stake: number;
  slashed: number;
  /** Part of the slashed stake paid to the original solver (whistleblowerBps of it). */
  victimShare: number;
}

export interface Verification {
  id: number;
  task: string;
  verifier: string;
  reportDigest: Digest | null;
}

/** What the ledger needs from a dispute transcript's verdict. */
export interface Verdict {
  loser: Loser;
  /** Disputed training step (null when the dispute ended before the step phase converged, e.g. a timeout). */
  step: number | null;
  /** Disputed op index / name inside the step (null likewise). */
  op: number | string | null;
  /** Why the loser lost, e.g. 'mismatch' or 'timeout'. */
  reason: string;
}

export interface Dispute {
  id: number;
  task: string;
  solver: string;
  challenger: string;
  solverStake: number;
  challengerStake: number;
  state: 'open' | 'settled';
  verdict: Verdict | null;
  transcriptDigest: Digest | null;
}

/** Where units can sit. 'mint' is the source of new supply. */
export type Pocket =
  | { balance: string }
  | { stake: number }
  | { escrow: string }
  | { treasury: true }
  | { mint: true };

export type MoveReason =
  | 'mint'
  | 'transfer'
  | 'escrow'
  | 'stake.lock'
  | 'stake.return'
  | 'slash.jackpot'
  | 'slash.treasury'
  | 'slash.compensation'
  | 'slash.victim'
  | 'reward.bounty'
  | 'reward.verifier'
  | 'refund';

export interface Move {
  from: Pocket;
  to: Pocket;
  amount: number;
  reason: MoveReason;
}

/** Game actions — the inputs a caller submits. Invalid ones are rejected with a LedgerError and change nothing. */
export type Action =
  | { type: 'account.open'; account: string; name?: string }
  /** Binds an Ed25519 public key to an account, once; `signature` proves possession (seal.ts keyBindingDigest). */
  | { type: 'account.key'; account: string; publicKey: string; signature: string }
  | { type: 'mint'; account: string; amount: number }
  | { type: 'transfer'; from: string; to: string; amount: number }
  | { type: 'task.post'; task: string; submitter: string; bounty: number; spec?: string }
  | { type: 'task.claim'; task: string; solver: string }
  /** Direct submission: sealed and revealed in one event (still subject to the copy rule). */
  | { type: 'proof.submit'; task: string; solver: string; runCommitment: Digest; signer?: string }
  /** Commit: the claimant records a sealed commitment (seal.ts sealCommitment) before revealing anything. */
  | { type: 'proof.commit'; task: string; solver: string; sealed: Digest }
  /** Reveal: opens the sealed commitment; `signer` = the proof bundle's public key (must be the solver's key). */
  | {
      type: 'proof.reveal';
      task: string;
      solver: string;
      runCommitment: Digest;
      salt: string;
      signer?: string;
    }
  | { type: 'task.verify'; task: string; verifier: string; reportDigest?: Digest }
  | { type: 'dispute.open'; task: string; challenger: string }
  | { type: 'dispute.settle'; dispute: number; verdict: Verdict; transcript: unknown }
  | { type: 'task.finalize'; task: string };

export type ActionType = Action['type'];

/** Primitive state changes an action expands to; both the SQLite store and the in-memory replay apply them. */
export type Change =
  | { op: 'account.create'; id: string; name: string }
  | { op: 'move'; move: Move }
  | { op: 'task.create'; task: Task }
  | {
      op: 'task.update';
      id: string;
      state: TaskState;
      solver?: string;
      verifier?: string;
      outcome?: 'paid' | 'refunded';
    }
  | { op: 'stake.create'; stake: Stake }
  | { op: 'stake.close'; id: number; status: 'returned' | 'slashed' }
  | { op: 'proof.create'; proof: Proof }
  | { op: 'key.bind'; account: string; publicKey: string }
  | { op: 'commitment.create'; commitment: Commitment }
  | { op: 'commitment.close'; id: number; status: 'revealed' | 'replaced' | 'copy' }
  | { op: 'copy.record'; copy: CopyRecord }
  | { op: 'verification.create'; verification: Verification }
  | { op: 'dispute.create'; dispute: Dispute }
  | { op: 'dispute.settle'; id: number; verdict: Verdict; transcriptDigest: Digest }
  | { op: 'slash.record'; dispute: number; stake: number; account: string; amount: number }
  | {
      op: 'reward.record';
      task: string;
      dispute: number | null;
      account: string;
      kind: RewardKind;
      amount: number;
    }
  | { op: 'jackpot.record'; dispute: number; account: string; amount: number };

export type RewardKind = 'bounty' | 'verifier' | 'compensation';

/**
 * An action as the event log records it: only the known fields, and for a settlement the transcript's
 * digest instead of the transcript (the transcript itself lives in the disputes table).
 */
export type RecordedAction =
  | Exclude<Action, { type: 'dispute.settle' }>
  | { type: 'dispute.settle'; dispute: number; verdict: Verdict; transcriptDigest: Digest }
  | { type: 'ledger.init'; params: GameParams };

/** The body of an event: the recorded action and the changes it caused. */
export interface EventPayload {
  action: RecordedAction;
  changes: Change[];
}

export interface LedgerEvent {
  seq: number;
  kind: string;
  at: string;
  task: string | null;
  payload: EventPayload;
  prevHash: Digest;
  hash: Digest;
}

export class LedgerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}
