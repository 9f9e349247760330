/**
 * Layered layout of a step's computational graph with @dagrejs/dagre (pure: no DOM).
 *
 * A training step's tape has three phases whose edges are mostly local (each op reads the previous
 * few) plus many long edges (every backward VJP reads forward activations; every optimizer update
 * reads a gradient). Handing all of them to dagre costs seconds for a few hundred nodes, because each
 * long edge becomes a chain of dummy nodes that crossing minimisation has to order. So:
 *  - nodes go into lanes by phase (forward | backward | optimizer, side by side; a leaf joins the lane
 *    of its first consumer),
 *  - a lane is cut into chunks of consecutive tape nodes, each laid out by dagre and stacked,
 *  - dagre only sees edges inside a chunk spanning ≤ `maxSpan` ranks; the others are "long" edges,
 *    drawn as direct curves (and emphasised when an end is selected).
 * Tape ids are a topological order, so every edge points forward and layouts read top to bottom.
 */
import * as dagre from '@dagrejs/dagre';

export interface LayoutInput {
  id: number;
  inputs: readonly number[];
  phase: string;
}

export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  /** Max nodes per dagre run (bigger = nicer but superlinear time). */
  chunk?: number;
  /** Edges spanning more ranks than this are drawn as long edges. */
  maxSpan?: number;
  ranker?: 'network-simplex' | 'tight-tree' | 'longest-path';
  /** Use the structure cache (default true; benchmarks measure cold layouts with false). */
  cache?: boolean;
}

export interface PlacedNode {
  id: number;
  /** Centre. */
  x: number;
  y: number;
  w: number;
  h: number;
  lane: string;
}

export interface PlacedEdge {
  from: number;
  to: number;
  /** Routed by dagre (short edge) or a direct curve (long edge). */
  long: boolean;
  points: { x: number; y: number }[];
}

export interface Lane {
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
  count: number;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  lanes: Lane[];
  width: number;
  height: number;
  ms: number;
  /** Served from the structure cache (ms is then the lookup time). */
  cached?: boolean;
}

export const LANE_ORDER = ['forward', 'backward', 'optimizer'] as const;
const LANE_GAP = 90;
const CHUNK_GAP = 36;
const PAD = 40;
const LANE_HEAD = 34;

/** Which lane each node goes to: its phase; a leaf goes with its first consumer (else 'forward'). */
export function assignLanes(nodes: readonly LayoutInput[]): Map<number, string> {
  const lane = new Map<number, string>();
  const firstConsumer = new Map<number, string>();
  for (const n of nodes) {
    for (const i of n.inputs) if (!firstConsumer.has(i) && n.phase !== 'leaf') firstConsumer.set(i, n.phase);
  }
  for (const n of nodes) {
    const l = n.phase === 'leaf' ? (firstConsumer.get(n.id) ?? 'forward') : n.phase;
    lane.set(n.id, (LANE_ORDER as readonly string[]).includes(l) ? l : 'forward');
  }
  return lane;
}

function checkInput(nodes: readonly LayoutInput[]): void {
  const ids = new Set<number>();
  for (const n of nodes) {
    if (!Number.isInteger(n.id))
      throw new Error(`graph layout: node id ${JSON.stringify(n.id)} is not an integer`);
    if (ids.has(n.id)) throw new Error(`graph layout: duplicate node id ${n.id}`);
    ids.add(n.id);
  }
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (!ids.has(i)) throw new Error(`graph layout: node ${n.id} reads unknown input ${i}`);
      if (i >= n.id)
        throw new Error(`graph layout: node ${n.id} reads input ${i}, which is not earlier in tape order`);
    }
  }
}

/**
 * Layouts by graph structure: every step of a run has the same tape shape, so stepping through a
 * proof lays out once. Keyed by (ids, inputs, phases, options); a few recent graphs are kept.
 */
const cache = new Map<string, GraphLayout>();
const CACHE_SIZE = 8;

export function layoutGraph(nodes: readonly LayoutInput[], opts: LayoutOptions = {}): GraphLayout {
  const t0 = performance.now();
  const key = `${JSON.stringify(opts)}|${nodes.map((n) => `${n.id}:${n.phase}:${n.inputs.join(',')}`).join(';')}`;
  const hit = opts.cache === false ? undefined : cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return { ...hit, ms: performance.now() - t0, cached: true };
  }
  const fresh = computeLayout(nodes, opts, t0);
  if (opts.cache === false) return fresh;
  cache.set(key, fresh);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return fresh;
}

