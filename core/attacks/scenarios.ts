/**
 * The attack library: named scenarios, each run end to end (train honestly and adversarially, dispute,
 * verdict) with the outcome the protocol must reach. `ATTACKS` is what the CLI (`pinpoint attack`),
 * notebooks and tests iterate over. Attack parameters (step, op, element) derive from the seed.
 */
import { type ExecHooks, executeRun, executeStep } from '../dispute/execute.ts';
import { TraceParty } from '../dispute/party.ts';
import type { DisputeTask } from '../dispute/task.ts';
import { ledgerCopyCheck } from '../ledger/copy-check.ts';
import type { Tensor } from '../repops/tensor.ts';
import * as H from './hooks.ts';
import { jiaCheck, jiaProofOf, paramDistance, paramSlots } from './jia.ts';
import { EquivocatingParty, GarbageParty, RefusingParty } from './parties.ts';
import {
  type AttackOutcome,
  type AttackScenario,
  cheatingSolver,
  context,
  dispute,
  E,
  firstLeaf,
  firstOpFrom,
  honestParty,
  JIA,
  JIA_K,
  nonLeafOps,
  nudgeToward,
  run,
  stolenTarget,
  tampered,
} from './scenario-kit.ts';

export type { LedgerCheck } from '../ledger/copy-check.ts';
export type {
  AttackOutcome,
  AttackScenario,
  Expectation,
  ScenarioOptions,
  SpoofReport,
} from './scenario-kit.ts';
export { firstDifferingOp } from './scenario-kit.ts';
export { ledgerCopyCheck };

