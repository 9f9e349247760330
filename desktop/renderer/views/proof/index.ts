/**
 * Proof timeline: the loss curve with checkpoints and verification samples, small multiples of the
 * per-step metrics (hover read-outs synced with the loss curve), the committed step records, step-through with the keyboard (←/→ or J/K, Home/End), the selected step's trace (replayed
 * with RepOps on selection) and "run this step now" (re-executes it and compares the digests).
 */
import type { ProofSummary, RunStepResult, StepTrace } from '../../../shared/api-views.ts';
import { fmtNum, shortDigest } from '../../components/format.ts';
import { type LineChart, mountLineChart } from '../../components/line-chart.ts';
import { iconLabel } from '../../shell/icons.ts';
import { registerView, type ViewContext } from '../../shell/views.ts';
import {
  badge,
  button,
  errorBox,
  h,
  kvList,
  loading,
  onViewKeys,
  panel,
  scrollWithin,
  selection,
  viewRoot,
} from '../common.ts';
import { opCountEl } from '../op-count.ts';
import { mountComparePanel, pickCompareProof } from './compare.ts';
import { type MetricCharts, metricRows, mountMetricCharts } from './metrics.ts';

const ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"><path d="M3 19h18"/><path d="M4 15l5-5 4 3 7-8"/><circle cx="9" cy="10" r="1.2"/><circle cx="13" cy="13" r="1.2"/></svg>';

interface ProofHandle {
  update?(params: Readonly<Record<string, string>>): void;
  unmount?(): void;
}

