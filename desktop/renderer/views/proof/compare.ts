/**
 * "Compare with…" in the Proof view (issue 15): pick (or upload) a second proof of the same task, then
 * a panel overlays both loss curves (or any committed metric both have: a picker above the chart), marks
 * the first diverging step and offers "Dispute these". The
 * comparison lives in the route (#/proof?path=A&compare=B), so Graph and reload keep it. A proof of
 * another task gets the backend's message naming both files; the Proof view itself stays as it was.
 */
import type { CompareSummary } from '../../../shared/api-compare.ts';
import { type CompareChart, mountCompareChart } from '../../components/compare-chart.ts';
import { showError } from '../../shell/errors.ts';
import { type PickItem, quickPick } from '../../shell/quickpick.ts';
import { uploadFile } from '../../shell/upload.ts';
import type { ViewContext } from '../../shell/views.ts';
import { badge, button, h, panel } from '../common.ts';
import { METRIC_SPECS } from './metrics.ts';

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** The picker: proofs the app knows (demo, data folder, recent) and, in browser mode, an upload. */
export function pickCompareProof(ctx: ViewContext, current: string): void {
  const choose = (path: string) => ctx.openView('proof', { path: current, compare: path });
  const items = Promise.all([
    ctx.api.call('proof.list', {}),
    ctx.api.call('files.list', { kind: 'proof' }),
    ctx.api.call('recent.list', {}),
  ]).then(([proofs, files, recent]) => {
    const seen = new Set<string>([current]);
    const out: PickItem[] = [];
    const add = (path: string, group: string) => {
      if (seen.has(path) || !path.endsWith('.pinproof')) return;
      seen.add(path);
      out.push({ label: baseName(path), detail: path, group, badge: 'proof', run: () => choose(path) });
    };
    for (const p of recent) add(p, 'Recent');
    for (const p of proofs) add(p.path, 'Proofs');
    for (const f of files) add(f.path, 'Data folder');
    if (ctx.api.mode === 'browser')
      out.push({
        label: 'Upload a proof from this computer…',
        detail: 'a .pinproof of the same task, copied into the data folder',
        group: 'Other files',
        run: () => uploadCompare(ctx, choose),
      });
    return out;
  });
  quickPick({
    placeholder: `Compare ${baseName(current)} with…`,
    testId: 'compare-picker',
    items,
    onError: (e) => showError(e, 'Compare with'),
  });
}

function uploadCompare(ctx: ViewContext, choose: (path: string) => void): void {
  const input = h('input', {
    type: 'file',
    accept: '.pinproof',
    hidden: '',
    'data-testid': 'compare-upload',
  });
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.remove();
    if (!file) return;
    try {
      const r = await uploadFile((args) => ctx.api.call('files.import', args), file);
      if (r.kind !== 'proof') throw new Error(`${file.name} is a ${r.kind}, not a proof bundle`);
      choose(r.path);
    } catch (err) {
      showError(err, `Importing ${file.name}`);
    }
  });
  document.body.append(input);
  input.click();
}

interface Series {
  key: string;
  label: string;
  logY: boolean;
  a: number[];
  b: number[];
}

/** The loss, then every committed metric both proofs have, in the Proof view's metric order. */
function seriesOf(s: CompareSummary): Series[] {
  const out: Series[] = [{ key: 'loss', label: 'loss', logY: false, a: s.a.losses, b: s.b.losses }];
  for (const spec of METRIC_SPECS) {
    const a = s.a.metrics[spec.key];
    const b = s.b.metrics[spec.key];
    if (a && b) out.push({ key: spec.key, label: spec.label, logY: spec.logY, a, b });
  }
  return out;
}

export interface ComparePanel {
  el: HTMLElement;
  /** Follows the Proof view's selected step. */
  select(step: number): void;
}

/** The overlay panel for `#/proof?path=a&compare=b`; `onSelect` moves the Proof view's step. */
export function mountComparePanel(
  ctx: ViewContext,
  a: string,
  b: string,
  onSelect: (step: number) => void,
): ComparePanel {
  const status = h('span', { class: 'pp-muted', 'data-role': 'compare-status', 'aria-live': 'polite' });
  const disputeBtn = button(
    '⚖ Dispute these',
    'Run the pinpoint dispute between the two proofs',
    () => void dispute(),
  );
  disputeBtn.dataset.role = 'dispute-these';
  disputeBtn.disabled = true;
  const stop = button('✕ Stop comparing', 'Show this proof alone', () => ctx.openView('proof', { path: a }));
  const bar = h(
    'div',
    { class: 'pp-toolbar', style: 'gap:8px;flex-wrap:wrap' },
    h('span', {}, 'Comparing with ', h('strong', { 'data-role': 'compare-name' }, baseName(b))),
    status,
    h('span', { class: 'pp-spacer' }),
    disputeBtn,
    stop,
  );
  const chartHost = h('div', { style: 'padding:6px 8px' });
  const el = panel('Compare two proofs', bar, chartHost);
  el.dataset.role = 'compare-panel';
  let chart: CompareChart | null = null;
  let pending: number | null = null;
  status.textContent = 'Loading both proofs…';

  void (async () => {
    let s: CompareSummary;
    try {
      s = await ctx.api.call('compare.summary', { a, b });
    } catch (err) {
      status.textContent = '';
      chartHost.replaceChildren(
        h(
          'div',
          { class: 'pp-error', role: 'alert', 'data-role': 'compare-error' },
          err instanceof Error ? err.message : String(err),
        ),
      );
      ctx.showError(err, 'Compare with');
      return;
    }
    if (ctx.signal.aborted) return;
    status.replaceChildren(
      s.firstDivergingStep === null
        ? badge('ok', `✓ all ${s.steps} steps agree`)
        : badge(
            'bad',
            `◆ first diverging step ${s.firstDivergingStep} · ${s.divergingSteps} of ${s.steps} steps differ`,
          ),
      s.basis === 'state' ? ` (${s.a.mode} vs ${s.b.mode} mode: states and losses compared)` : '',
    );
    disputeBtn.disabled = false;
    const series = seriesOf(s);
    const draw = (key: string) => {
      const pick = series.find((x) => x.key === key) ?? series[0];
      chart?.destroy();
      chartHost.replaceChildren();
      chart = mountCompareChart(
        chartHost,
        {
          a: { name: s.a.name, values: pick.a },
          b: { name: s.b.name, values: pick.b },
          diverge: s.firstDivergingStep,
          label: pick.label,
          logY: pick.logY,
        },
        { onSelect },
      );
      if (pending !== null) chart.select(pending);
    };
    if (series.length > 1) {
      const select = h(
        'select',
        {
          'data-role': 'compare-metric',
          'aria-label': 'Curve to compare',
          title: 'Which per-step value both curves show',
        },
        ...series.map((x) => h('option', { value: x.key }, x.label)),
      );
      select.addEventListener('change', () => draw(select.value));
      bar.insertBefore(select, status);
    }
    draw('loss');
  })();

  async function dispute(): Promise<void> {
    disputeBtn.disabled = true;
    status.textContent = 'Running the dispute…';
    try {
      const r = await ctx.api.call('compare.dispute', { a, b });
      ctx.showStatus(`Dispute: ${r.transcript.verdict.reason}`);
      ctx.openView('dispute', { id: r.id });
    } catch (err) {
      status.textContent = '';
      ctx.showError(err, 'Dispute these');
    } finally {
      disputeBtn.disabled = false;
    }
  }

  return {
    el,
    select(step) {
      pending = step;
      chart?.select(step);
    },
  };
}
