/**
 * Property: a random single tamper (step t, op i, element e, magnitude down to one ulp) by either party is
 * pinpointed at exactly (t, i), the honest party wins, and the bisection takes at most
 * ⌈log2 T⌉ + ⌈log2 N⌉ rounds. Runs: PINPOINT_PROPERTY_RUNS (default 1000).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ceilLog2 } from '../../core/dispute/cost.ts';
import { executeRun, type RunTrace } from '../../core/dispute/execute.ts';
import { TraceParty } from '../../core/dispute/party.ts';
import { runDispute } from '../../core/dispute/referee.ts';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import { refereeConfig } from '../../core/dispute/task.ts';
import { tensorDigest } from '../../core/hash/digest.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import type { Tensor } from '../../core/repops/tensor.ts';

useNodeSha256();
const RUNS = Number(process.env.PINPOINT_PROPERTY_RUNS ?? 1000);

// One 24-step honest run per (seed, ops, mode); a T-step run is its prefix (same records and states,
// its own run root), so most cases only execute the cheater's steps from t on.
const MAX_T = 24;
const honestCache = new Map<string, RunTrace>();
function honestRun(seed: number, steps: number, forwardOps: number, mode: 'trace' | 'fast'): RunTrace {
  const key = `${seed}/${forwardOps}/${mode}`;
  let full = honestCache.get(key);
  if (!full) {
    full = executeRun(syntheticTask({ seed, steps: MAX_T, forwardOps }), { mode });
    honestCache.set(key, full);
  }
  const task = { ...full.task, steps };
  return executeRun(task, { mode, base: full, fromStep: steps, steps });
}

/** Adds `ulps` to the bit pattern of element e (never producing NaN/Inf: then goes the other way). */
function tamper(out: Tensor, e: number, ulps: number): Tensor {
  const data = out.data.slice();
  const bits = new Uint32Array(data.buffer);
  const k = e % data.length;
  const orig = bits[k];
  bits[k] = (orig + ulps) >>> 0;
  if (!Number.isFinite(data[k])) bits[k] = (orig - ulps) >>> 0;
  return { shape: out.shape, data };
}

test(`random single tamper is pinpointed at exactly its step and op (${RUNS} runs)`, async () => {
  const magnitude = fc.oneof(
    fc.constant(1),
    fc.integer({ min: 1, max: 16 }),
    fc.integer({ min: 1, max: 1 << 22 }),
  );
  const arb = fc.record({
    seed: fc.integer({ min: 0, max: 5 }),
    forwardOps: fc.integer({ min: 1, max: 8 }),
    steps: fc.integer({ min: 1, max: MAX_T }),
    mode: fc.constantFrom('trace' as const, 'fast' as const),
    cheater: fc.constantFrom('solver' as const, 'challenger' as const),
    stepFrac: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    opPick: fc.nat(),
    element: fc.nat(),
    ulps: fc.tuple(magnitude, fc.boolean()).map(([m, neg]) => (neg ? -m : m)),
  });
  let pinpointed = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (c) => {
      const honest = honestRun(c.seed, c.steps, c.forwardOps, c.mode);
      const task = honest.task;
      const graph = task.graph(0);
      const ops = graph.nodes.map((n, i) => (n.op === 'leaf' ? -1 : i)).filter((i) => i >= 0);
      const t = Math.floor(c.stepFrac * c.steps);
      const i = ops[c.opPick % ops.length];
      const bad = executeRun(task, {
        mode: c.mode,
        base: honest,
        fromStep: t,
        hooks: { op: (s, j, _n, out) => (s === t && j === i ? tamper(out, c.element, c.ulps) : undefined) },
      });
      // Independent oracle: the tampered op really changed its digest, and nothing before it did.
      const exH = honest.step(t);
      const exB = bad.step(t);
      assert.notEqual(tensorDigest(exB.outputs[i], 'sha256'), exH.digests[i]);
      for (let j = 0; j < i; j++) assert.equal(exB.digests[j], exH.digests[j]);
      const cheat = new TraceParty('cheater', bad);
      const good = new TraceParty('honest', honest);
      const [s, ch] = c.cheater === 'solver' ? [cheat, good] : [good, cheat];
      const { verdict, transcript } = await runDispute(s, ch, refereeConfig(task, c.mode));
      assert.equal(verdict.loser, c.cheater, verdict.reason);
      assert.equal(verdict.step, t);
      assert.equal(verdict.op, i);
      assert.equal(verdict.stage, 'recompute');
      const { rounds } = transcript.cost;
      assert.ok(
        rounds.steps + rounds.ops <= ceilLog2(c.steps) + ceilLog2(graph.nodes.length),
        JSON.stringify(rounds),
      );
      assert.equal(rounds.bound, ceilLog2(c.steps) + ceilLog2(graph.nodes.length));
      pinpointed++;
    }),
    { numRuns: RUNS },
  );
  assert.equal(pinpointed, RUNS);
});
