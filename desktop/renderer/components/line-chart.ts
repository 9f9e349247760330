/**
 * Line chart with a selectable x (the proof timeline's loss curve): markers under the axis
 * (checkpoints ▲, verification samples ●, disputed step ◆ — shape and colour both differ), a cursor,
 * click / keyboard selection (←/→ one step, PageUp/PageDown ten, Home/End), and a hover read-out
 * (`hover(x)` shows it from outside, so small multiples sharing an x axis read out the same step).
 */
import * as d3 from 'd3';
import { fmtNum } from './format.ts';
import { ensureStyles } from './styles.ts';

export type MarkerKind = 'checkpoint' | 'sample' | 'disputed';

export interface LineChartData {
  points: { x: number; y: number }[];
  markers?: { x: number; kind: MarkerKind }[];
  xLabel?: string;
  yLabel?: string;
  title?: string;
}

export interface LineChartOptions {
  height?: number;
  onSelect?(x: number): void;
  /** Logarithmic y (loss curves, norms); linear when some value is ≤ 0. */
  logY?: boolean;
  /** The pointer moved over x (the nearest point's), or left the chart (null). */
  onHover?(x: number | null): void;
  /** Read-out text of a y value (default fmtNum). */
  yFormat?(y: number): string;
}

export interface LineChart {
  select(x: number): void;
  selected(): number | null;
  /** Shows the read-out at the point nearest x (null hides it); does not call onHover. */
  hover(x: number | null): void;
  destroy(): void;
}

const MARKER_SYMBOL: Record<MarkerKind, d3.SymbolType> = {
  checkpoint: d3.symbolTriangle,
  sample: d3.symbolCircle,
  disputed: d3.symbolDiamond,
};

export interface ChartBox {
  width: number;
  height: number;
  m: { top: number; right: number; bottom: number; left: number };
}

/**
 * The frame every chart shares: horizontal grid lines at the y axis' ticks, the x axis along the
 * bottom margin and the y axis along the left one (the axes come configured by the caller).
 */
export function drawChartFrame(
  svgEl: SVGSVGElement,
  box: ChartBox,
  xAxis: d3.Axis<d3.NumberValue>,
  yAxis: d3.Axis<d3.NumberValue>,
): void {
  const { width, height, m } = box;
  const svg = d3.select(svgEl);
  // Grid lines at the y axis' explicit tick values when it has them (log scales), else ~5 ticks.
  const grid = d3
    .axisLeft(yAxis.scale())
    .tickSize(-(width - m.left - m.right))
    .tickFormat(() => '');
  const values = yAxis.tickValues();
  if (values) grid.tickValues(values);
  else grid.ticks(5);
  svg.append('g').attr('class', 'grid').attr('transform', `translate(${m.left},0)`).call(grid);
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${height - m.bottom})`)
    .call(xAxis);
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${m.left},0)`).call(yAxis);
}

/** A chart's SVG: drawn in a width × height user space that scales to its container, focusable. */
export function appendChartSvg(
  root: d3.Selection<HTMLDivElement, unknown, null, undefined>,
  box: ChartBox,
  role: 'slider' | 'img',
  label: string,
): d3.Selection<SVGSVGElement, unknown, null, undefined> {
  return root
    .append('svg')
    .attr('viewBox', `0 0 ${box.width} ${box.height}`)
    .attr('height', box.height)
    .attr('tabindex', 0)
    .attr('role', role)
    .attr('aria-label', label);
}

/** Axis titles: y above the y axis at the top left, x at the bottom right. */
export function drawAxisLabels(svgEl: SVGSVGElement, box: ChartBox, xLabel?: string, yLabel?: string): void {
  const svg = d3.select(svgEl);
  if (yLabel) svg.append('text').attr('class', 'label').attr('x', 8).attr('y', 10).text(yLabel);
  if (xLabel)
    svg
      .append('text')
      .attr('class', 'label')
      .attr('x', box.width - box.m.right)
      .attr('y', box.height - 4)
      .attr('text-anchor', 'end')
      .text(xLabel);
}

