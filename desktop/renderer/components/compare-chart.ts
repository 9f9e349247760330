/**
 * Two per-step curves overlaid — the loss, or a committed training metric — (issue 15, compare two proofs): proof A solid blue, proof B dashed orange —
 * colour AND dash differ, so the legend reads without colour — with the first diverging step marked
 * (◆ and a vertical rule) and a hover read-out of both values at the step under the pointer.
 */
import * as d3 from 'd3';
import { fmtNum } from './format.ts';
import { appendChartSvg, drawAxisLabels, drawChartFrame } from './line-chart.ts';
import { ensureStyles } from './styles.ts';

export interface CompareChartData {
  a: { name: string; values: number[] };
  b: { name: string; values: number[] };
  /** First step whose record differs (null: none). */
  diverge: number | null;
  /** What the values are (y axis, title; default "loss"); `logY` for series that span decades (norms). */
  label?: string;
  logY?: boolean;
}

export interface CompareChart {
  select(step: number): void;
  /** The read-out for `step` (what hovering shows). */
  readout(step: number): string;
  destroy(): void;
}

const COLOR_A = '#4f8cff';
const COLOR_B = '#f28e2b';
const DASH_B = '6 4';

export function mountCompareChart(
  el: HTMLElement,
  data: CompareChartData,
  opts: { height?: number; onSelect?(step: number): void } = {},
): CompareChart {
  ensureStyles(el.ownerDocument);
  const n = Math.max(data.a.values.length, data.b.values.length);
  const root = d3.select(el).append('div').attr('class', 'pp pp-chart').attr('data-role', 'compare-chart');
  const legend = root
    .append('div')
    .attr('data-role', 'compare-legend')
    .style('display', 'flex')
    .style('gap', '16px')
    .style('font-size', '11px')
    .style('padding', '2px 4px 4px');
  const key = (color: string, dash: string | null, name: string, role: string) => {
    const item = legend
      .append('span')
      .attr('data-role', role)
      .style('display', 'inline-flex')
      .style('gap', '6px');
    item
      .append('svg')
      .style('width', '28px')
      .style('display', 'inline-block')
      .attr('width', 28)
      .attr('height', 10)
      .attr('aria-hidden', 'true')
      .append('line')
      .attr('x1', 0)
      .attr('x2', 28)
      .attr('y1', 5)
      .attr('y2', 5)
      .attr('stroke', color)
      .attr('stroke-width', 2.4)
      .attr('stroke-dasharray', dash);
    item.append('span').text(name);
  };
  key(COLOR_A, null, `${data.a.name} (solid)`, 'legend-a');
  key(COLOR_B, DASH_B, `${data.b.name} (dashed)`, 'legend-b');
  if (data.diverge !== null)
    legend
      .append('span')
      .attr('data-role', 'legend-diverge')
      .html(`<b style="color:var(--pp-bad)">◆</b> first diverging step: ${data.diverge}`);
  else legend.append('span').attr('data-role', 'legend-diverge').text('✓ no step diverges');

  const height = opts.height ?? 230;
  const width = Math.max(320, el.clientWidth || 800);
  const m = { top: 14, right: 18, bottom: 40, left: 54 };
  const box = { width, height, m };
  const label = data.label ?? 'loss';
  const svg = appendChartSvg(
    root,
    box,
    'img',
    `${label[0].toUpperCase()}${label.slice(1)} of ${data.a.name} and ${data.b.name} by step`,
  );
  const x = d3
    .scaleLinear()
    .domain([0, Math.max(1, n - 1)])
    .range([m.left, width - m.right]);
  const all = [...data.a.values, ...data.b.values];
  const extent = (d3.extent(all) as [number, number]) ?? [0, 1];
  // A log axis needs positive values: a series with a zero or a negative value stays linear.
  const y = (data.logY === true && extent[0] > 0 ? d3.scaleLog() : d3.scaleLinear())
    .domain(extent)
    .nice()
    .range([height - m.bottom, m.top]);
  drawChartFrame(
    svg.node() as SVGSVGElement,
    box,
    d3.axisBottom(x).ticks(Math.min(10, n)).tickFormat(d3.format('d')),
    d3.axisLeft(y).ticks(5, '~g'),
  );
  drawAxisLabels(svg.node() as SVGSVGElement, box, 'step', label);
  if (data.diverge !== null) {
    const dx = x(data.diverge);
    const g = svg.append('g').attr('data-role', 'diverge-marker');
    g.append('line')
      .attr('x1', dx)
      .attr('x2', dx)
      .attr('y1', m.top)
      .attr('y2', height - m.bottom)
      .attr('stroke', 'var(--pp-bad)')
      .attr('stroke-dasharray', '2 3');
    g.append('path')
      .attr('class', 'mk-disputed')
      .attr('transform', `translate(${dx},${height - m.bottom + 20})`)
      .attr('d', d3.symbol(d3.symbolDiamond, 40)());
    g.append('title').text(`first diverging step: ${data.diverge}`);
  }
  const line = d3
    .line<number>()
    .x((_, i) => x(i))
    .y((v) => y(v));
  svg
    .append('path')
    .attr('data-role', 'curve-a')
    .attr('fill', 'none')
    .attr('stroke', COLOR_A)
    .attr('stroke-width', 1.8)
    .attr('d', line(data.a.values));
  svg
    .append('path')
    .attr('data-role', 'curve-b')
    .attr('fill', 'none')
    .attr('stroke', COLOR_B)
    .attr('stroke-width', 1.8)
    .attr('stroke-dasharray', DASH_B)
    .attr('d', line(data.b.values));
  const cursor = svg
    .append('line')
    .attr('class', 'cursor')
    .attr('y1', m.top)
    .attr('y2', height - m.bottom);
  cursor.style('display', 'none');
  const tip = svg
    .append('text')
    .attr('class', 'label')
    .attr('data-role', 'compare-readout')
    .attr('y', m.top + 10)
    .style('display', 'none');

  const readout = (s: number) => {
    const va = data.a.values[s];
    const vb = data.b.values[s];
    const same = Object.is(va, vb);
    // Values that differ past the display precision get their difference shown (a nudged op moves the
    // loss by ~1e-6: the two read-outs would otherwise print the same digits).
    const delta = va !== undefined && vb !== undefined && !same ? ` (Δ ${(vb - va).toPrecision(2)})` : '';
    return `step ${s} · ${data.a.name} ${va === undefined ? '—' : fmtNum(va)} · ${data.b.name} ${vb === undefined ? '—' : fmtNum(vb)}${same ? ' (equal)' : delta}`;
  };
  const show = (s: number) => {
    const px = x(s);
    cursor.style('display', null).attr('x1', px).attr('x2', px);
    const right = px > width / 2;
    tip
      .style('display', null)
      .attr('x', px + (right ? -8 : 8))
      .attr('text-anchor', right ? 'end' : 'start')
      .text(readout(s));
  };
  const stepAt = (ev: MouseEvent) =>
    Math.max(0, Math.min(n - 1, Math.round(x.invert(d3.pointer(ev, svg.node())[0]))));
  let cur: number | null = null;
  svg.on('mousemove', (ev: MouseEvent) => show(stepAt(ev)));
  svg.on('mouseleave', () => (cur === null ? tip.style('display', 'none') : show(cur)));
  svg.on('click', (ev: MouseEvent) => {
    const s = stepAt(ev);
    select(s);
    opts.onSelect?.(s);
  });
  function select(s: number): void {
    cur = Math.max(0, Math.min(n - 1, s));
    show(cur);
  }
  return { select, readout, destroy: () => root.remove() };
}
