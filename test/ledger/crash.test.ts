/**
 * Crash safety: a writer process is SIGKILLed at random moments during a long series of transactions,
 * several times over on the same file. Afterwards the file passes `PRAGMA integrity_check`, the chain and
 * the full audit verify, and every transaction the writer reported as committed (printed only after the
 * commit returned) is present with the same hash.
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

function seedLedger(file: string): void {
  const l = createLedger(file, P);
  for (const w of ['w0', 'w1', 'w2', 'w3']) {
    l.submit({ type: 'account.open', account: w });
    l.submit({ type: 'mint', account: w, amount: 1e12 });
  }
  l.close();
}

test('SIGKILL at random points loses no committed transaction and corrupts nothing', async (t) => {
  const file = join(dir, 'crash.db');
  seedLedger(file);
  const reported = new Map<number, string>();
  const rounds = 6;
  let kills = 0;
  for (let round = 0; round < rounds; round++) {
    // Kill after a random number of commits (0 = possibly before the first commit finishes).
    const killAfter = Math.floor(Math.random() * 120);
    const w = startWriter(script, file, `r${round}`, 10_000, (n) => {
      if (n >= killAfter && !w.child.killed) {
        // A random extra delay lands the kill anywhere inside the next transactions.
        setTimeout(() => w.child.kill('SIGKILL'), Math.random() * 15);
      }
    });
    if (killAfter === 0) setTimeout(() => w.child.kill('SIGKILL'), Math.random() * 400);
    const { signal } = await w.exited;
    if (signal === 'SIGKILL') kills++;
    for (const [seq, hash] of w.committed) reported.set(seq, hash);

    const l = openLedger(file);
    assert.equal(l.db.pragma('integrity_check', { simple: true }), 'ok');
    for (const [seq, hash] of w.committed) {
      const row = l.db.prepare('SELECT hash FROM events WHERE seq = ?').get(seq) as
        | { hash: string }
        | undefined;
      assert.equal(row?.hash, hash, `round ${round}: committed event ${seq} lost or changed`);
    }
    l.close();
  }
  const l = openLedger(file);
  const report = l.verify();
  assert.ok(report.ok, JSON.stringify(report, null, 1));
  for (const [seq, hash] of reported)
    assert.equal(
      (l.db.prepare('SELECT hash FROM events WHERE seq = ?').get(seq) as { hash: string }).hash,
      hash,
    );
  const head = l.head().seq;
  l.close();
  t.diagnostic(
    `${kills}/${rounds} writers killed by SIGKILL; ${reported.size} reported commits all present; ${head} events verify`,
  );
  assert.ok(kills >= rounds - 1, 'the writers must actually be killed mid-run');
  assert.ok(reported.size > 50);
});
