/**
 * Backend methods of the visual debugger views (issue 8): Proof timeline, Graph, Dispute replay and
 * Ledger. Merged into `PinpointApi` (desktop/shared/api.ts) and served by both transports; implemented
 * in desktop/main/backend/views.ts over core/*. Every argument and result is JSON-safe plain data, so
 * the renderer components (desktop/renderer/components) also draw notebook outputs and test fixtures.
 */
import type { Transcript } from '../../core/dispute/transcript.ts';

/** 64 lowercase hex chars (SHA-256). */
export type Digest = string;

export type NodePhase = 'leaf' | 'forward' | 'backward' | 'optimizer';

/** One committed training step as the timeline shows it. */
export interface ProofStepInfo {
  step: number;
  loss: number;
  stateBefore: Digest;
  stateAfter: Digest;
  batchDigest: Digest;
  /** Trace mode only. */
  opRoot?: Digest;
  opCount?: number;
}

/** A proof bundle as the Proof view shows it (the manifest without payload sections). */
export interface ProofSummary {
  path: string;
  name: string;
  taskId: string;
  /** Short description of the model/optimizer (e.g. "mlp 4-16-3, adam lr 0.01"). */
  model: string;
  mode: 'fast' | 'trace';
  repops: string;
  /** The hash of the proof's tensor digests (the task's `tensorDigest`; docs/PROOF_FORMAT.md "Digests"). */
  tensorDigest: 'sha256' | 'blake3';
  runCommitment: Digest;
  solverKey: string;
  steps: ProofStepInfo[];
  /** Steps whose state-before is stored as a full checkpoint (task.steps = the final state). */
  checkpoints: number[];
  /** The checkpoint store beside the proof (run.states/), and which of `checkpoints` come from it. */
  checkpointStore?: { dir: string; steps: number[] };
  /** Steps the probabilistic verifier samples for this proof (Fiat–Shamir from the run commitment). */
  samples: number[];
  metrics: { loss: number; accuracy: number };
  /**
   * Per-step training metrics, step order (the bundle's signed step-metrics section); null for a bundle
   * written before they were recorded (the view then shows the loss only).
   */
  stepMetrics: ProofStepMetrics[] | null;
}

/** One step's metrics (binary32 values; docs/PROOF_FORMAT.md "Step metrics"). */
export interface ProofStepMetrics {
  lr: number;
  gradNorm: number;
  updateNorm: number;
  weightNorm: number;
  /** Training-batch accuracy; null for a task without labels. */
  accuracy: number | null;
}

/** One node of a step's recorded graph with its output digest (the tape, without values). */
export interface TraceNode {
  id: number;
  op: string;
  phase: NodePhase;
  inputs: number[];
  shape: number[];
  digest: Digest;
  label?: string;
}

/** A step's trace: recomputed from the nearest checkpoint with RepOps. */
export interface StepTrace {
  path: string;
  step: number;
  nodes: TraceNode[];
  /** Merkle root over the node digests in tape order. */
  opRoot: Digest;
  /** The step record's opRoot (trace mode), or null in fast mode. */
  recordedOpRoot: Digest | null;
  stateAfter: Digest;
  recordedStateAfter: Digest;
  loss: number;
  /** Milliseconds the backend took (replay from the checkpoint + tracing). */
  ms: number;
}

/** "Run this step now": re-execution of one step and its comparison with the record. */
export interface RunStepResult {
  path: string;
  step: number;
  /** Steps replayed from the checkpoint before reaching `step` (the step itself included). */
  replayed: number;
  checks: { name: string; recorded: string; recomputed: string; match: boolean }[];
  match: boolean;
  ms: number;
}

/** A node's output tensor (values capped at `limit`, the digest is of the whole tensor). */
export interface TensorData {
  step: number;
  node: number;
  op: string;
  shape: number[];
  digest: Digest;
  /** Recomputed digest of the values on the backend equals the trace digest. */
  verified: boolean;
  /** First `values.length` elements (row-major). */
  values: number[];
  total: number;
}

export interface DisputeEntry {
  /** Opaque id to pass to 'dispute.load'. */
  id: string;
  title: string;
  source: 'ledger' | 'file' | 'demo';
  task: string;
  outcome: string;
}

/** A transcript plus the public graph of the disputed step (for the phase-2 animation). */
export interface DisputeReplay {
  id: string;
  title: string;
  transcript: Transcript;
  /** Public structure of the disputed step (ops, phases, shapes), when the task is known. */
  graph:
    | { id: number; op: string; phase: NodePhase; inputs: number[]; shape: number[]; label?: string }[]
    | null;
  /** Ledger dispute id, when it came from a ledger (the Ledger view can open it). */
  ledgerDispute: number | null;
  ledgerPath: string | null;
  /** A proof of the disputed task whose step graph `graph` is (the Graph view can open the op there). */
  proofPath?: string;
}

export interface LedgerAccountRow {
  id: string;
  name: string;
  balance: number;
  /** Units locked in stakes. */
  staked: number;
}

export interface LedgerTaskRow {
  id: string;
  state: string;
  submitter: string;
  solver: string | null;
  bounty: number;
  escrow: number;
}

