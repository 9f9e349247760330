/**
 * The dispute replay model over a real transcript: the core/dispute referee on a seeded synthetic task
 * with one op altered by 1 ulp. Oracles: the tamper location we chose (step, op) and the bisection
 * bounds (⌈log2 T⌉, ⌈log2 N⌉), not the model's own arithmetic.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { alterOp } from '../../core/attacks/hooks.ts';
import { executeRun } from '../../core/dispute/execute.ts';
import { TraceParty } from '../../core/dispute/party.ts';
import { runDispute } from '../../core/dispute/referee.ts';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import { refereeConfig } from '../../core/dispute/task.ts';
import { phase1Axis, repeats, replayModel } from '../../desktop/renderer/components/transcript-model.ts';

async function dispute(step: number, opFrac: number, cheaterIsSolver: boolean) {
  const task = syntheticTask({ seed: 5, steps: 40, forwardOps: 8 });
  const honest = executeRun(task, { mode: 'trace' });
  const nodes = task.graph(step).nodes;
  const op = nodes.findIndex((n, i) => i >= Math.floor(nodes.length * opFrac) && n.op !== 'leaf');
  const cheat = executeRun(task, {
    mode: 'trace',
    hooks: alterOp(step, op, 0, 1),
    base: honest,
    fromStep: step,
  });
  const [s, c] = cheaterIsSolver ? [cheat, honest] : [honest, cheat];
  const r = await runDispute(new TraceParty('s', s), new TraceParty('c', c), refereeConfig(task, 'trace'));
  return { t: r.transcript, op, N: nodes.length, T: task.steps };
}

describe('dispute replay model', () => {
  for (const [step, frac, solverCheats] of [
    [17, 0.3, true],
    [0, 0.5, true],
    [39, 0.8, false],
  ] as const) {
    it(`pinpoints step ${step} and the altered op (${solverCheats ? 'solver' : 'challenger'} cheats)`, async () => {
      const { t, op, N, T } = await dispute(step, frac, solverCheats);
      const m = replayModel(t);
      assert.equal(m.totalSteps, T);
      assert.equal(m.verdict.step, step);
      assert.equal(m.verdict.op, op);
      assert.equal(m.verdict.outcome, solverCheats ? 'challenger-wins' : 'solver-wins');
      assert.match(m.verdict.headline, solverCheats ? /Challenger wins/ : /Solver wins/);
      assert.equal(m.verdict.pinpoint, `step ${step} · op #${op} ${t.verdict.opName}`);
      // Frames: one per round, the referee's recomputation, the verdict last.
      assert.equal(m.frames.length, t.rounds.length + 2);
      assert.equal(m.frames.at(-1)?.phase, 'verdict');
      assert.equal(m.frames.at(-2)?.phase, 'referee');
      // Phase 1 intervals only shrink and end on (step−1, step].
      const steps = m.frames.filter((f) => f.steps).map((f) => f.steps as { lo: number; hi: number });
      for (let i = 1; i < steps.length; i++)
        assert.ok(steps[i].hi - steps[i].lo <= steps[i - 1].hi - steps[i - 1].lo);
      assert.deepEqual(steps.at(-1), { lo: step - 1, hi: step });
      // Phase 2 intervals only shrink and end on [op, op+1).
      const ops = m.frames.filter((f) => f.ops).map((f) => f.ops as { lo: number; hi: number });
      for (let i = 1; i < ops.length; i++) assert.ok(ops[i].hi - ops[i].lo <= ops[i - 1].hi - ops[i - 1].lo);
      assert.deepEqual(ops.at(-1), { lo: op, hi: op + 1 });
      // Rounds within the ⌈log2 T⌉ + ⌈log2 N⌉ bound; cost counters are cumulative.
      const last = m.frames.at(-1)?.cost;
      assert.ok(
        last && last.stepRounds <= Math.ceil(Math.log2(T)) && last.opRounds <= Math.ceil(Math.log2(N)),
      );
      assert.equal(
        last?.bytes,
        t.rounds.reduce((a, r) => a + (r.answers.solver?.bytes ?? 0) + (r.answers.challenger?.bytes ?? 0), 0),
      );
      // Both parties' digests are shown in phase-1 rounds, and they differ exactly when the round disagrees.
      for (const f of m.frames.filter((x) => x.stage === 'steps')) {
        assert.match(f.solver?.digest ?? '', /^[0-9a-f]{64}$/);
        assert.equal(f.solver?.digest === f.challenger?.digest, f.agree);
      }
    });
  }
  it('rejects something that is not a transcript', () => {
    assert.throws(() => replayModel({} as never), /not a transcript/);
  });
});

describe('dispute player text and axis (issue 15)', () => {
  it('no round says its text twice: the first round shows its title alone, later notes stay', async () => {
    const { t } = await dispute(17, 0.3, true);
    const m = replayModel(t);
    // The transcript's first round note restates the title ("both parties state their run commitment").
    assert.equal(t.rounds[0]?.question.kind, 'claim');
    assert.match(t.rounds[0]?.note ?? '', /state their run commitment/i);
    assert.equal(m.frames[0]?.title, 'Both state their run commitment');
    assert.equal(m.frames[0]?.note, '');
    // Bisection rounds keep their notes (they say which half differs, the title only asks).
    const bisect = m.frames.filter((f) => f.stage === 'steps');
    assert.ok(bisect.length > 2);
    for (const f of bisect) assert.match(f.note, /differ|agree/, f.title);
    for (const f of m.frames)
      if (f.note) assert.ok(!f.note.toLowerCase().includes(f.title.toLowerCase()), f.title);
  });

  it('repeats() tells restatements from new information', () => {
    assert.equal(repeats('Both state their run commitment', 'both parties state their run commitment'), true);
    assert.equal(repeats('Open step 3', 'open step 3.'), true);
    assert.equal(repeats('Open step 3', ''), true);
    assert.equal(repeats('Round: state after step 7?', 'agree: first difference after step 7'), false);
    assert.equal(
      repeats(
        'Round: step records [0, 400) — which half differs?',
        'records [0, 256) differ: first differing step in [0, 256)',
      ),
      false,
    );
  });

  it('the phase-1 axis starts at step 0, never at −1, and its ticks are whole steps inside [0, T)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 2, max: 20 }), (T, max) => {
        const { domain, ticks } = phase1Axis(T, max);
        assert.deepEqual(domain, [-0.5, T - 0.5]);
        assert.equal(ticks[0], 0);
        assert.ok(ticks.length <= max + 1, `${ticks.length} ticks for at most ${max}`);
        for (const k of ticks) assert.ok(Number.isInteger(k) && k >= 0 && k <= T - 1);
        for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i] > ticks[i - 1]);
      }),
    );
    // Steps 0…T−1 each get a cell centred on their tick; "after step −1" (initial state) is the left edge.
    assert.deepEqual(phase1Axis(4).ticks, [0, 1, 2, 3]);
    assert.equal(phase1Axis(4).domain[0], -1 + 0.5);
  });
});
