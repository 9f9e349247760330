/**
 * Proof view: small multiples of the per-step training metrics (batch accuracy, learning rate, gradient,
 * update and weight norms) on the step axis the loss curve uses. Hovering any chart reads out the same
 * step in every chart (the loss curve included, through `onHover`); selecting a step selects it in all.
 */
import type { ProofStepMetrics } from '../../../shared/api-views.ts';
import { fmtNum } from '../../components/format.ts';
import { type LineChart, mountLineChart } from '../../components/line-chart.ts';
import { h } from '../common.ts';

interface MetricSpec {
  readonly key: keyof ProofStepMetrics;
  readonly label: string;
  /** Norms span decades over a run: log y. */
  readonly logY: boolean;
  readonly format: (v: number) => string;
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

export const METRIC_SPECS: readonly MetricSpec[] = [
  { key: 'accuracy', label: 'batch accuracy', logY: false, format: pct },
  { key: 'gradNorm', label: 'grad norm', logY: true, format: fmtNum },
  { key: 'updateNorm', label: 'update norm', logY: true, format: fmtNum },
  { key: 'weightNorm', label: 'weight norm', logY: false, format: fmtNum },
  { key: 'lr', label: 'learning rate', logY: false, format: fmtNum },
];

/** The metrics of step `s` as label/value rows (the step-record panel lists them). */
export function metricRows(m: ProofStepMetrics): [string, string][] {
  return METRIC_SPECS.flatMap((spec) => {
    const v = m[spec.key];
    return v === null ? [] : [[spec.label, spec.format(v)] as [string, string]];
  });
}

export interface MetricCharts {
  readonly el: HTMLElement;
  /** Every chart, in display order (for hover/selection syncing by the caller). */
  readonly charts: readonly LineChart[];
  select(step: number): void;
  hover(step: number | null): void;
}

/**
 * Mounts the charts into `host` (already in the document, so they size to it). `onHover` and `onSelect`
 * report pointer and click/keyboard selection in any of them.
 */
export function mountMetricCharts(
  host: HTMLElement,
  metrics: readonly ProofStepMetrics[] | null,
  opts: { onHover(step: number | null): void; onSelect(step: number): void },
): MetricCharts {
  const grid = h('div', {
    'data-role': 'metric-charts',
    style:
      'display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:4px 10px;padding:6px 8px',
  });
  host.append(grid);
  const charts: LineChart[] = [];
  if (!metrics) {
    grid.replaceWith(
      h(
        'div',
        { class: 'pp-empty', 'data-role': 'metric-charts-none' },
        'This proof was written before per-step metrics were recorded: the loss curve is all it has.',
      ),
    );
    return { el: host, charts, select() {}, hover() {} };
  }
  for (const spec of METRIC_SPECS) {
    const points: { x: number; y: number }[] = [];
    for (const [step, m] of metrics.entries()) {
      const v = m[spec.key];
      if (v !== null) points.push({ x: step, y: v });
    }
    if (points.length === 0) continue; // e.g. accuracy of a task without labels
    const cell = h('div', { 'data-metric': spec.key });
    grid.append(cell);
    const chart: LineChart = mountLineChart(
      cell,
      { points, xLabel: 'step', yLabel: spec.label, title: `${spec.label} by step` },
      {
        height: 150,
        logY: spec.logY,
        yFormat: spec.format,
        onSelect: (x) => opts.onSelect(x),
        onHover: (x) => {
          for (const c of charts) if (c !== chart) c.hover(x);
          opts.onHover(x);
        },
      },
    );
    charts.push(chart);
  }
  return {
    el: host,
    charts,
    select: (step) => {
      for (const c of charts) c.select(step);
    },
    hover: (step) => {
      for (const c of charts) c.hover(step);
    },
  };
}
