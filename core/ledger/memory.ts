/**
 * The ledger state held in memory: a `LedgerView` plus `apply(change)`. `ledger verify` replays the event
 * log into it and compares the result with the SQLite tables; the app's snapshots (state at event n) come
 * from it too. Pure: no I/O.
 */
import type { IdKind, LedgerView, RevealRef } from './game.ts';
import {
  type Account,
  type Change,
  type Commitment,
  type CopyRecord,
  type Dispute,
  type GameParams,
  LedgerError,
  type Pocket,
  type Proof,
  type Stake,
  type Task,
  type Verification,
} from './types.ts';

export interface Totals {
  minted: number;
  balances: number;
  locked: number;
  escrow: number;
  treasury: number;
}

/** Balances, stakes, escrow and treasury at one point of the log (for the app's redistribution animation). */
export interface LedgerSnapshot {
  seq: number;
  totals: Totals;
  accounts: Account[];
  tasks: Task[];
  stakes: Stake[];
  disputes: Dispute[];
}

export class MemoryLedger implements LedgerView {
  minted = 0;
  treasury = 0;
  readonly accounts = new Map<string, Account>();
  readonly tasks = new Map<string, Task>();
  readonly stakes = new Map<number, Stake>();
  readonly proofs = new Map<number, Proof>();
  readonly verifications = new Map<number, Verification>();
  readonly disputes = new Map<number, Dispute>();
  readonly solverStakes = new Map<string, number>();
  /** Bound public keys by account, and the reverse index. */
  readonly keys = new Map<string, string>();
  readonly keyOwners = new Map<string, string>();
  readonly commitments = new Map<number, Commitment>();
  /** The pending (status 'sealed') commitment of each task. */
  readonly sealed = new Map<string, number>();
  readonly copies = new Map<number, CopyRecord>();
  /**
   * Per run commitment: the earliest proof, and the earliest by an account other than that one's solver —
   * enough to answer "earliest proof by anyone but X" in O(1) (the copy rule).
   */
  readonly reveals = new Map<string, { first: number; other: number | null }>();
  /** Audit records in log order (the units themselves moved in the accompanying 'move' changes). */
  readonly slashes: (Extract<Change, { op: 'slash.record' }> & { seq: number })[] = [];
  readonly rewards: (Extract<Change, { op: 'reward.record' }> & { seq: number })[] = [];
  readonly jackpots: (Extract<Change, { op: 'jackpot.record' }> & { seq: number })[] = [];
  /** Which event last set each bookkeeping column, e.g. "tasks.updated_seq:t1" → 7 (checked by verify). */
  readonly rowSeq = new Map<string, number>();

  constructor(private readonly gameParams: GameParams) {}

  params(): GameParams {
    return this.gameParams;
  }
  account(id: string): Account | undefined {
    return this.accounts.get(id);
  }
  task(id: string): Task | undefined {
    return this.tasks.get(id);
  }
  stake(id: number): Stake | undefined {
    return this.stakes.get(id);
  }
  dispute(id: number): Dispute | undefined {
    return this.disputes.get(id);
  }
  solverStake(task: string): Stake | undefined {
    const id = this.solverStakes.get(task);
    return id === undefined ? undefined : this.stakes.get(id);
  }
  nextId(kind: IdKind): number {
    const m = {
      stake: this.stakes,
      proof: this.proofs,
      verification: this.verifications,
      dispute: this.disputes,
      commitment: this.commitments,
      copy: this.copies,
    }[kind];
    return m.size + 1;
  }
  accountKey(account: string): string | undefined {
    return this.keys.get(account);
  }
  keyOwner(publicKey: string): string | undefined {
    return this.keyOwners.get(publicKey);
  }
  sealedCommitment(task: string): { commitment: Commitment; seq: number } | undefined {
    const id = this.sealed.get(task);
    const c = id === undefined ? undefined : this.commitments.get(id);
    return c && { commitment: c, seq: this.rowSeq.get(`commitments.seq:${c.id}`) ?? 0 };
  }
  firstReveal(runCommitment: string, except: string): RevealRef | undefined {
    const r = this.reveals.get(runCommitment);
    if (!r) return undefined;
    const first = this.proofs.get(r.first);
    const id = first && first.solver !== except ? r.first : r.other;
    const p = id === null ? undefined : this.proofs.get(id);
    return p && { task: p.task, account: p.solver, seq: this.rowSeq.get(`proofs.seq:${p.id}`) ?? 0 };
  }

  totals(): Totals {
    let balances = 0;
    let locked = 0;
    let escrow = 0;
    for (const a of this.accounts.values()) balances += a.balance;
    for (const s of this.stakes.values()) locked += s.locked;
    for (const t of this.tasks.values()) escrow += t.escrow;
    return { minted: this.minted, balances, locked, escrow, treasury: this.treasury };
  }

  snapshot(seq: number): LedgerSnapshot {
    const copy = <T>(m: Map<unknown, T>): T[] => [...m.values()].map((x) => ({ ...x }));
    return {
      seq,
      totals: this.totals(),
      accounts: copy(this.accounts),
      tasks: copy(this.tasks),
      stakes: copy(this.stakes),
      disputes: copy(this.disputes).map((d) => ({ ...d, verdict: d.verdict && { ...d.verdict } })),
    };
  }

