/**
 * Bringing a ledger to the point where a dispute between two proofs can be settled: which actions
 * (open + fund new accounts, post/claim the task, record the solver's proof, open the dispute) are
 * still missing, given what the ledger already holds. Pure: reads a snapshot of the ledger's rows and
 * returns actions; the caller submits them in one transaction (`SqliteLedger.submitAll`), runs the
 * dispute and settles it with `settlementAction(id, transcript)`.
 *
 * Funding policy: an account this setup *opens* is minted exactly what its role needs (bounty +
 * verifier reward, solver stake, challenger stake) — visible as `mint` events in the log. An account
 * that already exists is never minted into; if it is short, the setup fails and names it.
 */
import type { Digest } from '../hash/hex.ts';
import { type Action, type Dispute, type GameParams, LedgerError, type Proof, type Task } from './types.ts';

export interface DisputeSetupInput {
  readonly task: string;
  readonly submitter: string;
  readonly solver: string;
  readonly challenger: string;
  /** The solver's run commitment (its proof bundle's manifest.runCommitment). */
  readonly runCommitment: Digest;
  /** Bounty the submitter escrows when the task has to be posted. */
  readonly bounty: number;
  /** Task description stored with a newly posted task. */
  readonly spec: string;
  /**
   * The key that signed the solver's bundle (manifest.solver.publicKey). When given, the ledger refuses a
   * proof whose signer is not the key bound to the solver's account.
   */
  readonly signer?: string;
}

/** The rows the planner reads (SqliteLedger and MemoryLedger-backed views both have them). */
export interface DisputeSetupState {
  readonly params: GameParams;
  readonly accounts: readonly { readonly id: string; readonly balance: number }[];
  readonly tasks: readonly Task[];
  readonly proofs: readonly Proof[];
  readonly disputes: readonly Dispute[];
}

export interface DisputeSetup {
  readonly actions: Action[];
  /** The id of an already open dispute to settle, or null when `actions` opens a new one. */
  readonly openDispute: number | null;
  /** One line per thing done, for the CLI to print. */
  readonly notes: string[];
}

export function planDisputeSetup(state: DisputeSetupState, input: DisputeSetupInput): DisputeSetup {
  const { params } = state;
  const actions: Action[] = [];
  const notes: string[] = [];
  const balance = new Map(state.accounts.map((a) => [a.id, a.balance]));
  const fund = (account: string, need: number, what: string) => {
    const have = balance.get(account);
    if (have === undefined) {
      actions.push({ type: 'account.open', account }, { type: 'mint', account, amount: need });
      notes.push(`opened account ${account}, minted ${need} for the ${what}`);
    } else if (have < need) {
      throw new LedgerError(
        'insufficient-balance',
        `account ${account} has ${have} units, the ${what} needs ${need}`,
      );
    }
  };
  if (input.solver === input.challenger)
    throw new LedgerError('same-party', `solver and challenger are the same account (${input.solver})`);

  const task = state.tasks.find((t) => t.id === input.task);
  const state0 = task?.state ?? 'new';
  if (task && task.solver !== null && task.solver !== input.solver)
    throw new LedgerError(
      'wrong-solver',
      `task ${input.task} was claimed by ${task.solver}, not ${input.solver}`,
    );
  if (state0 === 'settled') throw new LedgerError('task-settled', `task ${input.task} is already settled`);
  if (state0 === 'new') {
    fund(input.submitter, input.bounty + params.verifierReward, 'bounty and verifier reward');
    actions.push({
      type: 'task.post',
      task: input.task,
      submitter: input.submitter,
      bounty: input.bounty,
      spec: input.spec,
    });
    notes.push(`posted task ${input.task} (bounty ${input.bounty}) for ${input.submitter}`);
  }
  if (state0 === 'new' || state0 === 'posted') {
    fund(input.solver, params.solverStake, 'solver stake');
    actions.push({ type: 'task.claim', task: input.task, solver: input.solver });
    notes.push(`${input.solver} claimed ${input.task}, locking ${params.solverStake}`);
  }
  if (state0 === 'new' || state0 === 'posted' || state0 === 'claimed') {
    // Recording a run another account already revealed would be judged a copy (and slashed) by the
    // ledger, and the dispute could then not be opened: say so before anything is written.
    const earlier = state.proofs.find(
      (p) => p.runCommitment === input.runCommitment && p.solver !== input.solver,
    );
    if (earlier)
      throw new LedgerError(
        'copy',
        `run commitment ${input.runCommitment.slice(0, 16)}… was already revealed by ${earlier.solver} on task ${earlier.task}: recording it for ${input.solver} would be a copy (the ledger slashes it)`,
      );
    actions.push({
      type: 'proof.submit',
      task: input.task,
      solver: input.solver,
      runCommitment: input.runCommitment,
      ...(input.signer === undefined ? {} : { signer: input.signer }),
    });
    notes.push(`recorded the solver's proof (run commitment ${input.runCommitment.slice(0, 16)}…)`);
  } else {
    const proof = state.proofs.findLast((p) => p.task === input.task);
    if (proof && proof.runCommitment !== input.runCommitment)
      throw new LedgerError(
        'wrong-proof',
        `task ${input.task} has run commitment ${proof.runCommitment.slice(0, 16)}… on the ledger, the solver's bundle ${input.runCommitment.slice(0, 16)}…`,
      );
  }
  if (state0 === 'disputed') {
    const open = state.disputes.find((d) => d.task === input.task && d.state === 'open');
    if (!open)
      throw new LedgerError('no-open-dispute', `task ${input.task} is disputed but has no open dispute`);
    if (open.challenger !== input.challenger)
      throw new LedgerError(
        'wrong-challenger',
        `task ${input.task} is disputed by ${open.challenger}, not ${input.challenger}`,
      );
    notes.push(`settling open dispute #${open.id}`);
    return { actions, openDispute: open.id, notes };
  }
  fund(input.challenger, params.challengerStake, 'challenger stake');
  actions.push({ type: 'dispute.open', task: input.task, challenger: input.challenger });
  notes.push(`${input.challenger} opened a dispute on ${input.task}, locking ${params.challengerStake}`);
  return { actions, openDispute: null, notes };
}
