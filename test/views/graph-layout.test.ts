/**
 * The parts of the graph layout that make a 1 000-op step fast: lane cutting at narrow points, reuse
 * of chunk layouts of equal shape, and the barycenter ordering given to dagre. Oracles: brute-force
 * edge counts, the layout computed without reuse (one dagre run per chunk), crossing counts by pairs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as dagre from '@dagrejs/dagre';
import fc from 'fast-check';
import {
  barycenterOrder,
  cutLane,
  type LayoutInput,
  layoutGraph,
} from '../../desktop/renderer/components/graph-layout.ts';
import { syntheticTrace } from '../../desktop/renderer/views/playground-data.ts';

/** A chain of `blocks` identical blocks of `per` nodes; each node reads the previous one or two. */
function blockChain(blocks: number, per: number): LayoutInput[] {
  const out: LayoutInput[] = [];
  for (let b = 0; b < blocks; b++) {
    for (let j = 0; j < per; j++) {
      const id = b * per + j;
      const inputs = j === 0 ? (id > 0 ? [id - 1] : []) : j === 1 ? [id - 1] : [id - 1, id - 2];
      out.push({ id, inputs, phase: 'forward' });
    }
  }
  return out;
}

/** Edges a → b (positions in `list`, b − a ≤ size) crossing the cut after position p. */
function crossingCut(list: readonly LayoutInput[], p: number, size: number): number {
  const pos = new Map(list.map((n, i) => [n.id, i]));
  let c = 0;
  list.forEach((n, q) => {
    for (const i of n.inputs) {
      const a = pos.get(i);
      if (a !== undefined && q - a <= size && a <= p && q > p) c++;
    }
  });
  return c;
}

describe('lane cutting', () => {
  it('partitions the lane in order into runs of at most `size`, each ending at the narrowest cut of its window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, size, seed) => {
          let s = seed || 1;
          const rnd = () => {
            s = (s * 48271) % 2147483647;
            return s / 2147483647;
          };
          const list: LayoutInput[] = Array.from({ length: n }, (_, id) => ({
            id: id * 3, // ids need not be dense
            inputs:
              id === 0
                ? []
                : Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => 3 * Math.floor(rnd() * id)),
            phase: 'forward',
          }));
          const parts = cutLane(list, size);
          assert.deepEqual(parts.flat(), list);
          let start = 0;
          for (const [k, part] of parts.entries()) {
            assert.ok(part.length >= 1 && part.length <= size);
            const end = start + part.length - 1;
            if (k < parts.length - 1) {
              // No cut in the searched window [start + ⌈0.6·size⌉ − 1, start + size − 1] is narrower.
              for (let p = start + Math.ceil(size * 0.6) - 1; p <= start + size - 1; p++)
                assert.ok(crossingCut(list, p, size) >= crossingCut(list, end, size), `cut ${end} vs ${p}`);
            }
            start = end + 1;
          }
        },
      ),
      { numRuns: 60 },
    );
  });
  it('cuts a chain of repeated blocks between blocks', () => {
    const list = blockChain(20, 5); // a block's first node reads only the previous node
    const parts = cutLane(list, 36);
    for (const part of parts.slice(0, -1)) assert.equal(part.length % 5, 0, `run of ${part.length}`);
  });
});

describe('chunk layout reuse', () => {
  it('gives exactly the layout of one dagre run per chunk, with fewer runs on repeated blocks', () => {
    for (const t of [syntheticTrace(3), syntheticTrace(9), blockChain(30, 7)]) {
      const reused = layoutGraph(t, { cache: false });
      const each = layoutGraph(t, { cache: false, reuse: false });
      assert.deepEqual({ ...reused, ms: 0 }, { ...each, ms: 0, dagreRuns: reused.dagreRuns });
      assert.equal(each.dagreRuns, each.chunks);
      assert.ok((reused.dagreRuns ?? 0) <= (reused.chunks ?? 0));
    }
    const big = layoutGraph(syntheticTrace(40), { cache: false });
    assert.ok((big.dagreRuns ?? 0) * 3 < (big.chunks ?? 0), `${big.dagreRuns} runs for ${big.chunks} chunks`);
  });
});

