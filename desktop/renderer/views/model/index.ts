/**
 * Model view: an ONNX file as Pinpoint sees it — summary, whether RepOps imports it (and which nodes
 * it cannot), the imported RepOps graph with the output digest of every op on deterministic example
 * inputs, and a cross-check against onnxruntime-web (max error, bits differing, RepOps run-to-run).
 */

import type { ModelCheckReport, ModelSummary } from '../../../shared/api-model.ts';
import { mountGraphCanvas } from '../../components/graph-canvas.ts';
import { registerView, type ViewContext } from '../../shell/views.ts';
import { badge, button, errorBox, h, kvList, loading, panel, viewRoot } from '../common.ts';
import { opCountEl } from '../op-count.ts';
import { mountNodeDetails } from './node-details.ts';

const ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"><path d="M12 3l8 4.5v9L12 21l-8-4.5v-9z"/><path d="M12 12l8-4.5M12 12v9M12 12L4 7.5"/></svg>';

function checkTable(r: ModelCheckReport): HTMLElement {
  const table = h('table', {
    class: 'pp-table',
    'aria-label': 'Cross-check results',
    'data-testid': 'model-check',
  });
  table.append(
    h(
      'tr',
      {},
      h('th', {}, 'output'),
      h('th', {}, 'shape'),
      h('th', { class: 'num' }, 'max abs error'),
      h('th', { class: 'num' }, 'max rel error'),
      h('th', { class: 'num' }, 'bits differ'),
      h('th', {}, 'RepOps run-to-run'),
      h('th', {}, 'result'),
    ),
  );
  for (const o of r.outputs) {
    const n = o.shape.reduce((a, b) => a * b, 1);
    table.append(
      h(
        'tr',
        {},
        h('td', {}, o.name),
        h('td', {}, `[${o.shape.join('×')}]`),
        h('td', { class: 'num' }, o.maxAbsError.toExponential(2)),
        h('td', { class: 'num' }, o.maxRelError.toExponential(2)),
        h('td', { class: 'num' }, `${o.differingElements} / ${n}`),
        h('td', {}, o.repopsBitwiseStable ? '✓ bitwise identical' : '✗ different'),
        h(
          'td',
          {},
          o.withinTolerance ? badge('ok', '✓ within tolerance') : badge('bad', '✗ outside tolerance'),
        ),
      ),
    );
  }
  return table;
}

async function mount(el: HTMLElement, ctx: ViewContext): Promise<undefined> {
  const root = viewRoot(el, 'model');
  const path = ctx.params.path;
  if (!path) {
    root.append(
      h(
        'div',
        { class: 'pp-empty' },
        'Open an .onnx file (Ctrl+O, drag and drop onto the window, or `pinpoint start model.onnx`) to see its graph on RepOps and cross-check it against onnxruntime-web.',
      ),
    );
    return undefined;
  }
  loading(root, 'model');
  let m: ModelSummary;
  try {
    m = await ctx.api.call('model.load', { path });
  } catch (err) {
    errorBox(root, err, `Opening ${path}`);
    ctx.showError(err, `Opening ${path}`);
    return undefined;
  }
  root.innerHTML = '';
  const name = m.path.split('/').pop() ?? m.path;
  const checkArea = h('div', { class: 'pp-model-check', style: 'padding:8px 0;' }, 'Not run yet.');
  const runCheck = async () => {
    checkArea.textContent = 'Running onnxruntime-web and RepOps on the same inputs…';
    try {
      const r = await ctx.api.call('model.check', { path: m.path, batch: m.batch });
      checkArea.innerHTML = '';
      checkArea.append(
        h(
          'p',
          { style: 'padding:0 12px;' },
          `Tolerance per element: |Δ| ≤ ${r.tolerance.abs} + ${r.tolerance.rel}·|ref|; onnxruntime-web wasm, ${r.ortThreads} thread.`,
        ),
        h('div', { style: 'overflow-x:auto;' }, checkTable(r)),
      );
      ctx.showStatus(
        `${name}: ${r.withinTolerance ? 'matches onnxruntime-web within tolerance' : 'outside tolerance'}`,
      );
    } catch (err) {
      errorBox(checkArea, err, 'Cross-check');
      ctx.showError(err, 'Cross-check');
    }
  };
  const header = h(
    'div',
    { class: 'pp-toolbar', style: 'display:flex;gap:12px;align-items:center;padding:10px 12px;' },
    h('strong', {}, name),
    m.importError ? badge('bad', '✗ not importable') : badge('ok', '✓ imports into RepOps'),
    h(
      'span',
      { class: 'pp-muted' },
      `${m.producer || 'unknown producer'} · ir ${m.irVersion} · opset ${m.opset}`,
    ),
    button(
      'Cross-check with onnxruntime',
      'Run the same inputs through onnxruntime-web and RepOps',
      () => void runCheck(),
      {
        'data-testid': 'model-check-run',
      },
    ),
  );
  const ops = Object.entries(m.opCounts)
    .map(([k, v]) => `${k}×${v}`)
    .join('  ');
  const summary = panel(
    'ONNX file',
    kvList([
      ['inputs', m.inputs.join('; ')],
      ['outputs', m.outputs.join('; ')],
      ['parameters', `${m.parameters.toLocaleString('en-US')} in ${m.initializers} initializers`],
      ['operators', ops],
      [
        'RepOps ops',
        m.importError
          ? '—'
          : h('span', {}, opCountEl(m.graph), ` — forward pass on example inputs, batch ${m.batch}`),
      ],
    ]),
    m.importError
      ? h('pre', { class: 'pp-error', role: 'alert', 'data-testid': 'model-import-error' }, m.importError)
      : null,
  );
  const graphBox = h('div', { style: 'height:520px;position:relative;' });
  const graphPanel = panel('Graph on RepOps — output digest of every op on the example inputs', graphBox);
  const detailsBox = h(
    'div',
    { 'data-testid': 'model-node-details', 'aria-live': 'polite' },
    h('div', { class: 'pp-empty' }, 'Click a node of the graph to see its attributes, shapes and values.'),
  );
  const layout = h(
    'div',
    { style: 'display:grid;grid-template-columns:minmax(420px,1fr) 1.5fr;gap:12px;padding:0 12px 12px;' },
    h('div', {}, summary, panel('Node details', detailsBox), panel('Cross-check', checkArea)),
    graphPanel,
  );
  root.append(header, layout);
  if (m.graph.length > 0) {
    let seq = 0;
    const showNode = (id: number | null) => {
      const mine = ++seq;
      if (id === null) return;
      void mountNodeDetails(detailsBox, ctx, m.path, id, () => mine === seq && !ctx.signal.aborted);
    };
    const canvas = mountGraphCanvas(graphBox, m.graph, {
      title: `${name} on RepOps`,
      minimap: true,
      onSelect: showNode,
      onOpen: showNode,
    });
    ctx.signal.addEventListener('abort', () => canvas.destroy());
  } else {
    graphBox.append(h('div', { class: 'pp-empty' }, 'No graph: the model does not import into RepOps.'));
  }
  return undefined;
}

registerView({ id: 'model', title: 'Model', order: 60, icon: ICON, mount });
