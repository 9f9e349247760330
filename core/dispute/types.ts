/**
 * Plain data types of the pinpoint dispute: the public step graph the referee knows from the task, the
 * step record both parties committed to, what a party answers in each round, and the verdict.
 * The referee never sees a party's trace, only these answers (commitments, membership proofs and, at the
 * end, the revealed inputs of one op).
 */
import type { Digest } from '../hash/hex.ts';
import type { MerkleProof } from '../hash/merkle.ts';
import type { Attrs } from '../repops/registry.ts';
import type { Tensor } from '../repops/tensor.ts';

export type Role = 'solver' | 'challenger';
export const ROLES: readonly Role[] = ['solver', 'challenger'];

/** Same shape as core/train/record.ts StepRecord (digest: canonical JSON under "pinpoint.step.v1"). */
export interface StepRecord {
  readonly step: number;
  readonly stateBefore: Digest;
  readonly stateAfter: Digest;
  readonly batchDigest: Digest;
  readonly loss: number;
  /** Trace mode: Merkle root over the output digests of every node of the step, in tape order. */
  readonly opRoot?: Digest;
  readonly opCount?: number;
}

export type LeafKind = 'param' | 'state' | 'data' | 'target' | 'const';
export type NodePhase = 'leaf' | 'forward' | 'backward' | 'optimizer';

/** One node of a step's recorded graph, without its value (the public structure). */
export interface GraphNode {
  readonly op: string;
  readonly inputs: readonly number[];
  readonly attrs: Attrs;
  readonly phase: NodePhase;
  /** Output shape (public: follows from the model and the batch size). */
  readonly shape: readonly number[];
  readonly label?: string;
}

/** A slot of the training state: which leaf reads it before the step, which node produces it after. */
export interface StateSlot {
  readonly name: string;
  /** Node index of the leaf that reads this slot (−1 when the step does not read it). */
  readonly leaf: number;
  /** Node index whose output is this slot after the step. */
  readonly out: number;
}

/** The public structure of one training step, derived from the task (model, optimizer, step index). */
export interface StepGraph {
  readonly nodes: readonly GraphNode[];
  /** In state-digest order: stateRoot = merkleRoot(slot tensor digests). */
  readonly slots: readonly StateSlot[];
}

// ---- answers a party gives ----

export interface RunClaim {
  /** Merkle root over the step-record digests. */
  readonly runRoot: Digest;
  readonly steps: number;
}

export interface StepOpening {
  readonly record: StepRecord;
  /** Membership proof of the record's digest against the party's run root. */
  readonly proof: MerkleProof;
}

export interface OpRootClaim {
  readonly root: Digest;
  readonly count: number;
}

/** The two child hashes of an op-tree node (Merkle internal/leaf hashes, hex). */
export interface NodeChildren {
  readonly left: string;
  readonly right: string;
}

export interface OpOpening {
  /** Output digest (tensor digest) of the op. */
  readonly digest: Digest;
  /** Membership proof against the party's op root of the disputed step. */
  readonly proof: MerkleProof;
}

export interface InputReveal {
  /** Node index of the input. */
  readonly index: number;
  readonly tensor: Tensor;
  /** Membership proof of tensorDigest(tensor) against the party's op root. */
  readonly proof: MerkleProof;
}

export interface StateOpening {
  readonly slot: number;
  readonly digest: Digest;
  /** Membership proof against the (agreed) state root before the step. */
  readonly proof: MerkleProof;
}

/** State-after slot digests, each opened in the op tree at the node that produced it. */
export interface SealOpening {
  readonly digests: readonly Digest[];
  readonly proofs: readonly MerkleProof[];
}

/**
 * A party of a dispute (solver or challenger: both claim a full run of the same task). Every method may
 * be slow, wrong or never answer; the referee checks each answer against the party's own commitments.
 */
export interface DisputeParty {
  readonly name: string;
  claim(): Promise<RunClaim>;
  /** Children of the run-tree node spanning step records [lo, hi) (phase 1 descent). */
  runChildren(lo: number, hi: number): Promise<NodeChildren>;
  openStep(step: number): Promise<StepOpening>;
  /** Fast mode: commit the op-output root of `step`, recomputed from the agreed state before it. */
  commitOps(step: number): Promise<OpRootClaim>;
  /** Children of the op-tree node spanning leaves [lo, hi) of step `step`. */
  children(step: number, lo: number, hi: number): Promise<NodeChildren>;
  openOp(step: number, index: number): Promise<OpOpening>;
  revealInputs(step: number, index: number): Promise<InputReveal[]>;
  openStateBefore(step: number, slot: number): Promise<StateOpening>;
  sealState(step: number): Promise<SealOpening>;
}
export type SolverParty = DisputeParty;
export type ChallengerParty = DisputeParty;

// ---- verdict ----

export type Loser = Role | 'both';

export type FaultCode =
  | 'timeout'
  | 'error'
  | 'malformed'
  | 'bad-claim'
  | 'bad-proof'
  | 'wrong-initial-state'
  | 'broken-chain'
  | 'wrong-batch'
  | 'bad-op-count'
  | 'wrong-leaf'
  | 'wrong-output'
  | 'bad-reveal'
  | 'wrong-state-after'
  | 'wrong-loss'
  | 'bad-bundle'
  | 'wrong-metadata'
  | 'no-disagreement';

export interface Fault {
  readonly code: FaultCode;
  readonly detail: string;
}

export interface Verdict {
  readonly outcome: 'solver-wins' | 'challenger-wins' | 'both-lose';
  /** Who is to be slashed (the ledger settles on this). */
  readonly loser: Loser;
  readonly losers: readonly Role[];
  /** Disputed step (null when decided before phase 1 ended). */
  readonly step: number | null;
  /** Disputed node index within the step's graph (null when not decided at an op). */
  readonly op: number | null;
  readonly opName: string | null;
  /** Where it was decided. */
  readonly stage: 'setup' | 'steps' | 'chain' | 'ops' | 'leaf' | 'recompute' | 'seal';
  readonly faults: { readonly solver: Fault | null; readonly challenger: Fault | null };
  readonly reason: string;
}
