/**
 * The newcomer's tour of the visual debugger, in browser mode in Debian's Chromium: open the demo
 * proof, step through 5 steps with the keyboard, run a step now, open the graph and read a node's
 * digest, compare with a tampered trace, replay the demo dispute to its verdict and see the ledger
 * balances change. Asserts on what is shown; screenshots in test-artifacts/e2e/views-*.png.
 * Independent oracles: the digests shown are checked against a proof bundle read by core/proof in
 * this process; the pinpointed step/op against the first difference between the demo proof and its
 * tampered copy (both read by core/proof); the balances against the ledger file read by core/ledger.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openLedger } from '../../core/ledger/node-store.ts';
import { readBundle } from '../../core/proof/read.ts';
import { DEMO_TAMPERED } from '../../desktop/main/backend/views-demo.ts';
import { type App, skipReason, startApp } from './helpers/app.ts';

const skip = skipReason();
if (skip) console.log(`# SKIP views tour: ${skip}`);

describe('views tour (browser mode, Chromium)', { skip: skip ?? false, timeout: 300_000 }, () => {
  let app: App;
  before(async () => {
    app = await startApp({ viewport: { width: 1440, height: 900 } });
  });
  after(async () => {
    await app?.close();
  });

  let proofPath = '';
  let pinned = { step: -1, op: -1 };

  it('opens the demo proof and steps through 5 steps with the keyboard', async () => {
    const { page } = app;
    await page.goto(app.url('#/proof'));
    const label = page.locator('[data-role=step-label]');
    await label.filter({ hasText: 'step 0 /' }).waitFor({ timeout: 60_000 });
    proofPath = (await page.locator('.pp-view-proof').getAttribute('data-path')) ?? '';
    assert.match(proofPath, /\.pinproof$/);
    // Step forward five times with →; each step's record and trace appear.
    await page.locator('.pp-view-proof').focus();
    for (let i = 1; i <= 5; i++) {
      await page.keyboard.press('ArrowRight');
      await label.filter({ hasText: `step ${i} /` }).waitFor();
    }
    const traceStatus = page.locator('[data-role=trace-status]');
    await traceStatus.waitFor({ timeout: 30_000 });
    assert.match(await traceStatus.innerText(), /✓ state after matches the record/);
    assert.match(await traceStatus.innerText(), /✓ op root matches/);
    // The record shown is the bundle's record of step 5 (oracle: core/proof reading the same file).
    const detail = await page.locator('[data-role=step-detail]').innerText();
    assert.ok(detail.includes('state after'), detail);
    const m = /state after\s+([0-9a-f]{64})/.exec(detail);
    assert.ok(m, `a full state digest is shown: ${detail}`);
    const bundle = readBundle(readFileSync(proofPath), proofPath);
    assert.equal(m[1], bundle.manifest.steps[5].stateAfter);
    // Run this step now: every digest matches the record.
    await page.keyboard.press('r');
    const verdict = page.locator('[data-role=run-verdict]');
    await verdict.waitFor({ timeout: 60_000 });
    assert.match(await verdict.innerText(), /✓ step 5 reproduces bit for bit/);
    assert.equal(await page.locator('[data-role=run-result] td.pp-bad').count(), 0);
    await app.screenshot('views-01-proof');
  });

  it('opens the graph of the step and reads a node digest in the inspector', async () => {
    const { page } = app;
    await page.keyboard.press('g');
    const canvas = page.locator('.pp-view-graph svg.main');
    await canvas.waitFor({ timeout: 30_000 });
    // The step has dozens of ops; those near the 100 % start view are drawn (the rest lazily).
    const total = Number(
      await page.locator('.pp-view-graph [data-testid=op-count]').getAttribute('data-total'),
    );
    assert.ok(total > 20, `graph has ${total} ops`);
    const n = await page.locator('.pp-view-graph g.node').count();
    assert.ok(n >= 10 && n <= total, `${n} of ${total} nodes drawn`);
    // Find the first matmul and open it from the keyboard: '/' focuses search, Enter selects.
    await page.locator('.pp-view-graph').focus();
    await page.keyboard.press('/');
    await page.keyboard.type('matmul');
    await page.keyboard.press('Enter');
    const digest = page.locator('[data-role=node-digest]');
    await digest.waitFor();
    const shown = (await digest.innerText()).trim();
    assert.match(shown, /^[0-9a-f]{64}$/);
    // Oracle: the bundle's recorded op digests for step 5 contain exactly this digest at this node id.
    const bundle = readBundle(readFileSync(proofPath), proofPath);
    const header = await page.locator('[data-role=inspector] .pp-h').first().innerText();
    const id = Number(/#(\d+)/.exec(header)?.[1]);
    assert.equal(shown, bundle.opDigests(5)?.[id], `digest of op #${id}`);
    // The tensor inspector verified the same digest from the values.
    const insp = page.locator('.pp-inspector');
    await insp.waitFor({ timeout: 30_000 });
    assert.match((await insp.textContent()) ?? '', /✓ digest verified/);
    assert.equal((await page.locator('[data-role=full-digest]').innerText()).trim(), shown);
    await app.screenshot('views-02-graph-inspector');
    // Compare with a tampered trace: marks with symbols, a first disagreement.
    await page.locator('.pp-view-graph').focus();
    await page.keyboard.press('c');
    const summary = page.locator('[data-role=compare-summary]');
    await summary.filter({ hasText: 'disagree' }).waitFor({ timeout: 30_000 });
    assert.match(await summary.innerText(), /✓ \d+ agree · ✗ \d+ disagree · first ✗ #\d+/);
    assert.equal(await page.locator('.pp-view-graph g.node.m-culprit').count(), 1);
    assert.equal(
      (await page.locator('.pp-view-graph g.node.m-culprit text.mark').textContent())?.trim(),
      '◆ ✗',
    );
    assert.match((await page.locator('.pp-view-graph .legend').textContent()) ?? '', /◆ first disagreement/);
    await app.screenshot('views-03-graph-compare');
  });

  it('replays the demo dispute to its verdict', async () => {
    const { page } = app;
    await page.goto(app.url('#/dispute'));
    const player = page.locator('.pp-player');
    await player.waitFor({ timeout: 60_000 });
    // Step through a few rounds from the keyboard, then play at 8× to the verdict.
    await player.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.match(await page.locator('[data-role=counter]').innerText(), /^4 \//);
    await page.waitForTimeout(900); // let the interval animation finish for the screenshot
    await app.screenshot('views-04-dispute-phase1');
    await page.locator('#pp-speed').selectOption('8');
    await page.locator('[data-role=play]').click();
    const headline = page.locator('[data-role=verdict-headline]');
    await headline.waitFor({ timeout: 60_000 });
    assert.match(await headline.innerText(), /Challenger wins — the solver loses its stake/);
    const pin = await page.locator('[data-role=pinpoint]').innerText();
    // Oracle: the demo proof and Carol's tampered copy read by core/proof. The first step whose state
    // differs, and in it the first op whose recorded digest differs, is what the referee pinpointed.
    const honest = readBundle(readFileSync(proofPath), proofPath);
    const tamperedPath = join(dirname(proofPath), DEMO_TAMPERED);
    const bad = readBundle(readFileSync(tamperedPath), tamperedPath);
    const step = honest.manifest.steps.findIndex((r, i) => r.stateAfter !== bad.manifest.steps[i].stateAfter);
    const hd = honest.opDigests(step) ?? [];
    const bd = bad.opDigests(step) ?? [];
    const op = hd.findIndex((x, i) => x !== bd[i]);
    assert.ok(step > 0 && op > 0, `tamper found at step ${step} op ${op}`);
    assert.match(pin, new RegExp(`step ${step} · op #${op} \\w+`));
    pinned = { step, op };
    assert.doesNotMatch(await page.locator('.pp-view-dispute').innerText(), /synthetic/i);
    // The pinpointed op is marked on the disputed step's graph and on screen inside its panel.
    const culprit = page.locator('.pp-player g.node.m-culprit');
    const box = await culprit.boundingBox();
    const panel = await page.locator('.pp-player .pp-graph').boundingBox();
    assert.ok(
      box && panel && box.x >= panel.x && box.x + box.width <= panel.x + panel.width && box.y >= panel.y,
      'culprit visible',
    );
    assert.equal(`op #${await culprit.getAttribute('data-id')}`, /op #\d+/.exec(pin)?.[0]);
    await app.screenshot('views-05-dispute-verdict');
  });

  it('sees the ledger balances change at the settlement', async () => {
    const { page } = app;
    await page.locator('[data-role=to-ledger]').click();
    const deltas = page.locator('.pp-view-ledger [data-role=delta]');
    await deltas.first().waitFor({ timeout: 30_000 });
    const carol = await page.locator('.pp-view-ledger tr[data-account=carol] [data-role=delta]').innerText();
    const erin = await page.locator('.pp-view-ledger tr[data-account=erin] [data-role=delta]').innerText();
    assert.match(carol, /▼ −\d+/);
    assert.match(erin, /▲ \+\d+/);
    // Oracle: the ledger file's own snapshots before/after the settlement event.
    const ledgerPath = (await page.locator('.pp-view-ledger').getAttribute('data-path')) ?? '';
    const store = openLedger(ledgerPath, { readonly: true });
    try {
      const settle = store.events({ kind: 'dispute.settle' })[0];
      const before = store.snapshotAt(settle.seq - 1);
      const afterS = store.snapshotAt(settle.seq);
      const owned = (s: typeof before, id: string) =>
        (s.accounts.find((a) => a.id === id)?.balance ?? 0) +
        s.stakes.filter((x) => x.account === id).reduce((a, x) => a + x.locked, 0);
      const dCarol = owned(afterS, 'carol') - owned(before, 'carol');
      assert.ok(dCarol < 0);
      assert.equal(carol.replace(/[^\d]/g, ''), String(-dCarol));
      assert.equal(erin.replace(/[^\d]/g, ''), String(owned(afterS, 'erin') - owned(before, 'erin')));
      // Every account's shown change (sign included) is core/ledger's, and some besides Carol's moved.
      let moved = 0;
      for (const a of afterS.accounts) {
        const shown = await page
          .locator(`.pp-view-ledger tr[data-account=${a.id}] [data-role=delta]`)
          .innerText();
        const want = owned(afterS, a.id) - owned(before, a.id);
        const got = shown.includes('±0') ? 0 : Number(shown.replace('−', '-').replace(/[^\d-]/g, ''));
        assert.equal(got, want, `${a.id}: shown "${shown}"`);
        if (want !== 0) moved++;
      }
      assert.ok(moved >= 3, `${moved} accounts changed`);
      assert.match(
        await page.locator('.pp-view-ledger [data-role=totals]').innerText(),
        new RegExp(`TREASURY\\s+${afterS.totals.treasury}`, 'i'),
      );
    } finally {
      store.close();
    }
    assert.match(
      await page.locator('.pp-view-ledger [data-role=totals]').innerText(),
      /✓ hash chain verified/,
    );
    // The flow diagram shows the slashed stake going to the whistleblower and the treasury.
    const flows = page.locator('.pp-view-ledger .pp-flow');
    await flows.waitFor();
    const labels = await flows.locator('.fnode text').allTextContents();
    assert.ok(
      labels.some((t) => /Carol.*stake/.test(t)),
      labels.join('|'),
    );
    assert.ok(labels.includes('Treasury'), labels.join('|'));
    await page.waitForTimeout(2200);
    await app.screenshot('views-06-ledger-flows');
  });

  it("opens the pinpointed op of the demo dispute on the demo proof's graph", async () => {
    const { page } = app;
    await page.goto(app.url('#/dispute?id=ledger:1'));
    await page.locator('.pp-player').waitFor({ timeout: 60_000 });
    await page.locator('#pp-speed').selectOption('8');
    await page.locator('[data-role=play]').click();
    const toGraph = page.locator('[data-role=to-graph]');
    await toGraph.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(
      (await toGraph.innerText()).trim(),
      `Inspect step ${pinned.step} · op #${pinned.op} in the Graph view →`,
    );
    await toGraph.click();
    const digest = page.locator('.pp-view-graph [data-role=node-digest]');
    await digest.waitFor({ timeout: 30_000 });
    const header = await page.locator('.pp-view-graph [data-role=inspector] .pp-h').first().innerText();
    assert.match(header, new RegExp(`#${pinned.op}\\b`));
    // Oracle: the honest output digest of that op, as recorded in the demo proof.
    const bundle = readBundle(readFileSync(proofPath), proofPath);
    assert.equal((await digest.innerText()).trim(), bundle.opDigests(pinned.step)?.[pinned.op]);
    assert.equal(await page.locator('.pp-view-graph g.node.sel').getAttribute('data-id'), String(pinned.op));
    await app.screenshot('views-07-dispute-op-in-graph');
    // Uncaught errors only (a missing favicon logs a 404 console line in the shell).
    assert.deepEqual(
      app.pageErrors.filter((e) => e.startsWith('pageerror')),
      [],
    );
  });
});
