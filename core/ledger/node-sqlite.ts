/**
 * The ledger's SQLite file underneath core/ledger/node-store.ts: opening it (pragmas, application id and
 * schema-version checks), migrating older schemas in one transaction, the busy/retry primitives, and the
 * mapping from table rows to the ledger's records. node-store.ts holds the read/write API on top.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { OpenOptions } from './node-store.ts';
import { LEDGER_APPLICATION_ID, LEDGER_SCHEMA_VERSION, MIGRATIONS, type Migration } from './schema.ts';
import {
  type Dispute,
  type EventPayload,
  LedgerError,
  type LedgerEvent,
  type Stake,
  type Task,
  type Verdict,
} from './types.ts';

type DB = Database.Database;

export const SQLITE_BUSY = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_LOCKED',
]);

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Opens the file and checks it is a ledger of a schema this build understands; migrates older ones. */
export function openDatabase(file: string, opts: OpenOptions): DB {
  if (file !== ':memory:' && !existsSync(file) && !opts.create) {
    throw new LedgerError(
      'no-file',
      `${file}: no such ledger (create one with \`pinpoint ledger init ${file}\`)`,
    );
  }
  let db: DB;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: !opts.create });
  } catch (err) {
    throw new LedgerError('open', `${file}: cannot open as SQLite database: ${(err as Error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    let appId: number;
    let version: number;
    let tables: string[];
    try {
      appId = db.pragma('application_id', { simple: true }) as number;
      version = db.pragma('user_version', { simple: true }) as number;
      tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
          name: string;
        }[]
      ).map((r) => r.name);
    } catch (err) {
      throw new LedgerError('foreign', `${file}: not a Pinpoint ledger (${(err as Error).message})`);
    }
    const fresh = appId === 0 && version === 0 && tables.length === 0;
    if (!fresh && appId !== LEDGER_APPLICATION_ID) {
      const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
      throw new LedgerError(
        'foreign',
        `${file}: not a Pinpoint ledger (SQLite application_id 0x${appId.toString(16)}, expected 0x${LEDGER_APPLICATION_ID.toString(16)}; tables: ${shown || 'none'})`,
      );
    }
    if (version > LEDGER_SCHEMA_VERSION) {
      throw new LedgerError(
        'newer',
        `${file}: ledger schema v${version} is newer than this build supports (v${LEDGER_SCHEMA_VERSION}); upgrade Pinpoint to open it`,
      );
    }
    if (fresh && !opts.create)
      throw new LedgerError(
        'empty',
        `${file}: empty database, not a Pinpoint ledger (use \`pinpoint ledger init\`)`,
      );
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    }
    db.pragma('foreign_keys = ON');
    if (version < LEDGER_SCHEMA_VERSION) {
      if (opts.readonly)
        throw new LedgerError(
          'old',
          `${file}: ledger schema v${version} needs migrating to v${LEDGER_SCHEMA_VERSION}; open it read-write once`,
        );
      migrateDatabase(db, file);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Applies every migration newer than the file's `user_version`, all in one IMMEDIATE transaction: a
 * failing step leaves the file exactly at its old version. Exported (with an explicit list) for tests.
 */
export function migrateDatabase(db: DB, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  let step = 0;
  const run = db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const current = db.pragma('user_version', { simple: true }) as number;
    for (const m of migrations) {
      if (m.version <= current) continue;
      step = m.version;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    db.pragma(`application_id = ${LEDGER_APPLICATION_ID}`);
  });
  try {
    run.immediate();
  } catch (err) {
    throw new LedgerError(
      'migrate',
      `${file}: schema migration to v${step} failed (file left unchanged): ${(err as Error).message}`,
    );
  }
}

export interface EventRow {
  seq: number;
  kind: string;
  at: string;
  task_id: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

export function toEvent(r: EventRow): LedgerEvent {
  return {
    seq: r.seq,
    kind: r.kind,
    at: r.at,
    task: r.task_id,
    payload: JSON.parse(r.payload) as EventPayload,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface TaskRow {
  id: string;
  submitter: string;
  bounty: number;
  verifier_reward: number;
  escrow: number;
  state: Task['state'];
  spec: string;
  solver: string | null;
  verifier: string | null;
  outcome: Task['outcome'];
}
export const toTask = (r: TaskRow): Task => ({
  id: r.id,
  submitter: r.submitter,
  bounty: r.bounty,
  verifierReward: r.verifier_reward,
  escrow: r.escrow,
  state: r.state,
  spec: r.spec,
  solver: r.solver,
  verifier: r.verifier,
  outcome: r.outcome,
});

export interface StakeRow {
  id: number;
  task_id: string;
  account_id: string;
  role: Stake['role'];
  amount: number;
  locked: number;
  status: Stake['status'];
}
export const toStake = (r: StakeRow): Stake => ({
  id: r.id,
  task: r.task_id,
  account: r.account_id,
  role: r.role,
  amount: r.amount,
  locked: r.locked,
  status: r.status,
});

export interface DisputeRow {
  id: number;
  task_id: string;
  solver: string;
  challenger: string;
  solver_stake: number;
  challenger_stake: number;
  state: Dispute['state'];
  verdict: string | null;
  transcript_digest: string | null;
}
export const toDispute = (r: DisputeRow): Dispute => ({
  id: r.id,
  task: r.task_id,
  solver: r.solver,
  challenger: r.challenger,
  solverStake: r.solver_stake,
  challengerStake: r.challenger_stake,
  state: r.state,
  verdict: r.verdict === null ? null : (JSON.parse(r.verdict) as Verdict),
  transcriptDigest: r.transcript_digest,
});
