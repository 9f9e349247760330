/**
 * Node adapter: the staking ledger on SQLite (better-sqlite3). Every action runs in one IMMEDIATE
 * transaction that reads the state through a `LedgerView`, applies the game's changes to the tables and
 * appends the hash-chained event — all or nothing. WAL journal, foreign keys, a busy timeout plus retries
 * so several processes can write the same file; `synchronous = FULL` by default so a commit that returned
 * survives a crash. Opening, migrations and row mapping: node-sqlite.ts; verify's table check:
 * node-compare.ts. Still ~790 lines: one class, the write path and the read API a caller looks up together.
 */
import type Database from 'better-sqlite3';
import { canonicalJson } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { type ReplayProblem, replay } from './audit.ts';
import { eventAccounts, eventHashFromText, eventTask, GENESIS_PREV } from './chain.ts';
import { type LedgerView, plan, recordAction } from './game.ts';
import type { LedgerSnapshot, Totals } from './memory.ts';
import { compareTables } from './node-compare.ts';
import {
  type DisputeRow,
  type EventRow,
  migrateDatabase,
  openDatabase,
  SQLITE_BUSY,
  type StakeRow,
  sleepSync,
  type TaskRow,
  toDispute,
  toEvent,
  toStake,
  toTask,
} from './node-sqlite.ts';

/** Exported for tests (explicit migration lists). */
export { migrateDatabase };

import { validateParams } from './rules.ts';
import { transcriptText } from './transcript.ts';
import {
  type Account,
  type Action,
  type Change,
  type Commitment,
  type CopyRecord,
  DEFAULT_PARAMS,
  type Dispute,
  type EventPayload,
  type GameParams,
  LedgerError,
  type LedgerEvent,
  type Pocket,
  type Proof,
  type Stake,
  type Task,
} from './types.ts';

type DB = Database.Database;

export interface OpenOptions {
  /** Create the file and the schema if missing (default false: a missing file is an error). */
  create?: boolean;
  readonly?: boolean;
  /** Milliseconds to wait for another writer's lock (default 5000). */
  busyTimeoutMs?: number;
  /** 'full' (default): every commit is fsynced; 'normal': faster, a power loss may drop the last commits. */
  durability?: 'full' | 'normal';
  /** Timestamp source for events (tests and the demo pass a fixed clock). */
  clock?: () => string;
}

export interface EventFilter {
  task?: string;
  account?: string;
  kind?: string;
  /** Only events with seq > after. */
  after?: number;
  limit?: number;
  /** Newest first (default oldest first). */
  descending?: boolean;
}

export interface AccountRow extends Account {
  locked: number;
}

export interface DisputeRecord extends Dispute {
  transcript: unknown;
  events: LedgerEvent[];
}

export interface VerifyReport {
  file: string;
  ok: boolean;
  events: number;
  head: Digest;
  integrity: string;
  /** The first event that fails the chain, the rules or the invariant. */
  firstBadEvent: ReplayProblem | null;
  /** Table rows that differ from the replayed log (tampered or corrupted state). */
  tableProblems: string[];
  /** A head hash published earlier: found at `seq` of the verified chain, so events 1..seq are unchanged. */
  anchor: { hash: Digest; seq: number | null } | null;
  totals: Totals | null;
}

export interface LedgerStatus {
  file: string;
  schemaVersion: number;
  params: GameParams;
  head: { seq: number; hash: Digest };
  totals: Totals;
  accounts: number;
  tasks: Record<string, number>;
  disputes: { open: number; settled: number };
}

