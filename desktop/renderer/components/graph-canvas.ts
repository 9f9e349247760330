/**
 * The computational-graph canvas: a dagre layout (graph-layout.ts) drawn as SVG with d3, zoom/pan,
 * a minimap, selection, agree/disagree marks (colour AND a symbol + text, for colour-blind users and
 * screen readers) and keyboard navigation:
 *   ←/→ previous/next node in tape order, ↑ first input, ↓ first consumer, Enter open, +/− zoom,
 *   0 fit, F focus the selection.
 * Pure component: `mountGraphCanvas(el, data, opts)`; knows nothing about the backend.
 */
import * as d3 from 'd3';
import { accessibleName, type IconName, iconLabel } from '../shell/icons.ts';
import { fmtShape, shortDigest } from './format.ts';
import { type GraphLayout, type LayoutOptions, layoutGraph, type PlacedNode } from './graph-layout.ts';
import { laneHeading, overviewGroups, placeOverviewLabels } from './graph-overview.ts';
import { ensureStyles } from './styles.ts';

export type NodeMark = 'agree' | 'disagree' | 'culprit' | 'none';

export interface CanvasNode {
  id: number;
  op: string;
  phase: string;
  inputs: readonly number[];
  shape: readonly number[];
  digest?: string;
  label?: string;
}

export interface GraphCanvasOptions {
  onSelect?(id: number | null): void;
  /** Enter / double-click on a node. */
  onOpen?(id: number): void;
  layout?: LayoutOptions;
  /** Accessible name of the canvas. */
  title?: string;
  minimap?: boolean;
}

export interface GraphCanvas {
  readonly layout: GraphLayout;
  select(id: number | null, opts?: { focus?: boolean }): void;
  selected(): number | null;
  setMarks(marks: ReadonlyMap<number, NodeMark>): void;
  /** Emphasise `ids` and dim everything else (null clears). */
  highlight(ids: ReadonlySet<number> | null): void;
  /** Centre on a node (animated unless duration 0). */
  focusNode(id: number, duration?: number): Promise<void>;
  fit(duration?: number): Promise<void>;
  /** Shows the top-left of a phase lane at 100 %. */
  goToLane(name: string, duration?: number): Promise<void>;
  /** Animated zoom to scale `k` about the centre (benchmarks use it). */
  zoomTo(k: number, duration?: number): Promise<void>;
  panBy(dx: number, dy: number, duration?: number): Promise<void>;
  destroy(): void;
}

const MARK_SYMBOL: Record<NodeMark, string> = { agree: '✓', disagree: '✗', culprit: '◆', none: '' };
const MARK_TEXT: Record<NodeMark, string> = {
  agree: 'agrees',
  disagree: 'disagrees',
  culprit: 'first disagreement',
  none: '',
};
const PHASE_COLOR: Record<string, string> = {
  forward: '#4f8cff',
  backward: '#b07cff',
  optimizer: '#e0a440',
  leaf: '#6b7382',
};

export function nodeTitle(n: CanvasNode): string {
  return n.op === 'leaf' ? (n.label ?? 'leaf') : n.op;
}

/** [x0, y0, x1, y1] boxes packed in one array (the culling loop reads them every commit). */
function boxes(list: readonly number[][]): Float64Array {
  const out = new Float64Array(list.length * 4);
  list.forEach((b, i) => {
    out.set(b, 4 * i);
  });
  return out;
}