function computeLayout(nodes: readonly LayoutInput[], opts: LayoutOptions, t0: number): GraphLayout {
  checkInput(nodes);
  const w = opts.nodeWidth ?? 150;
  const h = opts.nodeHeight ?? 46;
  // Optimizer ops form many small independent groups (one per parameter) that dagre puts side by
  // side: smaller chunks stack them into a block instead of one very wide row.
  const chunkFor = (lane: string) => opts.chunk ?? (lane === 'optimizer' ? 18 : 36);
  const maxSpan = opts.maxSpan ?? 2;
  const ranker = opts.ranker ?? 'network-simplex';
  const lanes = assignLanes(nodes);
  const sorted = [...nodes].sort((a, b) => a.id - b.id);

  // Chunks: consecutive nodes of one lane, in tape order.
  const chunkOf = new Map<number, string>();
  const chunks = new Map<string, { lane: string; nodes: LayoutInput[] }>();
  const laneCount = new Map<string, number>();
  for (const n of sorted) {
    const l = lanes.get(n.id) as string;
    const k = laneCount.get(l) ?? 0;
    laneCount.set(l, k + 1);
    const key = `${l}#${Math.floor(k / chunkFor(l))}`;
    chunkOf.set(n.id, key);
    let c = chunks.get(key);
    if (!c) {
      c = { lane: l, nodes: [] };
      chunks.set(key, c);
    }
    c.nodes.push(n);
  }

  // Longest-path rank inside each chunk (over intra-chunk edges) decides which edges are short.
  // Sources (leaves) are then pulled down next to their first consumer, as network simplex would
  // place them, so a parameter leaf sits just above the op that reads it.
  const rank = new Map<number, number>();
  const hasIn = new Set<number>();
  for (const n of sorted) {
    let r = 0;
    for (const i of n.inputs) {
      if (chunkOf.get(i) !== chunkOf.get(n.id)) continue;
      r = Math.max(r, (rank.get(i) ?? 0) + 1);
      hasIn.add(n.id);
    }
    rank.set(n.id, r);
  }
  const pulled = new Map<number, number>();
  for (const n of sorted) {
    for (const i of n.inputs) {
      if (chunkOf.get(i) !== chunkOf.get(n.id) || hasIn.has(i)) continue;
      const want = (rank.get(n.id) as number) - 1;
      pulled.set(i, Math.min(pulled.get(i) ?? want, want));
    }
  }
  for (const [i, r] of pulled) rank.set(i, Math.max(0, r));

  const local = new Map<number, { x: number; y: number }>();
  const routed = new Map<string, { x: number; y: number }[]>();
  const chunkBox = new Map<string, { w: number; h: number }>();
  for (const [key, c] of chunks) {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 34, edgesep: 8, marginx: 0, marginy: 0, ranker });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of c.nodes) g.setNode(String(n.id), { width: w, height: h });
    for (const n of c.nodes) {
      for (const i of n.inputs) {
        if (chunkOf.get(i) !== key) continue;
        if ((rank.get(n.id) as number) - (rank.get(i) as number) > maxSpan) continue;
        g.setEdge(String(i), String(n.id));
      }
    }
    dagre.layout(g);
    const label = g.graph() as { width?: number; height?: number };
    chunkBox.set(key, { w: label.width ?? w, h: label.height ?? h });
    for (const n of c.nodes) {
      const p = g.node(String(n.id)) as { x: number; y: number };
      local.set(n.id, { x: p.x, y: p.y });
    }
    for (const e of g.edges()) {
      const pts = (g.edge(e) as { points?: { x: number; y: number }[] }).points ?? [];
      routed.set(`${e.v}>${e.w}`, pts);
    }
  }

  // Stack chunks per lane, lanes side by side.
  const laneNames = LANE_ORDER.filter((l) => laneCount.has(l));
  const outLanes: Lane[] = [];
  const offset = new Map<string, { dx: number; dy: number }>();
  let x = PAD;
  let maxH = 0;
  for (const l of laneNames) {
    const keys = [...chunks.keys()].filter((k) => chunks.get(k)?.lane === l);
    const laneW = Math.max(w, ...keys.map((k) => (chunkBox.get(k) as { w: number }).w));
    let y = PAD + LANE_HEAD;
    for (const k of keys) {
      const b = chunkBox.get(k) as { w: number; h: number };
      offset.set(k, { dx: x + (laneW - b.w) / 2, dy: y });
      y += b.h + CHUNK_GAP;
    }
    const laneH = y - CHUNK_GAP - PAD;
    outLanes.push({ name: l, x, y: PAD, w: laneW, h: laneH, count: laneCount.get(l) ?? 0 });
    maxH = Math.max(maxH, laneH);
    x += laneW + LANE_GAP;
  }

  const placed: PlacedNode[] = sorted.map((n) => {
    const key = chunkOf.get(n.id) as string;
    const o = offset.get(key) as { dx: number; dy: number };
    const p = local.get(n.id) as { x: number; y: number };
    return { id: n.id, x: p.x + o.dx, y: p.y + o.dy, w, h, lane: lanes.get(n.id) as string };
  });
  const byId = new Map(placed.map((p) => [p.id, p]));
  const edges: PlacedEdge[] = [];
  for (const n of sorted) {
    for (const i of n.inputs) {
      const pts = routed.get(`${i}>${n.id}`);
      if (pts && pts.length > 0) {
        const o = offset.get(chunkOf.get(n.id) as string) as { dx: number; dy: number };
        edges.push({
          from: i,
          to: n.id,
          long: false,
          points: pts.map((p) => ({ x: p.x + o.dx, y: p.y + o.dy })),
        });
      } else {
        const a = byId.get(i) as PlacedNode;
        const b = byId.get(n.id) as PlacedNode;
        edges.push({
          from: i,
          to: n.id,
          long: true,
          points: [
            { x: a.x, y: a.y + a.h / 2 },
            { x: b.x, y: b.y - b.h / 2 },
          ],
        });
      }
    }
  }
  return {
    nodes: placed,
    edges,
    lanes: outLanes,
    width: x - LANE_GAP + PAD,
    height: maxH + 2 * PAD,
    ms: performance.now() - t0,
  };
}
