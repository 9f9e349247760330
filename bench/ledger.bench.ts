/**
 * Ledger throughput on this machine: settled disputes per second (a full lifecycle — post, claim, prove,
 * open, settle with a ~6 KB transcript — one transaction per action) and events per second, with
 * `synchronous = FULL` (the default: every commit fsynced) and NORMAL, next to a reference: a bare
 * better-sqlite3 INSERT committed per transaction in the same mode. Also the audit speed (`verify`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { syntheticTranscript } from '../core/ledger/demo.ts';
import { createLedger, type SqliteLedger } from '../core/ledger/node-store.ts';
import { verdictOf } from '../core/ledger/transcript.ts';
import { DEFAULT_PARAMS } from '../core/ledger/types.ts';

const SECONDS = 1.5;

function timed(fn: () => number): { perSec: number; n: number; s: number } {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < SECONDS * 1000) n += fn();
  const s = (performance.now() - t0) / 1000;
  return { perSec: n / s, n, s };
}

function seed(l: SqliteLedger): void {
  for (const a of ['s', 'v', 'c', 'x']) {
    l.submit({ type: 'account.open', account: a });
    l.submit({ type: 'mint', account: a, amount: 1e14 });
  }
}

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-ledger-bench-'));
  try {
    const transcript = syntheticTranscript({
      task: 'bench',
      solver: 's',
      challenger: 'c',
      steps: 1000,
      disputedStep: 613,
      opCount: 200,
      disputedOp: 77,
      opName: 'matmul',
      loser: 'solver',
    });
    const verdict = verdictOf(transcript);
    console.log(`transcript ${JSON.stringify(transcript).length} bytes; ${SECONDS} s per measurement`);
    for (const durability of ['full', 'normal'] as const) {
      // Reference: one bare INSERT per committed transaction, same journal and sync mode.
      const rf = join(dir, `ref-${durability}.db`);
      const raw = new Database(rf);
      raw.pragma('journal_mode = WAL');
      raw.pragma(`synchronous = ${durability.toUpperCase()}`);
      raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
      const ins = raw.prepare('INSERT INTO t (payload) VALUES (?)');
      const insTx = raw.transaction((p: string) => ins.run(p));
      const ref = timed(() => {
        insTx.immediate('{"payload":"x"}');
        return 1;
      });
      raw.close();

      const l = createLedger(join(dir, `ledger-${durability}.db`), DEFAULT_PARAMS, { durability });
      seed(l);
      const mints = timed(() => {
        l.submit({ type: 'mint', account: 'x', amount: 1 });
        return 1;
      });
      let k = 0;
      const disputes = timed(() => {
        const task = `t${k++}`;
        l.submit({ type: 'task.post', task, submitter: 'x', bounty: 100 });
        l.submit({ type: 'task.claim', task, solver: 's' });
        l.submit({ type: 'proof.submit', task, solver: 's', runCommitment: 'ab'.repeat(32) });
        const open = l.submit({ type: 'dispute.open', task, challenger: 'c' });
        const id = open.payload.changes.find((c) => c.op === 'dispute.create');
        if (id?.op !== 'dispute.create') throw new Error('no dispute');
        l.submit({ type: 'dispute.settle', dispute: id.dispute.id, verdict, transcript });
        return 1;
      });
      const batched = timed(() => {
        const task = `b${k++}`;
        l.submitAll([
          { type: 'task.post', task, submitter: 'x', bounty: 100 },
          { type: 'task.claim', task, solver: 's' },
          { type: 'proof.submit', task, solver: 's', runCommitment: 'ab'.repeat(32) },
          { type: 'task.verify', task, verifier: 'v' },
          { type: 'task.finalize', task },
        ]);
        return 5;
      });
      const events = l.head().seq;
      const t0 = performance.now();
      const report = l.verify();
      const verifyS = (performance.now() - t0) / 1000;
      l.close();
      if (!report.ok)
        throw new Error(
          `bench ledger failed verify: ${JSON.stringify(report.firstBadEvent ?? report.tableProblems)}`,
        );
      console.log(`synchronous=${durability.toUpperCase()}:`);
      console.log(`  reference bare INSERT+commit     ${ref.perSec.toFixed(0).padStart(7)} tx/s`);
      console.log(
        `  ledger mint (1 event/tx)         ${mints.perSec.toFixed(0).padStart(7)} events/s   (${(mints.perSec / ref.perSec).toFixed(2)}× reference)`,
      );
      console.log(
        `  settled disputes (5 tx each)     ${disputes.perSec.toFixed(1).padStart(7)} disputes/s = ${(disputes.perSec * 5).toFixed(0)} events/s`,
      );
      console.log(`  lifecycle batched (5 events/tx)  ${batched.perSec.toFixed(0).padStart(7)} events/s`);
      console.log(
        `  verify (chain + replay + tables) ${(events / verifyS).toFixed(0).padStart(7)} events/s   (${events} events in ${verifyS.toFixed(2)} s)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
