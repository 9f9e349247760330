/**
 * The Model view's details panel for one graph node: op and kind, attributes, input/output shapes,
 * and the output values' statistics (min/max/mean/std, zeros/NaN/∞) with a histogram and heat map —
 * for a weight, its initial values; for an op, its output on the example inputs.
 */
import type { ModelNodeDetails } from '../../../shared/api-model.ts';
import { fmtShape } from '../../components/format.ts';
import { mountTensorInspector } from '../../components/tensor-inspector.ts';
import type { ViewContext } from '../../shell/views.ts';
import { errorBox, h, kvList } from '../common.ts';

const KIND_TEXT: Record<ModelNodeDetails['kind'], string> = {
  param: 'weight (initializer)',
  data: 'graph input (example values)',
  op: 'op (output on the example inputs)',
};

function attrText(v: ModelNodeDetails['attrs'][string]): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

/** Loads node `id` of the model at `path` and draws it into `el`, unless `current()` says it is stale. */
export async function mountNodeDetails(
  el: HTMLElement,
  ctx: ViewContext,
  path: string,
  id: number,
  current: () => boolean,
): Promise<void> {
  el.replaceChildren(h('div', { class: 'pp-empty', role: 'status' }, `Loading node #${id}…`));
  let d: ModelNodeDetails;
  try {
    d = await ctx.api.call('model.node', { path, node: id });
  } catch (err) {
    if (!current()) return;
    el.replaceChildren();
    errorBox(el, err, `Node #${id}`);
    return;
  }
  if (!current()) return;
  const name = d.op === 'leaf' ? (d.label ?? 'leaf') : d.op;
  const attrs = Object.entries(d.attrs).filter(([k]) => !(d.op === 'leaf' && (k === 'kind' || k === 'name')));
  const inputs = h(
    'ul',
    { style: 'margin:0;padding-left:16px', 'data-role': 'node-inputs' },
    ...d.inputs.map((i) =>
      h('li', {}, `#${i.id} ${i.op === 'leaf' ? (i.label ?? 'leaf') : i.op} ${fmtShape(i.shape)}`),
    ),
  );
  const inspector = h('div', { 'data-role': 'node-values' });
  el.replaceChildren(
    kvList([
      ['node', `#${d.id} ${name}`],
      ['kind', KIND_TEXT[d.kind]],
      ...(d.op !== 'leaf' && d.label ? ([['label', d.label]] as [string, string][]) : []),
      ['attributes', attrs.length ? attrs.map(([k, v]) => `${k}=${attrText(v)}`).join('  ') : '—'],
      ['inputs', d.inputs.length ? inputs : '—'],
      ['output shape', fmtShape(d.shape)],
    ]),
    inspector,
  );
  mountTensorInspector(inspector, {
    title: d.kind === 'param' ? `weight ${name}` : `output of #${d.id} ${name}`,
    shape: d.shape,
    digest: d.digest,
    values: d.values,
    total: d.total,
  });
}
