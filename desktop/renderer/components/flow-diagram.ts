/**
 * Animated token flows (a two-column Sankey drawn with d3): sources on the left (stakes, escrow),
 * targets on the right (accounts, treasury); ribbons grow in, then tokens travel along them. Each
 * ribbon is labelled with its amount and reason, so the picture reads without colour.
 */
import * as d3 from 'd3';
import { fmtInt } from './format.ts';
import { type FlowEnd, type FlowGraph, spreadLabels } from './ledger-model.ts';
import { ensureStyles } from './styles.ts';

export interface FlowDiagram {
  /** Replays the animation; resolves when it ends. */
  play(): Promise<void>;
  destroy(): void;
}

const REASON_COLOR: Record<string, string> = {
  'stake.return': '#6b7382',
  refund: '#b07cff',
  'slash.jackpot': '#3fb27f',
  'slash.compensation': '#2bb3a8',
  // A copier's slash paid to the solver whose run it copied.
  'slash.victim': '#5ad1e0',
  'slash.treasury': '#e0a440',
  'reward.bounty': '#4f8cff',
  'reward.verifier': '#4f8cff',
};

const KIND_COLOR: Record<FlowEnd['kind'], string> = {
  stake: '#f05d5e',
  escrow: '#b07cff',
  mint: '#8b93a1',
  treasury: '#e0a440',
  account: '#3fb27f',
};

