/**
 * Soundness (issue 14, docs/DISPUTE.md "One rule"): for random single tampers of any node, element and
 * kind of change, of the loss, the batch, a checkpoint element, the final metrics or a step metric, in fast and trace
 * mode, verify and the dispute agree — a changed commitment is rejected by verify and lost by the cheater
 * at the tampered step (and op), as solver and as challenger; an unchanged one is accepted. The honest party
 * never loses. Runs: PINPOINT_SOUNDNESS_RUNS (default 40); `pinpoint fuzz` runs it at scale.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DELTA_KINDS, FUZZ_FIELDS, type FuzzOutcome, SoundnessFuzzer } from '../../core/dispute/fuzz.ts';
import { bundledTask } from '../train/helpers.ts';

const RUNS = Number(process.env.PINPOINT_SOUNDNESS_RUNS ?? 40);

test(`random tampers of any committed field: verify and dispute agree, the honest party wins (${RUNS} runs)`, async () => {
  const fuzz = new SoundnessFuzzer(bundledTask('spirals-mlp', { steps: 12, checkpointEvery: 4 }));
  const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
  const arb = fc.record({
    mode: fc.constantFrom('fast' as const, 'trace' as const),
    field: fc.constantFrom(...FUZZ_FIELDS),
    at: unit,
    node: unit,
    element: fc.nat({ max: 1 << 16 }),
    delta: fc.constantFrom(...DELTA_KINDS),
    amount: fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom(1e-30, -1e-7, 0.5)),
  });
  const counts = new Map<FuzzOutcome, number>();
  await fc.assert(
    fc.asyncProperty(arb, async (c) => {
      const r = await fuzz.run(c);
      counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
      assert.notEqual(r.outcome, 'WRONG', r.detail);
    }),
    { numRuns: RUNS },
  );
  // The generator must exercise real disputes, not only tampers that change nothing.
  assert.ok((counts.get('pinpointed') ?? 0) >= RUNS / 4, JSON.stringify([...counts]));
});

test('the cases the issue reported: a false loss and a masked op digest lose the dispute', async () => {
  const fuzz = new SoundnessFuzzer(bundledTask('spirals-mlp', { steps: 12, checkpointEvery: 4 }));
  for (const mode of ['fast', 'trace'] as const) {
    const loss = await fuzz.run({
      mode,
      field: 'loss',
      at: 0.5,
      node: 0,
      element: 0,
      delta: 'add',
      amount: 0.5,
    });
    assert.equal(loss.outcome, 'pinpointed', loss.detail);
  }
  // Tampering a ReLU's input element that is negative by a small amount changes no later value, only the
  // op digest in trace mode: committed (trace) → pinpointed; not committed (fast) → no change.
  let masked = 0;
  for (let k = 0; k < fuzz.nodes && masked < 1; k++) {
    const node = (k + 0.5) / fuzz.nodes;
    const fast = await fuzz.run({
      mode: 'fast',
      field: 'op',
      at: 0.25,
      node,
      element: 0,
      delta: 'ulp',
      amount: 0,
    });
    if (fast.outcome !== 'no-committed-change') continue;
    const trace = await fuzz.run({
      mode: 'trace',
      field: 'op',
      at: 0.25,
      node,
      element: 0,
      delta: 'ulp',
      amount: 0,
    });
    assert.equal(trace.outcome, 'pinpointed', trace.detail);
    masked++;
  }
  assert.equal(masked, 1, 'found a tamper masked in fast mode');
});

test('a false state layout (signed metadata the task determines): verify rejects, the cheater loses at setup', async () => {
  const fuzz = new SoundnessFuzzer(bundledTask('spirals-mlp', { steps: 4, checkpointEvery: 2 }));
  for (const mode of ['fast', 'trace'] as const) {
    // fuzz.run checks verify rejects it and the dispute, cheater as solver and as challenger, convicts it.
    const r = await fuzz.run({
      mode,
      field: 'layout',
      at: 0,
      node: 0.5,
      element: 0,
      delta: 'ulp',
      amount: 0,
    });
    assert.equal(r.outcome, 'pinpointed', r.detail);
  }
});
