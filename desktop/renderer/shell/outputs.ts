/**
 * Output renderers by kind. The notebook view draws each typed cell output (core/notebook/outputs.ts)
 * with the renderer registered for its `kind`; views register richer ones (e.g. the Graph view
 * registers 'graph', the Dispute view 'transcript', the Ledger view 'ledger') so a notebook's
 * `display()` reuses their components. Unregistered kinds fall back to the notebook engine's
 * static SVG/HTML rendering, then to a JSON dump.
 */
import type { CellOutput } from '../../shared/api.ts';
import type { ViewContext } from './views.ts';

/** Context an output renderer gets: the API and a way to open a full view. */
export type OutputContext = Pick<ViewContext, 'api' | 'openView' | 'showError'>;

export type OutputRenderer = (el: HTMLElement, output: CellOutput, ctx: OutputContext) => void;

const renderers = new Map<string, OutputRenderer>();

export function registerOutputRenderer(kind: string, render: OutputRenderer): void {
  renderers.set(kind, render);
}

export function getOutputRenderer(kind: string): OutputRenderer | undefined {
  return renderers.get(kind);
}