export interface LedgerMove {
  /** Pocket labels: an account id, 'stake:<id>@<account>', 'escrow:<task>', 'treasury' or 'mint'. */
  from: string;
  to: string;
  amount: number;
  reason: string;
}

export interface LedgerEventRow {
  seq: number;
  kind: string;
  at: string;
  task: string | null;
  /** Accounts the event touches (for the account filter). */
  accounts: string[];
  summary: string;
  moves: LedgerMove[];
  hash: Digest;
  prevHash: Digest;
  /** This event's hash recomputes and links to the previous one. */
  chainOk: boolean;
}

/** The ledger after event `at` (balances are replayed from the hash-chained event log). */
export interface LedgerSnapshot {
  path: string;
  at: number;
  lastSeq: number;
  accounts: LedgerAccountRow[];
  tasks: LedgerTaskRow[];
  escrow: number;
  treasury: number;
  minted: number;
  /** minted = balances + stakes + escrow + treasury. */
  invariantOk: boolean;
  disputes: {
    id: number;
    task: string;
    solver: string;
    challenger: string;
    state: string;
    loser: string | null;
    settleSeq: number | null;
  }[];
}

export interface LedgerEvents {
  path: string;
  events: LedgerEventRow[];
  chain: { ok: boolean; checked: number; firstBad: number | null; detail: string };
}

/** A bound account key (`account.key`): the account proved possession of this Ed25519 key at event `seq`. */
export interface LedgerKeyRow {
  account: string;
  publicKey: string;
  seq: number;
}

/** A copy the ledger caught: `copier` sealed its run commitment after `original.account` had revealed it. */
export interface LedgerCopyRow {
  id: number;
  task: string;
  copier: string;
  runCommitment: Digest;
  /** Event that sealed the copier's commitment (null: a direct proof.submit, sealed = the copy event). */
  commitSeq: number | null;
  /** The earlier public reveal the copier could have read. */
  original: { task: string; account: string; seq: number };
  slashed: number;
  /** Part of `slashed` paid to the original solver (`slash.victim`). */
  victimShare: number;
  /** The event that caught and penalised the copy (its token flows are the penalty). */
  seq: number;
}

/** A sealed commitment (commit-then-reveal) and what became of it. */
export interface LedgerCommitmentRow {
  id: number;
  task: string;
  solver: string;
  sealed: Digest;
  /** 'sealed' = reveal pending; 'replaced' = sealed again before revealing; 'copy' = caught as a copy. */
  status: 'sealed' | 'revealed' | 'replaced' | 'copy';
  /** proof.commit event. */
  sealSeq: number;
  /** Event that closed it: the reveal (revealed/copy) or the new seal (replaced); null while pending. */
  closedSeq: number | null;
}

/** One `ledger sync` of a followed game (docs/NETWORK.md): the mirror file and what the chain added. */
export interface LedgerFollow {
  /** The mirror ledger in the data folder (`<data>/chain/<chainId>-<game>.db`), for the ledger.* reads. */
  path: string;
  rpc: string;
  game: string;
  chainId: number;
  /** Ledger actions appended by this sync (0: nothing new on chain). */
  appended: number;
  /** Ledger actions the chain's events map to in all. */
  actions: number;
  /** The block the sync read up to. */
  block: number;
}

/** Identity binding of a ledger file (current head): keys, commitments, caught copies. */
export interface LedgerIdentity {
  path: string;
  keys: LedgerKeyRow[];
  commitments: LedgerCommitmentRow[];
  copies: LedgerCopyRow[];
}

export interface ViewsApi {
  'proof.list': (args: Record<string, never>) => Promise<{ path: string; name: string }[]>;
  'proof.load': (args: { path?: string }) => Promise<ProofSummary>;
  'proof.trace': (args: { path?: string; step: number }) => Promise<StepTrace>;
  'proof.runStep': (args: { path?: string; step: number }) => Promise<RunStepResult>;
  'graph.tensor': (args: {
    path?: string;
    step: number;
    node: number;
    limit?: number;
  }) => Promise<TensorData>;
  /** The same step under a tampered solver (demo): for comparing two traces. */
  'graph.compareTrace': (args: { path?: string; step: number; variant: 'tampered' }) => Promise<StepTrace>;
  'dispute.list': (args: Record<string, never>) => Promise<DisputeEntry[]>;
  'dispute.load': (args: { id?: string }) => Promise<DisputeReplay>;
  'ledger.snapshot': (args: { path?: string; at?: number }) => Promise<LedgerSnapshot>;
  'ledger.events': (args: { path?: string; task?: string; account?: string }) => Promise<LedgerEvents>;
  /** Account keys, sealed commitments and caught copies (core/ledger keys()/commitments()/copies()). */
  'ledger.identity': (args: { path?: string }) => Promise<LedgerIdentity>;
}

/** Served by desktop/main/backend/chain-follow.ts. */
export interface ChainFollowApi {
  /** Mirrors a PinpointGame on an RPC URL into the data folder (one `ledger sync`); the view polls it. */
  'ledger.follow': (args: { rpc: string; game: string }) => Promise<LedgerFollow>;
}
