/**
 * Graph view: one step's computational graph (forward, backward and optimizer ops) with per-op
 * digests, zoom/pan/minimap, a node inspector with the output tensor (stats, histogram, heat map, full
 * digest) and trace comparison (agree ✓ / disagree ✗ / first disagreement ◆, colour and symbol).
 * Also registers the notebook output renderer for 'graph' outputs.
 */
import type { StepTrace, TensorData, TraceNode } from '../../../shared/api-views.ts';
import { compareTraces } from '../../components/compare.ts';
import { fmtShape, shortDigest } from '../../components/format.ts';
import {
  type GraphCanvas,
  mountGraphCanvas,
  type NodeMark,
  nodeTitle,
} from '../../components/graph-canvas.ts';
import { mountTensorInspector } from '../../components/tensor-inspector.ts';
import { iconLabel } from '../../shell/icons.ts';
import { registerOutputRenderer } from '../../shell/outputs.ts';
import { registerView, type ViewContext } from '../../shell/views.ts';
import { badge, button, errorBox, h, kvList, loading, onViewKeys, selection, viewRoot } from '../common.ts';
import { opCountEl } from '../op-count.ts';
import { renderGraphOutput } from './output.ts';

const ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"><rect x="3" y="3" width="7" height="5" rx="1"/><rect x="14" y="3" width="7" height="5" rx="1"/><rect x="8.5" y="16" width="7" height="5" rx="1"/><path d="M6.5 8v3.5h11V8M12 11.5V16"/></svg>';