/** A ranked layered graph as dagre's ordering step sees it. */
function layered(ranks: string[][], edges: [string, string][]) {
  const label = new Map<string, { rank: number; order?: number }>();
  ranks.forEach((vs, r) => {
    for (const v of vs) label.set(v, { rank: r });
  });
  return {
    label,
    g: {
      nodes: () => [...label.keys()],
      node: (v: string) => label.get(v) as { rank: number; order?: number },
      successors: (v: string) => edges.filter(([a]) => a === v).map(([, b]) => b),
      outEdges: (v: string) => edges.filter(([a]) => a === v).map(([a, b]) => ({ v: a, w: b })),
      edge: () => ({ weight: 1 }),
    },
  };
}

function crossingsOf(
  label: Map<string, { rank: number; order?: number }>,
  edges: [string, string][],
): number {
  let c = 0;
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const [a, b] = edges[i].map((v) => label.get(v) as { rank: number; order: number });
      const [c2, d] = edges[j].map((v) => label.get(v) as { rank: number; order: number });
      if (a.rank === c2.rank && (a.order - c2.order) * (b.order - d.order) < 0) c++;
    }
  }
  return c;
}

/** The depth-first start order (as dagre's initOrder): ranks in order, successors in edge order. */
function dfsOrder(ranks: string[][], edges: [string, string][]) {
  const rankOf = new Map(ranks.flatMap((vs, r) => vs.map((v) => [v, r] as const)));
  const start = new Map<string, { rank: number; order: number }>();
  const layers: string[][] = ranks.map(() => []);
  const seen = new Set<string>();
  const visit = (v: string) => {
    if (seen.has(v)) return;
    seen.add(v);
    const r = rankOf.get(v) as number;
    layers[r].push(v);
    start.set(v, { rank: r, order: layers[r].length - 1 });
    for (const [a, b] of edges) if (a === v) visit(b);
  };
  for (const v of ranks.flat()) visit(v);
  return start;
}

describe('barycenter ordering (dagre customOrder)', () => {
  it('orders every rank as a permutation and untangles a crossing that has a planar order', () => {
    // Depth-first start: [a, b, c] over [x, y] — c→x crosses b→y; [a, c, b] has no crossing.
    const ranks = [
      ['a', 'b', 'c'],
      ['x', 'y'],
      ['p', 'q'],
    ];
    const edges: [string, string][] = [
      ['a', 'x'],
      ['b', 'y'],
      ['c', 'x'],
      ['x', 'p'],
      ['y', 'q'],
    ];
    assert.equal(crossingsOf(dfsOrder(ranks, edges), edges), 1);
    const { g, label } = layered(ranks, edges);
    barycenterOrder(g);
    for (const r of [0, 1, 2]) {
      const orders = [...label.values()].filter((l) => l.rank === r).map((l) => l.order);
      assert.deepEqual(
        [...orders].sort(),
        orders.map((_, i) => i),
      );
    }
    assert.equal(crossingsOf(label, edges), 0);
  });
  it('orders exactly as dagre itself: the same layout on random DAGs with and without the hook', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 60 }),
        (count, picks) => {
          const edges = [
            ...new Set(
              picks
                .map(([a, b]) => [a % count, b % count])
                .filter(([a, b]) => a < b)
                .map(([a, b]) => `${a}>${b}`),
            ),
          ].map((e) => e.split('>'));
          const run = (hook: boolean) => {
            const g = new dagre.graphlib.Graph();
            g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 34, edgesep: 8 });
            g.setDefaultEdgeLabel(() => ({}));
            for (let j = 0; j < count; j++) g.setNode(String(j), { width: 150, height: 46 });
            for (const [a, b] of edges) g.setEdge(a, b);
            dagre.layout(g, hook ? { customOrder: (lg) => barycenterOrder(lg as never) } : {});
            return {
              nodes: g.nodes().map((v) => [v, g.node(v).x, g.node(v).y]),
              edges: g.edges().map((e) => g.edge(e).points),
            };
          };
          assert.deepEqual(run(true), run(false));
        },
      ),
      { numRuns: 60 },
    );
  });
});
