/**
 * Tamper evidence. Every column of every table of the demo ledger is altered in turn in three rows (and
 * those rows deleted) with raw SQL, the way an attacker with the file would — triggers dropped, foreign keys off —
 * and `verify` must fail each time. Edits through the real sqlite3 CLI are checked against the
 * `pinpoint ledger verify` command, which must name the first bad event.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_PARAMS, demoActions, demoClock } from '../../core/ledger/demo.ts';
import { createLedger, openLedger } from '../../core/ledger/node-store.ts';
import { pinpoint, tempDir } from './helpers.ts';

const dir = tempDir();
const demo = join(dir, 'demo.db');
{
  const l = createLedger(demo, DEMO_PARAMS, { clock: demoClock() });
  l.submitAll(demoActions());
  l.close();
}

function copy(name: string): string {
  const f = join(dir, name);
  copyFileSync(demo, f);
  return f;
}

type Cell = string | number | null;

function mutate(v: Cell, column: string): Cell {
  if (v === null)
    return column.endsWith('seq') || column.endsWith('_id') || column === 'dispute_id' ? 1 : 'x';
  if (typeof v === 'number') return v + 1;
  if (/^[0-9a-f]{64}$/.test(v)) return v.slice(0, 63) + (v[63] === '0' ? '1' : '0');
  const digit = v.search(/[0-9]/);
  if ((v.startsWith('{') || v.startsWith('[')) && digit >= 0)
    return v.slice(0, digit) + String((Number(v[digit]) + 1) % 10) + v.slice(digit + 1);
  return `${v}x`;
}

test('altering any column or deleting a row of any table is detected', (t) => {
  const file = copy('cells.db');
  const l = openLedger(file);
  const db = l.db;
  db.pragma('foreign_keys = OFF');
  assert.ok(l.verify().ok, 'the untouched demo verifies');
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  let altered = 0;
  let deleted = 0;
  let refusedBySchema = 0;
  const missed: string[] = [];
  for (const table of tables) {
    const cols = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; pk: number }[];
    const pk = cols.filter((c) => c.pk > 0).map((c) => c.name);
    const key = pk.length > 0 ? pk : ['rowid'];
    const all = db.prepare(`SELECT ${key.join(', ')} FROM ${table}`).all() as Record<string, Cell>[];
    // Every column of every table, in the first, a middle and the last row (all rows would take minutes).
    const rows = [...new Set([0, all.length >> 1, all.length - 1])]
      .filter((i) => i >= 0 && i < all.length)
      .map((i) => all[i]);
    const where = key.map((k) => `${k} = ?`).join(' AND ');
    const attempt = (label: string, sql: string, args: Cell[]) => {
      db.exec('BEGIN; DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
      try {
        try {
          const r = db.prepare(sql).run(...args);
          if (r.changes !== 1) throw new Error(`${label}: ${r.changes} rows changed`);
        } catch (err) {
          if (/constraint/i.test(String(err))) {
            refusedBySchema++;
            return false;
          }
          throw err;
        }
        if (l.verify().ok) missed.push(label);
        return true;
      } finally {
        db.exec('ROLLBACK');
      }
    };
    for (const row of rows) {
      const ids = key.map((k) => row[k]);
      for (const c of cols) {
        const cur = db.prepare(`SELECT ${c.name} AS v FROM ${table} WHERE ${where}`).get(...ids) as {
          v: Cell;
        };
        const next = mutate(cur.v, c.name);
        if (
          attempt(
            `${table}[${ids.join(',')}].${c.name}: ${String(cur.v).slice(0, 30)} → ${String(next).slice(0, 30)}`,
            `UPDATE ${table} SET ${c.name} = ? WHERE ${where}`,
            [next, ...ids],
          )
        )
          altered++;
      }
      if (attempt(`delete ${table}[${ids.join(',')}]`, `DELETE FROM ${table} WHERE ${where}`, ids)) deleted++;
    }
  }
  l.close();
  t.diagnostic(
    `${altered} cell edits and ${deleted} row deletions detected; ${refusedBySchema} edits refused by the schema's constraints`,
  );
  assert.deepEqual(missed, []);
  assert.ok(altered > 150 && deleted > 30, `only ${altered} edits / ${deleted} deletions tried`);
});

const sqlite3 = '/usr/bin/sqlite3';
const spawnCli = (file: string) =>
  spawnSync(process.execPath, ['bin/pinpoint.js', 'ledger', 'verify', file], {
    encoding: 'utf8',
    cwd: join(import.meta.dirname, '../..'),
  });

test('sqlite3 CLI edits are caught by `pinpoint ledger verify`, which names the first bad event', {
  skip: !existsSync(sqlite3) && 'sqlite3 CLI not installed',
}, async () => {
  // One real process through bin/pinpoint.js; the other cases run the same command in-process (faster).
  const ok = spawnCli(demo);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^OK/);

  const cases: [string, string, RegExp][] = [
    // Raise one amount in an event's payload: the event's own hash no longer matches.
    [
      'payload.db',
      'DROP TRIGGER events_no_update; UPDATE events SET payload = replace(payload, \'"amount":1000\', \'"amount":1001\') WHERE seq = 9;',
      /first bad event: 9: hash mismatch/,
    ],
    // Delete an event in the middle: the chain has a hole.
    [
      'delete.db',
      'DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 20;',
      /first bad event: 20: event 20 is missing/,
    ],
    // Delete the newest event (the demo's caught copy): the chain is intact but the tables hold changes no
    // event explains.
    [
      'delete-last.db',
      'DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events);',
      /copies row 1: table has .*, the event log gives null/,
    ],
    // Give someone money: the balance differs from the replayed log and the supply invariant breaks.
    [
      'balance.db',
      "UPDATE balances SET amount = amount + 500 WHERE account_id = 'frank';",
      /account "frank".*"balance":1404.*"balance":904.*last changed by event \d+[\s\S]*supply invariant broken/,
    ],
    // Mint consistently (balance and supply): the invariant holds, the replay still disagrees.
    [
      'mint.db',
      "UPDATE balances SET amount = amount + 500 WHERE account_id = 'frank'; UPDATE supply SET minted = minted + 500;",
      /account "frank"/,
    ],
    // Rewrite an event and re-hash it: the next event's prev_hash exposes it.
    [
      'rehash.db',
      "DROP TRIGGER events_no_update; UPDATE events SET at = '2030-01-01T00:00:00.000Z' WHERE seq = 5;",
      /first bad event: 5: hash mismatch/,
    ],
    // Change who lost a dispute in the stored transcript.
    [
      'transcript.db',
      'UPDATE disputes SET transcript = replace(transcript, \'"loser":"solver"\', \'"loser":"challenger"\') WHERE id = 1;',
      /transcript of dispute #1 does not match/,
    ],
  ];
  for (const [name, sql, expect] of cases) {
    const f = copy(name);
    execFileSync(sqlite3, [f, sql]);
    const r =
      name === 'delete.db'
        ? (({ status, stdout, stderr }) => ({ code: status, stdout, stderr }))(spawnCli(f))
        : await pinpoint(['ledger', 'verify', f]);
    const code = r.code;
    assert.equal(code, 1, `${name}: verify should fail\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^FAILED/, name);
    assert.match(r.stdout, expect, `${name}:\n${r.stdout}`);
  }
});

test('a re-hashed event is caught at the next event by its prev_hash', () => {
  const f = copy('rehash2.db');
  const l = openLedger(f);
  const e = l.events({ after: 4, limit: 1 })[0];
  const forged = { ...e, at: '2030-01-01T00:00:00.000Z' };
  // Recompute the forged event's hash exactly as the ledger does.
  return import('../../core/ledger/chain.ts').then(({ eventHash }) => {
    const hash = eventHash(forged);
    l.db.exec('DROP TRIGGER events_no_update');
    l.db.prepare('UPDATE events SET at = ?, hash = ? WHERE seq = ?').run(forged.at, hash, e.seq);
    const r = l.verify();
    assert.equal(r.ok, false);
    assert.equal(r.firstBadEvent?.seq, e.seq + 1);
    assert.match(r.firstBadEvent?.problem ?? '', /prev_hash .* does not match the hash of event 5/);
    l.close();
  });
});

test('a whole-chain rewrite whose effects break the game rules is caught by re-deriving the changes', async () => {
  const { eventHashFromText } = await import('../../core/ledger/chain.ts');
  const f = copy('rewrite.db');
  const l = openLedger(f);
  // The head hash as published before the rewrite (e.g. by `pinpoint ledger status`).
  const published = l.head().hash;
  assert.deepEqual(l.verify({ anchor: published }).anchor, { hash: published, seq: l.head().seq });
  l.db.exec('DROP TRIGGER events_no_update');
  const rows = l.db.prepare('SELECT * FROM events WHERE seq >= 9 ORDER BY seq').all() as {
    seq: number;
    kind: string;
    at: string;
    task_id: string | null;
    payload: string;
    prev_hash: string;
  }[];
  assert.equal(rows[0].kind, 'mint');
  // The action still says 1000 but the recorded move now mints 5000; every later hash is recomputed.
  rows[0].payload = rows[0].payload.replace(
    '"amount":1000,"from":{"mint":true}',
    '"amount":5000,"from":{"mint":true}',
  );
  let prev = rows[0].prev_hash;
  const upd = l.db.prepare('UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?');
  for (const r of rows) {
    const hash = eventHashFromText(
      { seq: r.seq, kind: r.kind, at: r.at, task: r.task_id, prevHash: prev },
      r.payload,
    );
    upd.run(r.payload, prev, hash, r.seq);
    prev = hash;
  }
  const report = l.verify({ anchor: published });
  l.close();
  assert.equal(report.ok, false);
  assert.equal(report.firstBadEvent?.seq, 9);
  assert.deepEqual(report.anchor, { hash: published, seq: null });
  assert.match(
    report.firstBadEvent?.problem ?? '',
    /recorded changes differ from what the game rules derive/,
  );
});