/** A log y axis with ticks only where d3 would label them (no unlabeled 2…9 multiples, no grid thicket). */
function logAxis(y: d3.ScaleLogarithmic<number, number>): d3.Axis<d3.NumberValue> {
  const label = y.tickFormat(5, '~g');
  const values = y.ticks(5).filter((t) => label(t) !== '');
  return d3.axisLeft(y).tickValues(values).tickFormat(label);
}

export function mountLineChart(el: HTMLElement, data: LineChartData, opts: LineChartOptions = {}): LineChart {
  ensureStyles(el.ownerDocument);
  const pts = [...data.points].sort((a, b) => a.x - b.x);
  const xs = pts.map((p) => p.x);
  const root = d3.select(el).append('div').attr('class', 'pp pp-chart');
  const height = opts.height ?? 220;
  const width = Math.max(320, el.clientWidth || 800);
  // The bottom margin holds the marker strip when there are markers (small multiples have none).
  const m = { top: 14, right: 18, bottom: (data.markers ?? []).length > 0 ? 46 : 30, left: 54 };
  const box = { width, height, m };
  const svg = appendChartSvg(root, box, 'slider', data.title ?? 'Line chart')
    .attr('aria-valuemin', xs[0] ?? 0)
    .attr('aria-valuemax', xs[xs.length - 1] ?? 0);
  const x = d3
    .scaleLinear()
    .domain(d3.extent(xs) as [number, number])
    .range([m.left, width - m.right]);
  if (xs.length === 1) x.domain([xs[0] - 1, xs[0] + 1]);
  const yExt = d3.extent(pts, (p) => p.y) as [number, number];
  const positive = pts.every((p) => p.y > 0);
  const logY = opts.logY === true && positive;
  // A constant series (e.g. a fixed learning rate) still needs a y range to draw a line in.
  if (yExt[0] === yExt[1] && yExt[0] !== undefined)
    yExt.splice(
      0,
      2,
      ...(logY
        ? [yExt[0] / 2, yExt[0] * 2]
        : [yExt[0] - (Math.abs(yExt[0]) || 1) / 2, yExt[1] + (Math.abs(yExt[1]) || 1) / 2]),
    );
  const fmtY = opts.yFormat ?? fmtNum;
  const y = (logY ? d3.scaleLog() : d3.scaleLinear())
    .domain(yExt)
    .nice()
    .range([height - m.bottom, m.top]);
  drawChartFrame(
    svg.node()!,
    box,
    d3.axisBottom(x).ticks(Math.min(10, xs.length)).tickFormat(d3.format('d')),
    logY ? logAxis(y as d3.ScaleLogarithmic<number, number>) : d3.axisLeft(y).ticks(5, '~g'),
  );
  drawAxisLabels(svg.node()!, box, data.xLabel, data.yLabel);
  const area = d3
    .area<{ x: number; y: number }>()
    .x((p) => x(p.x))
    .y0(height - m.bottom)
    .y1((p) => y(p.y));
  const line = d3
    .line<{ x: number; y: number }>()
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  svg.append('path').attr('class', 'area').attr('d', area(pts));
  svg.append('path').attr('class', 'line').attr('d', line(pts));
  // Markers in a strip under the axis, one row per kind.
  const kinds: MarkerKind[] = ['checkpoint', 'sample', 'disputed'];
  const mk = svg.append('g').attr('class', 'markers');
  for (const [row, kind] of kinds.entries()) {
    const ms = (data.markers ?? []).filter((q) => q.kind === kind);
    mk.selectAll(`path.mk-${kind}`)
      .data(ms)
      .join('path')
      .attr('class', `mk-${kind}`)
      .attr('transform', (q) => `translate(${x(q.x)},${height - m.bottom + 22 + row * 8})`)
      .attr('d', d3.symbol(MARKER_SYMBOL[kind], kind === 'sample' ? 22 : 30)())
      .append('title')
      .text((q) => `${kind} at step ${q.x}`);
  }
  const cursor = svg
    .append('line')
    .attr('class', 'cursor')
    .attr('y1', m.top)
    .attr('y2', height - m.bottom)
    .style('display', 'none');
  const dot = svg.append('circle').attr('class', 'dot').attr('r', 4.5).style('display', 'none');
  const tip = svg
    .append('text')
    .attr('class', 'label')
    .attr('y', m.top + 10)
    .style('display', 'none');
  const hoverLine = svg
    .append('line')
    .attr('class', 'hover-line')
    .attr('y1', m.top)
    .attr('y2', height - m.bottom)
    .style('display', 'none');
  const hoverDot = svg.append('circle').attr('class', 'hover-dot').attr('r', 3.5).style('display', 'none');
  const hoverTip = svg
    .append('text')
    .attr('class', 'label hover-tip')
    .attr('data-role', 'hover-readout')
    .attr('y', m.top + 10)
    .style('display', 'none');
  let cur: number | null = null;

  /** Index of the point nearest x. */
  const nearest = (v: number) => Math.max(0, Math.min(xs.length - 1, d3.bisectCenter(xs, v)));
  const placeTip = (t: typeof tip, px: number) => {
    const right = px > width - 160;
    t.attr('x', px + (right ? -8 : 8)).attr('text-anchor', right ? 'end' : 'start');
  };

  function hover(v: number | null): void {
    if (v === null || xs.length === 0) {
      for (const e of [hoverLine, hoverDot, hoverTip]) e.style('display', 'none');
      hoverTip.attr('data-step', null).attr('data-value', null);
      if (cur !== null) tip.style('display', null);
      return;
    }
    const p = pts[nearest(v)];
    hoverLine.style('display', null).attr('x1', x(p.x)).attr('x2', x(p.x));
    hoverDot.style('display', null).attr('cx', x(p.x)).attr('cy', y(p.y));
    placeTip(hoverTip, x(p.x));
    hoverTip
      .style('display', null)
      .attr('data-step', p.x)
      .attr('data-value', p.y)
      .text(`step ${p.x} · ${data.yLabel ?? 'y'} ${fmtY(p.y)}`);
    tip.style('display', 'none'); // the hover read-out takes the selection's place while the pointer is here
  }

  function select(v: number): void {
    if (xs.length === 0) return;
    const p = pts[nearest(v)];
    const changed = cur !== p.x;
    cur = p.x;
    cursor.style('display', null).attr('x1', x(p.x)).attr('x2', x(p.x));
    dot.style('display', null).attr('cx', x(p.x)).attr('cy', y(p.y));
    placeTip(tip, x(p.x));
    if (hoverTip.style('display') === 'none') tip.style('display', null);
    tip.text(`step ${p.x} · ${data.yLabel ?? 'y'} ${fmtY(p.y)}`);
    svg
      .attr('aria-valuenow', p.x)
      .attr('aria-valuetext', `step ${p.x}, ${data.yLabel ?? 'value'} ${fmtY(p.y)}`);
    if (changed) opts.onSelect?.(p.x);
  }

  svg.on('click', (ev: MouseEvent) => {
    const [px] = d3.pointer(ev, svg.node());
    // viewBox scaling: pointer() already maps to user units.
    select(x.invert(px));
  });
  svg.on('mousemove', (ev: MouseEvent) => {
    if (xs.length === 0) return;
    const [px] = d3.pointer(ev, svg.node());
    const at = xs[nearest(x.invert(px))];
    hover(at);
    opts.onHover?.(at);
  });
  svg.on('mouseleave', () => {
    hover(null);
    opts.onHover?.(null);
  });
  svg.on('keydown', (ev: KeyboardEvent) => {
    const i = cur === null ? -1 : xs.indexOf(cur);
    const go = (j: number) => select(xs[Math.max(0, Math.min(xs.length - 1, j))]);
    switch (ev.key) {
      case 'ArrowRight':
        go(i + 1);
        break;
      case 'ArrowLeft':
        go(i - 1);
        break;
      case 'PageUp':
        go(i + 10);
        break;
      case 'PageDown':
        go(i - 10);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(xs.length - 1);
        break;
      default:
        return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  });
  return {
    select,
    selected: () => cur,
    hover,
    destroy: () => root.remove(),
  };
}