export const ATTACKS: readonly AttackScenario[] = [
  {
    name: 'alter-op',
    title: 'Solver alters one op output by a few ulps',
    attacker: 'solver',
    description:
      'At a random step t and op i the solver changes one element of the output by 1–3 ulps and trains on from there.',
    async run(o) {
      const c = context(o);
      const { t, i, run: bad } = tampered(c);
      return cheatingSolver(c, this, 'tamperer', bad, E('solver', t, i, 'recompute', 'wrong-output'));
    },
  },
  {
    name: 'lazy',
    title: 'Lazy solver skips steps',
    attacker: 'solver',
    description:
      'From step s on the solver skips every other step: the update ops output the old state and the trace claims so.',
    async run(o) {
      const c = context(o);
      const s = c.rand(5, c.task.steps);
      const bad = run(c, H.lazy(c.task, s, 2));
      return cheatingSolver(c, this, 'lazy', bad, firstOpFrom(c, bad, s));
    },
  },
  {
    name: 'perturb-weight',
    title: 'Solver perturbs one weight at step t (hidden)',
    attacker: 'solver',
    description:
      'At step t one parameter element is changed by 1e-3 before use, while the record keeps the honest state digest.',
    async run(o) {
      const c = context(o);
      const t = c.rand(6, c.task.steps);
      const slot = paramSlots(c.task)[0];
      const bad = run(c, H.perturbWeight(c.task, t, slot, c.rand(7, 1 << 16), 1e-3));
      return cheatingSolver(
        c,
        this,
        'perturber',
        bad,
        E('solver', t, c.task.graph(t).slots[slot].leaf, 'leaf', 'wrong-leaf'),
      );
    },
  },
  {
    name: 'wrong-batch',
    title: 'Solver trains step t on the wrong data batch (claims the right one)',
    attacker: 'solver',
    description:
      "At step t the data leaves hold another step's batch; the record states the task's batch digest.",
    async run(o) {
      const c = context(o);
      const t = c.rand(8, c.task.steps);
      const bad = run(c, H.wrongBatch(c.task, t, t + 1));
      return cheatingSolver(
        c,
        this,
        'wrong-data',
        bad,
        E('solver', t, firstLeaf(c.task, t, ['data', 'target']), 'leaf', 'wrong-leaf'),
      );
    },
  },
  {
    name: 'wrong-batch-declared',
    title: 'Solver trains step t on another batch and says so',
    attacker: 'solver',
    description: "The record of step t carries the other batch's digest, which is not the task's data order.",
    async run(o) {
      const c = context(o);
      const t = c.rand(9, c.task.steps);
      const bad = run(c, H.declaredWrongBatch(c.task, t, t + 1));
      return cheatingSolver(c, this, 'wrong-data', bad, E('solver', t, null, 'chain', 'wrong-batch'));
    },
  },
  {
    name: 'stale-checkpoint',
    title: 'Solver resumes step t from a stale checkpoint',
    attacker: 'solver',
    description: 'At step t ≥ 1 the solver restarts from the state it had a few steps earlier.',
    async run(o) {
      const c = context(o);
      const t = 1 + c.rand(10, c.task.steps - 1);
      const bad = run(c, H.staleCheckpoint(t, 1 + c.rand(11, 3)));
      return cheatingSolver(c, this, 'stale', bad, E('solver', t, null, 'chain', 'broken-chain'));
    },
  },
  {
    name: 'forged-checkpoint',
    title: 'Solver continues from a forged checkpoint',
    attacker: 'solver',
    description: 'At step t the state is replaced by made-up values (the record shows the forged state).',
    async run(o) {
      const c = context(o);
      const t = c.rand(12, c.task.steps);
      const bad = run(c, H.forgedCheckpoint(t));
      return cheatingSolver(
        c,
        this,
        'forger',
        bad,
        E('solver', t, null, 'chain', t === 0 ? 'wrong-initial-state' : 'broken-chain'),
      );
    },
  },
  {
    name: 'replay-proof',
    title: "Solver replays another solver's proof (other data order)",
    attacker: 'solver',
    description:
      "The solver submits another run's proof: same model and initialisation, a different data order. (Copying an honest proof of the same task is a different problem: see copy-proof.)",
    async run(o) {
      const c = context(o);
      const T = c.task.steps;
      const other: DisputeTask = {
        ...c.task,
        dataLeaf: (s, i) => c.task.dataLeaf(s + T, i),
        batchDigest: (s) => c.task.batchDigest(s + T),
      };
      const bad = executeRun(other, { mode: c.mode });
      return cheatingSolver(c, this, 'replayer', bad, E('solver', 0, null, 'chain', 'wrong-batch'));
    },
  },
  {
    name: 'gradient-scaling',
    title: 'Solver scales gradients by 1.5 from step s',
    attacker: 'solver',
    description:
      'Every gradient the optimizer consumes is multiplied by 1.5 from step s on (e.g. to speed up a cheap run).',
    async run(o) {
      const c = context(o);
      const s = c.rand(13, c.task.steps);
      const bad = run(c, H.gradientScaling(c.task, s, 1.5));
      return cheatingSolver(c, this, 'scaler', bad, firstOpFrom(c, bad, s));
    },
  },
  {
    name: 'false-loss-curve',
    title: 'Solver reports a nicer loss curve than it achieved',
    attacker: 'solver',
    description:
      'From step s on, every record states 0.8 × the loss the step computed − 0.001; states, batches and ops are honest, so only the loss field differs (issue 14: this used to end in no-disagreement).',
    async run(o) {
      const c = context(o);
      const s = c.rand(14, c.task.steps);
      const bad = run(c, {
        record: (t, r) => (t >= s ? { ...r, loss: Math.fround(r.loss * 0.8 - 1e-3) } : undefined),
      });
      return cheatingSolver(c, this, 'flatterer', bad, E('solver', s, null, 'seal', 'wrong-loss'));
    },
  },
  {
    name: 'equivocation',
    title: 'Solver equivocates: shows honest records it never committed to',
    attacker: 'solver',
    description:
      "A tampering solver answers the step openings with the honest party's records; they do not verify against its own run root.",
    async run(o) {
      const c = context(o);
      const { run: bad } = tampered(c);
      const liar = new EquivocatingParty(
        'equivocator',
        new TraceParty('own', bad),
        honestParty(c, 'mimicked'),
        'steps',
      );
      return dispute(
        c,
        this.name,
        this.title,
        liar,
        honestParty(c),
        E('solver', null, null, 'steps', 'bad-proof'),
      );
    },
  },
  {
    name: 'equivocation-ops',
    title: 'Solver equivocates in the op phase',
    attacker: 'solver',
    description: "A tampering solver is honest about its steps, then opens the honest party's op-tree nodes.",
    async run(o) {
      const c = context(o);
      const { t, run: bad } = tampered(c);
      const liar = new EquivocatingParty(
        'equivocator',
        new TraceParty('own', bad),
        honestParty(c, 'mimicked'),
        'ops',
      );
      return dispute(
        c,
        this.name,
        this.title,
        liar,
        honestParty(c),
        E('solver', t, null, 'ops', 'bad-proof'),
      );
    },
  },
  {
    name: 'refuse',
    title: 'Solver stops answering mid-dispute',
    attacker: 'solver',
    description: 'A tampering solver answers three questions, then goes silent; the round deadline decides.',
    async run(o) {
      const c = context(o);
      const { run: bad } = tampered(c);
      return dispute(
        c,
        this.name,
        this.title,
        new RefusingParty('silent', new TraceParty('own', bad), 3),
        honestParty(c),
        E('solver', null, null, null, 'timeout'),
      );
    },
  },
  {
    name: 'false-challenge',
    title: 'Challenger disputes an honest proof with a tampered run',
    attacker: 'challenger',
    description: 'The challenger claims a different run (one op altered) against an honest solver.',
    async run(o) {
      const c = context(o);
      const { t, i, run: bad } = tampered(c, 20);
      return dispute(
        c,
        this.name,
        this.title,
        honestParty(c),
        new TraceParty('false-challenger', bad),
        E('challenger', t, i, 'recompute', 'wrong-output'),
      );
    },
  },
  {
    name: 'challenger-equivocation',
    title: 'Challenger equivocates',
    attacker: 'challenger',
    description: "The challenger commits to a tampered run but opens the solver's records.",
    async run(o) {
      const c = context(o);
      const { run: bad } = tampered(c, 30);
      const liar = new EquivocatingParty(
        'equivocator',
        new TraceParty('own', bad),
        honestParty(c, 'mimicked'),
        'steps',
      );
      return dispute(
        c,
        this.name,
        this.title,
        honestParty(c),
        liar,
        E('challenger', null, null, 'steps', 'bad-proof'),
      );
    },
  },
  {
    name: 'challenger-garbage',
    title: 'Challenger without a trace answers made-up digests',
    attacker: 'challenger',
    description: 'A griefing challenger with no run answers random well-formed digests and proofs.',
    async run(o) {
      const c = context(o);
      return dispute(
        c,
        this.name,
        this.title,
        honestParty(c),
        new GarbageParty('griefer', c.task.steps, c.seed),
        E('challenger', null, null, 'steps', 'bad-proof'),
      );
    },
  },
  {
    name: 'challenger-refuse',
    title: 'Challenger opens a dispute and goes silent',
    attacker: 'challenger',
    description: 'The challenger answers two questions, then never again.',
    async run(o) {
      const c = context(o);
      const { run: bad } = tampered(c, 40);
      return dispute(
        c,
        this.name,
        this.title,
        honestParty(c),
        new RefusingParty('silent', new TraceParty('own', bad), 2),
        E('challenger', null, null, null, 'timeout'),
      );
    },
  },
  {
    name: 'both-cheat',
    title: 'Both parties alter the same op differently',
    attacker: 'both',
    description:
      'Solver and challenger both deviate at the same op; the referee’s recomputation matches neither.',
    async run(o) {
      const c = context(o);
      const t = c.rand(50, c.task.steps);
      const ops = nonLeafOps(c.task, t);
      const i = ops[c.rand(51, ops.length)];
      const a = executeRun(c.task, {
        mode: c.mode,
        base: c.honest,
        fromStep: t,
        hooks: H.alterOp(t, i, 0, 1),
      });
      const b = executeRun(c.task, {
        mode: c.mode,
        base: c.honest,
        fromStep: t,
        hooks: H.alterOp(t, i, 0, 2),
      });
      return dispute(
        c,
        this.name,
        this.title,
        new TraceParty('cheat-a', a),
        new TraceParty('cheat-b', b),
        E('both', t, i, 'recompute', 'wrong-output'),
      );
    },
  },
  {
    name: 'spoof-nudge',
    title: 'Spoof: nudge every step toward a stolen model within tolerance δ (Zhang 2022, Fang 2023)',
    attacker: 'solver',
    description:
      'The spoofer trains honestly but moves the parameters a little toward a stolen model after every update, so each checkpoint is within δ of its replay. A Jia-style checker with tolerance δ accepts; per-op commitments have no tolerance.',
    async run(o) {
      const c = context(o);
      const target = stolenTarget(c);
      const eta =
        JIA.delta /
        (2 * JIA_K * Math.sqrt(paramSlots(c.task).reduce((s, k) => s + target[k].data.length, 0)));
      const params = new Set(paramSlots(c.task));
      const hooks: ExecHooks = {
        op: (s, i, _n, out) => {
          const slot = c.task.graph(s).slots.findIndex((x) => x.out === i);
          return slot >= 0 && params.has(slot) ? nudgeToward(out, target[slot], eta) : undefined;
        },
      };
      const bad = run(c, hooks);
      const jia = jiaCheck(c.task, jiaProofOf(bad, JIA_K), JIA);
      const slots = paramSlots(c.task);
      const before = paramDistance(c.honest.states[c.task.steps], target, slots);
      const after = paramDistance(bad.states[c.task.steps], target, slots);
      const off = paramDistance(bad.states[c.task.steps], c.honest.states[c.task.steps], slots);
      return dispute(
        c,
        this.name,
        this.title,
        new TraceParty('spoofer', bad),
        honestParty(c),
        firstOpFrom(c, bad, 0),
        {
          paper: 'Zhang et al. 2022; Fang et al. 2023',
          jia,
          jiaOptions: JIA,
          passesJia: jia.passes,
          note: `final weights are ${off.toFixed(4)} (${(off / JIA.delta).toFixed(1)}×δ) from honest training's, yet every sampled segment passes; distance to the stolen model ${after.toFixed(4)} (honest run: ${before.toFixed(4)})`,
        },
      );
    },
  },
  {
    name: 'spoof-topq-lazy',
    title: "Spoof: skip all but one segment per epoch, evading Jia's top-Q sampling (Fang 2023)",
    attacker: 'solver',
    description:
      'The checker replays only the Q segments per epoch with the largest updates. The spoofer trains the first segment of each epoch and skips the rest (zero update, never sampled): it passes with δ = 0 at a fraction of the compute.',
    async run(o) {
      const c = context(o);
      const E_ = JIA.epochSegments;
      const skip = (s: number): boolean => Math.floor(s / JIA_K) % E_ !== 0;
      const lazyAll = H.lazy(c.task, 0, 1);
      const bad = run(c, {
        op: (s, i, n, out, ins, outs) => (skip(s) ? lazyAll.op?.(s, i, n, out, ins, outs) : undefined),
      });
      const opts = { ...JIA, delta: 0 };
      const jia = jiaCheck(c.task, jiaProofOf(bad, JIA_K), opts);
      const first = JIA_K; // first skipped step
      let trained = 0;
      for (let s = 0; s < c.task.steps; s++) if (!skip(s)) trained++;
      return dispute(
        c,
        this.name,
        this.title,
        new TraceParty('spoofer', bad),
        honestParty(c),
        firstOpFrom(c, bad, first),
        {
          paper: 'Fang et al. 2023',
          jia,
          jiaOptions: opts,
          passesJia: jia.passes,
          note: `spoofer computed ${trained} of ${c.task.steps} steps`,
        },
      );
    },
  },
  {
    name: 'spoof-crafted-data',
    title: 'Spoof: choose the data that steers toward a stolen model (Zhang 2022)',
    attacker: 'solver',
    description:
      'Plain PoL trusts the data the prover says it used. The spoofer picks, each step, the candidate batch that moves closest to a stolen model; its checkpoints are exact replays of that data, so the checker passes with δ = 0. Per-op commitments check data leaves against the task’s data order.',
    async run(o) {
      const c = context(o);
      const T = c.task.steps;
      const target = stolenTarget(c);
      const slots = paramSlots(c.task);
      const candidates = 4;
      const chosen: number[] = [];
      let state = c.task.initialState() as readonly Tensor[];
      for (let s = 0; s < T; s++) {
        let best = 0;
        let bestD = Number.POSITIVE_INFINITY;
        let bestState = state;
        for (let k = 0; k < candidates; k++) {
          const variant: DisputeTask = {
            ...c.task,
            dataLeaf: (_s, i) => c.task.dataLeaf(s + T * (k + 1), i),
          };
          const next = executeStep(variant, s, state, 'fast').stateAfter;
          const d = paramDistance(next, target, slots);
          if (d < bestD) [best, bestD, bestState] = [k, d, next];
        }
        chosen.push(best);
        state = bestState;
      }
      const data = (s: number, i: number): Tensor => c.task.dataLeaf(s + T * (chosen[s] + 1), i);
      const bad = run(c, {
        leaf: (s, i, n) => (n.attrs.kind === 'data' || n.attrs.kind === 'target' ? data(s, i) : undefined),
      });
      const opts = { ...JIA, delta: 0 };
      const jia = jiaCheck(c.task, jiaProofOf(bad, JIA_K, data), opts);
      const before = paramDistance(c.honest.states[T], target, slots);
      const after = paramDistance(bad.states[T], target, slots);
      const off = paramDistance(bad.states[T], c.honest.states[T], slots);
      return dispute(
        c,
        this.name,
        this.title,
        new TraceParty('spoofer', bad),
        honestParty(c),
        E('solver', 0, firstLeaf(c.task, 0, ['data', 'target']), 'leaf', 'wrong-leaf'),
        {
          paper: 'Zhang et al. 2022',
          jia,
          jiaOptions: opts,
          passesJia: jia.passes,
          note: `trained on data of its choosing: final weights ${off.toFixed(4)} from honest training's; distance to the stolen model ${after.toFixed(4)} (honest run: ${before.toFixed(4)})`,
        },
      );
    },
  },
  {
    name: 'copy-proof',
    title: "Spoof: submit a copy of another solver's honest proof",
    attacker: 'solver',
    description:
      "A copied honest proof of an identical task instance is correct (RepOps runs are bit-identical), so neither the Jia checker nor a dispute can reject it: the challenger who disputes it loses. The ledger's identity binding catches it: the victim's bundle verbatim is refused (signed by another account's key), and a re-signed copy is sealed only after the victim's reveal, so commit-then-reveal order slashes the copier.",
    async run(o) {
      const c = context(o);
      const copy = new TraceParty('copier', c.honest);
      const jia = jiaCheck(c.task, jiaProofOf(c.honest, JIA_K), { ...JIA, delta: 0 });
      const ledger = ledgerCopyCheck(c.honest.root, c.seed);
      const out = await dispute(
        c,
        this.name,
        this.title,
        copy,
        honestParty(c, 'challenger'),
        E('challenger', null, null, 'setup', 'no-disagreement'),
        {
          paper: 'Jia et al. 2021 (threat model)',
          jia,
          jiaOptions: { ...JIA, delta: 0 },
          passesJia: jia.passes,
          caughtByLedger: ledger.caught,
          note: ledger.caught
            ? `no computational disagreement, so the dispute cannot catch it; the ledger does: sealed in event ${ledger.copy?.commitSeq} after the victim's reveal in event ${ledger.copy?.original.seq} → copier slashed ${ledger.copy?.slashed} (victim +${ledger.payouts.victim}); the verbatim bundle was refused (${ledger.verbatimRefused === null ? 'NOT refused' : 'wrong key'})`
            : 'NOT caught by the ledger',
        },
      );
      return {
        ...out,
        ledger,
        asExpected: out.asExpected && ledger.caught && ledger.honestProved && ledger.verbatimRefused !== null,
      };
    },
  },
];

export function getAttack(name: string): AttackScenario {
  const a = ATTACKS.find((x) => x.name === name);
  if (!a) throw new Error(`unknown attack "${name}" (known: ${ATTACKS.map((x) => x.name).join(', ')})`);
  return a;
}

/** One line: who was caught where. */
export function describeOutcome(o: AttackOutcome): string {
  const v = o.verdict;
  const who = v.loser === 'both' ? 'both parties lose' : `${v.loser} loses`;
  const where =
    v.step === null
      ? ` at ${v.stage}`
      : v.op === null
        ? ` at step ${v.step} (${v.stage})`
        : ` at step ${v.step}, op ${v.op} ${v.opName} (${v.stage})`;
  const code = [v.faults.solver?.code, v.faults.challenger?.code].filter(Boolean).join('/');
  const ledger = o.ledger
    ? `; ledger: ${o.ledger.caught ? 'copy caught by commit-reveal order, copier slashed' : 'copy NOT caught'}`
    : '';
  return `${o.name}: ${who}${where} [${code}]${ledger}${o.asExpected ? '' : '  ** UNEXPECTED **'}`;
}