export function mountGraphCanvas(
  el: HTMLElement,
  nodes: readonly CanvasNode[],
  opts: GraphCanvasOptions = {},
): GraphCanvas {
  ensureStyles(el.ownerDocument);
  const layout = layoutGraph(nodes, opts.layout);
  const byId = new Map<number, CanvasNode>(nodes.map((n) => [n.id, n]));
  const placed = new Map<number, PlacedNode>(layout.nodes.map((p) => [p.id, p]));
  const consumers = new Map<number, number[]>();
  for (const n of nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n.id]);
  const order = [...nodes].map((n) => n.id).sort((a, b) => a - b);

  const root = d3
    .select(el)
    .append('div')
    .attr('class', 'pp pp-graph')
    .style('width', '100%')
    .style('height', '100%');
  // The stage (an HTML box, never transformed) takes pointer, wheel and keyboard input; the SVG inside
  // it overscans the visible area and is moved/scaled with a CSS transform between commits (`render`).
  const stage = root
    .append('div')
    .attr('class', 'gstage')
    .attr('tabindex', 0)
    .attr('role', 'application')
    .attr('aria-roledescription', 'computational graph')
    .attr(
      'aria-label',
      `${opts.title ?? 'Computational graph'}: ${nodes.length} ops. Arrow keys move between ops, Enter opens, plus/minus zoom, 0 fits, L shows long edges.`,
    );
  const stageEl = stage.node() as HTMLDivElement;
  // Read the size once, before the SVG has content (a later read would lay out every node), and
  // then only from the ResizeObserver: d3-zoom gets it through `extent` instead of clientWidth.
  let size = { w: stageEl.clientWidth || 800, h: stageEl.clientHeight || 500 };
  const W = () => size.w;
  const H = () => size.h;
  // `pan` (a composited layer, clipped to the overscan) takes the temporary CSS moves of a gesture;
  // the SVG inside it takes the committed scale as a CSS transform too: Blink lays SVG text out again
  // whenever an SVG transform's scale changes (glyphs are shaped at screen size), which made every
  // zoom commit re-shape thousands of labels; a CSS scale on the <svg> only repaints.
  const pan = stage.append('div').attr('class', 'gpan');
  const svg = pan.append('svg').attr('class', 'main').attr('aria-hidden', 'true');
  const live = root.append('div').attr('class', 'pp-sr').attr('aria-live', 'polite');
  const viewport = svg.append('g').attr('class', 'viewport');

  // Lanes.
  const lanes = viewport
    .append('g')
    .attr('class', 'lanes')
    .selectAll('g')
    .data(layout.lanes)
    .join('g')
    .attr('class', 'lane');
  lanes
    .append('rect')
    .attr('x', (l) => l.x - 16)
    .attr('y', (l) => l.y - 8)
    .attr('width', (l) => l.w + 32)
    .attr('height', (l) => l.h + 24);
  const laneTitles = lanes
    .append('text')
    .attr('x', (l) => l.x)
    .attr('y', (l) => l.y + 14)
    .text((l) => `${l.name} · ${l.count}`);

  // Nodes and edges are created lazily, when they first come near the visible area (see `cull`), so
  // the first paint and every repaint cost what is on screen, not the graph size. The selected op
  // and a first disagreement (◆) always exist, so they can be found in the DOM wherever they are.
  const doc = el.ownerDocument;
  const edgesG = viewport.append('g').attr('class', 'edges').node() as SVGGElement;
  const nodesG = viewport.append('g').attr('class', 'nodes').node() as SVGGElement;
  // Semantic zoom (graph-overview.ts): one label per chunk, shown instead of per-op text when zoomed
  // out; few elements, so their size is set per commit to stay legible on screen.
  const groups = overviewGroups(layout, nodes);
  const overview = viewport.append('g').attr('class', 'overview').attr('data-role', 'overview');
  const groupEls = overview
    .selectAll('g')
    .data(groups)
    .join('g')
    .attr('class', (g) => `ogroup ph-${g.lane}`);
  groupEls
    .append('rect')
    .attr('x', (g) => g.x0 - 6)
    .attr('y', (g) => g.y0 - 6)
    .attr('width', (g) => g.x1 - g.x0 + 12)
    .attr('height', (g) => g.y1 - g.y0 + 12);
  groupEls.append('text').attr('class', 'otitle');
  groupEls.append('text').attr('class', 'odetail');
  /**
   * Overview labels (12 px title, 11 px detail on screen) placed for the committed transform; the
   * SVG is scaled by CSS, so sizes and strokes are given in layout units (screen px / k).
   */
  function paintOverview(t: d3.ZoomTransform): void {
    const k = t.k;
    overview.attr('stroke-width', 1.2 / k).attr('stroke-dasharray', `${4 / k} ${3 / k}`);
    const placedLabels = placeOverviewLabels(groups, layout.lanes, t, { w: W(), h: H() });
    groupEls.each(function (_g, i) {
      const [, title, detail] = (this as SVGGElement).children;
      const p = placedLabels[i];
      title.textContent = p?.title ?? '';
      detail.textContent = p?.detail ?? '';
      if (!p) return;
      const x = String(t.invertX(p.x));
      for (const [e, dy, px] of [
        [title, 0, 12],
        [detail, 14, 11],
      ] as const) {
        e.setAttribute('x', x);
        e.setAttribute('y', String(t.invertY(p.y + dy)));
        e.setAttribute('text-anchor', p.anchor);
        e.setAttribute('font-size', String(px / k));
        e.setAttribute('stroke-width', String(3 / k));
      }
    });
    // Lane headings just above each lane, at 13 px; the first extends left, the last right.
    const last = layout.lanes.length - 1;
    laneTitles
      .style('font-size', `${13 / k}px`)
      .attr('y', (l) => l.y - 8 - 5 / k)
      .attr('x', (l, i) =>
        i === 0 && last > 0 ? l.x + l.w + 16 : i === last && last > 0 ? l.x - 16 : l.x + l.w / 2,
      )
      .attr('text-anchor', (_l, i) =>
        i === 0 && last > 0 ? 'end' : i === last && last > 0 ? 'start' : 'middle',
      )
      .text((l, i) => {
        const lanePx = (l.w + 32) * k;
        const px =
          i === 0 && last > 0
            ? t.applyX(l.x + l.w + 16)
            : i === last && last > 0
              ? W() - t.applyX(l.x - 16)
              : lanePx;
        return laneHeading(l.name, l.count, Math.max(lanePx, px));
      });
  }
  function unpaintOverview(): void {
    laneTitles
      .style('font-size', null)
      .attr('text-anchor', null)
      .attr('x', (l) => l.x)
      .attr('y', (l) => l.y + 14)
      .text((l) => `${l.name} · ${l.count}`);
  }
  const curve = d3
    .line<{ x: number; y: number }>()
    .x((p) => p.x)
    .y((p) => p.y)
    .curve(d3.curveBasis);
  const link = d3
    .linkVertical<unknown, { x: number; y: number }>()
    .x((p) => p.x)
    .y((p) => p.y);
  const nodeIndex = new Map<number, number>(layout.nodes.map((p, i) => [p.id, i]));
  const edgesAt = new Map<number, number[]>();
  layout.edges.forEach((e, j) => {
    for (const id of [e.from, e.to]) {
      const list = edgesAt.get(id);
      if (list) list.push(j);
      else edgesAt.set(id, [j]);
    }
  });
  const nodeEls: (SVGGElement | undefined)[] = new Array(layout.nodes.length);
  const edgeEls: (SVGPathElement | undefined)[] = new Array(layout.edges.length);
  const nodeBox = boxes(
    layout.nodes.map((p) => [p.x - p.w / 2, p.y - p.h / 2, p.x + p.w / 2, p.y + p.h / 2]),
  );
  const edgeBox = boxes(
    layout.edges.map((e) => {
      const xs = e.points.map((q) => q.x);
      const ys = e.points.map((q) => q.y);
      return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    }),
  );
  type Win = { x0: number; y0: number; x1: number; y1: number };
  const inWin = (w: Win, b: Float64Array, i: number) =>
    b[4 * i + 2] >= w.x0 && b[4 * i] <= w.x1 && b[4 * i + 3] >= w.y0 && b[4 * i + 1] <= w.y1;

  let marks: ReadonlyMap<number, NodeMark> = new Map();
  let highlighted: ReadonlySet<number> | null = null;
  let sel: number | null = null;
  let transform = d3.zoomIdentity;

  function svgEl<K extends keyof SVGElementTagNameMap>(
    tag: K,
    attrs: Record<string, string | number>,
  ): SVGElementTagNameMap[K] {
    const e = doc.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }
  function nodeEl(i: number): SVGGElement {
    const have = nodeEls[i];
    if (have) return have;
    const p = layout.nodes[i];
    const n = byId.get(p.id) as CanvasNode;
    const g = svgEl('g', { 'data-id': p.id, transform: `translate(${p.x - p.w / 2},${p.y - p.h / 2})` });
    const sub = svgEl('text', { class: 'sub', x: 14, y: 33 });
    sub.textContent = `#${n.id} ${fmtShape(n.shape)} ${n.digest ? shortDigest(n.digest, 6) : ''}`;
    g.append(
      svgEl('rect', { class: 'body', width: p.w, height: p.h }),
      svgEl('rect', { class: 'stripe', width: 4, height: p.h - 8, x: 4, y: 4 }),
      svgEl('text', { class: 'op', x: 14, y: 17 }),
      sub,
      svgEl('text', { class: 'mark', x: p.w - 8, y: 17, 'text-anchor': 'end' }),
      svgEl('title', {}),
    );
    nodeEls[i] = g;
    paintNode(i);
    nodesG.append(g);
    return g;
  }
  /** Classes, mark symbol, title and text of node i from the current marks/selection/highlight. */
  function paintNode(i: number): void {
    const g = nodeEls[i];
    if (!g) return;
    const id = layout.nodes[i].id;
    const n = byId.get(id) as CanvasNode;
    const mk = marks.get(id) ?? 'none';
    g.setAttribute(
      'class',
      `node ph-${n.phase}${mk !== 'none' ? ` m-${mk}` : ''}${id === sel ? ' sel' : ''}${highlighted?.has(id) ? ' hl' : ''}${highlighted && !highlighted.has(id) ? ' dim' : ''}`,
    );
    g.setAttribute('data-mark', mk);
    if (id === sel) g.setAttribute('aria-selected', 'true');
    else g.removeAttribute('aria-selected');
    const [, , op, , mark, title] = g.children;
    const t = nodeTitle(n);
    const max = mk === 'culprit' ? 14 : 17;
    op.textContent = t.length > max ? `${t.slice(0, max - 1)}…` : t;
    mark.textContent = mk === 'culprit' ? '◆ ✗' : MARK_SYMBOL[mk];
    title.textContent = describe(id, mk);
  }
  function edgeEl(j: number): SVGPathElement {
    const have = edgeEls[j];
    if (have) return have;
    const e = layout.edges[j];
    const d = (e.long ? link({ source: e.points[0], target: e.points[1] }) : curve(e.points)) ?? '';
    const path = svgEl('path', { d });
    edgeEls[j] = path;
    paintEdge(j);
    edgesG.append(path);
    return path;
  }
  function paintEdge(j: number): void {
    const path = edgeEls[j];
    if (!path) return;
    const e = layout.edges[j];
    const hl = sel !== null && (e.from === sel || e.to === sel);
    path.setAttribute('class', `edge${e.long ? ' long' : ''}${hl ? ' hl' : ''}`);
  }

  function describe(id: number, mark: NodeMark = 'none'): string {
    const n = byId.get(id) as CanvasNode;
    const m = mark !== 'none' ? ` — ${MARK_TEXT[mark]}` : '';
    return `#${n.id} ${nodeTitle(n)} (${n.phase}) shape ${fmtShape(n.shape)}${n.digest ? ` digest ${shortDigest(n.digest, 12)}` : ''}${m}`;
  }

  // Overscan: the SVG extends OVER × the visible size beyond each edge.
  const OVER = 0.5;
  const MX = () => Math.round(W() * OVER);
  const MY = () => Math.round(H() * OVER);
  const placeSvg = () => {
    pan
      .style('width', `${W() + 2 * MX()}px`)
      .style('height', `${H() + 2 * MY()}px`)
      .style('left', `${-MX()}px`)
      .style('top', `${-MY()}px`)
      .style('transform-origin', `${MX()}px ${MY()}px`);
    svg.attr('width', W() + 2 * MX()).attr('height', H() + 2 * MY());
  };
  placeSvg();
  const resize =
    typeof ResizeObserver === 'undefined'
      ? null
      : new ResizeObserver(() => {
          const w = stageEl.clientWidth || size.w;
          const h = stageEl.clientHeight || size.h;
          if (w === size.w && h === size.h) return;
          size = { w, h };
          placeSvg();
          if (userMoved) commit();
          else startView();
        });
  resize?.observe(stageEl);

  // Minimap: a canvas of the whole layout plus the visible rectangle.
  const mmScale = Math.min(180 / layout.width, 130 / layout.height);
  const mmW = Math.max(40, Math.ceil(layout.width * mmScale));
  const mmH = Math.max(30, Math.ceil(layout.height * mmScale));
  const minimap =
    opts.minimap === false
      ? null
      : root
          .append('canvas')
          .attr('class', 'minimap')
          .attr('width', mmW)
          .attr('height', mmH)
          .attr('aria-hidden', 'true');

  // The minimap's nodes are drawn once per marks/highlight change; the visible rectangle is an HTML
  // box over the canvas moved with a CSS transform, so a pan or zoom frame does not redraw (and
  // re-upload) the canvas.
  const mmView = minimap
    ? root
        .append('div')
        .attr('class', 'mmview')
        .attr('aria-hidden', 'true')
        .style('width', `${mmW}px`)
        .style('height', `${mmH}px`)
    : null;
  const mmRect = mmView?.append('div').attr('class', 'mmrect').node() as HTMLDivElement | undefined;
  function drawMinimapBase(): void {
    const ctx = minimap ? (minimap.node() as HTMLCanvasElement).getContext('2d') : null;
    if (!ctx) return;
    ctx.clearRect(0, 0, mmW, mmH);
    for (const p of layout.nodes) {
      const m = marks.get(p.id) ?? 'none';
      const dim = highlighted && !highlighted.has(p.id);
      ctx.fillStyle =
        m === 'disagree' || m === 'culprit'
          ? '#f05d5e'
          : m === 'agree'
            ? '#3fb27f'
            : (PHASE_COLOR[(byId.get(p.id) as CanvasNode).phase] ?? '#888');
      ctx.globalAlpha = dim ? 0.25 : 0.85;
      ctx.fillRect(
        (p.x - p.w / 2) * mmScale,
        (p.y - p.h / 2) * mmScale,
        Math.max(1.5, p.w * mmScale),
        Math.max(1.5, p.h * mmScale),
      );
    }
    ctx.globalAlpha = 1;
  }
  let mmSize = '';
  function drawMinimap(): void {
    if (!mmRect) return;
    // Visible rectangle in layout coordinates.
    const [x0, y0] = transform.invert([0, 0]);
    const [x1, y1] = transform.invert([W(), H()]);
    const size = `${((x1 - x0) * mmScale).toFixed(1)}px ${((y1 - y0) * mmScale).toFixed(1)}px`;
    if (size !== mmSize) {
      mmSize = size;
      mmRect.style.width = `${((x1 - x0) * mmScale).toFixed(1)}px`;
      mmRect.style.height = `${((y1 - y0) * mmScale).toFixed(1)}px`;
    }
    mmRect.style.transform = `translate(${(x0 * mmScale).toFixed(1)}px,${(y0 * mmScale).toFixed(1)}px)`;
  }
  let mmFrame = 0;
  function drawMinimapSoon(): void {
    if (!minimap || mmFrame) return;
    mmFrame = requestAnimationFrame(() => {
      mmFrame = 0;
      drawMinimap();
    });
  }

  // Culling: an element is created when it first comes near the drawn window (the overscan), and
  // stays (the pan layer's clip keeps painting to what is inside it, and showing a hidden element
  // again would lay its text out again). Elements within one more screen around the window are
  // created ahead, in idle time, so a commit after a pan or zoom-out mostly only repaints.
  function windowAt(t: d3.ZoomTransform, screens: number): Win {
    const m = 120 / t.k;
    const [x0, y0] = t.invert([-MX() - screens * W(), -MY() - screens * H()]);
    const [x1, y1] = t.invert([W() + MX() + screens * W(), H() + MY() + screens * H()]);
    return { x0: x0 - m, y0: y0 - m, x1: x1 + m, y1: y1 + m };
  }
  function cull(): void {
    const win = windowAt(committed, 0);
    for (let i = 0; i < nodeEls.length; i++) if (!nodeEls[i] && inWin(win, nodeBox, i)) nodeEl(i);
    for (let j = 0; j < edgeEls.length; j++) if (!edgeEls[j] && inWin(win, edgeBox, j)) edgeEl(j);
    ahead = { win: windowAt(committed, 1), node: 0, edge: 0 };
    createAheadSoon();
  }
  let ahead = { win: { x0: 0, y0: 0, x1: -1, y1: -1 }, node: 0, edge: 0 };
  let idleJob = 0;
  function createAheadSoon(): void {
    if (idleJob || typeof requestIdleCallback === 'undefined') return;
    idleJob = requestIdleCallback((deadline) => {
      idleJob = 0;
      // Not while a gesture runs (its frames come first); a few elements per idle period, since each
      // also costs style and layout in the next frame.
      if (moving) return;
      let budget = 24;
      while (ahead.node < nodeEls.length && budget > 0 && deadline.timeRemaining() > 4) {
        const i = ahead.node++;
        if (!nodeEls[i] && inWin(ahead.win, nodeBox, i)) {
          nodeEl(i);
          budget--;
        }
      }
      while (ahead.edge < edgeEls.length && budget > 0 && deadline.timeRemaining() > 4) {
        const j = ahead.edge++;
        if (!edgeEls[j] && inWin(ahead.win, edgeBox, j)) {
          edgeEl(j);
          budget -= 0.25;
        }
      }
      if (ahead.node < nodeEls.length || ahead.edge < edgeEls.length) createAheadSoon();
    });
  }

  // Rendering: the SVG's <g> carries the *committed* transform and overscans the visible area. While
  // a gesture or an animated pan/zoom runs, the committed picture is only moved and scaled with a CSS
  // transform (composited: no layout, no repaint; a zoom shows a scaled bitmap); it is committed (one
  // repaint at the new scale) when the gesture ends, or earlier if the view would leave the overscan.
  let committed = d3.zoomIdentity;
  let userMoved = false;
  let lod = '';
  let moving = false;
  function commit(): void {
    committed = transform;
    const k = committed.k;
    viewport.attr('transform', `translate(${(committed.x + MX()) / k},${(committed.y + MY()) / k})`);
    svg.style('transform', `scale(${k})`);
    pan.style('transform', null);
    cull();
    // Level of detail (semantic zoom): per-op text is unreadable below ~45 % and costs most of the
    // paint time, so there the chunk overview labels replace it; below 85 % the 11 px digest line
    // would be < 9.4 px on screen, so only op names remain.
    const next = k < 0.45 ? 'low' : k < 0.85 ? 'mid' : 'high';
    if (next === 'low') paintOverview(committed);
    if (next !== lod) {
      if (lod === 'low') unpaintOverview();
      lod = next;
      root.classed('lod-low', lod === 'low');
      root.classed('lod-mid', lod === 'mid');
      root.attr('data-lod', lod);
    }
  }
  function render(): void {
    // The CSS transform T(s) = r·s + (tx, ty) (stage coordinates) maps the committed picture onto
    // the current transform; usable while the visible area stays inside the overscan.
    const r = transform.k / committed.k;
    const tx = transform.x - r * committed.x;
    const ty = transform.y - r * committed.y;
    const inside =
      -tx / r >= -MX() && (W() - tx) / r <= W() + MX() && -ty / r >= -MY() && (H() - ty) / r <= H() + MY();
    if (moving && r >= 0.5 && r <= 4 && inside)
      pan.style('transform', `translate3d(${tx}px,${ty}px,0) scale(${r})`);
    else commit();
  }

  const zoom = d3
    .zoom<HTMLDivElement, unknown>()
    .scaleExtent([0.03, 3])
    .extent(() => [
      [0, 0],
      [W(), H()],
    ])
    // Linear interpolation: a programmatic pan stays a pure translation (d3's default fly-to
    // interpolation zooms out and back in, re-rendering the whole graph mid-pan).
    .interpolate(d3.interpolate)
    .on('start', () => {
      moving = true;
    })
    .on('zoom', (ev: d3.D3ZoomEvent<HTMLDivElement, unknown>) => {
      transform = ev.transform;
      if (ev.sourceEvent) userMoved = true;
      render();
      // Pointer and wheel events can come faster than frames: their minimap redraw waits for the
      // next frame; an animation tick already runs in one.
      if (ev.sourceEvent) drawMinimapSoon();
      else drawMinimap();
    })
    .on('end', () => {
      moving = false;
      if (transform !== committed) commit();
      else createAheadSoon();
    });
  stage.call(zoom).on('dblclick.zoom', null);

  const nodeAt = (ev: Event): number | null => {
    const g = (ev.target as Element).closest?.('g.node');
    return g ? Number(g.getAttribute('data-id')) : null;
  };
  nodesG.addEventListener('click', (ev) => {
    const id = nodeAt(ev);
    if (id === null) return;
    select(id, { focus: false });
    stageEl.focus({ preventScroll: true });
  });
  nodesG.addEventListener('dblclick', (ev) => {
    const id = nodeAt(ev);
    if (id !== null) opts.onOpen?.(id);
  });

  if (minimap) {
    const jump = (ev: MouseEvent) => {
      const [mx, my] = d3.pointer(ev, minimap.node());
      const x = mx / mmScale;
      const y = my / mmScale;
      stage.call(zoom.translateTo, x, y);
    };
    minimap.on('mousedown', (ev: MouseEvent) => {
      jump(ev);
      const move = (e: MouseEvent) => jump(e);
      const up = () => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    });
  }

  // Zoom buttons + legend.
  const ctl = root.append('div').attr('class', 'zoomctl');
  // SVG icons (the app's set); the accessible name is the tooltip without its shortcut.
  const btn = (icon: IconName, title: string, fn: () => void) =>
    ctl
      .append('button')
      .attr('class', 'pp-btn')
      .attr('type', 'button')
      .attr('title', title)
      .attr('aria-label', accessibleName(title))
      .html(iconLabel(icon, '', true))
      .on('click', fn);
  btn('zoomIn', 'Zoom in (+)', () => void zoomBy(1.4));
  btn('zoomOut', 'Zoom out (−)', () => void zoomBy(1 / 1.4));
  btn('fit', 'Fit graph (0)', () => void fit());
  // Each lane at reading zoom (the optimizer lane is to the right of two wide lanes). The letter is the
  // visible label and so the accessible name; the tooltip says which lane.
  for (const l of layout.lanes)
    ctl
      .append('button')
      .attr('class', 'pp-btn')
      .attr('type', 'button')
      .attr('title', `Go to the ${l.name} lane (${l.count} ops)`)
      .attr('data-lane', l.name)
      .text(l.name[0].toUpperCase())
      .on('click', () => void goToLane(l.name));
  // Long edges (forward activations read by VJPs, gradients read by the optimizer) cross the whole
  // picture: hidden by default, shown for the selected op, or all with this toggle (L).
  const longBtn = btn('longEdges', 'Show all long edges (L)', () => toggleLong()).attr(
    'aria-pressed',
    'false',
  );
  function toggleLong(): void {
    const on = !root.classed('show-long');
    root.classed('show-long', on);
    longBtn.attr('aria-pressed', String(on));
  }
  const legend = root.append('div').attr('class', 'legend');
  for (const [ph, c] of Object.entries(PHASE_COLOR))
    legend.append('span').html(`<i style="background:${c}"></i>${ph}`);
  const markLegend = legend.append('span').attr('class', 'marks').style('display', 'none');
  markLegend.html(
    '<b style="color:#3fb27f">✓</b> agree · <b style="color:#f05d5e">✗</b> disagree · <b style="color:#f05d5e">◆</b> first disagreement',
  );

  // Programmatic moves resolve when their transition has ended (and so been committed); an
  // interrupted one (a newer move started) resolves too. Duration 0 applies at once.
  type Move = d3.Transition<HTMLDivElement, unknown, null, undefined>;
  const done = (t: Move): Promise<void> =>
    t.end().then(
      () => undefined,
      () => undefined,
    );
  function zoomBy(f: number, duration = 200): Promise<void> {
    userMoved = true;
    if (duration <= 0) return Promise.resolve(void stage.call(zoom.scaleBy, f));
    const t = stage.transition().duration(duration);
    t.call(zoom.scaleBy, f);
    return done(t);
  }
  function zoomTo(k: number, duration = 600): Promise<void> {
    userMoved = true;
    if (duration <= 0) return Promise.resolve(void stage.call(zoom.scaleTo, k));
    const t = stage.transition().duration(duration).ease(d3.easeLinear);
    t.call(zoom.scaleTo, k);
    return done(t);
  }
  function panBy(dx: number, dy: number, duration = 600): Promise<void> {
    userMoved = true;
    if (duration <= 0)
      return Promise.resolve(void stage.call(zoom.translateBy, dx / transform.k, dy / transform.k));
    const t = stage.transition().duration(duration).ease(d3.easeLinear);
    t.call(zoom.translateBy, dx / transform.k, dy / transform.k);
    return done(t);
  }
  function toTransform(to: d3.ZoomTransform, duration: number): Promise<void> {
    userMoved = true;
    if (duration <= 0) return Promise.resolve(void stage.call(zoom.transform, to));
    const t = stage.transition().duration(duration);
    t.call(zoom.transform, to);
    return done(t);
  }
  function fitTransform(): d3.ZoomTransform {
    const k = Math.min(W() / layout.width, H() / layout.height, 1) * 0.95;
    return d3.zoomIdentity.translate((W() - layout.width * k) / 2, (H() - layout.height * k) / 2).scale(k);
  }
  /** The top-left of a lane at 100 % (text at its full size). */
  function goToLane(name: string, duration = 400): Promise<void> {
    const l = layout.lanes.find((x) => x.name === name);
    if (!l) return Promise.resolve();
    userMoved = true;
    return toTransform(d3.zoomIdentity.translate(12 - (l.x - 16), 10 - (l.y - 8)), duration);
  }
  function fit(duration = 0): Promise<void> {
    return toTransform(fitTransform(), duration);
  }
  function focusNode(id: number, duration = 400): Promise<void> {
    const p = placed.get(id);
    if (!p) return Promise.resolve();
    userMoved = true;
    const k = Math.max(transform.k, 0.8);
    return toTransform(d3.zoomIdentity.translate(W() / 2 - p.x * k, H() / 2 - p.y * k).scale(k), duration);
  }

  function isVisible(id: number): boolean {
    const p = placed.get(id) as PlacedNode;
    const [x, y] = transform.apply([p.x, p.y]);
    return x > 40 && y > 40 && x < W() - 40 && y < H() - 40;
  }

  function select(id: number | null, o: { focus?: boolean } = {}): void {
    if (id !== null && !byId.has(id)) throw new Error(`graph: no node #${id}`);
    const prev = sel;
    sel = id;
    for (const x of [prev, id]) {
      if (x === null) continue;
      const i = nodeIndex.get(x) as number;
      if (x === id) nodeEl(i);
      paintNode(i);
      // The selection's edges (long ones included) are drawn on top of the others.
      for (const j of edgesAt.get(x) ?? []) {
        if (x === id) edgesG.append(edgeEl(j));
        paintEdge(j);
      }
    }
    if (id !== null) {
      live.text(describe(id, marks.get(id) ?? 'none'));
      if (o.focus !== false && !isVisible(id)) void focusNode(id, 300);
    }
    opts.onSelect?.(id);
  }

  stage.on('keydown', (ev: KeyboardEvent) => {
    const cur = sel ?? order[0];
    let next: number | undefined;
    switch (ev.key) {
      case 'ArrowRight':
        next = order[Math.min(order.length - 1, order.indexOf(cur) + (sel === null ? 0 : 1))];
        break;
      case 'ArrowLeft':
        next = order[Math.max(0, order.indexOf(cur) - 1)];
        break;
      case 'ArrowUp':
        next = byId.get(cur)?.inputs[0];
        break;
      case 'ArrowDown':
        next = consumers.get(cur)?.[0];
        break;
      case 'Enter':
        if (sel !== null) opts.onOpen?.(sel);
        break;
      case '+':
      case '=':
        void zoomBy(1.4);
        break;
      case '-':
        void zoomBy(1 / 1.4);
        break;
      case '0':
        void fit(250);
        break;
      case 'l':
      case 'L':
        toggleLong();
        break;
      case 'f':
      case 'F':
        if (sel !== null) void focusNode(sel);
        break;
      case 'Escape':
        select(null);
        break;
      default:
        return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    if (next !== undefined) select(next);
  });

  function setMarks(m: ReadonlyMap<number, NodeMark>): void {
    marks = m;
    // A first disagreement is always in the DOM (found by tests and assistive tools wherever it is).
    for (const [id, mk] of marks)
      if (mk === 'culprit' && nodeIndex.has(id)) nodeEl(nodeIndex.get(id) as number);
    for (let i = 0; i < nodeEls.length; i++) paintNode(i);
    markLegend.style('display', marks.size > 0 ? '' : 'none');
    drawMinimapBase();
    drawMinimap();
  }
  function highlight(ids: ReadonlySet<number> | null): void {
    highlighted = ids;
    setMarks(marks);
  }

  // Start readable: the whole graph when it fits at ≥ 85 % (digests ≥ 9.4 px), else the top-left (the
  // first ops) at 100 %, where op names are 12 px and digests 11 px on screen; Fit and the lane
  // buttons reach the rest. Re-applied when the canvas gets its real size (mounted before layout)
  // until the user moves it.
  function startView(): void {
    const t = fitTransform();
    stage.call(zoom.transform, t.k < 0.85 && nodes.length > 0 ? d3.zoomIdentity.translate(20, 10) : t);
    userMoved = false;
  }
  drawMinimapBase();
  startView();
  drawMinimap();
  return {
    layout,
    select,
    selected: () => sel,
    setMarks,
    highlight,
    focusNode,
    fit,
    goToLane,
    zoomTo,
    panBy,
    destroy() {
      resize?.disconnect();
      cancelAnimationFrame(mmFrame);
      if (idleJob) cancelIdleCallback(idleJob);
      stage.interrupt();
      root.remove();
    },
  };
}
