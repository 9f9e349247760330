/**
 * Built-in drawing of typed cell outputs: text, markdown, table, chart (d3 line chart), json, error.
 * Kinds registered by other views (shell/outputs.ts) take precedence; unknown kinds are shown as JSON.
 */
import * as d3 from 'd3';
import type { CellOutput, Json } from '../../../shared/api.ts';
import { drawChartFrame } from '../../components/line-chart.ts';
import { h } from '../../shell/dom.ts';
import { getOutputRenderer, type OutputContext } from '../../shell/outputs.ts';
import { renderMarkdown } from './markdown.ts';

export function renderOutput(el: HTMLElement, output: CellOutput, ctx: OutputContext): void {
  const box = h('div', { class: `output output-${safeClass(output.kind)}`, 'data-kind': output.kind });
  el.append(box);
  try {
    const custom = getOutputRenderer(output.kind);
    if (custom) {
      custom(box, output, ctx);
      return;
    }
    switch (output.kind) {
      case 'text':
        if (output.stream === 'stderr') box.classList.add('stderr');
        box.append(h('pre', {}, str(output.text ?? output.value)));
        return;
      case 'assertion': {
        const ok = output.ok === true;
        box.classList.add(ok ? 'assert-ok' : 'assert-fail');
        box.append(
          h('span', { class: 'assert-mark' }, ok ? '✓ passed' : '✗ failed'),
          h('span', {}, str(output.message)),
        );
        return;
      }
      case 'heatmap':
        drawHeatmap(box, output);
        return;
      case 'markdown': {
        const div = h('div', { class: 'prose' });
        div.innerHTML = renderMarkdown(str(output.markdown ?? output.text ?? output.value));
        box.append(div);
        return;
      }
      case 'table':
        drawTable(box, output);
        return;
      case 'chart':
      case 'line-chart':
      case 'loss-curve':
        drawChart(box, output);
        return;
      case 'error':
      case 'stderr':
        box.classList.add('output-error');
        box.append(h('pre', {}, str(output.message ?? output.text ?? output.value)));
        return;
      default:
        box.append(
          h(
            'pre',
            { class: 'json' },
            JSON.stringify(output.kind === 'json' ? output.value : output, null, 2),
          ),
        );
    }
  } catch (err) {
    box.classList.add('output-error');
    box.append(h('pre', {}, `could not draw a "${output.kind}" output: ${(err as Error).message}`));
  }
}

const safeClass = (s: string) => s.replace(/[^a-z0-9-]/gi, '_');
const str = (v: Json | undefined) =>
  typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v, null, 2);

function drawTable(box: HTMLElement, output: CellOutput): void {
  const rows = Array.isArray(output.rows) ? (output.rows as Json[]) : [];
  let columns = Array.isArray(output.columns)
    ? (output.columns as Json[]).map((c) =>
        typeof c === 'string' ? c : ((c as { name?: string })?.name ?? JSON.stringify(c)),
      )
    : [];
  // Rows may be arrays or records.
  if (!columns.length && rows.length && rows[0] && typeof rows[0] === 'object' && !Array.isArray(rows[0]))
    columns = Object.keys(rows[0] as object);
  const cell = (row: Json, i: number, col: string): Json =>
    Array.isArray(row) ? row[i] : row && typeof row === 'object' ? (row as Record<string, Json>)[col] : row;
  const fmt = (v: Json) =>
    typeof v === 'number'
      ? Number.isInteger(v)
        ? String(v)
        : v.toPrecision(6).replace(/\.?0+$/, '')
      : v === null
        ? '—'
        : typeof v === 'string'
          ? v
          : JSON.stringify(v);
  const shown = rows.slice(0, 500);
  box.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            columns.map((c) => h('th', {}, c)),
          ),
        ),
        h(
          'tbody',
          {},
          shown.map((row) =>
            h(
              'tr',
              {},
              columns.map((c, i) => {
                const v = cell(row, i, c);
                return h('td', { class: typeof v === 'number' ? 'num' : '' }, fmt(v));
              }),
            ),
          ),
        ),
      ),
      rows.length > shown.length
        ? h('div', { class: 'more' }, `… ${rows.length - shown.length} more rows`)
        : null,
    ),
  );
  if (typeof output.title === 'string') box.prepend(h('div', { class: 'output-title' }, output.title));
}

interface Series {
  name: string;
  points: [number, number][];
}

function toSeries(output: CellOutput): Series[] {
  const raw = Array.isArray(output.series) ? (output.series as Json[]) : [output as unknown as Json];
  return raw.map((s, i) => {
    const o = (s ?? {}) as Record<string, Json>;
    let points: [number, number][] = [];
    if (Array.isArray(o.points))
      points = (o.points as Json[])
        .filter((p) => !Array.isArray(p) || p[1] !== null)
        .map((p, j) =>
          Array.isArray(p)
            ? [Number(p[0]), Number(p[1])]
            : [Number((p as Record<string, Json>)?.x ?? j), Number((p as Record<string, Json>)?.y)],
        );
    else if (Array.isArray(o.y))
      points = (o.y as Json[]).map((y, j) => [
        Array.isArray(o.x) ? Number((o.x as Json[])[j]) : j,
        Number(y),
      ]);
    else if (Array.isArray(o.values)) points = (o.values as Json[]).map((y, j) => [j, Number(y)]);
    return {
      name: typeof o.name === 'string' ? o.name : typeof o.label === 'string' ? o.label : `series ${i + 1}`,
      points: points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])),
    };
  });
}

