/** Shared helpers for the ledger tests: temp files, a fixed parameter set and a tiny game driver. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { SqliteLedger } from '../../core/ledger/node-store.ts';
import type { GameParams } from '../../core/ledger/types.ts';

export const P: GameParams = {
  solverStake: 100,
  challengerStake: 50,
  slashBps: 8000,
  whistleblowerBps: 5000,
  treasuryBps: 2000,
  verifierReward: 10,
};
export const D1 = 'a1'.repeat(32);
export const D2 = 'b2'.repeat(32);

/** A fresh temp directory, removed when the test file finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-ledger-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A transcript with just the verdict fields the ledger checks (opaque transcripts are allowed). */
export function tinyTranscript(
  loser: 'solver' | 'challenger' | 'both',
  step = 3,
  op = 7,
): { verdict: { loser: string; step: number; op: number }; rounds: unknown[] } {
  return { verdict: { loser, step, op }, rounds: [] };
}

/**
 * Every row of every table (listed from sqlite_master, so a new table is covered without editing this),
 * rows sorted: equal dumps mean an unchanged database, whatever order SQLite returns rows in.
 */
export function dumpLedger(l: SqliteLedger): string {
  const tables = l.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  return JSON.stringify(
    tables.map((t) => [
      t,
      l.db
        .prepare(`SELECT * FROM "${t}"`)
        .all()
        .map((r) => JSON.stringify(r))
        .sort(),
    ]),
  );
}

export { pinpoint } from '../train/run-cli.ts';
