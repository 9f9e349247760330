/**
 * Layered layout of a step's computational graph with @dagrejs/dagre (pure: no DOM).
 *
 * A training step's tape has three phases whose edges are mostly local (each op reads the previous
 * few) plus many long edges (every backward VJP reads forward activations; every optimizer update
 * reads a gradient). Handing all of them to dagre costs seconds for a few hundred nodes, because each
 * long edge becomes a chain of dummy nodes that crossing minimisation has to order. So:
 *  - nodes go into lanes by phase (forward | backward | optimizer, side by side; a leaf joins the lane
 *    of its first consumer),
 *  - a lane is cut into chunks of consecutive tape nodes (at narrow points, `cutLane`), each laid
 *    out by dagre and stacked; chunks of equal shape are laid out once, and dagre's crossing
 *    minimisation runs through its `customOrder` hook on plain arrays (`barycenterOrder`),
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
  /**
   * Lay out chunks of the same shape once per graph (default true; the benchmark's reference runs
   * dagre on every chunk with false — the result is the same).
   */
  reuse?: boolean;
}

export interface PlacedNode {
  id: number;
  /** Centre. */
  x: number;
  y: number;
  w: number;
  h: number;
  lane: string;
  /** Index of the chunk (a run of consecutive tape nodes of one lane) the node was laid out in. */
  chunk: number;
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
  /** Chunks stacked, and dagre runs made for them (fewer when chunk shapes repeat). */
  chunks?: number;
  dagreRuns?: number;
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

interface ChunkShapeLayout {
  box: { w: number; h: number };
  /** Centre of node j (chunk-relative name j). */
  nodes: { x: number; y: number }[];
  /** [from j, to j, route] of each short edge. */
  edges: [number, number, { x: number; y: number }[]][];
}

/** The part of dagre's internal layered graph (real and dummy nodes, ranked) that ordering reads. */
interface LayerGraph {
  nodes(): string[];
  node(v: string): { rank?: number; order?: number };
  successors(v: string): string[] | undefined;
  outEdges(v: string): { v: string; w: string }[] | undefined;
  edge(e: { v: string; w: string }): { weight?: number } | undefined;
}

/**
 * Crossing minimisation for dagre's `customOrder` hook: dagre's own layer-by-layer barycenter
 * heuristic, step for step (depth-first initial order; alternating up/down sweeps; ties broken by
 * node name order, right-first, flipped after each tied layer in every other pair of sweeps; nodes
 * without neighbours on the swept side stay at their name index; the last of the best sweeps kept;
 * stop after 4 sweeps without improvement), on plain arrays. dagre builds a compound graph per layer
 * and sweep direction for this, about half of its time on our small chunks; chunks have no clusters
 * or constraints, so none of that machinery is needed and the order is the same.
 */
export function barycenterOrder(g: LayerGraph): void {
  const vs = g.nodes();
  const n = vs.length;
  if (n === 0) return;
  const index = new Map<string, number>(vs.map((v, i) => [v, i]));
  const rank = vs.map((v) => g.node(v).rank ?? 0);
  const maxRank = Math.max(...rank);
  const succ: number[][] = vs.map(() => []);
  const pred: number[][] = vs.map(() => []);
  const wSucc: number[][] = vs.map(() => []);
  const wPred: number[][] = vs.map(() => []);
  vs.forEach((v, a) => {
    for (const e of g.outEdges(v) ?? []) {
      const b = index.get(e.w) as number;
      const wt = g.edge(e)?.weight ?? 1;
      succ[a].push(b);
      wSucc[a].push(wt);
      pred[b].push(a);
      wPred[b].push(wt);
    }
  });
  // Each rank's nodes in name order (g.nodes() order): the tie-break and "stay" index.
  const byName: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  for (let v = 0; v < n; v++) byName[rank[v]].push(v);
  // Initial order: depth-first from the nodes in rank order (stable), successors in graph order.
  const layers: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  const seen = new Uint8Array(n);
  const byRank = vs.map((_, i) => i).sort((a, b) => rank[a] - rank[b] || a - b);
  const stack: number[] = [];
  for (const s of byRank) {
    stack.push(s);
    while (stack.length) {
      const v = stack.pop() as number;
      if (seen[v]) continue;
      seen[v] = 1;
      layers[rank[v]].push(v);
      const next = (g.successors(vs[v]) ?? []).map((w) => index.get(w) as number);
      for (let k = next.length - 1; k >= 0; k--) if (!seen[next[k]]) stack.push(next[k]);
    }
  }
  const pos = new Float64Array(n);
  const place = (l: number[]) => {
    l.forEach((v, i) => {
      pos[v] = i;
    });
  };
  for (const l of layers) place(l);

  let usedBias = false;
  const sortLayer = (r: number, nb: number[][], wt: number[][], biasRight: boolean): number[] => {
    const sortable: { v: number; bc: number; i: number }[] = [];
    const fixed: { v: number; i: number }[] = [];
    byName[r].forEach((v, i) => {
      let sum = 0;
      let wsum = 0;
      nb[v].forEach((u, k) => {
        sum += wt[v][k] * pos[u];
        wsum += wt[v][k];
      });
      if (nb[v].length > 0) sortable.push({ v, bc: sum / wsum, i });
      else fixed.push({ v, i });
    });
    // dagre counts a tie only between non-zero barycenters.
    for (let a = 0; a < sortable.length; a++)
      for (let b = a + 1; b < sortable.length; b++)
        if (sortable[a].bc && sortable[a].bc === sortable[b].bc) usedBias = true;
    sortable.sort((a, b) => a.bc - b.bc || (biasRight ? b.i - a.i : a.i - b.i));
    // Nodes without neighbours on that side keep their index; the others fill in around them.
    const out: number[] = [];
    let f = 0;
    while (f < fixed.length && fixed[f].i <= out.length) out.push(fixed[f++].v);
    for (const s of sortable) {
      out.push(s.v);
      while (f < fixed.length && fixed[f].i <= out.length) out.push(fixed[f++].v);
    }
    while (f < fixed.length) out.push(fixed[f++].v);
    return out;
  };
  const crossings = (): number => {
    let cc = 0;
    for (let r = 1; r <= maxRank; r++) {
      // Weighted edges between layers r−1 and r as (north pos, south pos), counted pairwise.
      const es: [number, number, number][] = [];
      for (const v of layers[r - 1])
        succ[v].forEach((w, k) => {
          if (rank[w] === r) es.push([pos[v], pos[w], wSucc[v][k]]);
        });
      for (let a = 0; a < es.length; a++)
        for (let b = a + 1; b < es.length; b++)
          if ((es[a][0] - es[b][0]) * (es[a][1] - es[b][1]) < 0) cc += es[a][2] * es[b][2];
    }
    return cc;
  };
  let best = layers.map((l) => [...l]);
  let bestCC = Number.POSITIVE_INFINITY;
  for (let i = 0, lastBest = 0; lastBest < 4; i++, lastBest++) {
    const down = i % 2 === 1;
    const switchBias = i % 4 >= 2;
    let biasRight = true;
    // Each layer is ordered by its neighbours' positions in the layer just ordered before it.
    const sweep = (r: number) => {
      usedBias = false;
      layers[r] = down ? sortLayer(r, pred, wPred, biasRight) : sortLayer(r, succ, wSucc, biasRight);
      place(layers[r]);
      if (switchBias && usedBias) biasRight = !biasRight;
    };
    if (down) for (let r = 1; r <= maxRank; r++) sweep(r);
    else for (let r = maxRank - 1; r >= 0; r--) sweep(r);
    const cc = crossings();
    if (cc <= bestCC) {
      if (cc < bestCC) lastBest = 0;
      bestCC = cc;
      best = layers.map((l) => [...l]);
    }
  }
  for (const l of best) {
    l.forEach((v, i) => {
      g.node(vs[v]).order = i;
    });
  }
}

/** One dagre run over a chunk whose nodes are named 0…count−1 in tape order. */
function layoutChunk(
  count: number,
  edges: readonly (readonly [number, number])[],
  w: number,
  h: number,
  ranker: NonNullable<LayoutOptions['ranker']>,
): ChunkShapeLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 34, edgesep: 8, marginx: 0, marginy: 0, ranker });
  g.setDefaultEdgeLabel(() => ({}));
  for (let j = 0; j < count; j++) g.setNode(String(j), { width: w, height: h });
  for (const [a, b] of edges) g.setEdge(String(a), String(b));
  dagre.layout(g, { customOrder: (lg) => barycenterOrder(lg as unknown as LayerGraph) });
  const label = g.graph() as { width?: number; height?: number };
  const nodes: { x: number; y: number }[] = [];
  for (let j = 0; j < count; j++) {
    const p = g.node(String(j)) as { x: number; y: number };
    nodes.push({ x: p.x, y: p.y });
  }
  const routes: ChunkShapeLayout['edges'] = g.edges().map((e) => {
    const pts = (g.edge(e) as { points?: { x: number; y: number }[] }).points ?? [];
    return [Number(e.v), Number(e.w), pts];
  });
  return { box: { w: label.width ?? w, h: label.height ?? h }, nodes, edges: routes };
}