export function mountFlowDiagram(
  el: HTMLElement,
  g: FlowGraph,
  opts: {
    height?: number;
    durationMs?: number;
    title?: string;
    /** Explanations of single flows, by `${source}→${target}` (tooltip of the ribbon and its label). */
    notes?: ReadonlyMap<string, string>;
  } = {},
): FlowDiagram {
  ensureStyles(el.ownerDocument);
  const root = d3.select(el).append('div').attr('class', 'pp pp-flow');
  const W = Math.max(520, el.clientWidth || 720);
  const H = opts.height ?? Math.max(200, 70 + 52 * Math.max(g.sources.length, g.targets.length));
  const svg = root
    .append('svg')
    .attr('viewBox', `0 0 ${W} ${H}`)
    .attr('height', H)
    .attr('role', 'img')
    .attr(
      'aria-label',
      `${opts.title ?? 'Token flows'}: ${g.links.map((l) => `${fmtInt(l.amount)} from ${l.source} to ${l.target}`).join('; ')}`,
    );
  if (g.total === 0) {
    root.append('div').attr('class', 'pp-empty').text('No tokens moved in this event.');
    return { play: async () => {}, destroy: () => root.remove() };
  }
  const nodeW = 14;
  const pad = 14;
  const colX = { s: 210, t: W - 200 - nodeW };
  const usable = (n: number) => H - 30 - pad * Math.max(0, n - 1) - 30 * n;
  const k = Math.min(usable(g.sources.length), usable(g.targets.length)) / g.total;
  type Placed = FlowEnd & { x: number; y: number; h: number; used: number };
  const place = (ends: FlowEnd[], x: number): Map<string, Placed> => {
    // Each end takes at least 30 px so its two label lines never collide with the next one's.
    const slot = (e: FlowEnd) => Math.max(30, e.total * k);
    const total = d3.sum(ends, slot) + pad * Math.max(0, ends.length - 1);
    let y = Math.max(8, (H - total) / 2);
    const m = new Map<string, Placed>();
    for (const e of ends) {
      const h = Math.max(2, e.total * k);
      m.set(e.key, { ...e, x, y, h, used: 0 });
      y += slot(e) + pad;
    }
    return m;
  };
  const S = place(g.sources, colX.s);
  const Tg = place(g.targets, colX.t);
  const links = g.links.map((l) => {
    const s = S.get(l.source) as Placed;
    const t = Tg.get(l.target) as Placed;
    const w = Math.max(1.5, l.amount * k);
    const y0 = s.y + s.used + w / 2;
    const y1 = t.y + t.used + w / 2;
    s.used += l.amount * k;
    t.used += l.amount * k;
    return { ...l, w, y0, y1, color: REASON_COLOR[l.reasons[0]] ?? KIND_COLOR[t.kind] };
  });
  const linkPath = d3
    .linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>()
    .source((d) => d.source)
    .target((d) => d.target);
  const paths = svg
    .append('g')
    .selectAll('path')
    .data(links)
    .join('path')
    .attr('class', 'flink')
    .attr('d', (l) => linkPath({ source: [colX.s + nodeW, l.y0], target: [colX.t, l.y1] }))
    .attr('stroke', (l) => l.color)
    .attr('stroke-width', (l) => l.w);
  const note = (l: (typeof links)[number]) => opts.notes?.get(`${l.source}→${l.target}`);
  const tip = (l: (typeof links)[number]) =>
    `${fmtInt(l.amount)} units · ${l.reasons.join(', ')}${note(l) ? `\n${note(l)}` : ''}`;
  paths.append('title').text(tip);
  // Link labels in a column left of the targets, never overlapping: spread vertically (within the
  // picture) from their ribbon's end, each with a short leader line to that end, on a halo so the
  // ribbons they cross stay out of the text; too long a label is shortened (full text in its tooltip).
  const LABEL_GAP = 15;
  const labelY = spreadLabels(
    links.map((l) => l.y1),
    LABEL_GAP,
    10,
    H - 8,
  );
  const labelX = colX.t - 16;
  const labelGroups = svg.append('g').selectAll('g').data(links).join('g').attr('class', 'flabel-g');
  // The tooltip on the group (label + leader): the text element keeps exactly the visible label.
  labelGroups.append('title').text(tip);
  labelGroups
    .append('path')
    .attr('class', 'fleader')
    .attr('d', (l, i) => `M${labelX + 3},${labelY[i]}L${colX.t - 1},${l.y1}`);
  const labels = labelGroups
    .append('text')
    .attr('class', (l) => (note(l) ? 'flabel noted' : 'flabel'))
    .attr('x', labelX)
    .attr('y', (_l, i) => labelY[i] + 4)
    .attr('text-anchor', 'end')
    .text((l) => `${fmtInt(l.amount)} · ${l.reasons.join(', ')}${note(l) ? ' *' : ''}`);
  const minLeft = colX.s + nodeW + 6;
  labels.each(function () {
    const t = this as SVGTextElement;
    let text = t.textContent ?? '';
    // getComputedTextLength is 0 before layout (detached or hidden element): leave the text whole.
    while (text.length > 4 && t.getComputedTextLength() > 0 && labelX - t.getComputedTextLength() < minLeft) {
      text = text.slice(0, -2);
      t.textContent = `${text.trimEnd()}…`;
    }
  });
  const drawEnds = (m: Map<string, Placed>, side: 's' | 't') => {
    const gs = svg
      .append('g')
      .selectAll('g')
      .data([...m.values()])
      .join('g')
      .attr('class', 'fnode')
      .attr('data-key', (e) => e.key);
    gs.append('rect')
      .attr('x', (e) => e.x)
      .attr('y', (e) => e.y)
      .attr('width', nodeW)
      .attr('height', (e) => e.h)
      .attr('fill', (e) => KIND_COLOR[e.kind]);
    gs.append('text')
      .attr('x', (e) => (side === 's' ? e.x - 8 : e.x + nodeW + 8))
      .attr('y', (e) => e.y + e.h / 2 - 2)
      .attr('text-anchor', side === 's' ? 'end' : 'start')
      .text((e) => e.label);
    gs.append('text')
      .attr('class', 'amt')
      .attr('x', (e) => (side === 's' ? e.x - 8 : e.x + nodeW + 8))
      .attr('y', (e) => e.y + e.h / 2 + 12)
      .attr('text-anchor', side === 's' ? 'end' : 'start')
      .text((e) => `${side === 's' ? '−' : '+'}${fmtInt(e.total)}`);
  };
  drawEnds(S, 's');
  drawEnds(Tg, 't');
  const tokens = svg.append('g');
  const duration = opts.durationMs ?? 1800;

  async function play(): Promise<void> {
    tokens.selectAll('*').remove();
    paths.each(function () {
      const len = (this as SVGPathElement).getTotalLength();
      d3.select(this).attr('stroke-dasharray', `${len} ${len}`).attr('stroke-dashoffset', len);
    });
    labelGroups.style('opacity', 0);
    const grow = paths
      .transition()
      .duration(duration * 0.5)
      .ease(d3.easeCubicOut)
      .attr('stroke-dashoffset', 0)
      .end();
    // Tokens: a few dots per link, size by amount, travelling along the path.
    const per = 4;
    for (const [i, l] of links.entries()) {
      const p = paths.nodes()[i] as SVGPathElement;
      const len = p.getTotalLength();
      for (let j = 0; j < per; j++) {
        tokens
          .append('circle')
          .attr('class', 'token')
          .attr('r', Math.min(7, 2.5 + l.w / 10))
          .attr('fill', l.color)
          .attr('opacity', 0)
          .transition()
          .delay((j * duration) / (per * 2))
          .duration(duration * 0.7)
          .ease(d3.easeCubicInOut)
          .attr('opacity', 1)
          .attrTween('transform', () => (u: number) => {
            const pt = p.getPointAtLength(u * len);
            return `translate(${pt.x},${pt.y})`;
          })
          .transition()
          .duration(200)
          .attr('opacity', 0)
          .remove();
      }
    }
    try {
      await grow;
    } catch {
      // interrupted (unmounted or replayed): nothing to finish
    }
    labelGroups.transition().duration(300).style('opacity', 1);
    await new Promise((r) => setTimeout(r, duration * 0.7));
  }
  void play();
  return { play, destroy: () => root.remove() };
}
