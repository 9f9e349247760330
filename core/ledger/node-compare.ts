/**
 * `SqliteLedger.verify`'s table check: the ledger's tables compared row by row with the state the event
 * chain replays to (core/ledger/audit.ts), as human-readable differences naming table, row and field.
 * Split out of node-store.ts: the store writes the tables, this reads them against an independent replay.
 */
import { canonicalJson } from '../hash/digest.ts';
import type { MemoryLedger } from './memory.ts';
import type { SqliteLedger } from './node-store.ts';

/** Row-by-row comparison of the tables with the replayed state; returns human-readable differences. */
export function compareTables(ledger: SqliteLedger, state: MemoryLedger): string[] {
  const out: string[] = [];
  const limit = 20;
  const diff = (what: string, got: unknown, want: unknown, hint: string | null): void => {
    if (out.length < limit)
      out.push(
        `${what}: table has ${canonicalJson(got ?? null)}, the event log gives ${canonicalJson(want ?? null)}${hint ?? ''}`,
      );
  };
  const at = (kind: 'account' | 'task', id: string): string => {
    const s = ledger.lastEventFor(kind, id);
    return s === null ? '' : ` (last changed by event ${s})`;
  };
  const byId = <T extends { id: string | number }>(rows: T[]): Map<string | number, T> =>
    new Map(rows.map((r) => [r.id, r]));

  const accounts = byId(ledger.accounts().map(({ locked: _l, ...a }) => a));
  for (const [id, want] of state.accounts) {
    const got = accounts.get(id);
    if (canonicalJson(got ?? null) !== canonicalJson(want))
      diff(`account "${id}"`, got, want, at('account', id));
    accounts.delete(id);
  }
  for (const [id, got] of accounts) diff(`account "${id}"`, got, null, ' (a row no event created)');

  const t = ledger.totals();
  if (t.minted !== state.minted) diff('supply.minted', t.minted, state.minted, null);
  if (t.treasury !== state.treasury) diff('treasury.amount', t.treasury, state.treasury, null);

  const cmp = <T extends { id: string | number }>(
    name: string,
    rows: T[],
    want: Map<string | number, T>,
    hint: (id: string) => string | null,
  ): void => {
    const got = byId(rows);
    for (const [id, w] of want) {
      const g = got.get(id);
      if (canonicalJson(g ?? null) !== canonicalJson(w))
        diff(`${name} ${JSON.stringify(id)}`, g, w, hint(String(id)));
      got.delete(id);
    }
    for (const [id, g] of got) diff(`${name} ${JSON.stringify(id)}`, g, null, ' (a row no event created)');
  };
  cmp('task', ledger.tasks(), state.tasks, (id) => at('task', id));
  cmp('stake', ledger.stakes(), state.stakes, () => null);
  cmp('dispute', ledger.disputes(), state.disputes, () => null);

  const db = ledger.db;
  const list = (name: string, sql: string, want: unknown[]): void => {
    const got = db.prepare(sql).all();
    if (canonicalJson(got) !== canonicalJson(want)) {
      const n = Math.max(got.length, want.length);
      for (let i = 0; i < n; i++) {
        if (canonicalJson(got[i] ?? null) !== canonicalJson(want[i] ?? null)) {
          diff(`${name} row ${i + 1}`, got[i], want[i], null);
          break;
        }
      }
    }
  };
  const seqColumns: [string, string][] = [
    ['accounts', 'created_seq'],
    ['tasks', 'posted_seq'],
    ['tasks', 'updated_seq'],
    ['stakes', 'locked_seq'],
    ['stakes', 'released_seq'],
    ['proofs', 'seq'],
    ['verifications', 'seq'],
    ['disputes', 'opened_seq'],
    ['disputes', 'settled_seq'],
    ['commitments', 'seq'],
    ['commitments', 'closed_seq'],
    ['copies', 'seq'],
  ];
  for (const [tableName, col] of seqColumns) {
    for (const r of db.prepare(`SELECT id, ${col} AS v FROM ${tableName}`).all() as {
      id: string | number;
      v: unknown;
    }[]) {
      const want = state.rowSeq.get(`${tableName}.${col}:${r.id}`) ?? null;
      if (r.v !== want) diff(`${tableName} ${JSON.stringify(r.id)} ${col}`, r.v, want, null);
    }
  }
  for (const r of db.prepare('SELECT id, loser, transcript IS NULL AS none FROM disputes').all() as {
    id: number;
    loser: unknown;
    none: number;
  }[]) {
    const v = state.disputes.get(r.id)?.verdict ?? null;
    if (r.loser !== (v?.loser ?? null)) diff(`dispute ${r.id} loser`, r.loser, v?.loser ?? null, null);
    if ((r.none === 1) !== (v === null))
      diff(`dispute ${r.id} transcript`, r.none ? null : 'a transcript', v ? 'a transcript' : null, null);
  }
  const strayBalances = db
    .prepare('SELECT COUNT(*) AS n FROM balances WHERE account_id NOT IN (SELECT id FROM accounts)')
    .get() as { n: number };
  if (strayBalances.n > 0) diff('balances', `${strayBalances.n} rows without an account`, 'none', null);
  list(
    'proofs',
    'SELECT id, task_id AS task, solver, run_commitment AS runCommitment, signer FROM proofs ORDER BY id',
    [...state.proofs.values()].map((p) => ({ ...p, signer: p.signer ?? null })),
  );
  list(
    'account_keys',
    'SELECT account_id AS account, public_key AS publicKey, seq FROM account_keys ORDER BY seq, account_id',
    [...state.keys].map(([account, publicKey]) => ({
      account,
      publicKey,
      seq: state.rowSeq.get(`account_keys.seq:${account}`) ?? null,
    })),
  );
  list('commitments', 'SELECT id, task_id AS task, solver, sealed, status FROM commitments ORDER BY id', [
    ...state.commitments.values(),
  ]);
  list(
    'copies',
    'SELECT id, task_id AS task, copier, run_commitment AS runCommitment, commitment_id AS commitment, commit_seq AS commitSeq, original_task AS ot, original_account AS oa, original_seq AS os, stake_id AS stake, slashed, victim_share AS victimShare FROM copies ORDER BY id',
    [...state.copies.values()].map(({ original, ...x }) => ({
      ...x,
      ot: original.task,
      oa: original.account,
      os: original.seq,
    })),
  );
  list(
    'verifications',
    'SELECT id, task_id AS task, verifier, report_digest AS reportDigest FROM verifications ORDER BY id',
    [...state.verifications.values()],
  );
  list(
    'slashes',
    'SELECT id, dispute_id AS dispute, stake_id AS stake, account_id AS account, amount, seq FROM slashes ORDER BY id',
    state.slashes.map(({ op: _o, ...r }, i) => ({ id: i + 1, ...r })),
  );
  list(
    'rewards',
    'SELECT id, task_id AS task, dispute_id AS dispute, account_id AS account, kind, amount, seq FROM rewards ORDER BY id',
    state.rewards.map(({ op: _o, ...r }, i) => ({ id: i + 1, ...r })),
  );
  list(
    'jackpots',
    'SELECT id, dispute_id AS dispute, account_id AS account, amount, seq FROM jackpots ORDER BY id',
    state.jackpots.map(({ op: _o, ...r }, i) => ({ id: i + 1, ...r })),
  );
  return out;
}
