/**
 * Static SVG for the graphical outputs, as pure string builders (d3-scale / d3-shape / d3-array need
 * no DOM). Used by the HTML export and usable by the app. Every function returns one complete <svg>.
 */
import { extent, max, min } from 'd3-array';
import { scaleLinear, scaleLog } from 'd3-scale';
import { interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';
import { line } from 'd3-shape';
import type {
  ChartOutput,
  DisputeOutput,
  GraphMark,
  GraphOutput,
  HeatmapOutput,
  LedgerOutput,
  Output,
} from './outputs.ts';

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

export function esc(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const num = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : 0);

function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

function svgOpen(w: number, h: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}" ${FONT} font-size="11">`;
}

function titleText(title: string | undefined, w: number): string {
  return title
    ? `<text x="${w / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${esc(title)}</text>`
    : '';
}

/** Line chart with axes, ticks, grid and legend. Log axes drop non-positive values. */
export function renderChart(o: ChartOutput, width = 640, height = 320): string {
  const m = { top: o.title ? 28 : 12, right: 16, bottom: 42, left: 62 };
  const legendH = o.series.length > 1 ? 18 * Math.ceil(o.series.length / 4) : 0;
  const h = height + legendH;
  const iw = width - m.left - m.right;
  const ih = height - m.top - m.bottom;
  const logX = o.x.scale === 'log';
  const logY = o.y.scale === 'log';
  const pts = o.series.map((s) =>
    s.points.filter(
      (p): p is [number, number] =>
        p[1] !== null &&
        Number.isFinite(p[0]) &&
        Number.isFinite(p[1]) &&
        (!logX || p[0] > 0) &&
        (!logY || p[1] > 0),
    ),
  );
  const all = pts.flat();
  const xe = o.x.domain ?? (extent(all, (p) => p[0]) as [number, number] | [undefined, undefined]);
  const ye = o.y.domain ?? (extent(all, (p) => p[1]) as [number, number] | [undefined, undefined]);
  const pad = (e: [number | undefined, number | undefined], log: boolean): [number, number] => {
    let [a, b] = [e[0] ?? (log ? 1 : 0), e[1] ?? (log ? 10 : 1)];
    if (a === b) {
      a = log ? a / 2 : a - 1;
      b = log ? b * 2 : b + 1;
    }
    return [a, b];
  };
  const x = (logX ? scaleLog() : scaleLinear()).domain(pad(xe, logX)).range([0, iw]);
  const y = (logY ? scaleLog() : scaleLinear()).domain(pad(ye, logY)).range([ih, 0]);
  if (!o.y.domain) y.nice();
  const parts: string[] = [
    svgOpen(width, h, o.title ?? 'chart'),
    `<rect width="${width}" height="${h}" fill="#fff"/>`,
    titleText(o.title, width),
  ];
  parts.push(`<g transform="translate(${m.left},${m.top})">`);
  const yt = y.ticks(6);
  for (const t of yt) {
    const yy = num(y(t));
    parts.push(`<line x1="0" x2="${iw}" y1="${yy}" y2="${yy}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="-6" y="${yy}" dy="0.32em" text-anchor="end" fill="#444">${esc(fmtTick(t))}</text>`);
  }
  for (const t of x.ticks(8)) {
    const xx = num(x(t));
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${ih}" y2="${ih + 4}" stroke="#444"/>`);
    parts.push(`<text x="${xx}" y="${ih + 16}" text-anchor="middle" fill="#444">${esc(fmtTick(t))}</text>`);
  }
  parts.push(
    `<line x1="0" x2="${iw}" y1="${ih}" y2="${ih}" stroke="#444"/><line x1="0" x2="0" y1="0" y2="${ih}" stroke="#444"/>`,
  );
  parts.push(`<text x="${iw / 2}" y="${ih + 34}" text-anchor="middle" fill="#222">${esc(o.x.label)}</text>`);
  parts.push(
    `<text transform="translate(${-48},${ih / 2}) rotate(-90)" text-anchor="middle" fill="#222">${esc(o.y.label)}</text>`,
  );
  const gen = line<[number, number]>()
    .x((p) => num(x(p[0])))
    .y((p) => num(y(p[1])));
  o.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const p = pts[i];
    if (p.length === 0) return;
    const d = gen(p) ?? '';
    parts.push(
      `<path class="series" data-series="${esc(s.name)}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`,
    );
    if (p.length <= 40) {
      for (const q of p)
        parts.push(`<circle cx="${num(x(q[0]))}" cy="${num(y(q[1]))}" r="2.5" fill="${colour}"/>`);
    }
  });
  parts.push('</g>');
  if (o.series.length > 1) {
    o.series.forEach((s, i) => {
      const lx = m.left + (i % 4) * ((width - m.left) / 4);
      const ly = height + 4 + 18 * Math.floor(i / 4);
      parts.push(`<rect x="${lx}" y="${ly}" width="12" height="3" fill="${PALETTE[i % PALETTE.length]}"/>`);
      parts.push(`<text x="${lx + 16}" y="${ly + 4}" fill="#222">${esc(s.name)}</text>`);
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Heat map of a matrix: diverging colours around 0 when values have both signs, else viridis. */
export function renderHeatmap(o: HeatmapOutput, maxWidth = 640): string {
  const [rows, cols] = o.shape;
  const cell = Math.max(
    2,
    Math.min(28, Math.floor((maxWidth - 80) / Math.max(1, cols)), Math.floor(400 / Math.max(1, rows))),
  );
  const top = o.title ? 28 : 8;
  const w = Math.max(240, cols * cell + 80);
  const h = top + rows * cell + (o.digest ? 40 : 24);
  const lo = min(o.values) ?? 0;
  const hi = max(o.values) ?? 0;
  // Signed data (e.g. differences) gets a diverging scale centred on 0.
  const diverging = lo < 0 || (lo === 0 && hi > 0 && o.values.some((v) => v < 0));
  const bound = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const colour = (v: number) =>
    diverging
      ? interpolateRdBu(0.5 - v / (2 * bound))
      : interpolateViridis(hi === lo ? 0.5 : (v - lo) / (hi - lo));
  const parts = [
    svgOpen(w, h, o.title ?? 'heat map'),
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
    titleText(o.title, w),
  ];
  parts.push(`<g transform="translate(8,${top})">`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = o.values[r * cols + c];
      parts.push(
        `<rect class="cell" x="${c * cell}" y="${r * cell}" width="${cell}" height="${cell}" fill="${colour(v)}"><title>[${r},${c}] ${esc(v)}</title></rect>`,
      );
    }
  }
  for (const i of o.highlight ?? []) {
    if (i < 0 || i >= rows * cols) continue;
    const r = Math.floor(i / cols);
    const c = i % cols;
    parts.push(
      `<rect class="highlight" x="${c * cell - 1}" y="${r * cell - 1}" width="${cell + 2}" height="${cell + 2}" fill="none" stroke="#000" stroke-width="2"/>`,
    );
  }
  // Colour bar.
  const bx = cols * cell + 16;
  const bh = Math.max(40, rows * cell);
  for (let k = 0; k < 20; k++) {
    const v = diverging ? bound - (2 * bound * k) / 19 : hi - ((hi - lo) * k) / 19;
    parts.push(
      `<rect x="${bx}" y="${(bh * k) / 20}" width="12" height="${bh / 20 + 0.5}" fill="${colour(v)}"/>`,
    );
  }
  parts.push(`<text x="${bx + 16}" y="8" fill="#444">${esc(fmtTick(diverging ? bound : hi))}</text>`);
  parts.push(`<text x="${bx + 16}" y="${bh}" fill="#444">${esc(fmtTick(diverging ? -bound : lo))}</text>`);
  parts.push('</g>');
  const info = `${rows}×${cols}`;
  parts.push(`<text x="8" y="${top + rows * cell + 16}" fill="#444">${esc(info)}</text>`);
  if (o.digest)
    parts.push(
      `<text x="8" y="${top + rows * cell + 32}" fill="#444" font-family="ui-monospace, monospace">${esc(o.digest)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}

const MARK_FILL: Record<GraphMark, string> = {
  agree: '#e6f4ea',
  disagree: '#fde2e1',
  culprit: '#f8b4b0',
  none: '#f4f6fb',
};
const MARK_STROKE: Record<GraphMark, string> = {
  agree: '#2ca02c',
  disagree: '#d62728',
  culprit: '#8b0000',
  none: '#8a94a6',
};

/** Layered layout: a node's layer is one more than its deepest input (ids are topological). */
export function layoutGraph(o: GraphOutput): Map<number, { layer: number; slot: number }> {
  const inputs = new Map<number, number[]>();
  for (const e of o.edges) inputs.set(e.to, [...(inputs.get(e.to) ?? []), e.from]);
  const layer = new Map<number, number>();
  const byId = [...o.nodes].sort((a, b) => a.id - b.id);
  for (const n of byId) {
    let l = 0;
    for (const i of inputs.get(n.id) ?? []) if (layer.has(i)) l = Math.max(l, (layer.get(i) ?? 0) + 1);
    layer.set(n.id, l);
  }
  const slots = new Map<number, number>();
  const pos = new Map<number, { layer: number; slot: number }>();
  for (const n of byId) {
    const l = layer.get(n.id) ?? 0;
    const s = slots.get(l) ?? 0;
    slots.set(l, s + 1);
    pos.set(n.id, { layer: l, slot: s });
  }
  return pos;
}

/** Computational graph: one box per op (op, shape, digest prefix), coloured by agree/disagree marks. */
export function renderGraph(o: GraphOutput, maxNodes = 300): string {
  const nodes = o.nodes.slice(0, maxNodes);
  const shown = new Set(nodes.map((n) => n.id));
  const g: GraphOutput = { ...o, nodes, edges: o.edges.filter((e) => shown.has(e.from) && shown.has(e.to)) };
  const pos = layoutGraph(g);
  const bw = 124;
  const bh = 44;
  const gx = 24;
  const gy = 30;
  let layers = 0;
  let width = 0;
  for (const p of pos.values()) {
    layers = Math.max(layers, p.layer + 1);
    width = Math.max(width, p.slot + 1);
  }
  const top = o.title ? 30 : 10;
  const W = Math.max(320, width * (bw + gx) + gx);
  const H = top + layers * (bh + gy) + (o.nodes.length > maxNodes ? 24 : 4);
  const at = (id: number) => {
    const p = pos.get(id) ?? { layer: 0, slot: 0 };
    return { x: gx + p.slot * (bw + gx), y: top + p.layer * (bh + gy) };
  };
  const parts = [
    svgOpen(W, H, o.title ?? 'graph'),
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    titleText(o.title, W),
  ];
  parts.push(
    '<defs><marker id="arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L6,3L0,6z" fill="#8a94a6"/></marker></defs>',
  );
  for (const e of g.edges) {
    const a = at(e.from);
    const b = at(e.to);
    const x1 = a.x + bw / 2;
    const y1 = a.y + bh;
    const x2 = b.x + bw / 2;
    const y2 = b.y;
    const my = (y1 + y2) / 2;
    parts.push(
      `<path class="edge" d="M${x1},${y1}C${x1},${my} ${x2},${my} ${x2},${y2}" fill="none" stroke="#8a94a6" marker-end="url(#arrow)"/>`,
    );
  }
  for (const n of nodes) {
    const { x, y } = at(n.id);
    const mark = n.mark ?? 'none';
    const sw = mark === 'culprit' ? 3 : 1.2;
    parts.push(`<g class="node" data-id="${n.id}" data-mark="${mark}" transform="translate(${x},${y})">`);
    parts.push(
      `<rect width="${bw}" height="${bh}" rx="6" fill="${MARK_FILL[mark]}" stroke="${MARK_STROKE[mark]}" stroke-width="${sw}"/>`,
    );
    const label = `${n.id}: ${n.op}`;
    parts.push(
      `<text x="6" y="14" font-weight="600">${esc(label.length > 20 ? `${label.slice(0, 19)}…` : label)}</text>`,
    );
    parts.push(
      `<text x="6" y="27" fill="#444">[${esc(n.shape.join('×'))}]${n.phase ? ` ${esc(n.phase)}` : ''}</text>`,
    );
    if (n.digest)
      parts.push(
        `<text x="6" y="39" fill="#666" font-family="ui-monospace, monospace" font-size="9">${esc(n.digest.slice(0, 16))}…</text>`,
      );
    parts.push(
      `<title>${esc(`${n.id} ${n.op} [${n.shape.join(',')}] ${n.label ?? ''} ${n.digest ?? ''}`)}</title></g>`,
    );
  }
  if (o.nodes.length > maxNodes)
    parts.push(
      `<text x="${gx}" y="${H - 8}" fill="#666">… ${o.nodes.length - maxNodes} more nodes not drawn</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}

/** Greedy word wrap for SVG text (which has no line breaking). */
export function wrap(s: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of s.split(/\s+/)) {
    if (cur && cur.length + 1 + w.length > max) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur || out.length === 0) out.push(cur);
  return out;
}

/** Bisection timeline: one row per round, the search interval as a bar, the probe as a dot. */
export function renderDispute(o: DisputeOutput, width = 640): string {
  const rows = o.rounds;
  const top = o.title ? 30 : 10;
  const rh = 22;
  const left = 120;
  const H = top + rows.length * rh + 44 + 15 * (wrap(o.verdict, Math.floor((width - 12) / 6.2)).length - 1);
  const parts = [
    svgOpen(width, H, o.title ?? 'dispute'),
    `<rect width="${width}" height="${H}" fill="#fff"/>`,
    titleText(o.title, width),
  ];
  const phases = [...new Set(rows.map((r) => r.phase))];
  const scales = new Map(
    phases.map((ph) => {
      const rs = rows.filter((r) => r.phase === ph);
      const hi = max(rs, (r) => r.hi ?? r.mid ?? 0) ?? 1;
      const lo = min(rs, (r) => r.lo ?? r.mid ?? 0) ?? 0;
      return [
        ph,
        scaleLinear()
          .domain([lo, hi === lo ? lo + 1 : hi])
          .range([left, width - 20]),
      ];
    }),
  );
  rows.forEach((r, i) => {
    const y = top + i * rh;
    const sx = scales.get(r.phase) ?? scaleLinear().range([left, width - 20]);
    parts.push(`<g class="round" transform="translate(0,${y})">`);
    parts.push(`<text x="6" y="14" fill="#222">${esc(`${i + 1}. ${r.phase}`)}</text>`);
    if (r.lo !== undefined && r.hi !== undefined) {
      const x1 = num(sx(r.lo));
      const x2 = num(sx(r.hi));
      parts.push(`<rect x="${x1}" y="5" width="${Math.max(2, x2 - x1)}" height="10" rx="3" fill="#dbe4f3"/>`);
    }
    if (r.mid !== undefined) {
      const colour = r.agree === undefined ? '#555' : r.agree ? '#2ca02c' : '#d62728';
      parts.push(
        `<circle cx="${num(sx(r.mid))}" cy="10" r="5" fill="${colour}"><title>${esc(`probe ${r.mid}: ${r.agree === undefined ? '' : r.agree ? 'agree' : 'disagree'} ${r.note ?? ''}`)}</title></circle>`,
      );
    }
    parts.push('</g>');
  });
  const vy = top + rows.length * rh + 20;
  const where = [
    o.step !== undefined ? `step ${o.step}` : '',
    o.op !== undefined ? `op ${o.op}${o.opName ? ` (${o.opName})` : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = wrap(o.verdict, Math.floor((width - 12) / 6.2));
  for (const [k, l] of lines.entries()) {
    parts.push(`<text x="6" y="${vy + 15 * k}" font-weight="600" fill="#8b0000">${esc(l)}</text>`);
  }
  if (where)
    parts.push(
      `<text x="6" y="${vy + 15 * lines.length + 2}" fill="#444">${esc(`first disagreement: ${where}`)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}

/** Ledger snapshot: balance and stake per account as grouped horizontal bars. */
export function renderLedger(o: LedgerOutput, width = 640): string {
  const top = o.title ? 30 : 10;
  const rh = 26;
  const left = 130;
  const H = top + o.accounts.length * rh + 40;
  const hi = max(o.accounts, (a) => Math.max(a.balance, a.staked ?? 0, a.slashed ?? 0)) || 1;
  const x = scaleLinear()
    .domain([0, hi])
    .range([0, width - left - 210]); // room for the value label
  const parts = [
    svgOpen(width, H, o.title ?? 'ledger'),
    `<rect width="${width}" height="${H}" fill="#fff"/>`,
    titleText(o.title, width),
  ];
  o.accounts.forEach((a, i) => {
    const y = top + i * rh;
    parts.push(`<g class="account" transform="translate(0,${y})"><text x="6" y="15">${esc(a.id)}</text>`);
    parts.push(
      `<rect class="bar" x="${left}" y="3" width="${num(Math.max(1, x(Math.max(0, a.balance))))}" height="9" fill="#1f77b4"/>`,
    );
    parts.push(
      `<rect class="bar" x="${left}" y="13" width="${num(Math.max(a.staked ? 1 : 0, x(Math.max(0, a.staked ?? 0))))}" height="9" fill="#ff7f0e"/>`,
    );
    const label = `${a.balance}${a.staked !== undefined ? ` / ${a.staked} staked` : ''}${a.slashed ? ` / ${a.slashed} slashed` : ''}`;
    parts.push(
      `<text x="${left + num(x(Math.max(0, a.balance, a.staked ?? 0))) + 6}" y="15" fill="#444">${esc(label)}</text></g>`,
    );
  });
  const ly = top + o.accounts.length * rh + 16;
  parts.push(
    `<rect x="${left}" y="${ly - 8}" width="12" height="8" fill="#1f77b4"/><text x="${left + 16}" y="${ly}">balance</text>`,
  );
  parts.push(
    `<rect x="${left + 90}" y="${ly - 8}" width="12" height="8" fill="#ff7f0e"/><text x="${left + 106}" y="${ly}">staked</text>`,
  );
  if (o.invariant) {
    parts.push(
      `<text x="${left + 190}" y="${ly}" fill="${o.invariant.ok ? '#2ca02c' : '#d62728'}">${esc(`supply invariant ${o.invariant.ok ? 'holds' : 'BROKEN'}`)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** SVG for the graphical output kinds; null for kinds that are plain HTML (text, markdown, table, assertion). */
export function renderOutputSvg(o: Output): string | null {
  switch (o.kind) {
    case 'chart':
      return renderChart(o);
    case 'heatmap':
      return renderHeatmap(o);
    case 'graph':
      return renderGraph(o);
    case 'dispute':
      return renderDispute(o);
    case 'ledger':
      return renderLedger(o);
    default:
      return null;
  }
}