/** A ledger file opened for reading and writing. */
export class SqliteLedger {
  readonly db: DB;
  private readonly clock: () => string;
  private paramsCache: GameParams | null = null;
  private readonly view: LedgerView;
  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements are cached: preparing dominates the cost of small transactions otherwise. */
  private st(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  constructor(
    readonly file: string,
    opts: OpenOptions = {},
  ) {
    this.db = openDatabase(file, opts);
    this.clock = opts.clock ?? (() => new Date().toISOString());
    this.txn = this.db.transaction((actions: Action[]) => actions.map((a) => this.submitInTxn(a)));
    const db = this.db;
    const q = {
      account: db.prepare(
        'SELECT a.id, a.name, b.amount AS balance FROM accounts a JOIN balances b ON b.account_id = a.id WHERE a.id = ?',
      ),
      task: db.prepare('SELECT * FROM tasks WHERE id = ?'),
      stake: db.prepare('SELECT * FROM stakes WHERE id = ?'),
      solverStake: db.prepare(
        "SELECT * FROM stakes WHERE task_id = ? AND role = 'solver' ORDER BY id LIMIT 1",
      ),
      dispute: db.prepare('SELECT * FROM disputes WHERE id = ?'),
      next: {
        stake: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM stakes'),
        proof: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM proofs'),
        verification: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM verifications'),
        dispute: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM disputes'),
        commitment: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM commitments'),
        copy: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM copies'),
      },
      accountKey: db.prepare('SELECT public_key AS k FROM account_keys WHERE account_id = ?'),
      keyOwner: db.prepare('SELECT account_id AS a FROM account_keys WHERE public_key = ?'),
      sealed: db.prepare(
        "SELECT id, task_id AS task, solver, sealed, status, seq FROM commitments WHERE task_id = ? AND status = 'sealed' ORDER BY id DESC LIMIT 1",
      ),
      // Two index ranges (solvers before and after `except`): cheap even when one account holds many
      // proofs of the same run.
      revealBefore: db.prepare(
        'SELECT task_id AS task, solver AS account, seq FROM proofs WHERE run_commitment = ? AND solver < ? ORDER BY seq LIMIT 1',
      ),
      revealAfter: db.prepare(
        'SELECT task_id AS task, solver AS account, seq FROM proofs WHERE run_commitment = ? AND solver > ? ORDER BY seq LIMIT 1',
      ),
    };
    this.view = {
      params: () => this.params(),
      account: (id) => q.account.get(id) as Account | undefined,
      task: (id) => {
        const r = q.task.get(id) as TaskRow | undefined;
        return r && toTask(r);
      },
      stake: (id) => {
        const r = q.stake.get(id) as StakeRow | undefined;
        return r && toStake(r);
      },
      solverStake: (task) => {
        const r = q.solverStake.get(task) as StakeRow | undefined;
        return r && toStake(r);
      },
      dispute: (id) => {
        const r = q.dispute.get(id) as DisputeRow | undefined;
        return r && toDispute(r);
      },
      nextId: (kind) => (q.next[kind].get() as { n: number }).n,
      accountKey: (id) => (q.accountKey.get(id) as { k: string } | undefined)?.k,
      keyOwner: (k) => (q.keyOwner.get(k) as { a: string } | undefined)?.a,
      sealedCommitment: (task) => {
        const r = q.sealed.get(task) as (Commitment & { seq: number }) | undefined;
        if (!r) return undefined;
        const { seq, ...commitment } = r;
        return { commitment, seq };
      },
      firstReveal: (run, except) => {
        type Ref = { task: string; account: string; seq: number } | undefined;
        const a = q.revealBefore.get(run, except) as Ref;
        const b = q.revealAfter.get(run, except) as Ref;
        return a && b ? (a.seq < b.seq ? a : b) : (a ?? b);
      },
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Game parameters from the genesis event. */
  params(): GameParams {
    if (this.paramsCache) return this.paramsCache;
    const r = this.st('SELECT payload FROM events WHERE seq = 1').get() as { payload: string } | undefined;
    if (!r)
      throw new LedgerError(
        'uninitialised',
        `${this.file}: ledger has no genesis event (run \`pinpoint ledger init\`)`,
      );
    const action = (JSON.parse(r.payload) as EventPayload).action;
    if (action.type !== 'ledger.init')
      throw new LedgerError('corrupt', `${this.file}: event 1 is not ledger.init`);
    this.paramsCache = validateParams(action.params);
    return this.paramsCache;
  }

  head(): { seq: number; hash: Digest } {
    const r = this.st('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string }
      | undefined;
    return r ?? { seq: 0, hash: GENESIS_PREV };
  }

  /** Writes the genesis event (idempotent when it exists with the same parameters). */
  init(params: GameParams = DEFAULT_PARAMS): LedgerEvent {
    const clean = validateParams(params);
    return this.withRetry(() =>
      this.db
        .transaction(() => {
          const existing = this.st('SELECT * FROM events WHERE seq = 1').get() as EventRow | undefined;
          if (existing) {
            const ev = toEvent(existing);
            if (canonicalJson(ev.payload.action) !== canonicalJson({ type: 'ledger.init', params: clean })) {
              throw new LedgerError(
                'exists',
                `${this.file}: already a ledger with different game parameters (\`pinpoint ledger status ${this.file}\` shows them)`,
              );
            }
            return ev;
          }
          return this.append({ action: { type: 'ledger.init', params: clean }, changes: [] }, null);
        })
        .immediate(),
    );
  }

  /** Applies one game action atomically; invalid actions throw a LedgerError and leave the file unchanged. */
  submit(action: Action): LedgerEvent {
    return this.withRetry(() => this.txn.immediate([action])[0]);
  }

  /** Several actions in one transaction (all or nothing). */
  submitAll(actions: Action[]): LedgerEvent[] {
    return this.withRetry(() => this.txn.immediate(actions));
  }

  /** Built once: better-sqlite3 prepares BEGIN/COMMIT statements per transaction wrapper. */
  private readonly txn: Database.Transaction<(actions: Action[]) => LedgerEvent[]>;

  private submitInTxn(action: Action): LedgerEvent {
    this.params();
    const changes = plan(this.view, action);
    const recorded = recordAction(action, changes);
    const seq = this.head().seq + 1;
    // plan() validated the transcript as a JSON object; its canonical text is memoised.
    const transcript = action.type === 'dispute.settle' ? transcriptText(action.transcript as object) : null;
    try {
      for (const c of changes) this.applyChange(c, seq, transcript);
    } catch (err) {
      if (err instanceof LedgerError) throw err;
      throw new LedgerError(
        'internal',
        `${this.file}: applying ${action.type} failed: ${(err as Error).message}`,
      );
    }
    return this.append({ action: recorded, changes }, seq);
  }

  private append(payload: EventPayload, seqHint: number | null): LedgerEvent {
    const head = this.head();
    const seq = head.seq + 1;
    if (seqHint !== null && seqHint !== seq)
      throw new LedgerError('internal', 'head moved inside a transaction');
    const header = {
      seq,
      kind: payload.action.type,
      at: this.clock(),
      task: eventTask(payload),
      prevHash: head.hash,
      payload,
    };
    const text = canonicalJson(payload);
    const hash = eventHashFromText(header, text);
    this.st(
      'INSERT INTO events (seq, kind, at, task_id, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(seq, header.kind, header.at, header.task, text, header.prevHash, hash);
    const ins = this.st('INSERT INTO event_accounts (account_id, seq) VALUES (?, ?)');
    for (const a of eventAccounts(payload)) ins.run(a, seq);
    return { ...header, hash };
  }

  /** Retries a transaction that lost the write lock race beyond the busy timeout. */
  private withRetry<T>(fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (!code || !SQLITE_BUSY.has(code) || attempt >= 20) {
          if (code && SQLITE_BUSY.has(code))
            throw new LedgerError(
              'busy',
              `${this.file}: database stayed locked by another writer: ${(err as Error).message}`,
            );
          throw err;
        }
        sleepSync(5 + Math.floor(Math.random() * 20) * (attempt + 1));
      }
    }
  }

  private adjust(p: Pocket, delta: number): void {
    let r: Database.RunResult;
    if ('mint' in p) r = this.st('UPDATE supply SET minted = minted - ? WHERE id = 1').run(delta);
    else if ('treasury' in p) r = this.st('UPDATE treasury SET amount = amount + ? WHERE id = 1').run(delta);
    else if ('balance' in p)
      r = this.st('UPDATE balances SET amount = amount + ? WHERE account_id = ?').run(delta, p.balance);
    else if ('stake' in p)
      r = this.st('UPDATE stakes SET locked = locked + ? WHERE id = ?').run(delta, p.stake);
    else r = this.st('UPDATE tasks SET escrow = escrow + ? WHERE id = ?').run(delta, p.escrow);
    if (r.changes !== 1)
      throw new LedgerError('internal', `move touches a missing row: ${JSON.stringify(p)}`);
  }

  private applyChange(c: Change, seq: number, transcript: string | null): void {
    switch (c.op) {
      case 'account.create':
        this.st('INSERT INTO accounts (id, name, created_seq) VALUES (?, ?, ?)').run(c.id, c.name, seq);
        this.st('INSERT INTO balances (account_id, amount) VALUES (?, 0)').run(c.id);
        break;
      case 'move':
        this.adjust(c.move.from, -c.move.amount);
        this.adjust(c.move.to, c.move.amount);
        break;
      case 'task.create': {
        const t = c.task;
        this.st(
          'INSERT INTO tasks (id, submitter, bounty, verifier_reward, escrow, state, spec, solver, verifier, outcome, posted_seq, updated_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(
          t.id,
          t.submitter,
          t.bounty,
          t.verifierReward,
          t.escrow,
          t.state,
          t.spec,
          t.solver,
          t.verifier,
          t.outcome,
          seq,
          seq,
        );
        break;
      }
      case 'task.update':
        this.st(
          'UPDATE tasks SET state = ?, solver = COALESCE(?, solver), verifier = COALESCE(?, verifier), outcome = COALESCE(?, outcome), updated_seq = ? WHERE id = ?',
        ).run(c.state, c.solver ?? null, c.verifier ?? null, c.outcome ?? null, seq, c.id);
        break;
      case 'stake.create': {
        const s = c.stake;
        this.st(
          'INSERT INTO stakes (id, task_id, account_id, role, amount, locked, status, locked_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(s.id, s.task, s.account, s.role, s.amount, s.locked, s.status, seq);
        break;
      }
      case 'stake.close': {
        const r = this.st(
          "UPDATE stakes SET status = ?, released_seq = ? WHERE id = ? AND locked = 0 AND status = 'locked'",
        ).run(c.status, seq, c.id);
        if (r.changes !== 1) throw new LedgerError('internal', `stake #${c.id} cannot be closed`);
        break;
      }
      case 'proof.create':
        this.st(
          'INSERT INTO proofs (id, task_id, solver, run_commitment, signer, seq) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(c.proof.id, c.proof.task, c.proof.solver, c.proof.runCommitment, c.proof.signer ?? null, seq);
        break;
      case 'key.bind':
        this.st('INSERT INTO account_keys (account_id, public_key, seq) VALUES (?, ?, ?)').run(
          c.account,
          c.publicKey,
          seq,
        );
        break;
      case 'commitment.create': {
        const k = c.commitment;
        this.st(
          'INSERT INTO commitments (id, task_id, solver, sealed, status, seq) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(k.id, k.task, k.solver, k.sealed, k.status, seq);
        break;
      }
      case 'commitment.close': {
        const r = this.st(
          "UPDATE commitments SET status = ?, closed_seq = ? WHERE id = ? AND status = 'sealed'",
        ).run(c.status, seq, c.id);
        if (r.changes !== 1) throw new LedgerError('internal', `commitment #${c.id} is not sealed`);
        break;
      }
      case 'copy.record': {
        const x = c.copy;
        this.st(
          'INSERT INTO copies (id, task_id, copier, run_commitment, commitment_id, commit_seq, original_task, original_account, original_seq, stake_id, slashed, victim_share, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(
          x.id,
          x.task,
          x.copier,
          x.runCommitment,
          x.commitment,
          x.commitSeq,
          x.original.task,
          x.original.account,
          x.original.seq,
          x.stake,
          x.slashed,
          x.victimShare,
          seq,
        );
        break;
      }
      case 'verification.create': {
        const v = c.verification;
        this.st(
          'INSERT INTO verifications (id, task_id, verifier, report_digest, seq) VALUES (?, ?, ?, ?, ?)',
        ).run(v.id, v.task, v.verifier, v.reportDigest, seq);
        break;
      }
      case 'dispute.create': {
        const d = c.dispute;
        this.st(
          'INSERT INTO disputes (id, task_id, solver, challenger, solver_stake, challenger_stake, state, opened_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(d.id, d.task, d.solver, d.challenger, d.solverStake, d.challengerStake, d.state, seq);
        break;
      }
      case 'dispute.settle':
        this.st(
          "UPDATE disputes SET state = 'settled', loser = ?, verdict = ?, transcript = ?, transcript_digest = ?, settled_seq = ? WHERE id = ?",
        ).run(c.verdict.loser, canonicalJson(c.verdict), transcript, c.transcriptDigest, seq, c.id);
        break;
      case 'slash.record':
        this.st(
          'INSERT INTO slashes (dispute_id, stake_id, account_id, amount, seq) VALUES (?, ?, ?, ?, ?)',
        ).run(c.dispute, c.stake, c.account, c.amount, seq);
        break;
      case 'reward.record':
        this.st(
          'INSERT INTO rewards (task_id, dispute_id, account_id, kind, amount, seq) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(c.task, c.dispute, c.account, c.kind, c.amount, seq);
        break;
      case 'jackpot.record':
        this.st('INSERT INTO jackpots (dispute_id, account_id, amount, seq) VALUES (?, ?, ?, ?)').run(
          c.dispute,
          c.account,
          c.amount,
          seq,
        );
        break;
    }
  }

  // ---------------------------------------------------------------- read API (CLI and desktop app)

  /** Totals straight from the tables. */
  totals(): Totals {
    const one = (sql: string): number => {
      const r = this.st(sql).get() as { n: unknown } | undefined;
      if (!r || typeof r.n !== 'number')
        throw new LedgerError(
          'corrupt',
          `${this.file}: cannot read a total (${sql}): the row is missing or not a number`,
        );
      return r.n;
    };
    return {
      minted: one('SELECT minted AS n FROM supply WHERE id = 1'),
      balances: one('SELECT COALESCE(SUM(amount), 0) AS n FROM balances'),
      locked: one('SELECT COALESCE(SUM(locked), 0) AS n FROM stakes'),
      escrow: one('SELECT COALESCE(SUM(escrow), 0) AS n FROM tasks'),
      treasury: one('SELECT amount AS n FROM treasury WHERE id = 1'),
    };
  }

  status(): LedgerStatus {
    const tasks: Record<string, number> = {};
    for (const r of this.st('SELECT state, COUNT(*) AS n FROM tasks GROUP BY state').all() as {
      state: string;
      n: number;
    }[])
      tasks[r.state] = r.n;
    const d = this.st(
      "SELECT SUM(state = 'open') AS open, SUM(state = 'settled') AS settled FROM disputes",
    ).get() as { open: number | null; settled: number | null };
    return {
      file: this.file,
      schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
      params: this.params(),
      head: this.head(),
      totals: this.totals(),
      accounts: (this.st('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n,
      tasks,
      disputes: { open: d.open ?? 0, settled: d.settled ?? 0 },
    };
  }

  accounts(): AccountRow[] {
    return this.db
      .prepare(
        `SELECT a.id, a.name, b.amount AS balance,
                COALESCE((SELECT SUM(locked) FROM stakes s WHERE s.account_id = a.id), 0) AS locked
         FROM accounts a JOIN balances b ON b.account_id = a.id ORDER BY a.created_seq, a.id`,
      )
      .all() as AccountRow[];
  }

  tasks(): Task[] {
    return (this.st('SELECT * FROM tasks ORDER BY posted_seq').all() as TaskRow[]).map(toTask);
  }

  stakes(): Stake[] {
    return (this.st('SELECT * FROM stakes ORDER BY id').all() as StakeRow[]).map(toStake);
  }

  disputes(): Dispute[] {
    return (this.st('SELECT * FROM disputes ORDER BY id').all() as DisputeRow[]).map(toDispute);
  }

  proofs(): Proof[] {
    return this.st(
      'SELECT id, task_id AS task, solver, run_commitment AS runCommitment, signer FROM proofs ORDER BY id',
    ).all() as Proof[];
  }

  /** Bound account keys (account.key), in binding order. */
  keys(): { account: string; publicKey: string; seq: number }[] {
    return this.st(
      'SELECT account_id AS account, public_key AS publicKey, seq FROM account_keys ORDER BY seq, account_id',
    ).all() as { account: string; publicKey: string; seq: number }[];
  }

  /** Sealed commitments (commit-then-reveal) with the events that sealed and closed them. */
  commitments(): (Commitment & { seq: number; closedSeq: number | null })[] {
    return this.st(
      'SELECT id, task_id AS task, solver, sealed, status, seq, closed_seq AS closedSeq FROM commitments ORDER BY id',
    ).all() as (Commitment & { seq: number; closedSeq: number | null })[];
  }

  /** Copies the ledger caught (a reveal sealed after someone else revealed the same run commitment). */
  copies(): (CopyRecord & { seq: number })[] {
    return (
      this.st('SELECT * FROM copies ORDER BY id').all() as {
        id: number;
        task_id: string;
        copier: string;
        run_commitment: string;
        commitment_id: number | null;
        commit_seq: number | null;
        original_task: string;
        original_account: string;
        original_seq: number;
        stake_id: number;
        slashed: number;
        victim_share: number;
        seq: number;
      }[]
    ).map((r) => ({
      id: r.id,
      task: r.task_id,
      copier: r.copier,
      runCommitment: r.run_commitment,
      commitment: r.commitment_id,
      commitSeq: r.commit_seq,
      original: { task: r.original_task, account: r.original_account, seq: r.original_seq },
      stake: r.stake_id,
      slashed: r.slashed,
      victimShare: r.victim_share,
      seq: r.seq,
    }));
  }

  /** Events, optionally filtered by task, account or kind. */
  events(filter: EventFilter = {}): LedgerEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.task !== undefined) {
      where.push('e.task_id = ?');
      args.push(filter.task);
    }
    if (filter.account !== undefined) {
      where.push('e.seq IN (SELECT seq FROM event_accounts WHERE account_id = ?)');
      args.push(filter.account);
    }
    if (filter.kind !== undefined) {
      where.push('e.kind = ?');
      args.push(filter.kind);
    }
    if (filter.after !== undefined) {
      where.push('e.seq > ?');
      args.push(filter.after);
    }
    const sql = `SELECT * FROM events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.seq ${filter.descending ? 'DESC' : 'ASC'} ${
      filter.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(filter.limit))}` : ''
    }`;
    return (this.st(sql).all(...args) as EventRow[]).map(toEvent);
  }

  /** A dispute with its transcript and every event of its task, for replay in the app. */
  dispute(id: number): DisputeRecord | null {
    const r = this.st('SELECT * FROM disputes WHERE id = ?').get(id) as
      | (DisputeRow & { transcript: string | null })
      | undefined;
    if (!r) return null;
    return {
      ...toDispute(r),
      transcript: r.transcript === null ? null : JSON.parse(r.transcript),
      events: this.events({ task: r.task_id }),
    };
  }

  private transcriptOf = (id: number): unknown => {
    const r = this.st('SELECT transcript FROM disputes WHERE id = ?').get(id) as
      | { transcript: string | null }
      | undefined;
    if (!r || r.transcript === null) return undefined;
    try {
      return JSON.parse(r.transcript);
    } catch {
      return { unparsable: r.transcript };
    }
  };

  private *iterateEvents(): Generator<LedgerEvent & { payloadText: string }> {
    for (const r of this.st('SELECT * FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>) {
      let payload: EventPayload;
      try {
        payload = JSON.parse(r.payload) as EventPayload;
      } catch {
        payload = { action: { type: 'unparsable' }, changes: [] } as unknown as EventPayload;
      }
      yield {
        seq: r.seq,
        kind: r.kind,
        at: r.at,
        task: r.task_id,
        payload,
        prevHash: r.prev_hash,
        hash: r.hash,
        payloadText: r.payload,
      };
    }
  }

  /** Balances, stakes, escrow and treasury right after event `seq` (replayed from the log). */
  snapshotAt(seq: number): LedgerSnapshot {
    const head = this.head().seq;
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > head)
      throw new LedgerError('bad-seq', `${this.file}: no event ${seq} (events are 1..${head})`);
    let snap: LedgerSnapshot | null = null;
    const res = replay(this.iterateEvents(), this.transcriptOf, (s, state) => {
      if (s === seq) {
        snap = state.snapshot(seq);
        return false;
      }
      return undefined;
    });
    if (!snap)
      throw new LedgerError(
        'corrupt',
        `${this.file}: cannot replay to event ${seq}: event ${res.bad?.seq}: ${res.bad?.problem}`,
      );
    return snap;
  }

  /** Recomputes the chain, replays the rules, checks the invariant and compares every table with the replay. */
  verify(options: { anchor?: Digest } = {}): VerifyReport {
    const integrity = (this.db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
    const accountsBySeq = new Map<number, string[]>();
    for (const r of this.st(
      'SELECT seq, account_id FROM event_accounts ORDER BY seq, account_id',
    ).iterate() as IterableIterator<{ seq: number; account_id: string }>) {
      const list = accountsBySeq.get(r.seq);
      if (list) list.push(r.account_id);
      else accountsBySeq.set(r.seq, [r.account_id]);
    }
    const events = (function* (it: Generator<LedgerEvent & { payloadText: string }>) {
      for (const e of it) yield { ...e, accounts: accountsBySeq.get(e.seq) ?? [] };
    })(this.iterateEvents());
    const res = replay(events, this.transcriptOf);
    const tableProblems: string[] = [];
    const total = this.st('SELECT COUNT(*) AS n, MAX(seq) AS m FROM events').get() as {
      n: number;
      m: number | null;
    };
    if (!res.bad && res.count === 0) tableProblems.push('the ledger has no events (not initialised)');
    if (!res.bad && res.state) {
      try {
        tableProblems.push(...compareTables(this, res.state));
      } catch (err) {
        tableProblems.push(`tables cannot be read: ${(err as Error).message}`);
      }
    }
    const orphan = this.st(
      'SELECT COUNT(*) AS n FROM event_accounts WHERE seq NOT IN (SELECT seq FROM events)',
    ).get() as { n: number };
    if (orphan.n > 0) tableProblems.push(`event_accounts has ${orphan.n} rows for events that do not exist`);
    let totals: Totals | null = null;
    try {
      totals = this.totals();
    } catch (err) {
      tableProblems.push((err as Error).message);
    }
    const held = totals ? totals.balances + totals.locked + totals.escrow + totals.treasury : 0;
    if (totals && held !== totals.minted) {
      tableProblems.push(
        `supply invariant broken in the tables: minted ${totals.minted} ≠ balances ${totals.balances} + locked ${totals.locked} + escrow ${totals.escrow} + treasury ${totals.treasury} = ${held}`,
      );
    }
    let anchor: VerifyReport['anchor'] = null;
    if (options.anchor !== undefined) {
      const r = this.st('SELECT seq FROM events WHERE hash = ?').get(options.anchor) as
        | { seq: number }
        | undefined;
      // Only a verified prefix counts: the anchor must lie within the events that replayed cleanly.
      anchor = { hash: options.anchor, seq: r && r.seq <= res.count ? r.seq : null };
    }
    const ok =
      integrity === 'ok' &&
      !res.bad &&
      tableProblems.length === 0 &&
      (anchor === null || anchor.seq !== null);
    return {
      file: this.file,
      ok,
      events: Math.max(total.n, total.m ?? 0),
      head: res.head,
      integrity,
      firstBadEvent: res.bad,
      tableProblems,
      anchor,
      totals,
    };
  }

  /** The seq of the last event that touched an account or task (to point at it in verify messages). */
  lastEventFor(kind: 'account' | 'task', id: string): number | null {
    const r =
      kind === 'account'
        ? (this.st('SELECT MAX(seq) AS s FROM event_accounts WHERE account_id = ?').get(id) as {
            s: number | null;
          })
        : (this.st('SELECT MAX(seq) AS s FROM events WHERE task_id = ?').get(id) as { s: number | null });
    return r.s;
  }
}

/** Opens an existing ledger (read-write unless `readonly`). */
export function openLedger(file: string, opts: OpenOptions = {}): SqliteLedger {
  return new SqliteLedger(file, { ...opts, create: false });
}

/** Creates (or opens) a ledger file and writes its genesis event with the given parameters. */
export function createLedger(
  file: string,
  params: GameParams = DEFAULT_PARAMS,
  opts: OpenOptions = {},
): SqliteLedger {
  const ledger = new SqliteLedger(file, { ...opts, create: true });
  try {
    ledger.init(params);
  } catch (err) {
    ledger.close();
    throw err;
  }
  return ledger;
}