/**
 * Cuts a lane (its nodes in tape order) into runs of at most `size` nodes, each ending where the
 * fewest nearby edges cross (searched over the last 40 % of the run). Cutting between blocks rather
 * than through them keeps more edges inside a chunk (drawn by dagre) and, in a graph made of repeated
 * blocks, makes the chunks repeat too, so their layouts are reused.
 */
export function cutLane<T extends LayoutInput>(list: readonly T[], size: number): T[][] {
  const pos = new Map<number, number>(list.map((n, p) => [n.id, p]));
  // cross[p]: edges from a position ≤ p to one > p, counting only edges shorter than a chunk.
  const diff = new Int32Array(list.length + 1);
  list.forEach((n, q) => {
    for (const i of n.inputs) {
      const p = pos.get(i);
      if (p === undefined || q - p > size) continue;
      diff[p]++;
      diff[q]--;
    }
  });
  const cross = new Int32Array(list.length);
  let run = 0;
  for (let p = 0; p < list.length; p++) {
    run += diff[p];
    cross[p] = run;
  }
  const out: T[][] = [];
  let start = 0;
  while (start < list.length) {
    let end = list.length - 1;
    if (list.length - start > size) {
      end = start + size - 1;
      for (let p = end - 1; p >= start + Math.ceil(size * 0.6) - 1; p--) if (cross[p] < cross[end]) end = p;
    }
    out.push(list.slice(start, end + 1));
    start = end + 1;
  }
  return out;
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

  // Chunks: runs of consecutive nodes of one lane, in tape order.
  const laneNodes = new Map<string, LayoutInput[]>();
  for (const n of sorted) {
    const l = lanes.get(n.id) as string;
    const list = laneNodes.get(l);
    if (list) list.push(n);
    else laneNodes.set(l, [n]);
  }
  const laneCount = new Map<string, number>([...laneNodes].map(([l, list]) => [l, list.length]));
  const chunkOf = new Map<number, string>();
  const chunks = new Map<string, { lane: string; nodes: LayoutInput[] }>();
  for (const [l, list] of laneNodes) {
    cutLane(list, chunkFor(l)).forEach((part, k) => {
      const key = `${l}#${k}`;
      chunks.set(key, { lane: l, nodes: part });
      for (const n of part) chunkOf.set(n.id, key);
    });
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

  // Each chunk is laid out by dagre under chunk-relative names (0, 1, … in tape order), so the
  // result depends only on the chunk's shape: its node count and its short edges in order. Training
  // graphs repeat the same block (layer after layer, parameter after parameter), so chunks of equal
  // shape are laid out once per graph and the result reused — the same numbers dagre would give.
  const local = new Map<number, { x: number; y: number }>();
  const routed = new Map<string, { x: number; y: number }[]>();
  const chunkBox = new Map<string, { w: number; h: number }>();
  const shapes = new Map<string, ChunkShapeLayout>();
  let dagreRuns = 0;
  for (const [key, c] of chunks) {
    const idx = new Map<number, number>(c.nodes.map((n, j) => [n.id, j]));
    const edges: [number, number][] = [];
    for (const n of c.nodes) {
      for (const i of n.inputs) {
        if (chunkOf.get(i) !== key) continue;
        if ((rank.get(n.id) as number) - (rank.get(i) as number) > maxSpan) continue;
        edges.push([idx.get(i) as number, idx.get(n.id) as number]);
      }
    }
    const shape = `${c.nodes.length}|${edges.join(';')}`;
    let s = opts.reuse === false ? undefined : shapes.get(shape);
    if (!s) {
      s = layoutChunk(c.nodes.length, edges, w, h, ranker);
      dagreRuns++;
      shapes.set(shape, s);
    }
    chunkBox.set(key, s.box);
    c.nodes.forEach((n, j) => {
      local.set(n.id, s.nodes[j]);
    });
    for (const [a, b, pts] of s.edges) routed.set(`${c.nodes[a].id}>${c.nodes[b].id}`, pts);
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

  const chunkIndex = new Map([...chunks.keys()].map((k, i) => [k, i]));
  const placed: PlacedNode[] = sorted.map((n) => {
    const key = chunkOf.get(n.id) as string;
    const o = offset.get(key) as { dx: number; dy: number };
    const p = local.get(n.id) as { x: number; y: number };
    const chunk = chunkIndex.get(key) as number;
    return { id: n.id, x: p.x + o.dx, y: p.y + o.dy, w, h, lane: lanes.get(n.id) as string, chunk };
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
    chunks: chunks.size,
    dagreRuns,
  };
}