  private adjust(p: Pocket, delta: number): void {
    const bad = (what: string): never => {
      throw new LedgerError('internal', `change would make ${what} negative or refer to a missing row`);
    };
    if ('mint' in p) {
      this.minted -= delta;
    } else if ('treasury' in p) {
      this.treasury += delta;
      if (this.treasury < 0) bad('the treasury');
    } else if ('balance' in p) {
      const a = this.accounts.get(p.balance) ?? bad(`account ${p.balance}`);
      a.balance += delta;
      if (a.balance < 0) bad(`account ${p.balance}`);
    } else if ('stake' in p) {
      const s = this.stakes.get(p.stake) ?? bad(`stake #${p.stake}`);
      s.locked += delta;
      if (s.locked < 0) bad(`stake #${p.stake}`);
    } else {
      const t = this.tasks.get(p.escrow) ?? bad(`escrow of task ${p.escrow}`);
      t.escrow += delta;
      if (t.escrow < 0) bad(`escrow of task ${p.escrow}`);
    }
  }

  apply(c: Change, seq = 0): void {
    const mark = (key: string) => this.rowSeq.set(key, seq);
    switch (c.op) {
      case 'account.create':
        this.accounts.set(c.id, { id: c.id, name: c.name, balance: 0 });
        mark(`accounts.created_seq:${c.id}`);
        break;
      case 'move':
        this.adjust(c.move.from, -c.move.amount);
        this.adjust(c.move.to, c.move.amount);
        break;
      case 'task.create':
        this.tasks.set(c.task.id, { ...c.task });
        mark(`tasks.posted_seq:${c.task.id}`);
        mark(`tasks.updated_seq:${c.task.id}`);
        break;
      case 'task.update': {
        const t = this.tasks.get(c.id);
        if (!t) throw new LedgerError('internal', `task ${c.id} missing`);
        t.state = c.state;
        if (c.solver !== undefined) t.solver = c.solver;
        if (c.verifier !== undefined) t.verifier = c.verifier;
        if (c.outcome !== undefined) t.outcome = c.outcome;
        mark(`tasks.updated_seq:${c.id}`);
        break;
      }
      case 'stake.create':
        this.stakes.set(c.stake.id, { ...c.stake });
        if (c.stake.role === 'solver') this.solverStakes.set(c.stake.task, c.stake.id);
        mark(`stakes.locked_seq:${c.stake.id}`);
        break;
      case 'stake.close': {
        const s = this.stakes.get(c.id);
        if (s?.locked !== 0)
          throw new LedgerError('internal', `stake #${c.id} closed while still holding units`);
        s.status = c.status;
        mark(`stakes.released_seq:${c.id}`);
        break;
      }
      case 'proof.create': {
        this.proofs.set(c.proof.id, { ...c.proof });
        const r = this.reveals.get(c.proof.runCommitment);
        if (!r) this.reveals.set(c.proof.runCommitment, { first: c.proof.id, other: null });
        else if (r.other === null && this.proofs.get(r.first)?.solver !== c.proof.solver)
          r.other = c.proof.id;
        mark(`proofs.seq:${c.proof.id}`);
        break;
      }
      case 'key.bind':
        this.keys.set(c.account, c.publicKey);
        this.keyOwners.set(c.publicKey, c.account);
        mark(`account_keys.seq:${c.account}`);
        break;
      case 'commitment.create':
        this.commitments.set(c.commitment.id, { ...c.commitment });
        this.sealed.set(c.commitment.task, c.commitment.id);
        mark(`commitments.seq:${c.commitment.id}`);
        break;
      case 'commitment.close': {
        const k = this.commitments.get(c.id);
        if (k?.status !== 'sealed') throw new LedgerError('internal', `commitment #${c.id} is not sealed`);
        k.status = c.status;
        if (this.sealed.get(k.task) === c.id) this.sealed.delete(k.task);
        mark(`commitments.closed_seq:${c.id}`);
        break;
      }
      case 'copy.record':
        this.copies.set(c.copy.id, { ...c.copy, original: { ...c.copy.original } });
        mark(`copies.seq:${c.copy.id}`);
        break;
      case 'verification.create':
        this.verifications.set(c.verification.id, { ...c.verification });
        mark(`verifications.seq:${c.verification.id}`);
        break;
      case 'dispute.create':
        this.disputes.set(c.dispute.id, { ...c.dispute });
        mark(`disputes.opened_seq:${c.dispute.id}`);
        break;
      case 'dispute.settle': {
        const d = this.disputes.get(c.id);
        if (!d) throw new LedgerError('internal', `dispute #${c.id} missing`);
        d.state = 'settled';
        d.verdict = { ...c.verdict };
        d.transcriptDigest = c.transcriptDigest;
        mark(`disputes.settled_seq:${c.id}`);
        break;
      }
      case 'slash.record':
        this.slashes.push({ ...c, seq });
        break;
      case 'reward.record':
        this.rewards.push({ ...c, seq });
        break;
      case 'jackpot.record':
        this.jackpots.push({ ...c, seq });
        break;
    }
  }
}