async function mount(el: HTMLElement, ctx: ViewContext) {
  const root = viewRoot(el, 'graph');
  let path = ctx.params.path ?? selection.proofPath;
  /** A second proof to compare with (#/graph?compare=<path>, from the Proof view's compare); 'tampered' = the built-in copy. */
  let vsPath = ctx.params.compare && ctx.params.compare !== 'tampered' ? ctx.params.compare : null;
  let step = Number(ctx.params.step ?? selection.step ?? 0) || 0;

  const stepInput = h('input', {
    class: 'pp-input',
    type: 'number',
    min: 0,
    value: step,
    style: 'width:70px',
    'aria-label': 'Step',
    'data-role': 'step-input',
  });
  const find = h('input', {
    class: 'pp-input',
    type: 'search',
    placeholder: 'Find op or #id  (/)',
    'aria-label': 'Find op',
    style: 'width:180px',
    'data-role': 'find',
  });
  const compareBtn = button(
    'Compare with tampered trace <kbd>C</kbd>',
    'Compare this trace with a tampered run of the same step (C)',
    () => void toggleCompare(),
    {
      'data-role': 'compare',
      'aria-pressed': 'false',
    },
  );
  const firstBtn = button(
    'Go to first ✗',
    'Select the first disagreeing op',
    () => first !== null && canvas?.select(first),
    { 'data-role': 'first-diff' },
  );
  firstBtn.disabled = true;
  const disputeBtn = button(
    '⚖ Dispute these',
    'Run the pinpoint dispute between the two proofs',
    () => void disputeThese(),
    { 'data-role': 'dispute-these' },
  );
  const compareLabel = () => {
    // textContent for the file name: an uploaded file's name is page-controlled text, never markup.
    compareBtn.replaceChildren(
      vsPath ? `Compare with ${vsPath.split(/[\\/]/).pop()} ` : 'Compare with tampered trace ',
      h('kbd', {}, 'C'),
    );
    disputeBtn.style.display = vsPath ? '' : 'none';
  };
  compareLabel();
  const summary = h('span', { class: 'pp-muted', 'data-role': 'compare-summary', 'aria-live': 'polite' });
  const opCountHost = h('span', { class: 'pp-muted' });
  const toolbar = h(
    'div',
    { class: 'pp-toolbar', role: 'toolbar', 'aria-label': 'Graph controls' },
    h('strong', {}, 'Step'),
    button(iconLabel('prev', 'Previous step', true), 'Previous step ([)', () => void load(step - 1)),
    stepInput,
    button(iconLabel('next', 'Next step', true), 'Next step (])', () => void load(step + 1)),
    find,
    compareBtn,
    firstBtn,
    disputeBtn,
    opCountHost,
    summary,
    h('span', { class: 'pp-spacer' }),
    button(iconLabel('arrowLeft', 'Proof'), 'Back to the proof timeline', () =>
      ctx.openView('proof', {
        ...(path ? { path } : {}),
        step: String(step),
        ...(vsPath ? { compare: vsPath } : {}),
      }),
    ),
  );
  const main = h('div', {
    style: 'flex:1;min-height:0;display:grid;grid-template-columns:minmax(0,1fr) 380px',
  });
  const canvasHost = h('div', {
    style: 'position:relative;min-height:420px;border-right:1px solid var(--pp-border)',
  });
  const side = h('aside', {
    style: 'overflow:auto;background:var(--pp-raised)',
    'aria-label': 'Node inspector',
    'data-role': 'inspector',
  });
  main.append(canvasHost, side);
  root.append(toolbar, main);

  let canvas: GraphCanvas | null = null;
  let trace: StepTrace | null = null;
  let other: StepTrace | null = null;
  let first: number | null = null;
  let markOf = new Map<number, NodeMark>();
  let byId = new Map<number, TraceNode>();
  let tensorSeq = 0;
  /** `#/graph?node=<id>` (e.g. from the Dispute view's pinpointed op): selected once the graph loads. */
  let pendingNode: number | null = ctx.params.node !== undefined ? Number(ctx.params.node) : null;

  function emptySide(): void {
    side.innerHTML = '';
    side.append(
      h(
        'div',
        { class: 'pp-empty' },
        'Click an op (or use the arrow keys on the graph) to inspect its output tensor.',
      ),
    );
  }

  async function load(s: number): Promise<void> {
    step = Math.max(0, s);
    stepInput.value = String(step);
    selection.step = step;
    canvas?.destroy();
    canvas = null;
    other = null;
    first = null;
    compareBtn.setAttribute('aria-pressed', 'false');
    firstBtn.disabled = true;
    summary.textContent = '';
    loading(canvasHost, `the graph of step ${step}`);
    emptySide();
    try {
      trace = await ctx.api.call('proof.trace', { path, step });
    } catch (err) {
      errorBox(canvasHost, err, `Graph of step ${step}`);
      return;
    }
    if (ctx.signal.aborted) return;
    selection.proofPath = trace.path;
    byId = new Map(trace.nodes.map((n) => [n.id, n]));
    canvasHost.innerHTML = '';
    canvas = mountGraphCanvas(canvasHost, trace.nodes, {
      title: `Step ${step} graph`,
      onSelect: (id) => (id === null ? emptySide() : void inspect(id)),
      onOpen: (id) => void inspect(id),
    });
    opCountHost.replaceChildren(opCountEl(trace.nodes));
    summary.textContent = `layout ${canvas.layout.ms.toFixed(0)} ms`;
    if (vsPath || ctx.params.compare === 'tampered') void toggleCompare();
    const want = pendingNode;
    pendingNode = null;
    if (want !== null && byId.has(want)) {
      canvas.select(want);
      void canvas.focusNode(want);
      void inspect(want);
    }
  }

  async function inspect(id: number): Promise<void> {
    const n = byId.get(id);
    if (!n || !trace) return;
    const seq = ++tensorSeq;
    side.innerHTML = '';
    const mk = other ? markOf.get(id) : undefined;
    const mark = mk
      ? mk === 'agree'
        ? 'agree'
        : mk === 'culprit'
          ? 'first disagreement'
          : 'disagree'
      : null;
    const inputs = h('div', { style: 'display:flex;flex-wrap:wrap;gap:4px' });
    for (const i of n.inputs)
      inputs.append(
        button(`#${i} ${nodeTitle(byId.get(i) as TraceNode)}`, `Select input #${i}`, () => canvas?.select(i)),
      );
    if (n.inputs.length === 0) inputs.append('—');
    side.append(
      h(
        'div',
        { class: 'pp-h' },
        `#${n.id} ${nodeTitle(n)}`,
        mark ? badge(mark === 'agree' ? 'ok' : 'bad', mark === 'agree' ? '✓ agrees' : `✗ ${mark}`) : null,
      ),
      kvList([
        ['op', n.op],
        ['phase', n.phase],
        ['label', n.label ?? '—'],
        ['shape', fmtShape(n.shape)],
        ['digest', h('span', { 'data-role': 'node-digest', title: 'SHA-256 tensor digest' }, n.digest)],
        ...(other ? ([['other trace', other.nodes[id]?.digest ?? '—']] as [string, string][]) : []),
        ['inputs', inputs],
      ]),
    );
    const tensorHost = h('div', {}, h('div', { class: 'pp-empty', role: 'status' }, 'Loading tensor…'));
    side.append(tensorHost);
    let t: TensorData;
    try {
      t = await ctx.api.call('graph.tensor', { path: trace.path, step, node: id, limit: 4096 });
    } catch (err) {
      if (seq === tensorSeq) errorBox(tensorHost, err, `Tensor of op #${id}`);
      return;
    }
    if (seq !== tensorSeq) return;
    tensorHost.innerHTML = '';
    mountTensorInspector(
      tensorHost,
      {
        title: `output of #${id} ${nodeTitle(n)}`,
        shape: t.shape,
        digest: t.digest,
        values: t.values,
        total: t.total,
        verified: t.verified,
      },
      { width: 340 },
    );
  }

  async function toggleCompare(): Promise<void> {
    if (!canvas || !trace) return;
    if (other) {
      other = null;
      first = null;
      canvas.setMarks(new Map());
      compareBtn.setAttribute('aria-pressed', 'false');
      firstBtn.disabled = true;
      summary.textContent = '';
      return;
    }
    summary.textContent = vsPath ? 'Replaying the step in both proofs…' : 'Replaying the tampered run…';
    let cmp: { marks: Map<number, NodeMark>; agree: number; disagree: number; first: number | null };
    try {
      if (vsPath) {
        // Any second proof of the same task: the backend classifies the ops on what each proof records.
        const r = await ctx.api.call('compare.step', { a: trace.path, b: vsPath, step });
        other = r.b;
        cmp = { ...r, marks: new Map(r.a.nodes.map((n, i) => [n.id, r.marks[i]])) };
      } else {
        other = await ctx.api.call('graph.compareTrace', { path: trace.path, step, variant: 'tampered' });
        cmp = compareTraces(trace.nodes, other.nodes);
      }
    } catch (err) {
      summary.textContent = '';
      ctx.showError(err, 'Compare traces');
      return;
    }
    if (!trace || !canvas) return;
    first = cmp.first;
    markOf = cmp.marks;
    canvas.setMarks(cmp.marks as Map<number, NodeMark>);
    compareBtn.setAttribute('aria-pressed', 'true');
    firstBtn.disabled = first === null;
    const f = first !== null ? (byId.get(first) as TraceNode) : null;
    summary.textContent = `${vsPath ? `vs ${vsPath.split(/[\\/]/).pop()}: ` : ''}✓ ${cmp.agree} agree · ✗ ${cmp.disagree} disagree${f ? ` · first ✗ #${f.id} ${nodeTitle(f)} (${shortDigest(f.digest)} vs ${shortDigest(other.nodes[f.id]?.digest)})` : ''}`;
    if (first !== null) canvas.select(first);
  }

  async function disputeThese(): Promise<void> {
    if (!vsPath || !trace) return;
    disputeBtn.disabled = true;
    try {
      const r = await ctx.api.call('compare.dispute', { a: trace.path, b: vsPath });
      ctx.openView('dispute', { id: r.id });
    } catch (err) {
      ctx.showError(err, 'Dispute these');
    } finally {
      disputeBtn.disabled = false;
    }
  }

  find.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' || !trace || !canvas) return;
    const q = find.value.trim().toLowerCase();
    const m = /^#?(\d+)$/.exec(q);
    const sel = canvas.selected();
    const hit = m
      ? byId.get(Number(m[1]))
      : (trace.nodes.find(
          (n) =>
            n.id > (sel ?? -1) &&
            (n.op.toLowerCase().includes(q) || (n.label ?? '').toLowerCase().includes(q)),
        ) ??
        trace.nodes.find((n) => n.op.toLowerCase().includes(q) || (n.label ?? '').toLowerCase().includes(q)));
    if (hit) {
      canvas.select(hit.id, { focus: false });
      void canvas.focusNode(hit.id, 250);
    } else ctx.showStatus(`No op matches “${find.value}”`);
  });
  stepInput.addEventListener('change', () => void load(Number(stepInput.value)));
  onViewKeys(root, ctx.signal, (ev) => {
    if (ev.key === '[') void load(step - 1);
    else if (ev.key === ']') void load(step + 1);
    else if (ev.key === 'c' || ev.key === 'C') void toggleCompare();
    else if (ev.key === '/') find.focus();
    else return false;
    return true;
  });
  ctx.addCommand({
    id: 'graph.compare',
    title: vsPath ? 'Graph: compare with the second proof (toggle)' : 'Graph: compare with tampered trace',
    shortcut: 'C',
    run: () => toggleCompare(),
  });
  ctx.addCommand({
    id: 'graph.disputeThese',
    title: 'Graph: dispute these two proofs',
    run: () =>
      vsPath
        ? disputeThese()
        : ctx.showStatus('Compare with a second proof first (Proof view › Compare with…)'),
  });
  ctx.addCommand({ id: 'graph.fit', title: 'Graph: fit to window', run: () => void canvas?.fit(250) });
  await load(step);
  return {
    update(params: Readonly<Record<string, string>>) {
      const newPath = params.path !== undefined && params.path !== path;
      if (newPath) path = params.path;
      const newVs = params.compare && params.compare !== 'tampered' ? params.compare : null;
      const vsChanged = newVs !== vsPath;
      vsPath = newVs;
      compareLabel();
      const node = params.node !== undefined ? Number(params.node) : null;
      if (newPath || vsChanged || (params.step !== undefined && Number(params.step) !== step)) {
        pendingNode = node;
        void load(Number(params.step ?? 0));
      } else if (node !== null && byId.has(node) && canvas) {
        canvas.select(node);
        void canvas.focusNode(node);
        void inspect(node);
      }
    },
    unmount() {
      canvas?.destroy();
    },
  };
}

registerView({ id: 'graph', title: 'Graph', order: 30, icon: ICON, mount });
registerOutputRenderer('graph', (el, output) => renderGraphOutput(el, output));
