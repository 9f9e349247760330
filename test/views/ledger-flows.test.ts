/**
 * Ledger flow legibility (issue 15): label placement never overlaps and stays in the picture; partial
 * stake returns are found and explained from the event's own moves. Oracles: the geometric conditions
 * themselves and hand-written settlement moves (docs/LEDGER.md "Settlement": slashed = ⌊stake·slashBps⌋).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { partialReturns, spreadLabels } from '../../desktop/renderer/components/ledger-model.ts';
import type { LedgerMove } from '../../desktop/shared/api-views.ts';

describe('spreadLabels', () => {
  it('keeps order, keeps the gap, stays within bounds when the labels fit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 400, noNaN: true }), { maxLength: 20 }),
        fc.integer({ min: 5, max: 20 }),
        (wanted, gap) => {
          const min = 10;
          const max = 300;
          const ys = spreadLabels(wanted, gap, min, max);
          assert.equal(ys.length, wanted.length);
          const order = wanted.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y || a.i - b.i);
          for (let j = 1; j < order.length; j++)
            assert.ok(ys[order[j].i] - ys[order[j - 1].i] >= gap - 1e-9, 'gap between neighbours');
          for (const y of ys) assert.ok(y >= min - 1e-9);
          if (min + gap * (wanted.length - 1) <= max) for (const y of ys) assert.ok(y <= max + 1e-9);
        },
      ),
    );
  });
  it('leaves labels that do not collide where they want to be', () => {
    assert.deepEqual(spreadLabels([50, 20, 100], 15, 0, 200), [50, 20, 100]);
    assert.deepEqual(spreadLabels([50, 52], 15, 0, 200), [50, 65]);
    // Pushed back up from the bottom edge.
    assert.deepEqual(spreadLabels([195, 196], 15, 0, 200), [185, 200]);
  });
});

describe('partialReturns', () => {
  const settle: LedgerMove[] = [
    { from: 'stake:7@carol', to: 'erin', amount: 40, reason: 'slash.jackpot' },
    { from: 'stake:7@carol', to: 'alice', amount: 24, reason: 'slash.compensation' },
    { from: 'stake:7@carol', to: 'treasury', amount: 16, reason: 'slash.treasury' },
    { from: 'stake:7@carol', to: 'carol', amount: 20, reason: 'stake.return' },
    { from: 'stake:8@erin', to: 'erin', amount: 60, reason: 'stake.return' },
    { from: 'escrow:iris', to: 'alice', amount: 310, reason: 'refund' },
  ];
  const names = new Map([
    ['carol', 'Carol (cheating solver)'],
    ['erin', 'Erin'],
  ]);

  it('explains a losing stake returned in part, not a stake returned whole', () => {
    const r = partialReturns(settle, names, 'dispute.settle');
    assert.equal(r.length, 1);
    const [p] = r;
    assert.equal(p.pocket, 'stake:7@carol');
    assert.equal(p.owner, 'carol');
    assert.equal(p.stake, 100);
    assert.equal(p.returned, 20);
    assert.equal(p.slashed, 80);
    assert.deepEqual(p.slashedTo, [
      { reason: 'slash.jackpot', amount: 40 },
      { reason: 'slash.compensation', amount: 24 },
      { reason: 'slash.treasury', amount: 16 },
    ]);
    assert.match(p.text, /Carol lost the dispute/);
    assert.match(p.text, /80 of its 100 stake \(80 %\) was slashed/);
    assert.match(p.text, /returns the rest, 20, to Carol/);
  });

  it('says why for a copy penalty, and finds nothing when nothing was slashed or returned', () => {
    const copy = partialReturns(
      [
        { from: 'stake:9@mallory', to: 'bob', amount: 50, reason: 'slash.victim' },
        { from: 'stake:9@mallory', to: 'mallory', amount: 20, reason: 'stake.return' },
      ],
      new Map(),
      'proof.reveal',
    );
    assert.match(copy[0]?.text ?? '', /mallory was caught revealing a copied run/);
    assert.deepEqual(partialReturns(settle.slice(4), names, 'dispute.settle'), []);
    assert.deepEqual(
      partialReturns([{ from: 'stake:1@x', to: 'y', amount: 5, reason: 'slash.jackpot' }], names),
      [],
    );
  });

  it('conserves the stake: returned + slashed = everything that left the pocket', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 9_999 }), (stake, bps) => {
        const slashed = Math.floor((stake * bps) / 10_000);
        fc.pre(slashed > 0 && slashed < stake);
        const treasury = Math.floor(slashed / 5);
        const moves: LedgerMove[] = [
          { from: 'stake:1@a', to: 'b', amount: slashed - treasury, reason: 'slash.jackpot' },
          { from: 'stake:1@a', to: 'treasury', amount: treasury, reason: 'slash.treasury' },
          { from: 'stake:1@a', to: 'a', amount: stake - slashed, reason: 'stake.return' },
        ];
        const [p] = partialReturns(moves);
        assert.equal(p.stake, stake);
        assert.equal(p.slashed, slashed);
        assert.equal(p.returned, stake - slashed);
      }),
    );
  });
});
