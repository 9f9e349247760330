/**
 * The view components alone, in Chromium, on the standalone playground bundle (no shell, no server):
 * keyboard reachability, agree/disagree marks carried by a symbol as well as colour, the dispute player
 * driven to its verdict on a real core/dispute transcript, the tensor inspector and the flow diagram.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { alterOp } from '../../core/attacks/hooks.ts';
import { executeRun } from '../../core/dispute/execute.ts';
import { TraceParty } from '../../core/dispute/party.ts';
import { runDispute } from '../../core/dispute/referee.ts';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import { refereeConfig } from '../../core/dispute/task.ts';
import { tensorStats } from '../../desktop/renderer/components/stats.ts';
import { syntheticValues } from '../../desktop/renderer/views/playground-data.ts';
import { CHROMIUM, chromiumAvailable, launch, playgroundPage } from '../views/helpers/page.ts';

const ART = 'test-artifacts/e2e';
const skip = chromiumAvailable() || process.env.CI === 'true' ? null : `Chromium not found at ${CHROMIUM}`;
if (skip) console.log(`# SKIP views components: ${skip}`);

describe('view components in Chromium (playground bundle)', { skip: skip ?? false, timeout: 180_000 }, () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    mkdirSync(ART, { recursive: true });
    browser = await launch();
    page = await playgroundPage(browser, 1280, 800);
  });
  after(async () => {
    await browser?.close();
  });

  it('graph canvas: keyboard navigation, marks with symbols, minimap', async () => {
    const first = await page.evaluate(() => {
      const root = document.getElementById('root') as HTMLElement;
      root.innerHTML = '';
      const t = window.pp.data.syntheticTrace(4);
      const c = window.pp.mountGraphCanvas(root, t, { title: 'test graph' });
      const cmp = window.pp.compareTraces(t, window.pp.data.tamperTrace(t, 20));
      c.setMarks(cmp.marks);
      return cmp.first;
    });
    assert.equal(first, 20);
    // Keyboard: focus the canvas, → selects op #0 then #1; ↓ goes to a consumer of #1.
    await page.locator('.pp-graph .gstage').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('g.node.sel').getAttribute('data-id'), '0');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('g.node.sel').getAttribute('data-id'), '1');
    await page.keyboard.press('ArrowDown');
    const down = Number(await page.locator('g.node.sel').getAttribute('data-id'));
    const inputsOfDown = await page.evaluate((id) => window.pp.data.syntheticTrace(4)[id].inputs, down);
    assert.ok(inputsOfDown.includes(1), `#${down} reads #1`);
    // The live region announces the selection in words.
    assert.match((await page.locator('.pp-graph [aria-live]').textContent()) ?? '', new RegExp(`^#${down} `));
    // Marks: the culprit carries "◆ ✗" (legend: first disagreement), disagreeing nodes "✗", agreeing "✓" — not only colour.
    assert.equal((await page.locator('g.node[data-id="20"] text.mark').textContent())?.trim(), '◆ ✗');
    assert.match(
      (await page.locator('.pp-graph .legend').textContent()) ?? '',
      /✓ agree · ✗ disagree · ◆ first disagreement/,
    );
    const marks = await page
      .locator('g.node')
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-mark'), e.querySelector('text.mark')?.textContent ?? '']),
      );
    for (const [m, sym] of marks) {
      if (m === 'agree') assert.equal(sym, '✓');
      if (m === 'disagree') assert.equal(sym, '✗');
    }
    assert.ok(await page.locator('canvas.minimap').isVisible());
    // Zoom keys change the transform.
    const before = await page.locator('g.viewport').getAttribute('transform');
    await page.keyboard.press('-');
    // Poll rather than sleep: the zoom is animated and a loaded CI machine may paint late.
    await page
      .waitForFunction((b) => document.querySelector('g.viewport')?.getAttribute('transform') !== b, before, {
        timeout: 5_000,
      })
      .catch(() => {});
    assert.notEqual(await page.locator('g.viewport').getAttribute('transform'), before);
    await page.screenshot({ path: `${ART}/views-c1-graph.png` });
  });

  it('dispute player: steps with the keyboard and plays a real transcript to its verdict', async () => {
    const task = syntheticTask({ seed: 3, steps: 32, forwardOps: 8 });
    const honest = executeRun(task, { mode: 'trace' });
    const op = task.graph(21).nodes.findIndex((n, i) => i > 10 && n.op !== 'leaf');
    const cheat = executeRun(task, {
      mode: 'trace',
      hooks: alterOp(21, op, 1, 2),
      base: honest,
      fromStep: 21,
    });
    const { transcript } = await runDispute(
      new TraceParty('mallory', cheat),
      new TraceParty('victor', honest),
      refereeConfig(task, 'trace'),
    );
    const graph = task.graph(21).nodes.map((n, i) => ({
      id: i,
      op: n.op,
      phase: n.phase,
      inputs: [...n.inputs],
      shape: [...n.shape],
      label: n.label,
    }));
    await page.evaluate(
      ({ t, g }) => {
        const root = document.getElementById('root') as HTMLElement;
        root.innerHTML = '';
        root.style.overflow = 'auto';
        window.pp.mountTranscriptPlayer(root, t as never, { graph: g, frameMs: 120 });
      },
      { t: JSON.parse(JSON.stringify(transcript)), g: graph },
    );
    const counter = page.locator('[data-role=counter]');
    const total = Number(/\/ (\d+)/.exec(await counter.innerText())?.[1]);
    assert.equal(total, transcript.rounds.length + 2);
    await page.locator('.pp-player').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.match(await counter.innerText(), /^3 \//);
    // Every control is a focusable button/select/range: Tab from the player reaches "Play".
    await page.keyboard.press('Space');
    await page.locator('[data-role=verdict-headline]').waitFor({ timeout: 60_000 });
    assert.match(await page.locator('[data-role=verdict-headline]').innerText(), /Challenger wins/);
    assert.equal(
      await page.locator('[data-role=pinpoint]').innerText(),
      `Pinpointed: step 21 · op #${op} ${transcript.verdict.opName}`,
    );
    // The culprit node is marked on the disputed step's graph.
    assert.equal(
      await page.locator(`.pp-player g.node[data-id="${op}"]`).getAttribute('data-mark'),
      'culprit',
    );
    await page.screenshot({ path: `${ART}/views-c2-player.png`, fullPage: true });
  });

  it('tensor inspector: stats and histogram match an independent computation', async () => {
    const values = syntheticValues(96, 7);
    const s = tensorStats(values);
    await page.evaluate((v) => {
      const root = document.getElementById('root') as HTMLElement;
      root.innerHTML = '';
      window.pp.mountTensorInspector(root, {
        title: 'w',
        shape: [8, 12],
        digest: 'ab'.repeat(32),
        values: v,
        verified: true,
      });
    }, values);
    const text = (await page.locator('.pp-inspector').textContent()) ?? '';
    assert.match(text, /\[8×12\] · 96 values/);
    assert.ok(text.includes(window_fmt(s.min)) && text.includes(window_fmt(s.max)), text);
    const heights = await page.locator('.pp-inspector rect.bar').count();
    assert.ok(heights >= 5, `${heights} bars`);
    assert.equal((await page.locator('[data-role=full-digest]').textContent())?.trim(), 'ab'.repeat(32));
  });

  it('flow diagram: labelled flows conserve the moved amount', async () => {
    const labels = await page.evaluate(() => {
      const root = document.getElementById('root') as HTMLElement;
      root.innerHTML = '';
      const g = window.pp.flowGraph([
        { from: 'stake:3@carol', to: 'erin', amount: 40, reason: 'slash.jackpot' },
        { from: 'stake:3@carol', to: 'treasury', amount: 16, reason: 'slash.treasury' },
        { from: 'stake:3@carol', to: 'carol', amount: 20, reason: 'stake.return' },
      ]);
      window.pp.mountFlowDiagram(root, g, { durationMs: 200 });
      return [...root.querySelectorAll('.flabel')].map((e) => e.textContent);
    });
    assert.deepEqual([...labels].sort(), ['16 · slash.treasury', '20 · stake.return', '40 · slash.jackpot']);
    await page.waitForTimeout(400);
    assert.equal(await page.locator('.fnode text.amt').first().textContent(), '−76');
  });

  it('notebook outputs: graph and ledger outputs are drawn with the components', async () => {
    const r = await page.evaluate(() => {
      const root = document.getElementById('root') as HTMLElement;
      root.innerHTML = '';
      const a = document.createElement('div');
      const b = document.createElement('div');
      const c = document.createElement('div');
      root.append(a, b, c);
      const drawn = [
        window.pp.renderOutput(a, {
          kind: 'graph',
          nodes: [
            { id: 0, op: 'leaf', shape: [2], label: 'x', phase: 'leaf' },
            { id: 1, op: 'relu', shape: [2], phase: 'forward', mark: 'agree' },
            { id: 2, op: 'sum', shape: [], phase: 'forward', mark: 'culprit' },
          ],
          edges: [
            { from: 0, to: 1 },
            { from: 1, to: 2 },
          ],
        }),
        window.pp.renderOutput(b, {
          kind: 'ledger',
          accounts: [{ id: 'alice', balance: 1200, staked: 100 }],
          invariant: { ok: true },
        }),
        window.pp.renderOutput(c, { kind: 'text', text: 'not ours' }),
      ];
      return {
        drawn,
        nodes: a.querySelectorAll('g.node').length,
        paths: a.querySelectorAll('path.edge').length,
        mark: a.querySelector('g.node[data-id="2"]')?.getAttribute('data-mark'),
        ledger: b.textContent,
      };
    });
    assert.deepEqual(r.drawn, [true, true, false]);
    assert.equal(r.nodes, 3);
    assert.equal(r.paths, 2);
    assert.equal(r.mark, 'culprit');
    assert.match(r.ledger ?? '', /alice.*1\u202f200.*100/);
    assert.match(r.ledger ?? '', /✓ supply invariant holds/);
  });

  it('line chart: keyboard selection reports the step', async () => {
    const picked = await page.evaluate(async () => {
      const root = document.getElementById('root') as HTMLElement;
      root.innerHTML = '';
      const got: number[] = [];
      const pts = Array.from({ length: 30 }, (_, i) => ({ x: i, y: 1 / (i + 1) }));
      const c = window.pp.mountLineChart(
        root,
        { points: pts, markers: [{ x: 10, kind: 'checkpoint' }] },
        { onSelect: (x) => got.push(x) },
      );
      c.select(3);
      return got;
    });
    assert.deepEqual(picked, [3]);
    await page.locator('.pp-chart svg').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('End');
    assert.equal(await page.locator('.pp-chart svg').getAttribute('aria-valuenow'), '29');
  });
});

/** The inspector's number format (fmtNum), re-derived here: ≤ 6 significant digits. */
function window_fmt(v: number): string {
  return String(Number(v.toPrecision(6)));
}