function drawChart(box: HTMLElement, output: CellOutput): void {
  const series = toSeries(output);
  const width = 640;
  const height = 260;
  const m = { top: 16, right: 16, bottom: 36, left: 52 };
  const all = series.flatMap((s) => s.points);
  if (typeof output.title === 'string') box.append(h('div', { class: 'output-title' }, output.title));
  if (!all.length) {
    box.append(h('pre', {}, 'chart: no data points'));
    return;
  }
  const x = d3
    .scaleLinear()
    .domain(d3.extent(all, (p) => p[0]) as [number, number])
    .nice()
    .range([m.left, width - m.right]);
  const yAxis = (output.y ?? {}) as Record<string, Json>;
  const yDomain = Array.isArray(yAxis.domain)
    ? (yAxis.domain as [number, number])
    : (d3.extent(all, (p) => p[1]) as [number, number]);
  const logY = yAxis.scale === 'log' && yDomain[0] > 0;
  const y = (logY ? d3.scaleLog() : d3.scaleLinear())
    .domain(yDomain)
    .nice()
    .range([height - m.bottom, m.top]);
  const color = d3
    .scaleOrdinal<string>()
    .range(['#4f8cff', '#f7b267', '#3fb27f', '#c792ea', '#f05d5e', '#5ad1e0']);
  const svg = d3
    .create('svg')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('class', 'chart')
    .attr('role', 'img')
    .attr('aria-label', typeof output.title === 'string' ? output.title : 'chart');
  drawChartFrame(svg.node()!, { width, height, m }, d3.axisBottom(x).ticks(8), d3.axisLeft(y).ticks(5));
  const line = d3
    .line<[number, number]>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  for (const s of series) {
    svg
      .append('path')
      .datum(s.points)
      .attr('class', 'series')
      .attr('fill', 'none')
      .attr('stroke', color(s.name))
      .attr('stroke-width', 2)
      .attr('d', line);
    if (s.points.length <= 40)
      svg
        .append('g')
        .selectAll('circle')
        .data(s.points)
        .join('circle')
        .attr('cx', (p) => x(p[0]))
        .attr('cy', (p) => y(p[1]))
        .attr('r', 2.5)
        .attr('fill', color(s.name));
  }
  const xLabel = typeof output.xLabel === 'string' ? output.xLabel : axisLabel(output.x);
  const yLabel = typeof output.yLabel === 'string' ? output.yLabel : axisLabel(output.y);
  if (xLabel)
    svg
      .append('text')
      .attr('class', 'label')
      .attr('x', width - m.right)
      .attr('y', height - 4)
      .attr('text-anchor', 'end')
      .text(xLabel);
  if (yLabel) svg.append('text').attr('class', 'label').attr('x', 4).attr('y', 10).text(yLabel);
  const node = svg.node();
  if (node) box.append(node);
  if (series.length > 1)
    box.append(
      h(
        'div',
        { class: 'legend' },
        series.map((s) => h('span', {}, h('i', { style: `background:${color(s.name)}` }), s.name)),
      ),
    );
}

const axisLabel = (a: Json | undefined): string =>
  a && typeof a === 'object' && !Array.isArray(a) && typeof a.label === 'string'
    ? a.label
    : typeof a === 'string'
      ? a
      : '';

function drawHeatmap(box: HTMLElement, output: CellOutput): void {
  const [rows, cols] = (Array.isArray(output.shape) ? output.shape : [0, 0]) as [number, number];
  const values = (Array.isArray(output.values) ? output.values : []).map((v) =>
    typeof v === 'number' ? v : 0,
  );
  const highlight = new Set((Array.isArray(output.highlight) ? output.highlight : []).map(Number));
  if (typeof output.title === 'string') box.append(h('div', { class: 'output-title' }, output.title));
  const cell = Math.max(
    4,
    Math.min(28, Math.floor(560 / Math.max(cols, 1)), Math.floor(320 / Math.max(rows, 1))),
  );
  const [lo, hi] = values.length ? (d3.extent(values) as [number, number]) : [0, 1];
  const color = d3.scaleSequential(d3.interpolateViridis).domain([lo, hi === lo ? lo + 1 : hi]);
  const svg = d3
    .create('svg')
    .attr('class', 'heatmap')
    .attr('width', cols * cell + 2)
    .attr('height', rows * cell + 2)
    .attr('role', 'img')
    .attr('aria-label', `${rows}×${cols} heat map`);
  svg
    .append('g')
    .attr('transform', 'translate(1,1)')
    .selectAll('rect')
    .data(values)
    .join('rect')
    .attr('x', (_, i) => (i % cols) * cell)
    .attr('y', (_, i) => Math.floor(i / cols) * cell)
    .attr('width', cell - (cell > 8 ? 1 : 0))
    .attr('height', cell - (cell > 8 ? 1 : 0))
    .attr('fill', (v) => color(v))
    .attr('stroke', (_, i) => (highlight.has(i) ? '#f05d5e' : null))
    .attr('stroke-width', (_, i) => (highlight.has(i) ? 2 : null))
    .append('title')
    .text((v, i) => `[${Math.floor(i / cols)}, ${i % cols}] = ${v}`);
  const node = svg.node();
  if (node) box.append(node);
  const meta = [`${rows}×${cols}`, `min ${d3.format('.4~g')(lo)}`, `max ${d3.format('.4~g')(hi)}`];
  if (typeof output.digest === 'string') meta.push(`digest ${output.digest}`);
  box.append(h('div', { class: 'heatmap-meta' }, meta.join(' · ')));
}
