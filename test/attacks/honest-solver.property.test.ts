/**
 * Property: an honest solver is never slashed, whatever the challenger does (every challenger strategy of
 * the library with random parameters); and symmetrically an honest challenger never loses to a cheating
 * solver. Runs: PINPOINT_PROPERTY_RUNS / 5 (default 200).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as H from '../../core/attacks/hooks.ts';
import { EquivocatingParty, GarbageParty, RefusingParty } from '../../core/attacks/parties.ts';
import { type ExecHooks, executeRun, type RunTrace } from '../../core/dispute/execute.ts';
import { TraceParty } from '../../core/dispute/party.ts';
import { runDispute } from '../../core/dispute/referee.ts';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import { type DisputeTask, refereeConfig } from '../../core/dispute/task.ts';
import type { DisputeParty } from '../../core/dispute/types.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';

useNodeSha256();
const RUNS = Math.max(20, Math.floor(Number(process.env.PINPOINT_PROPERTY_RUNS ?? 1000) / 5));
const T = 16;
const tasks = new Map<number, { task: DisputeTask; honest: Record<'trace' | 'fast', RunTrace> }>();
function setup(seed: number) {
  let s = tasks.get(seed);
  if (!s) {
    const task = syntheticTask({ seed, steps: T, forwardOps: 4 });
    s = {
      task,
      honest: { trace: executeRun(task, { mode: 'trace' }), fast: executeRun(task, { mode: 'fast' }) },
    };
    tasks.set(seed, s);
  }
  return s;
}

const STRATEGIES = [
  'alter',
  'lazy',
  'perturb',
  'wrong-batch',
  'declared-batch',
  'stale',
  'forged',
  'scale',
  'equivocate-steps',
  'equivocate-ops',
  'refuse',
  'garbage',
  'same-run',
] as const;

function hooksFor(name: (typeof STRATEGIES)[number], task: DisputeTask, t: number, x: number): ExecHooks {
  const ops = task.graph(t).nodes.flatMap((n, i) => (n.op === 'leaf' ? [] : [i]));
  switch (name) {
    case 'lazy':
      return H.lazy(task, t, 1 + (x % 3));
    case 'perturb':
      return H.perturbWeight(task, t, x % 2, x, 2 ** -(x % 20));
    case 'wrong-batch':
      return H.wrongBatch(task, t, t + 1 + (x % 5));
    case 'declared-batch':
      return H.declaredWrongBatch(task, t, t + 1);
    case 'stale':
      return H.staleCheckpoint(Math.max(1, t), 1 + (x % 4));
    case 'forged':
      return H.forgedCheckpoint(t, 2 ** -(x % 24));
    case 'scale':
      return H.gradientScaling(task, t, 1 + 2 ** -(1 + (x % 22)));
    default:
      return H.alterOp(t, ops[x % ops.length], x, 1 + (x % 7));
  }
}

function adversary(
  name: (typeof STRATEGIES)[number],
  seed: number,
  mode: 'trace' | 'fast',
  t: number,
  x: number,
): DisputeParty {
  const { task, honest } = setup(seed);
  if (name === 'garbage') return new GarbageParty('garbage', T, x);
  if (name === 'same-run') return new TraceParty('copy', honest[mode]);
  // Every hook but 'stale' is inert before step t, so the cheater's run shares the honest prefix: start it
  // at t from the honest states (bit-identical to running from step 0; 'stale' must see earlier states).
  const fromStep = name === 'stale' ? 0 : t;
  const bad = new TraceParty(
    'cheat',
    executeRun(task, { mode, hooks: hooksFor(name, task, t, x), base: honest[mode], fromStep }),
  );
  if (name === 'equivocate-steps')
    return new EquivocatingParty('eq', bad, new TraceParty('h', honest[mode]), 'steps');
  if (name === 'equivocate-ops')
    return new EquivocatingParty('eq', bad, new TraceParty('h', honest[mode]), 'ops');
  if (name === 'refuse') return new RefusingParty('silent', bad, x % 12);
  return bad;
}

const arb = fc.record({
  seed: fc.integer({ min: 0, max: 3 }),
  mode: fc.constantFrom('trace' as const, 'fast' as const),
  strategy: fc.constantFrom(...STRATEGIES),
  t: fc.integer({ min: 0, max: T - 1 }),
  x: fc.nat({ max: 1 << 20 }),
});

test(`an honest solver is never slashed by any challenger strategy (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(arb, async (c) => {
      const { task, honest } = setup(c.seed);
      const { verdict } = await runDispute(
        new TraceParty('honest', honest[c.mode]),
        adversary(c.strategy, c.seed, c.mode, c.t, c.x),
        refereeConfig(task, c.mode, 50),
      );
      assert.deepEqual(verdict.losers, ['challenger'], `${c.strategy}: ${verdict.reason}`);
    }),
    { numRuns: RUNS },
  );
});

test(`an honest challenger never loses against any cheating solver (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      arb.filter((c) => c.strategy !== 'same-run'),
      async (c) => {
        const { task, honest } = setup(c.seed);
        const { verdict } = await runDispute(
          adversary(c.strategy, c.seed, c.mode, c.t, c.x),
          new TraceParty('honest', honest[c.mode]),
          refereeConfig(task, c.mode, 50),
        );
        assert.deepEqual(verdict.losers, ['solver'], `${c.strategy}: ${verdict.reason}`);
      },
    ),
    { numRuns: RUNS },
  );
});