async function mount(el: HTMLElement, ctx: ViewContext): Promise<ProofHandle> {
  const root = viewRoot(el, 'proof');
  const body = h('div', {
    style: 'flex:1;min-height:0;overflow:auto;padding:12px;display:flex;flex-direction:column;gap:12px',
  });
  root.append(body);
  loading(body, 'proof');
  let proof: ProofSummary;
  try {
    proof = await ctx.api.call('proof.load', { path: ctx.params.path ?? selection.proofPath });
  } catch (err) {
    errorBox(body, err, 'Could not open the proof');
    ctx.showError(err, 'Proof view');
    return {};
  }
  selection.proofPath = proof.path;
  root.dataset.path = proof.path;
  body.innerHTML = '';

  const steps = proof.steps;
  const ckpt = new Set(proof.checkpoints);
  const samples = new Set(proof.samples);
  let cur = Math.max(0, Math.min(steps.length - 1, Number(ctx.params.step ?? selection.step ?? 0) || 0));

  // Header toolbar.
  const stepLabel = h('span', { class: 'pp-mono', 'data-role': 'step-label', 'aria-live': 'polite' });
  const prev = button(
    `${iconLabel('prev', 'Previous')}<kbd>←</kbd>`,
    'Previous step (← or K)',
    () => go(cur - 1),
    {
      'data-role': 'prev-step',
    },
  );
  const next = button(`${iconLabel('next', 'Next')}<kbd>→</kbd>`, 'Next step (→ or J)', () => go(cur + 1), {
    'data-role': 'next-step',
  });
  const runBtn = button(
    `${iconLabel('rerun', 'Run this step now')}<kbd>R</kbd>`,
    'Re-execute this step with RepOps and compare digests (R)',
    () => void runNow(),
    {
      'data-role': 'run-step',
    },
  );
  runBtn.classList.add('primary');
  const graphBtn = button(
    'Open graph <kbd>G</kbd>',
    "Open this step's computational graph (G)",
    () => openGraph(),
    { 'data-role': 'open-graph' },
  );
  const toolbar = h(
    'div',
    {
      class: 'pp-toolbar',
      role: 'toolbar',
      'aria-label': 'Proof controls',
      style: 'border:1px solid var(--pp-border);border-radius:6px',
    },
    h('strong', {}, proof.name),
    badge(proof.mode === 'trace' ? 'info' : 'warn', `${proof.mode} mode`),
    h('span', { class: 'pp-muted' }, `${proof.taskId} · ${proof.model}`),
    h('span', { class: 'pp-spacer' }),
    prev,
    stepLabel,
    next,
    runBtn,
    graphBtn,
    button(
      '⇆ Compare with…',
      'Compare this proof with a second proof of the same task',
      () => pickCompareProof(ctx, proof.path),
      { 'data-role': 'compare-with' },
    ),
  );
  body.append(toolbar);

  // Summary + chart.
  const top = h('div', { style: 'display:grid;grid-template-columns:minmax(0,1fr) 330px;gap:12px' });
  const chartHost = h('div', { style: 'padding:6px 8px' });
  const legend = h(
    'div',
    { class: 'pp-muted', style: 'font-size:11px;padding:0 12px 8px;display:flex;gap:14px' },
    h('span', {}, '▲ checkpoint'),
    h('span', {}, '● verifier sample'),
    h('span', {}, 'click or ←/→ to select a step'),
  );
  top.append(panel(`Loss curve · ${steps.length} steps`, chartHost, legend));
  top.append(
    panel(
      'Proof',
      kvList([
        ['task', proof.taskId],
        ['RepOps', proof.repops],
        ['run commitment', h('span', { title: proof.runCommitment }, shortDigest(proof.runCommitment, 16))],
        ['tensor digests', proof.tensorDigest === 'blake3' ? 'BLAKE3' : 'SHA-256'],
        ['solver key', h('span', { title: proof.solverKey }, shortDigest(proof.solverKey, 16))],
        ['checkpoints', proof.checkpoints.join(', ') || '—'],
        ...(proof.checkpointStore
          ? [
              [
                'checkpoint store',
                `${proof.checkpointStore.dir} (${proof.checkpointStore.steps.length} states checked against the proof before replay)`,
              ] as [string, string],
            ]
          : []),
        ['verifier samples', proof.samples.join(', ') || '—'],
        [
          'final loss / acc',
          `${fmtNum(proof.metrics.loss)} / ${(proof.metrics.accuracy * 100).toFixed(1)} %`,
        ],
      ]),
    ),
  );
  // Compare with a second proof (#/proof?path=…&compare=…): the overlay goes above the single curve.
  const compare = ctx.params.compare
    ? mountComparePanel(ctx, proof.path, ctx.params.compare, (x) => go(x))
    : null;
  if (compare) body.append(compare.el);
  body.append(top);
  const metricsHost = h('div', {});
  const sm = proof.stepMetrics;
  body.append(
    panel(
      sm ? 'Training metrics · per step' : 'Training metrics',
      metricsHost,
      sm
        ? h(
            'div',
            { class: 'pp-muted', style: 'font-size:11px;padding:0 12px 8px' },
            'hover any chart to read every metric at that step; norms on a log scale; committed by the signed bundle and recomputed by verify',
          )
        : null,
    ),
  );

  const mid = h('div', { style: 'display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:12px' });
  const stepPanel = h('div', { 'data-role': 'step-detail' });
  const tracePanel = h('div', { 'data-role': 'trace' });
  const runPanel = h('div', { 'data-role': 'run-result' });
  mid.append(panel('Step record', stepPanel), panel('Trace (replayed with RepOps)', tracePanel));
  body.append(mid);
  body.append(panel('Run this step now', runPanel));
  runPanel.append(
    h(
      'div',
      { class: 'pp-empty' },
      'Press R or “Run this step now” to re-execute the selected step from its checkpoint.',
    ),
  );

  // Step table.
  const table = h('table', { class: 'pp-table', 'aria-label': 'Step records' });
  table.innerHTML =
    '<thead><tr><th class="num">step</th><th class="num">loss</th><th>state after</th><th>batch</th><th>op root</th><th>marks</th></tr></thead>';
  const tbody = h('tbody');
  table.append(tbody);
  const rows = steps.map((s) => {
    const tr = h(
      'tr',
      { 'data-step': s.step, style: 'cursor:pointer' },
      h('td', { class: 'num' }, String(s.step)),
      h('td', { class: 'num' }, fmtNum(s.loss)),
      h('td', { class: 'pp-mono' }, shortDigest(s.stateAfter, 12)),
      h('td', { class: 'pp-mono' }, shortDigest(s.batchDigest, 8)),
      h('td', { class: 'pp-mono' }, shortDigest(s.opRoot, 8)),
      h(
        'td',
        {},
        [ckpt.has(s.step) ? '▲ checkpoint' : '', samples.has(s.step) ? '● sampled' : '']
          .filter(Boolean)
          .join(' '),
      ),
    );
    tr.addEventListener('click', () => go(s.step));
    tbody.append(tr);
    return tr;
  });
  const tableWrap = h('div', { style: 'max-height:280px;overflow:auto' }, table);
  body.append(panel('Step records', tableWrap));

  const chart: LineChart = mountLineChart(
    chartHost,
    {
      points: steps.map((s) => ({ x: s.step, y: s.loss })),
      markers: [
        ...proof.checkpoints.filter((c) => c < steps.length).map((x) => ({ x, kind: 'checkpoint' as const })),
        ...proof.samples.map((x) => ({ x, kind: 'sample' as const })),
      ],
      xLabel: 'step',
      yLabel: 'loss',
      title: 'Training loss by step',
    },
    {
      height: 230,
      onSelect: (x) => selectFromChart(x),
      onHover: (x) => metricCharts.hover(x),
    },
  );
  const metricCharts: MetricCharts = mountMetricCharts(metricsHost, sm, {
    onSelect: (x) => selectFromChart(x),
    onHover: (x) => chart.hover(x),
  });
  // go() selects the step in every chart; their onSelect must not re-enter it.
  let syncing = false;
  function selectFromChart(x: number): void {
    if (!syncing) go(x);
  }

  let traceSeq = 0;
  let traceTimer: ReturnType<typeof setTimeout> | undefined;
  function go(step: number): void {
    const s = Math.max(0, Math.min(steps.length - 1, step));
    cur = s;
    selection.step = s;
    const r = steps[s];
    stepLabel.textContent = `step ${s} / ${steps.length - 1}`;
    (prev as HTMLButtonElement).disabled = s === 0;
    (next as HTMLButtonElement).disabled = s === steps.length - 1;
    syncing = true;
    try {
      chart.select(s);
      metricCharts.select(s);
    } finally {
      syncing = false;
    }
    compare?.select(s);
    for (const [i, tr] of rows.entries()) tr.classList.toggle('sel', i === s);
    scrollWithin(tableWrap, rows[s]);
    stepPanel.innerHTML = '';
    const marks = h('div', { style: 'padding:8px 12px 0;display:flex;gap:6px' });
    if (ckpt.has(s)) marks.append(badge('warn', '▲ checkpoint'));
    if (samples.has(s)) marks.append(badge('ok', '● verifier sample'));
    stepPanel.append(
      marks,
      kvList([
        ['step', String(s)],
        ['loss', fmtNum(r.loss)],
        ...(sm ? metricRows(sm[s]) : []),
        ['state before', r.stateBefore],
        ['state after', r.stateAfter],
        ['batch', r.batchDigest],
        ['op root', r.opRoot ?? '— (fast mode: not committed)'],
        ['ops', r.opCount !== undefined ? opCountEl(r.opCount) : '— (fast mode: not recorded)'],
      ]),
    );
    runPanel.innerHTML = '';
    runPanel.append(h('div', { class: 'pp-empty' }, `Press R to re-execute step ${s}.`));
    // Trace loads on selection (debounced while stepping quickly).
    clearTimeout(traceTimer);
    const seq = ++traceSeq;
    tracePanel.innerHTML = '';
    tracePanel.append(replayStatus(s, seq));
    traceTimer = setTimeout(() => void loadTrace(s, seq), 150);
  }

  /**
   * What a replay costs, said before it starts (sparse bundles keep full states every 100 steps or so, so
   * a step can be tens of replayed steps away), with the seconds elapsed while it runs.
   */
  function replayStatus(step: number, seq: number): HTMLElement {
    const from = Math.max(-1, ...proof.checkpoints.filter((c) => c <= step));
    const before =
      from < 0 ? '' : step > from ? `${step - from} steps from the checkpoint at step ${from}, then ` : '';
    const base = `Replaying step ${step}: ${before}the step itself with its tape…`;
    const el = h('div', { class: 'pp-empty', role: 'status', 'data-role': 'replay-status' }, base);
    const t0 = Date.now();
    const tick = setInterval(() => {
      if (seq !== traceSeq || !el.isConnected || ctx.signal.aborted) clearInterval(tick);
      else el.textContent = `${base} ${Math.round((Date.now() - t0) / 1000)} s`;
    }, 1000);
    return el;
  }

  async function loadTrace(step: number, seq: number): Promise<void> {
    let t: StepTrace;
    try {
      t = await ctx.api.call('proof.trace', { path: proof.path, step });
    } catch (err) {
      if (seq === traceSeq) errorBox(tracePanel, err, `Trace of step ${step}`);
      return;
    }
    if (seq !== traceSeq || ctx.signal.aborted) return;
    const rootOk = t.recordedOpRoot === null ? null : t.recordedOpRoot === t.opRoot;
    const stateOk = t.stateAfter === t.recordedStateAfter;
    tracePanel.innerHTML = '';
    tracePanel.append(
      h(
        'div',
        { style: 'padding:8px 12px 0;display:flex;gap:6px;flex-wrap:wrap', 'data-role': 'trace-status' },
        badge(
          stateOk ? 'ok' : 'bad',
          stateOk ? '✓ state after matches the record' : '✗ state after differs from the record',
        ),
        rootOk === null
          ? badge('info', 'op root not committed (fast mode)')
          : badge(rootOk ? 'ok' : 'bad', rootOk ? '✓ op root matches' : '✗ op root differs'),
      ),
      kvList([
        ['ops', opCountEl(t.nodes)],
        ['op root', t.opRoot],
        ['loss', fmtNum(t.loss)],
        ['replay time', `${t.ms.toFixed(0)} ms`],
      ]),
      h(
        'div',
        { style: 'padding:0 12px 10px' },
        button('Open graph of this step →', 'Open the graph view at this step', () => openGraph()),
      ),
    );
  }

  async function runNow(): Promise<void> {
    const step = cur;
    runBtn.disabled = true;
    runPanel.innerHTML = '';
    runPanel.append(
      h('div', { class: 'pp-empty', role: 'status' }, `Re-executing step ${step} with RepOps…`),
    );
    let r: RunStepResult;
    try {
      r = await ctx.api.call('proof.runStep', { path: proof.path, step });
    } catch (err) {
      errorBox(runPanel, err, `Run step ${step}`);
      ctx.showError(err, `Run step ${step}`);
      return;
    } finally {
      runBtn.disabled = false;
    }
    runPanel.innerHTML = '';
    const table = h('table', { class: 'pp-table' });
    table.innerHTML =
      '<thead><tr><th>check</th><th>recorded</th><th>recomputed now</th><th>result</th></tr></thead>';
    const tb = h('tbody');
    for (const c of r.checks) {
      tb.append(
        h(
          'tr',
          {},
          h('td', {}, c.name),
          h('td', { class: 'pp-mono', title: c.recorded }, shortDigest(c.recorded, 16)),
          h('td', { class: 'pp-mono', title: c.recomputed }, shortDigest(c.recomputed, 16)),
          h('td', { class: c.match ? 'pp-ok' : 'pp-bad' }, c.match ? '✓ match' : '✗ differs'),
        ),
      );
    }
    table.append(tb);
    runPanel.append(
      h(
        'div',
        { style: 'padding:8px 12px', 'data-role': 'run-verdict' },
        badge(
          r.match ? 'ok' : 'bad',
          r.match ? `✓ step ${r.step} reproduces bit for bit` : `✗ step ${r.step} does not reproduce`,
        ),
        h(
          'span',
          { class: 'pp-muted', style: 'margin-left:8px' },
          `replayed ${r.replayed} step(s) from the checkpoint in ${r.ms.toFixed(0)} ms`,
        ),
      ),
      table,
    );
    ctx.showStatus(r.match ? `Step ${r.step}: digests match` : `Step ${r.step}: digests differ`);
  }

  function openGraph(): void {
    ctx.openView('graph', {
      path: proof.path,
      step: String(cur),
      ...(ctx.params.compare ? { compare: ctx.params.compare } : {}),
    });
  }

  onViewKeys(root, ctx.signal, (ev) => {
    const k = ev.key;
    if (k === 'ArrowRight' || k === 'j' || k === 'J') go(cur + 1);
    else if (k === 'ArrowLeft' || k === 'k' || k === 'K') go(cur - 1);
    else if (k === 'Home') go(0);
    else if (k === 'End') go(steps.length - 1);
    else if (k === 'r' || k === 'R') void runNow();
    else if (k === 'g' || k === 'G') openGraph();
    else return false;
    return true;
  });
  ctx.addCommand({ id: 'proof.next', title: 'Proof: next step', shortcut: '→', run: () => go(cur + 1) });
  ctx.addCommand({ id: 'proof.prev', title: 'Proof: previous step', shortcut: '←', run: () => go(cur - 1) });
  ctx.addCommand({ id: 'proof.run', title: 'Proof: run this step now', shortcut: 'R', run: () => runNow() });
  ctx.addCommand({
    id: 'proof.compare',
    title: 'Proof: compare with another proof…',
    run: () => pickCompareProof(ctx, proof.path),
  });
  ctx.addCommand({
    id: 'proof.graph',
    title: 'Proof: open graph of this step',
    shortcut: 'G',
    run: () => openGraph(),
  });
  go(cur);
  root.focus({ preventScroll: true });
  // After a redraw the shell still holds this handle: later updates go to the redraw's handle.
  let redraw: Promise<ProofHandle> | null = null;
  return {
    update(params: Readonly<Record<string, string>>) {
      if (redraw) {
        void redraw.then((h) => h.update?.(params));
        return;
      }
      // Another proof file or comparison: draw it from scratch (the shell re-opens views with update, not mount).
      if ((params.path && params.path !== proof.path) || params.compare !== ctx.params.compare) {
        clearTimeout(traceTimer);
        redraw = mount(el, { ...ctx, params });
        return;
      }
      if (params.step !== undefined) go(Number(params.step));
    },
    unmount() {
      clearTimeout(traceTimer);
      void redraw?.then((h) => h.unmount?.());
    },
  };
}

registerView({ id: 'proof', title: 'Proof', order: 20, icon: ICON, mount });
