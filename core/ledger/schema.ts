/**
 * The ledger's SQLite schema as numbered migrations. `PRAGMA user_version` holds the schema version and
 * `PRAGMA application_id` marks the file as a Pinpoint ledger, so opening a foreign or newer database
 * fails with a clear message instead of corrupting it. Plain strings: no node imports here.
 */

/** 'PPLG' — written to the SQLite header so `file` and other tools can tell a ledger from other databases. */
export const LEDGER_APPLICATION_ID = 0x50504c47;

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

const V1 = `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, created_seq INTEGER NOT NULL
) STRICT;
CREATE TABLE balances (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id),
  amount INTEGER NOT NULL CHECK (amount >= 0)
) STRICT;
CREATE TABLE supply (id INTEGER PRIMARY KEY CHECK (id = 1), minted INTEGER NOT NULL CHECK (minted >= 0)) STRICT;
CREATE TABLE treasury (id INTEGER PRIMARY KEY CHECK (id = 1), amount INTEGER NOT NULL CHECK (amount >= 0)) STRICT;
INSERT INTO supply VALUES (1, 0);
INSERT INTO treasury VALUES (1, 0);
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  submitter TEXT NOT NULL REFERENCES accounts(id),
  bounty INTEGER NOT NULL CHECK (bounty > 0),
  verifier_reward INTEGER NOT NULL CHECK (verifier_reward >= 0),
  escrow INTEGER NOT NULL CHECK (escrow >= 0),
  state TEXT NOT NULL CHECK (state IN ('posted','claimed','proved','verified','disputed','settled')),
  spec TEXT NOT NULL,
  solver TEXT REFERENCES accounts(id),
  verifier TEXT REFERENCES accounts(id),
  outcome TEXT CHECK (outcome IN ('paid','refunded')),
  posted_seq INTEGER NOT NULL,
  updated_seq INTEGER NOT NULL
) STRICT;
CREATE TABLE stakes (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  role TEXT NOT NULL CHECK (role IN ('solver','challenger')),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  locked INTEGER NOT NULL CHECK (locked >= 0 AND locked <= amount),
  status TEXT NOT NULL CHECK (status IN ('locked','returned','slashed')),
  locked_seq INTEGER NOT NULL,
  released_seq INTEGER
) STRICT;
CREATE INDEX stakes_task ON stakes(task_id);
CREATE TABLE proofs (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL UNIQUE REFERENCES tasks(id),
  solver TEXT NOT NULL REFERENCES accounts(id),
  run_commitment TEXT NOT NULL,
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE verifications (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  verifier TEXT NOT NULL REFERENCES accounts(id),
  report_digest TEXT,
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE disputes (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  solver TEXT NOT NULL REFERENCES accounts(id),
  challenger TEXT NOT NULL REFERENCES accounts(id),
  solver_stake INTEGER NOT NULL REFERENCES stakes(id),
  challenger_stake INTEGER NOT NULL REFERENCES stakes(id),
  state TEXT NOT NULL CHECK (state IN ('open','settled')),
  loser TEXT CHECK (loser IN ('solver','challenger','both')),
  verdict TEXT,
  transcript TEXT,
  transcript_digest TEXT,
  opened_seq INTEGER NOT NULL,
  settled_seq INTEGER
) STRICT;
CREATE INDEX disputes_task ON disputes(task_id);
CREATE TABLE slashes (
  id INTEGER PRIMARY KEY,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  stake_id INTEGER NOT NULL REFERENCES stakes(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE rewards (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  dispute_id INTEGER REFERENCES disputes(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL CHECK (kind IN ('bounty','verifier','compensation')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE jackpots (
  id INTEGER PRIMARY KEY,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  task_id TEXT,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX events_task ON events(task_id, seq);
CREATE INDEX events_kind ON events(kind, seq);
CREATE TABLE event_accounts (
  account_id TEXT NOT NULL,
  seq INTEGER NOT NULL REFERENCES events(seq),
  PRIMARY KEY (account_id, seq)
) STRICT, WITHOUT ROWID;
-- Append-only by construction; an attacker with write access can drop these, which is why
-- \`ledger verify\` recomputes the chain instead of trusting them.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;
`;

/**
 * v2: identity binding. Keys bound to accounts, sealed run commitments (commit-then-reveal), copies caught
 * by the reveal order, and the signer of each recorded proof. Old rows need no rewriting: a v1 proof has
 * no signer (NULL) and v1 events replay to exactly the changes they recorded.
 */
const V2 = `
CREATE TABLE account_keys (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id),
  public_key TEXT NOT NULL UNIQUE CHECK (length(public_key) = 64),
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE commitments (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  solver TEXT NOT NULL REFERENCES accounts(id),
  sealed TEXT NOT NULL CHECK (length(sealed) = 64),
  status TEXT NOT NULL CHECK (status IN ('sealed','revealed','replaced','copy')),
  seq INTEGER NOT NULL,
  closed_seq INTEGER
) STRICT;
CREATE INDEX commitments_task ON commitments(task_id, status);
CREATE TABLE copies (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  copier TEXT NOT NULL REFERENCES accounts(id),
  run_commitment TEXT NOT NULL,
  commitment_id INTEGER REFERENCES commitments(id),
  commit_seq INTEGER,
  original_task TEXT NOT NULL REFERENCES tasks(id),
  original_account TEXT NOT NULL REFERENCES accounts(id),
  original_seq INTEGER NOT NULL,
  stake_id INTEGER NOT NULL REFERENCES stakes(id),
  slashed INTEGER NOT NULL CHECK (slashed >= 0),
  victim_share INTEGER NOT NULL CHECK (victim_share >= 0 AND victim_share <= slashed),
  seq INTEGER NOT NULL
) STRICT;
ALTER TABLE proofs ADD COLUMN signer TEXT;
-- (run, solver, seq): "earliest proof of this run by another account" is two range lookups, not a scan.
CREATE INDEX proofs_run ON proofs(run_commitment, solver, seq);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'staking game tables and hash-chained events', sql: V1 },
  { version: 2, description: 'account keys, sealed commitments (commit-then-reveal), copies', sql: V2 },
];

export const LEDGER_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
