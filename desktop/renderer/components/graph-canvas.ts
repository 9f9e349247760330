/**
 * The computational-graph canvas: a dagre layout (graph-layout.ts) drawn as SVG with d3, zoom/pan,
 * a minimap, selection, agree/disagree marks (colour AND a symbol + text, for colour-blind users and
 * screen readers) and keyboard navigation:
 *   ←/→ previous/next node in tape order, ↑ first input, ↓ first consumer, Enter open, +/− zoom,
 *   0 fit, F focus the selection.
 * Pure component: `mountGraphCanvas(el, data, opts)`; knows nothing about the backend.
 */
import * as d3 from 'd3';
import { fmtShape, shortDigest } from './format.ts';
import { type GraphLayout, type LayoutOptions, layoutGraph, type PlacedNode } from './graph-layout.ts';
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
  // it overscans the visible area and is panned with a CSS transform between commits (see `render`).
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
  const svg = stage.append('svg').attr('class', 'main').attr('aria-hidden', 'true');
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
  lanes
    .append('text')
    .attr('x', (l) => l.x)
    .attr('y', (l) => l.y + 14)
    .text((l) => `${l.name} · ${l.count}`);

  // Edges.
  const curve = d3
    .line<{ x: number; y: number }>()
    .x((p) => p.x)
    .y((p) => p.y)
    .curve(d3.curveBasis);
  const link = d3
    .linkVertical<unknown, { x: number; y: number }>()
    .x((p) => p.x)
    .y((p) => p.y);
  const edgeSel = viewport
    .append('g')
    .attr('class', 'edges')
    .selectAll<SVGPathElement, GraphLayout['edges'][number]>('path')
    .data(layout.edges)
    .join('path')
    .attr('class', (e) => (e.long ? 'edge long' : 'edge'))
    .attr('d', (e) => (e.long ? link({ source: e.points[0], target: e.points[1] }) : curve(e.points)) ?? '');

  // Nodes.
  const nodeSel = viewport
    .append('g')
    .attr('class', 'nodes')
    .selectAll<SVGGElement, PlacedNode>('g')
    .data(layout.nodes, (p) => String(p.id))
    .join('g')
    .attr('class', (p) => `node ph-${(byId.get(p.id) as CanvasNode).phase}`)
    .attr('data-id', (p) => p.id)
    .attr('transform', (p) => `translate(${p.x - p.w / 2},${p.y - p.h / 2})`);
  nodeSel
    .append('rect')
    .attr('class', 'body')
    .attr('width', (p) => p.w)
    .attr('height', (p) => p.h);
  nodeSel
    .append('rect')
    .attr('class', 'stripe')
    .attr('width', 4)
    .attr('height', (p) => p.h - 8)
    .attr('x', 4)
    .attr('y', 4);
  nodeSel
    .append('text')
    .attr('class', 'op')
    .attr('x', 14)
    .attr('y', 17)
    .text((p) => {
      const n = byId.get(p.id) as CanvasNode;
      const t = nodeTitle(n);
      return t.length > 17 ? `${t.slice(0, 16)}…` : t;
    });
  nodeSel
    .append('text')
    .attr('class', 'sub')
    .attr('x', 14)
    .attr('y', 33)
    .text((p) => {
      const n = byId.get(p.id) as CanvasNode;
      return `#${n.id} ${fmtShape(n.shape)} ${n.digest ? shortDigest(n.digest, 6) : ''}`;
    });
  nodeSel
    .append('text')
    .attr('class', 'mark')
    .attr('x', (p) => p.w - 8)
    .attr('y', 17)
    .attr('text-anchor', 'end');
  nodeSel.append('title').text((p) => describe(p.id));

  function describe(id: number, mark: NodeMark = 'none'): string {
    const n = byId.get(id) as CanvasNode;
    const m = mark !== 'none' ? ` — ${MARK_TEXT[mark]}` : '';
    return `#${n.id} ${nodeTitle(n)} (${n.phase}) shape ${fmtShape(n.shape)}${n.digest ? ` digest ${shortDigest(n.digest, 12)}` : ''}${m}`;
  }

  // Minimap: a canvas of the whole layout plus the visible rectangle.
  // Size cached (ResizeObserver): reading clientWidth in every zoom event would force a synchronous
  // layout of the whole SVG each frame.
  const stageEl = stage.node() as HTMLDivElement;
  let size = { w: stageEl.clientWidth || 800, h: stageEl.clientHeight || 500 };
  const W = () => size.w;
  const H = () => size.h;
  // Overscan: the SVG extends OVER × the visible size beyond each edge.
  const OVER = 0.5;
  const MX = () => Math.round(W() * OVER);
  const MY = () => Math.round(H() * OVER);
  const placeSvg = () => {
    svg
      .attr('width', W() + 2 * MX())
      .attr('height', H() + 2 * MY())
      .style('left', `${-MX()}px`)
      .style('top', `${-MY()}px`)
      .style('transform-origin', `${MX()}px ${MY()}px`);
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
  let marks: ReadonlyMap<number, NodeMark> = new Map();
  let highlighted: ReadonlySet<number> | null = null;
  let sel: number | null = null;
  let transform = d3.zoomIdentity;

  // The minimap's node layer is drawn once per marks/highlight change into an offscreen canvas;
  // zoom events only blit it and draw the visible rectangle.
  const mmBase = el.ownerDocument.createElement('canvas');
  mmBase.width = mmW;
  mmBase.height = mmH;
  function drawMinimapBase(): void {
    const ctx = mmBase.getContext('2d');
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
  function drawMinimap(): void {
    if (!minimap) return;
    const ctx = (minimap.node() as HTMLCanvasElement).getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, mmW, mmH);
    ctx.drawImage(mmBase, 0, 0);
    // Visible rectangle in layout coordinates.
    const [x0, y0] = transform.invert([0, 0]);
    const [x1, y1] = transform.invert([W(), H()]);
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x0 * mmScale, y0 * mmScale, (x1 - x0) * mmScale, (y1 - y0) * mmScale);
  }

  // Viewport culling: only elements near the visible rectangle are displayed, so pan/zoom cost
  // follows what is on screen, not the graph size (1 000-op graphs stay smooth).
  const nodeEls = nodeSel.nodes();
  const edgeEls = edgeSel.nodes();
  const nodeBox = layout.nodes.map((p) => [p.x - p.w / 2, p.y - p.h / 2, p.x + p.w / 2, p.y + p.h / 2]);
  const edgeBox = layout.edges.map((e) => {
    const xs = e.points.map((q) => q.x);
    const ys = e.points.map((q) => q.y);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  });
  const nodeShown = new Uint8Array(nodeEls.length).fill(1);
  const edgeShown = new Uint8Array(edgeEls.length).fill(1);
  function cull(): void {
    const m = 120 / committed.k;
    const [x0, y0] = committed.invert([-MX(), -MY()]);
    const [x1, y1] = committed.invert([W() + MX(), H() + MY()]);
    const vis = (b: number[]) => b[2] >= x0 - m && b[0] <= x1 + m && b[3] >= y0 - m && b[1] <= y1 + m;
    for (let i = 0; i < nodeEls.length; i++) {
      const v = vis(nodeBox[i]) ? 1 : 0;
      if (v !== nodeShown[i]) {
        nodeShown[i] = v;
        nodeEls[i].style.display = v ? '' : 'none';
      }
    }
    for (let i = 0; i < edgeEls.length; i++) {
      const v = vis(edgeBox[i]) ? 1 : 0;
      if (v !== edgeShown[i]) {
        edgeShown[i] = v;
        edgeEls[i].classList.toggle('off', !v);
      }
    }
  }

  // Rendering: the SVG's <g> carries the *committed* transform and overscans the visible area; a pan
  // that keeps the scale only moves the SVG with a CSS transform (composited: no repaint, no layout)
  // until it would leave the overscan or settles for 150 ms — then it is committed (one repaint).
  let committed = d3.zoomIdentity;
  let userMoved = false;
  let lod = '';
  let commitTimer: ReturnType<typeof setTimeout> | undefined;
  function commit(): void {
    clearTimeout(commitTimer);
    committed = transform;
    viewport.attr(
      'transform',
      `translate(${committed.x + MX()},${committed.y + MY()}) scale(${committed.k})`,
    );
    svg.style('transform', null);
    cull();
    // Level of detail: text is unreadable below ~40 % and costs most of the paint time.
    const next = committed.k < 0.4 ? 'low' : 'high';
    if (next !== lod) {
      lod = next;
      root.classed('lod-low', lod === 'low');
    }
  }
  function render(): void {
    // The CSS transform T(s) = r·s + (tx, ty) (stage coordinates) maps the committed picture onto
    // the current transform; it is used while the visible area stays inside the overscan and the
    // scale within [0.6, 1.8] of the committed one (a zoom shows a scaled bitmap until it settles).
    const r = transform.k / committed.k;
    const tx = transform.x - r * committed.x;
    const ty = transform.y - r * committed.y;
    const inside =
      -tx / r >= -MX() && (W() - tx) / r <= W() + MX() && -ty / r >= -MY() && (H() - ty) / r <= H() + MY();
    if (r > 0.6 && r < 1.8 && inside) {
      svg.style('transform', `translate3d(${tx}px,${ty}px,0) scale(${r})`);
      clearTimeout(commitTimer);
      commitTimer = setTimeout(commit, 150);
    } else commit();
  }

  const zoom = d3
    .zoom<HTMLDivElement, unknown>()
    .scaleExtent([0.03, 3])
    // Linear interpolation: a programmatic pan stays a pure translation (d3's default fly-to
    // interpolation zooms out and back in, re-rendering the whole graph mid-pan).
    .interpolate(d3.interpolate)
    .on('zoom', (ev: d3.D3ZoomEvent<HTMLDivElement, unknown>) => {
      transform = ev.transform;
      if (ev.sourceEvent) userMoved = true;
      render();
      drawMinimap();
    });
  stage.call(zoom).on('dblclick.zoom', null);

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
  const btn = (label: string, title: string, fn: () => void) =>
    ctl
      .append('button')
      .attr('class', 'pp-btn')
      .attr('type', 'button')
      .attr('title', title)
      .attr('aria-label', title)
      .text(label)
      .on('click', fn);
  btn('+', 'Zoom in (+)', () => void zoomBy(1.4));
  btn('−', 'Zoom out (−)', () => void zoomBy(1 / 1.4));
  btn('Fit', 'Fit graph (0)', () => void fit());
  // Long edges (forward activations read by VJPs, gradients read by the optimizer) cross the whole
  // picture: hidden by default, shown for the selected op, or all with this toggle (L).
  const longBtn = btn('⤳', 'Show all long edges (L)', () => toggleLong()).attr('aria-pressed', 'false');
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

  function transition(duration: number): Promise<void> {
    return new Promise((resolve) => {
      if (duration <= 0) return resolve();
      setTimeout(resolve, duration + 30);
    });
  }
  function zoomBy(f: number, duration = 200): Promise<void> {
    userMoved = true;
    stage.transition().duration(duration).call(zoom.scaleBy, f);
    return transition(duration);
  }
  function zoomTo(k: number, duration = 600): Promise<void> {
    userMoved = true;
    stage.transition().duration(duration).ease(d3.easeLinear).call(zoom.scaleTo, k);
    return transition(duration);
  }
  function panBy(dx: number, dy: number, duration = 600): Promise<void> {
    userMoved = true;
    stage
      .transition()
      .duration(duration)
      .ease(d3.easeLinear)
      .call(zoom.translateBy, dx / transform.k, dy / transform.k);
    return transition(duration);
  }
  function fit(duration = 0): Promise<void> {
    userMoved = true;
    const k = Math.min(W() / layout.width, H() / layout.height, 1) * 0.95;
    const t = d3.zoomIdentity.translate((W() - layout.width * k) / 2, (H() - layout.height * k) / 2).scale(k);
    if (duration > 0) stage.transition().duration(duration).call(zoom.transform, t);
    else stage.call(zoom.transform, t);
    return transition(duration);
  }
  function focusNode(id: number, duration = 400): Promise<void> {
    userMoved = true;
    const p = placed.get(id);
    if (!p) return Promise.resolve();
    const k = Math.max(transform.k, 0.8);
    const t = d3.zoomIdentity.translate(W() / 2 - p.x * k, H() / 2 - p.y * k).scale(k);
    if (duration > 0) stage.transition().duration(duration).call(zoom.transform, t);
    else stage.call(zoom.transform, t);
    return transition(duration);
  }

  function isVisible(id: number): boolean {
    const p = placed.get(id) as PlacedNode;
    const [x, y] = transform.apply([p.x, p.y]);
    return x > 40 && y > 40 && x < W() - 40 && y < H() - 40;
  }

  function select(id: number | null, o: { focus?: boolean } = {}): void {
    if (id !== null && !byId.has(id)) throw new Error(`graph: no node #${id}`);
    sel = id;
    nodeSel.classed('sel', (p) => p.id === id).attr('aria-selected', (p) => (p.id === id ? 'true' : null));
    const near =
      id === null ? null : new Set([id, ...(byId.get(id)?.inputs ?? []), ...(consumers.get(id) ?? [])]);
    edgeSel.classed('hl', (e) => id !== null && (e.from === id || e.to === id));
    if (near) edgeSel.filter('.hl').raise();
    if (id !== null) {
      live.text(describe(id, marks.get(id) ?? 'none'));
      if (o.focus !== false && !isVisible(id)) void focusNode(id, 300);
    }
    opts.onSelect?.(id);
  }

  nodeSel.on('click', (_ev, p) => {
    select(p.id, { focus: false });
    stageEl.focus({ preventScroll: true });
  });
  nodeSel.on('dblclick', (_ev, p) => opts.onOpen?.(p.id));

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
    nodeSel
      .attr('class', (p) => {
        const mk = marks.get(p.id) ?? 'none';
        return `node ph-${(byId.get(p.id) as CanvasNode).phase}${mk !== 'none' ? ` m-${mk}` : ''}${p.id === sel ? ' sel' : ''}${highlighted?.has(p.id) ? ' hl' : ''}${highlighted && !highlighted.has(p.id) ? ' dim' : ''}`;
      })
      .attr('data-mark', (p) => marks.get(p.id) ?? 'none');
    nodeSel.select('text.mark').text((p) => {
      const mk = marks.get(p.id) ?? 'none';
      return mk === 'culprit' ? '◆ ✗' : MARK_SYMBOL[mk];
    });
    nodeSel.select('text.op').text((p) => {
      const n = byId.get(p.id) as CanvasNode;
      const t = nodeTitle(n);
      const max = (marks.get(p.id) ?? 'none') === 'culprit' ? 14 : 17;
      return t.length > max ? `${t.slice(0, max - 1)}…` : t;
    });
    markLegend.style('display', marks.size > 0 ? '' : 'none');
    nodeSel.select('title').text((p) => describe(p.id, marks.get(p.id) ?? 'none'));
    drawMinimapBase();
    drawMinimap();
  }
  function highlight(ids: ReadonlySet<number> | null): void {
    highlighted = ids;
    setMarks(marks);
  }

  // Start readable: the whole graph when it fits at ≥ 50 %, else the top-left (the first ops) at 70 %.
  // Re-applied when the canvas gets its real size (mounted before layout) until the user moves it.
  function startView(): void {
    fit(0);
    if (transform.k < 0.5 && nodes.length > 0)
      stage.call(zoom.transform, d3.zoomIdentity.translate(20, 10).scale(0.7));
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
    zoomTo,
    panBy,
    destroy() {
      resize?.disconnect();
      clearTimeout(commitTimer);
      stage.interrupt();
      root.remove();
    },
  };
}
