/**
 * Pure models behind the views: tensor stats/histogram/heat-map shape, trace comparison, graph
 * layout invariants, ledger flows and balance changes. Oracles are independent recomputations
 * (brute-force loops, direct definitions) and fast-check properties.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareTraces } from '../../desktop/renderer/components/compare.ts';
import { fmtDelta, fmtInt, fmtNum, shortDigest } from '../../desktop/renderer/components/format.ts';
import { assignLanes, layoutGraph } from '../../desktop/renderer/components/graph-layout.ts';
import { balanceChanges, flowGraph, parsePocket } from '../../desktop/renderer/components/ledger-model.ts';
import { heatShape, histogram, tensorStats } from '../../desktop/renderer/components/stats.ts';
import { syntheticTrace, tamperTrace } from '../../desktop/renderer/views/playground-data.ts';

const f32 = fc.float({ noNaN: false, noDefaultInfinity: false });

describe('tensor stats', () => {
  it('match a direct computation over finite values', () => {
    fc.assert(
      fc.property(fc.array(f32, { maxLength: 200 }), (xs) => {
        const s = tensorStats(xs);
        const fin = xs.filter(Number.isFinite);
        assert.equal(s.count, xs.length);
        assert.equal(s.finite, fin.length);
        assert.equal(s.nans, xs.filter(Number.isNaN).length);
        assert.equal(s.infs, xs.length - fin.length - s.nans);
        assert.equal(s.zeros, fin.filter((v) => v === 0).length);
        if (fin.length === 0) {
          assert.ok(Number.isNaN(s.mean) && Number.isNaN(s.min));
          return;
        }
        assert.equal(s.min, Math.min(...fin));
        assert.equal(s.max, Math.max(...fin));
        const mean = fin.reduce((a, b) => a + b, 0) / fin.length;
        assert.ok(Math.abs(s.mean - mean) <= 1e-9 * Math.max(1, Math.abs(mean)) || !Number.isFinite(mean));
      }),
    );
  });
  it('orders −0 below +0 like Math.min/max', () => {
    for (const xs of [
      [0, -0],
      [-0, 0],
      [-0, 0, -0],
    ]) {
      const s = tensorStats(xs);
      assert.ok(Object.is(s.min, -0) && Object.is(s.max, 0), JSON.stringify(xs));
    }
  });
  it('std of a constant is 0, of ±1 is 1', () => {
    assert.equal(tensorStats([3, 3, 3]).std, 0);
    assert.equal(tensorStats([1, -1, 1, -1]).std, 1);
    assert.equal(tensorStats([3, 4]).l2, 5);
  });
});

describe('histogram', () => {
  it('counts every finite value exactly once, in the bin that contains it', () => {
    fc.assert(
      fc.property(fc.array(f32, { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (xs, bins) => {
        const h = histogram(xs, bins);
        const fin = xs.filter(Number.isFinite);
        assert.equal(
          h.reduce((a, b) => a + b.count, 0),
          fin.length,
        );
        if (fin.length === 0) return assert.equal(h.length, 0);
        const lo = Math.min(...fin);
        const hi = Math.max(...fin);
        if (lo === hi) return assert.deepEqual(h, [{ x0: lo, x1: hi, count: fin.length }]);
        assert.equal(h.length, bins);
        assert.equal(h[0].x0, lo);
        assert.equal(h[h.length - 1].x1, hi);
        // Oracle: count per bin by the bin edges directly (last bin closed).
        for (const [i, b] of h.entries()) {
          const last = i === h.length - 1;
          const n = fin.filter((v) => v >= b.x0 && (last ? v <= b.x1 : v < b.x1)).length;
          // Floating edges may move a value sitting exactly on an edge by one bin; totals are exact.
          assert.ok(Math.abs(n - b.count) <= fin.filter((v) => v === b.x0 || v === b.x1).length, `bin ${i}`);
        }
      }),
    );
  });
  it('puts a value in the bin its drawn edges contain, even when the division rounds', () => {
    // fast-check counterexample: (−tiny − min) / width rounds to 1.0, yet −tiny < 0 = bin 0's upper edge.
    const M = 3.4028181929587916e38;
    const tiny = 1.401298464324817e-45;
    assert.deepEqual(
      histogram([-M, -tiny, M, -tiny], 2).map((b) => b.count),
      [3, 1],
    );
  });
  it('rejects a bad bin count with a clear error', () => {
    assert.throws(() => histogram([1, 2], 0), /bins must be a positive integer/);
  });
});

describe('heat map shape', () => {
  it('folds leading dimensions into rows', () => {
    assert.deepEqual(heatShape([]), [1, 1]);
    assert.deepEqual(heatShape([7]), [1, 7]);
    assert.deepEqual(heatShape([3, 4]), [3, 4]);
    assert.deepEqual(heatShape([2, 3, 4]), [6, 4]);
  });
});

describe('formatters', () => {
  it('format digests, numbers and deltas', () => {
    assert.equal(shortDigest('abcdef0123456789'), 'abcdef01');
    assert.equal(shortDigest(null), '—');
    assert.equal(fmtNum(0.5562398433685303), '0.55624');
    assert.equal(fmtNum(-0), '-0');
    assert.equal(fmtNum(Number.NaN), 'NaN');
    assert.equal(fmtInt(1234567), '1\u202f234\u202f567');
    assert.equal(fmtDelta(-80), '−80');
    assert.equal(fmtDelta(40), '+40');
    assert.equal(fmtDelta(0), '±0');
  });
});

describe('trace comparison', () => {
  it('finds the first tampered node and marks exactly the changed nodes', () => {
    const a = syntheticTrace(3);
    for (const from of [5, 20, a.length - 1]) {
      const b = tamperTrace(a, from);
      const c = compareTraces(a, b);
      const changed = a.filter((n, i) => n.digest !== b[i].digest).map((n) => n.id);
      assert.equal(c.disagree, changed.length);
      assert.equal(c.first, changed[0] ?? null);
      assert.equal(c.marks.get(changed[0]), 'culprit');
      for (const n of a) if (!changed.includes(n.id)) assert.equal(c.marks.get(n.id), 'agree');
      // The first disagreement is always a source: all of its inputs agree.
      assert.ok(c.sources.includes(changed[0]));
    }
  });
  it('identical traces agree everywhere', () => {
    const a = syntheticTrace(2);
    const c = compareTraces(a, a);
    assert.equal(c.first, null);
    assert.equal(c.disagree, 0);
  });
  it('refuses traces of different graphs with a clear error', () => {
    assert.throws(() => compareTraces(syntheticTrace(2), syntheticTrace(3)), /not the same step graph/);
  });
});

describe('graph layout', () => {
  it('places every node once, without overlaps, lanes left to right by phase', () => {
    const t = syntheticTrace(6);
    const L = layoutGraph(t);
    assert.equal(L.nodes.length, t.length);
    assert.equal(new Set(L.nodes.map((n) => n.id)).size, t.length);
    const edges = t.reduce((a, n) => a + n.inputs.length, 0);
    assert.equal(L.edges.length, edges);
    // No two node boxes overlap.
    const ns = [...L.nodes].sort((a, b) => a.x - b.x);
    for (let i = 0; i < ns.length; i++) {
      for (let j = i + 1; j < ns.length && ns[j].x - ns[i].x < ns[i].w; j++) {
        const a = ns[i];
        const b = ns[j];
        const overlap =
          Math.abs(a.x - b.x) < (a.w + b.w) / 2 - 0.5 && Math.abs(a.y - b.y) < (a.h + b.h) / 2 - 0.5;
        assert.ok(!overlap, `#${a.id} overlaps #${b.id}`);
      }
    }
    // Inside the layout bounds.
    for (const n of L.nodes)
      assert.ok(
        n.x - n.w / 2 >= 0 && n.x + n.w / 2 <= L.width && n.y + n.h / 2 <= L.height,
        `#${n.id} out of bounds`,
      );
    // Lanes in phase order, each node inside its lane's column.
    assert.deepEqual(
      L.lanes.map((l) => l.name),
      ['forward', 'backward', 'optimizer'],
    );
    for (const n of L.nodes) {
      const lane = L.lanes.find((l) => l.name === n.lane);
      assert.ok(lane && n.x >= lane.x && n.x <= lane.x + lane.w, `#${n.id} in lane ${n.lane}`);
    }
  });
  it('short edges point downward (tape order is topological)', () => {
    const L = layoutGraph(syntheticTrace(4));
    const byId = new Map(L.nodes.map((n) => [n.id, n]));
    for (const e of L.edges.filter((x) => !x.long))
      assert.ok((byId.get(e.from)?.y ?? 0) < (byId.get(e.to)?.y ?? 0), `${e.from}→${e.to}`);
  });
  it('leaves join the lane of their first consumer', () => {
    const t = syntheticTrace(2);
    const lanes = assignLanes(t);
    for (const n of t.filter((x) => x.phase === 'leaf')) {
      const consumer = t.find((m) => m.inputs.includes(n.id) && m.phase !== 'leaf');
      assert.equal(lanes.get(n.id), consumer?.phase ?? 'forward', n.label);
    }
  });
  it('rejects malformed graphs naming the node', () => {
    assert.throws(
      () =>
        layoutGraph([
          { id: 0, inputs: [1], phase: 'forward' },
          { id: 1, inputs: [], phase: 'leaf' },
        ]),
      /node 0 reads input 1, which is not earlier/,
    );
    assert.throws(
      () => layoutGraph([{ id: 0, inputs: [5], phase: 'forward' }]),
      /node 0 reads unknown input 5/,
    );
    assert.throws(
      () =>
        layoutGraph([
          { id: 0, inputs: [], phase: 'leaf' },
          { id: 0, inputs: [], phase: 'leaf' },
        ]),
      /duplicate node id 0/,
    );
  });
});

describe('ledger flows', () => {
  const names = new Map([
    ['carol', 'Carol (cheating solver)'],
    ['erin', 'Erin (whistleblower)'],
  ]);
  it('aggregates moves and conserves the total on both sides', () => {
    const moves = [
      { from: 'stake:3@carol', to: 'erin', amount: 40, reason: 'slash.jackpot' },
      { from: 'stake:3@carol', to: 'treasury', amount: 16, reason: 'slash.treasury' },
      { from: 'stake:3@carol', to: 'carol', amount: 20, reason: 'stake.return' },
      { from: 'stake:4@erin', to: 'erin', amount: 60, reason: 'stake.return' },
      { from: 'stake:3@carol', to: 'erin', amount: 4, reason: 'slash.compensation' },
    ];
    const g = flowGraph(moves, names);
    const total = moves.reduce((a, m) => a + m.amount, 0);
    assert.equal(g.total, total);
    assert.equal(
      g.sources.reduce((a, s) => a + s.total, 0),
      total,
    );
    assert.equal(
      g.targets.reduce((a, s) => a + s.total, 0),
      total,
    );
    const carolToErin = g.links.find((l) => l.source === 'stake:3@carol' && l.target === 'erin');
    assert.deepEqual(carolToErin, {
      source: 'stake:3@carol',
      target: 'erin',
      amount: 44,
      reasons: ['slash.jackpot', 'slash.compensation'],
    });
    assert.equal(g.sources[0].label, "Carol's stake");
    assert.equal(parsePocket('treasury').kind, 'treasury');
    assert.equal(parsePocket('escrow:t1').label, 'Escrow t1');
  });
  it('rejects negative amounts with the move named', () => {
    assert.throws(
      () => flowGraph([{ from: 'a', to: 'b', amount: -1, reason: 'transfer' }]),
      /bad amount -1 \(a → b\)/,
    );
  });
  it('balance changes count balance + staked', () => {
    const before = [
      { id: 'carol', name: 'Carol', balance: 900, staked: 100 },
      { id: 'erin', name: 'Erin', balance: 940, staked: 60 },
    ];
    const after = [
      { id: 'carol', name: 'Carol', balance: 920, staked: 0 },
      { id: 'erin', name: 'Erin', balance: 1040, staked: 0 },
      { id: 'new', name: 'New', balance: 5, staked: 0 },
    ];
    const c = balanceChanges(before, after);
    assert.deepEqual(
      c.map((x) => [x.id, x.delta]),
      [
        ['carol', -80],
        ['erin', 40],
        ['new', 5],
      ],
    );
  });
});

describe('graph layout cache', () => {
  it('reuses the layout of a graph with the same structure, not of a different one', () => {
    const a = syntheticTrace(5);
    const first = layoutGraph(a);
    const again = layoutGraph(tamperTrace(a, 3)); // same structure, other digests
    assert.equal(again.cached, true);
    assert.deepEqual(again.nodes, first.nodes);
    const other = layoutGraph(syntheticTrace(11)); // a structure no other test lays out
    assert.notEqual(other.cached, true);
    const cold = layoutGraph(a, { cache: false });
    assert.notEqual(cold.cached, true);
    assert.deepEqual(cold.nodes, first.nodes, 'layout is deterministic');
  });
});
