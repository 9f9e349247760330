/**
 * Tensor inspector: summary statistics, a histogram (d3 bars) and a heat map (canvas, d3 diverging
 * colour scale centred on 0), plus the full digest (selectable for copying).
 */
import * as d3 from 'd3';
import { fmtInt, fmtNum, fmtShape } from './format.ts';
import { heatShape, histogram, tensorStats } from './stats.ts';
import { ensureStyles } from './styles.ts';

export interface InspectorTensor {
  title: string;
  shape: readonly number[];
  digest: string;
  /** First values (row-major); `total` is the tensor's element count. */
  values: readonly number[];
  total?: number;
  /** Backend recomputed the digest from these values. */
  verified?: boolean;
  /** Flat indices to outline in the heat map. */
  highlight?: readonly number[];
}

export interface TensorInspector {
  destroy(): void;
}

export function mountTensorInspector(
  el: HTMLElement,
  t: InspectorTensor,
  opts: { width?: number } = {},
): TensorInspector {
  ensureStyles(el.ownerDocument);
  const root = d3.select(el).append('div').attr('class', 'pp pp-inspector').attr('data-digest', t.digest);
  const total = t.total ?? t.values.length;
  const s = tensorStats(t.values);
  const head = root.append('div').attr('class', 'pp-h');
  head.append('span').text(t.title);
  if (t.verified !== undefined) {
    head
      .append('span')
      .attr('class', `pp-badge ${t.verified ? 'ok' : 'bad'}`)
      .text(t.verified ? '✓ digest verified' : '✗ digest mismatch');
  }
  const kv = root.append('dl').attr('class', 'pp-kv');
  const row = (k: string, v: string) => {
    kv.append('dt').text(k);
    kv.append('dd').text(v);
  };
  row('shape', `${fmtShape(t.shape)} · ${fmtInt(total)} values`);
  row('min / max', `${fmtNum(s.min)} / ${fmtNum(s.max)}`);
  row('mean ± std', `${fmtNum(s.mean)} ± ${fmtNum(s.std)}`);
  row('‖x‖₂', fmtNum(s.l2));
  row('zeros · NaN · ±∞', `${fmtInt(s.zeros)} · ${fmtInt(s.nans)} · ${fmtInt(s.infs)}`);
  if (total > t.values.length)
    row('shown', `first ${fmtInt(t.values.length)} of ${fmtInt(total)} (stats over these)`);

  const plots = root.append('div').attr('class', 'plots');
  const width = opts.width ?? Math.max(240, Math.min(420, (el.clientWidth || 320) - 24));
  // Histogram.
  const bins = histogram(t.values, Math.min(40, Math.max(1, Math.ceil(Math.sqrt(s.finite)))));
  if (bins.length > 0) {
    plots.append('div').attr('class', 'plot-title').text('histogram');
    const hh = 110;
    const svg = plots
      .append('svg')
      .attr('width', width)
      .attr('height', hh)
      .attr('role', 'img')
      .attr('aria-label', `histogram of ${s.finite} finite values`);
    const x = d3
      .scaleLinear()
      .domain([
        bins[0].x0,
        bins[bins.length - 1].x1 === bins[0].x0 ? bins[0].x0 + 1 : bins[bins.length - 1].x1,
      ])
      .range([28, width - 6]);
    const y = d3
      .scaleLinear()
      .domain([0, d3.max(bins, (b) => b.count) ?? 1])
      .nice()
      .range([hh - 18, 4]);
    svg
      .selectAll('rect')
      .data(bins)
      .join('rect')
      .attr('class', 'bar')
      .attr('x', (b) => x(b.x0))
      .attr('width', (b) => Math.max(1, x(b.x1) - x(b.x0) - 1))
      .attr('y', (b) => y(b.count))
      .attr('height', (b) => y(0) - y(b.count))
      .append('title')
      .text((b) => `[${fmtNum(b.x0)}, ${fmtNum(b.x1)}]: ${b.count}`);
    svg
      .append('g')
      .attr('class', 'axis')
      .attr('transform', `translate(0,${hh - 18})`)
      .call(d3.axisBottom(x).ticks(5, '~g'));
    svg
      .append('g')
      .attr('class', 'axis')
      .attr('transform', 'translate(28,0)')
      .call(d3.axisLeft(y).ticks(3, '~s'));
  }
  // Heat map (of the shown values).
  const [rows0, cols] = heatShape(t.shape);
  const rows = Math.min(rows0, Math.ceil(t.values.length / Math.max(1, cols)));
  if (rows > 0 && cols > 0 && t.values.length > 0) {
    plots
      .append('div')
      .attr('class', 'plot-title')
      .text(`heat map ${rows}×${cols}${rows < rows0 ? ` (first ${rows} of ${rows0} rows)` : ''}`);
    const cell = Math.max(1, Math.min(16, Math.floor(width / cols), Math.floor(220 / rows)));
    const canvas = plots
      .append('canvas')
      .attr('class', 'heat')
      .attr('width', cols)
      .attr('height', rows)
      .style('width', `${cols * cell}px`)
      .style('height', `${rows * cell}px`)
      .attr('role', 'img')
      .attr('aria-label', `heat map, ${rows} by ${cols}`);
    const ctx = (canvas.node() as HTMLCanvasElement).getContext('2d');
    if (ctx) {
      const lim = Math.max(Math.abs(s.min), Math.abs(s.max)) || 1;
      const color = d3.scaleDiverging(d3.interpolateRdBu).domain([lim, 0, -lim]);
      const img = ctx.createImageData(cols, rows);
      for (let i = 0; i < rows * cols; i++) {
        const v = t.values[i];
        const c = d3.rgb(v === undefined || !Number.isFinite(v) ? '#ff00ff' : color(v));
        img.data[i * 4] = c.r;
        img.data[i * 4 + 1] = c.g;
        img.data[i * 4 + 2] = c.b;
        img.data[i * 4 + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      if (t.highlight?.length) {
        // Outline highlighted cells in an overlay SVG (canvas pixels are one per value).
        const ov = plots
          .append('svg')
          .attr('width', cols * cell)
          .attr('height', rows * cell)
          .style('margin-top', `${-rows * cell - 4}px`)
          .style('display', 'block')
          .style('position', 'relative');
        ov.selectAll('rect')
          .data(t.highlight.filter((i) => i < rows * cols))
          .join('rect')
          .attr('x', (i) => (i % cols) * cell)
          .attr('y', (i) => Math.floor(i / cols) * cell)
          .attr('width', cell)
          .attr('height', cell)
          .attr('fill', 'none')
          .attr('stroke', '#fff')
          .attr('stroke-width', 2);
      }
    }
  }
  root.append('div').attr('class', 'pp-h').text('digest (SHA-256, pinpoint.tensor.v1)');
  root.append('div').attr('class', 'digest').attr('data-role', 'full-digest').text(t.digest);
  return { destroy: () => root.remove() };
}
