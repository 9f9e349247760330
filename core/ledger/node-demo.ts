/**
 * Node adapter: writes the demo ledger file (`pinpoint ledger demo`, and the desktop app on first start).
 * Uses the real dispute transcripts the caller passes (the attack library's) unless `synthetic` is asked for
 * or they cannot be produced; the result says which. Written to a temp file and renamed, so a crash never leaves half a demo.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { DEMO_PARAMS, type DemoTranscripts, demoActions, demoClock } from './demo.ts';
import { createLedger } from './node-store.ts';
import { LedgerError } from './types.ts';

export interface DemoResult {
  path: string;
  events: number;
  head: string;
  transcripts: 'real' | 'synthetic';
  /** Why real transcripts were not used (when they were asked for). */
  note: string | null;
}

export async function createDemoLedger(
  path: string,
  options: {
    synthetic?: boolean;
    force?: boolean;
    /** Real transcripts (core/attacks/demo-transcripts.ts realDemoTranscripts); absent = synthetic. */
    transcripts?: () => Promise<DemoTranscripts>;
  } = {},
): Promise<DemoResult> {
  if (existsSync(path)) {
    if (!options.force) throw new LedgerError('exists', `${path} already exists (use --force to overwrite)`);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  }
  let real: DemoTranscripts = {};
  let note: string | null = null;
  if (!options.synthetic && options.transcripts) {
    try {
      real = await options.transcripts();
    } catch (err) {
      note = `real dispute transcripts unavailable (${(err as Error).message}); used synthetic ones`;
    }
  }
  const tmp = `${path}.tmp-${process.pid}`;
  const ledger = createLedger(tmp, DEMO_PARAMS, { clock: demoClock(), durability: 'normal' });
  let head: { seq: number; hash: string };
  try {
    ledger.submitAll(demoActions(real));
    head = ledger.head();
    // Fold the WAL into the main file so renaming the one file moves everything.
    ledger.db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    ledger.close();
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    throw err;
  }
  ledger.close();
  renameSync(tmp, path);
  return {
    path,
    events: head.seq,
    head: head.hash,
    transcripts: real.caughtCheater ? 'real' : 'synthetic',
    note,
  };
}
