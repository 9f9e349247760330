/**
 * Identity binding in the Ledger view (browser mode, Debian's Chromium): open the demo ledger, see each
 * account's key (or "no key"), see the caught copy marked in the Proofs panel with the right accounts
 * and event numbers, open its penalty flows from the keyboard and see the original solver's share, and
 * filter the panel by task/account. Expected values come from the ledger file itself, read by core/ledger
 * in this process (keys(), copies(), accounts(), snapshotAt()). Screenshot: test-artifacts/e2e/ledger-copies.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openLedger } from '../../core/ledger/node-store.ts';
import { type App, skipReason, startApp } from './helpers/app.ts';

const skip = skipReason();
if (skip) console.log(`# SKIP ledger copies: ${skip}`);

const short = (name: string) => name.replace(/\s*\(.*\)\s*$/, '') || name;

describe('ledger view: keys, commitments and caught copies', {
  skip: skip ?? false,
  timeout: 300_000,
}, () => {
  let app: App;
  before(async () => {
    app = await startApp({ viewport: { width: 1440, height: 1000 } });
  });
  after(async () => {
    await app?.close();
  });

  it('marks the copy, opens its penalty flows and filters', async () => {
    const { page } = app;
    await page.goto(app.url('#/ledger'));
    const view = page.locator('.pp-view-ledger');
    const copyRows = view.locator('[data-role=proofs] tr[data-state=copy]');
    // The demo ledger is written on first use (real referee transcripts): wait for the panel to fill.
    await copyRows.first().waitFor({ timeout: 180_000 });
    const ledgerPath = (await view.getAttribute('data-path')) ?? '';
    const store = openLedger(ledgerPath, { readonly: true });
    let copies: ReturnType<typeof store.copies>;
    let keys: ReturnType<typeof store.keys>;
    let commitments: ReturnType<typeof store.commitments>;
    let accounts: ReturnType<typeof store.accounts>;
    let owned: (seq: number, id: string) => number;
    try {
      copies = store.copies();
      keys = store.keys();
      commitments = store.commitments();
      accounts = store.accounts();
      const snaps = new Map<number, ReturnType<typeof store.snapshotAt>>();
      for (const c of copies) for (const s of [c.seq - 1, c.seq]) snaps.set(s, store.snapshotAt(s));
      owned = (seq, id) => {
        const s = snaps.get(seq);
        assert.ok(s);
        return (
          (s.accounts.find((a) => a.id === id)?.balance ?? 0) +
          s.stakes.filter((x) => x.account === id).reduce((a, x) => a + x.locked, 0)
        );
      };
    } finally {
      store.close();
    }
    assert.ok(copies.length >= 1, 'the demo ledger catches a copy');
    const names = new Map(accounts.map((a) => [a.id, a.name]));

    // Keys column: each bound key's fingerprint, "no key" for the rest.
    for (const a of accounts) {
      const cell = (await view.locator(`tr[data-account=${a.id}] [data-role=key]`).innerText()).trim();
      const k = keys.find((x) => x.account === a.id);
      if (k) assert.ok(cell.includes(k.publicKey.slice(0, 8)), `${a.id}: ${cell}`);
      else assert.equal(cell, 'no key', a.id);
    }

    // Every copy is marked: symbol + text, naming the original solver and both event numbers.
    assert.equal(await copyRows.count(), copies.length);
    for (const [i, c] of copies.entries()) {
      const row = copyRows.nth(i);
      const want = `✗ copy of ${short(names.get(c.original.account) ?? c.original.account)}'s run (sealed #${c.commitSeq ?? c.seq} after reveal #${c.original.seq})`;
      assert.equal((await row.locator('[data-role=proof-mark]').innerText()).trim(), want);
      const text = await row.innerText();
      assert.ok(text.includes(c.task) && text.includes(names.get(c.copier) ?? c.copier), text);
      assert.ok(text.includes(`#${c.seq}`), `reveal event shown: ${text}`);
    }

    // Keyboard: focus the copy's row, Tab to "Show penalty", Enter → its flows, like a settlement.
    const c = copies[0];
    const row = copyRows.first();
    await row.focus();
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-role') ?? ''),
      'copy-flows',
    );
    await page.keyboard.press('Enter');
    const flowsTitle = view.locator('[data-role=flows]').locator('xpath=..').locator('h3');
    await flowsTitle.filter({ hasText: `event ${c.seq}` }).waitFor({ timeout: 30_000 });
    assert.match(await flowsTitle.innerText(), /✗ copy penalty/i);
    const flows = view.locator('.pp-flow');
    await flows.waitFor();
    const victimName = short(names.get(c.original.account) ?? c.original.account);
    const nodes = await flows.locator('.fnode text').allTextContents();
    assert.ok(
      nodes.some((t) => t.includes(short(names.get(c.copier) ?? c.copier)) && t.includes('stake')),
      nodes.join('|'),
    );
    assert.ok(nodes.includes(victimName), nodes.join('|'));
    const ribbons = await flows.locator('text').allTextContents();
    assert.ok(
      ribbons.includes(`${c.victimShare} · slash.victim`),
      `victim's share labelled: ${ribbons.join('|')}`,
    );
    // Balances before → after the copy event: the victim's change is core/ledger's.
    const delta = view.locator(`tr[data-account=${c.original.account}] [data-role=delta]`);
    await delta.waitFor();
    const want = owned(c.seq, c.original.account) - owned(c.seq - 1, c.original.account);
    assert.ok(want >= c.victimShare);
    assert.equal((await delta.innerText()).replace(/[^\d]/g, ''), String(want));
    await page.waitForTimeout(2200);
    await app.screenshot('ledger-copies');

    // Filters. An account that sealed nothing and was never copied: the panel is empty for it.
    const other = accounts.find(
      (a) => !commitments.some((x) => x.solver === a.id) && !copies.some((x) => x.original.account === a.id),
    );
    assert.ok(other);
    const taskSel = view.locator('[data-role=filter-task]');
    const accSel = view.locator('[data-role=filter-account]');
    await accSel.selectOption(other.id);
    await view.locator('[data-role=proofs] .pp-empty').waitFor({ timeout: 10_000 });
    assert.equal(await copyRows.count(), 0);
    // The victim's task: its commitments plus the copies of its run (expected from the file).
    await taskSel.selectOption(c.original.task);
    await accSel.selectOption('');
    const wantTasks = [
      ...commitments.filter((x) => x.task === c.original.task).map((x) => x.task),
      ...copies.filter((x) => x.original.task === c.original.task).map((x) => x.task),
    ].sort();
    await view.locator('[data-role=proofs] tr[data-proof]').first().waitFor({ timeout: 10_000 });
    const firstCells = view.locator('[data-role=proofs] tr[data-proof] td:first-child');
    assert.deepEqual((await firstCells.allInnerTexts()).map((t) => t.trim()).sort(), wantTasks);
    assert.equal(await copyRows.count(), copies.filter((x) => x.original.task === c.original.task).length);
    // The copier: only its own commitments.
    await taskSel.selectOption('');
    await accSel.selectOption(c.copier);
    await view.locator('[data-role=proofs] tr[data-proof]').first().waitFor({ timeout: 10_000 });
    assert.equal(
      await view.locator('[data-role=proofs] tr[data-proof]').count(),
      commitments.filter((x) => x.solver === c.copier).length +
        copies.filter((x) => x.copier === c.copier && x.commitment === null).length +
        copies.filter((x) => x.original.account === c.copier).length,
    );
    assert.deepEqual(
      app.pageErrors.filter((e) => e.startsWith('pageerror')),
      [],
    );
  });
});
