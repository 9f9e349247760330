/**
 * Two processes writing the same ledger at once: both finish, nothing is lost or duplicated, their
 * transactions interleave in one valid chain, and the full audit passes.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLedger, openLedger } from '../../core/ledger/node-store.ts';
import { bundleWriter, startWriter } from './fixtures/spawn.ts';
import { P, tempDir } from './helpers.ts';

const dir = tempDir();
const script = bundleWriter();
after(() => rmSync(script, { force: true }));

test('two concurrent writer processes: no corruption, no lost or duplicated events', async (t) => {
  const file = join(dir, 'two.db');
  const l0 = createLedger(file, P);
  for (const w of ['w0', 'w1', 'w2', 'w3']) {
    l0.submit({ type: 'account.open', account: w });
    l0.submit({ type: 'mint', account: w, amount: 1e12 });
  }
  const setup = l0.head().seq;
  l0.close();

  const tasks = 30;
  const startAt = Date.now() + 1500;
  // Each keeps pace with the other (at most one lifecycle ahead), so a slow start of one process on a
  // busy machine cannot turn the run into two sequential ones.
  const a = startWriter(script, file, 'A', tasks, undefined, startAt, 'B');
  const b = startWriter(script, file, 'B', tasks, undefined, startAt, 'A');
  const [ea, eb] = await Promise.all([a.exited, b.exited]);
  assert.deepEqual(ea, { code: 0, signal: null });
  assert.deepEqual(eb, { code: 0, signal: null });

  // Each lifecycle is 5 transactions.
  assert.equal(a.committed.size, tasks * 5);
  assert.equal(b.committed.size, tasks * 5);
  const seqs = [...a.committed.keys(), ...b.committed.keys()];
  assert.equal(new Set(seqs).size, seqs.length, 'two writers reported the same seq');

  const l = openLedger(file);
  assert.equal(l.db.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal(l.head().seq, setup + 2 * tasks * 5);
  for (const w of [a, b]) {
    for (const [seq, hash] of w.committed)
      assert.equal(
        (l.db.prepare('SELECT hash FROM events WHERE seq = ?').get(seq) as { hash: string }).hash,
        hash,
      );
  }
  const report = l.verify();
  assert.ok(report.ok, JSON.stringify(report, null, 1));
  // The writers really ran at the same time: one committed while the other was mid-run (A…B…A).
  const order = (
    l.db.prepare('SELECT task_id FROM events WHERE seq > ? ORDER BY seq').all(setup) as { task_id: string }[]
  ).map((r) => r.task_id[0]);
  let switches = 0;
  for (let i = 1; i < order.length; i++) if (order[i] !== order[i - 1]) switches++;
  t.diagnostic(`${order.length} events from 2 writers, ${switches} switches between writers in the chain`);
  // Keeping pace bounds a run of one writer to two lifecycles (10 events): ≥ 2·tasks/2 − 1 switches.
  assert.ok(switches >= tasks - 1, `writers did not overlap (${switches} switches)`);
  l.close();
});
