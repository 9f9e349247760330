/**
 * The embedded demo ledger (`pinpoint ledger demo <db>`, opened by the desktop app on first start):
 * eight accounts and eight tasks covering every outcome — an honest run paid out, a cheating solver caught
 * by a whistleblower after a verifier missed it, a false challenge, a dispute both parties lose, tasks
 * still open, and a copied proof caught by commit-then-reveal. Deterministic: fixed clock, fixed digests.
 *
 * Transcripts: `realDemoTranscripts()` (core/attacks/demo-transcripts.ts, above the ledger) runs three attack scenarios through the real referee (what
 * `pinpoint ledger demo` and the app use). Without them `demoActions()` falls back to SYNTHETIC transcripts
 * (`synthetic: true` in each): structurally valid "pinpoint.dispute-transcript" v1 records built here with
 * the real bisection arithmetic and made-up digests — deterministic, for tests.
 */
import type { Transcript } from '../dispute/transcript.ts';
import { digestJson } from '../hash/digest.ts';
import { toHex } from '../hash/hex.ts';
import { keyFromSeed } from '../proof/sign.ts';
import { commitRevealActions, keyBindingAction } from './seal.ts';
import { settlementAction } from './transcript.ts';
import type { Action, GameParams, Loser } from './types.ts';

export const DEMO_PARAMS: GameParams = {
  solverStake: 100,
  challengerStake: 60,
  slashBps: 8_000,
  whistleblowerBps: 5_000,
  treasuryBps: 2_000,
  verifierReward: 10,
};

/** Events one minute apart from 2026-01-05T09:00:00Z, so the demo file is byte-for-byte reproducible. */
export function demoClock(): () => string {
  let i = 0;
  const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
  return () => new Date(t0 + 60_000 * i++).toISOString();
}

const d = (...parts: unknown[]): string => digestJson('pinpoint.demo.v1', parts);

function ceilLog2(n: number): number {
  let k = 0;
  while (2 ** k < n) k++;
  return k;
}

export interface SyntheticDispute {
  task: string;
  solver: string;
  challenger: string;
  steps: number;
  disputedStep: number;
  opCount: number;
  disputedOp: number;
  opName: string;
  loser: Loser;
}

/** A structurally valid transcript of a pinpoint dispute with the given outcome (labelled synthetic). */
export function syntheticTranscript(s: SyntheticDispute): Transcript & { synthetic: true; note: string } {
  const rounds: Transcript['rounds'][number][] = [];
  const ok = (value: unknown, bytes: number) => ({ status: 'ok' as const, value, bytes, ms: 1, fault: null });
  let seq = 0;
  rounds.push({
    seq: seq++,
    stage: 'setup',
    bisection: false,
    question: { kind: 'claim' },
    answers: {
      solver: ok({ runRoot: d(s.task, 'run', 'solver'), steps: s.steps }, 80),
      challenger: ok({ runRoot: d(s.task, 'run', 'challenger'), steps: s.steps }, 80),
    },
    note: 'both parties commit to a run of the task; the run roots differ',
  });
  let lo = -1;
  let hi = s.steps - 1;
  let stepRounds = 0;
  while (hi - lo > 1) {
    const m = Math.floor((lo + hi) / 2);
    const agree = m < s.disputedStep;
    const after = (who: string) => d(s.task, 'state', m, agree ? 'agreed' : who);
    rounds.push({
      seq: seq++,
      stage: 'steps',
      bisection: true,
      question: { kind: 'open-step', step: m },
      answers: {
        solver: ok({ stateAfter: after('solver') }, 420),
        challenger: ok({ stateAfter: after('challenger') }, 420),
      },
      steps: agree ? { lo: m, hi } : { lo, hi: m },
      agree,
      note: agree ? `both agree on the state after step ${m}` : `the states after step ${m} differ`,
    });
    if (agree) lo = m;
    else hi = m;
    stepRounds++;
  }
  rounds.push({
    seq: seq++,
    stage: 'ops',
    bisection: false,
    question: { kind: 'commit-ops', step: hi },
    answers: {
      solver: ok({ root: d(s.task, 'ops', 'solver'), count: s.opCount }, 90),
      challenger: ok({ root: d(s.task, 'ops', 'challenger'), count: s.opCount }, 90),
    },
    note: `both commit to the op outputs of step ${hi}`,
  });
  let olo = 0;
  let ohi = s.opCount;
  let opRounds = 0;
  while (ohi - olo > 1) {
    const mid = Math.floor((olo + ohi) / 2);
    const leftAgrees = s.disputedOp >= mid;
    rounds.push({
      seq: seq++,
      stage: 'ops',
      bisection: true,
      question: { kind: 'children', step: hi, range: [olo, ohi] },
      answers: {
        solver: ok({ left: d(s.task, olo, mid), right: d(s.task, mid, ohi, 's') }, 140),
        challenger: ok(
          { left: d(s.task, olo, mid, leftAgrees ? '' : 'c'), right: d(s.task, mid, ohi, 'c') },
          140,
        ),
      },
      ops: leftAgrees ? { lo: mid, hi: ohi } : { lo: olo, hi: mid },
      agree: leftAgrees,
      note: leftAgrees
        ? `ops ${olo}..${mid - 1} agree; the first difference is in ${mid}..${ohi - 1}`
        : `the first difference is in ops ${olo}..${mid - 1}`,
    });
    if (leftAgrees) olo = mid;
    else ohi = mid;
    opRounds++;
  }
  const inputs = [0, 1].map((k) => ({
    index: Math.max(0, s.disputedOp - 1 - k),
    shape: [8, 4],
    digest: d(s.task, 'input', k),
  }));
  rounds.push({
    seq: seq++,
    stage: 'leaf',
    bisection: false,
    question: { kind: 'reveal-inputs', step: hi, index: s.disputedOp },
    answers: { solver: ok({ inputs }, 300), challenger: ok({ inputs }, 300) },
    note: `inputs of op ${s.disputedOp} (${s.opName}) revealed and checked against the agreed digests`,
  });
  const solverClaim = d(s.task, 'out', 'solver');
  const challengerClaim = d(s.task, 'out', 'challenger');
  const output =
    s.loser === 'solver'
      ? challengerClaim
      : s.loser === 'challenger'
        ? solverClaim
        : d(s.task, 'out', 'referee');
  const wrong = {
    code: 'wrong-output' as const,
    detail: `claimed output of ${s.opName} differs from the referee's recomputation`,
  };
  const losers = s.loser === 'both' ? (['solver', 'challenger'] as const) : ([s.loser] as const);
  const stepFlops = 64 * s.opCount;
  const bytes = rounds.reduce((n, r) => n + (r.answers.solver?.bytes ?? 0), 0);
  return {
    format: 'pinpoint.dispute-transcript',
    version: 1,
    synthetic: true,
    note: 'SYNTHETIC demo transcript built by core/ledger/demo.ts (real bisection arithmetic, made-up digests); not the output of a dispute run',
    task: s.task,
    mode: 'fast',
    parties: { solver: s.solver, challenger: s.challenger },
    public: { steps: s.steps, initialState: d(s.task, 'init'), deadlineMs: 5000 },
    rounds,
    recompute: {
      step: hi,
      index: s.disputedOp,
      op: s.opName,
      attrs: {},
      inputs,
      output,
      outputShape: [8, 4],
      claims: { solver: solverClaim, challenger: challengerClaim },
      flops: 64,
    },
    verdict: {
      outcome:
        s.loser === 'solver' ? 'challenger-wins' : s.loser === 'challenger' ? 'solver-wins' : 'both-lose',
      loser: s.loser,
      losers: [...losers],
      step: hi,
      op: s.disputedOp,
      opName: s.opName,
      stage: 'recompute',
      faults: {
        solver: s.loser === 'challenger' ? null : wrong,
        challenger: s.loser === 'solver' ? null : wrong,
      },
      reason: `referee recomputed ${s.opName} at step ${hi}, op ${s.disputedOp}: ${s.loser === 'both' ? 'neither claim matches' : `the ${s.loser}'s claim does not match`}`,
    },
    cost: {
      rounds: {
        steps: stepRounds,
        ops: opRounds,
        messages: rounds.length,
        bound: ceilLog2(s.steps) + ceilLog2(s.opCount),
      },
      bytes: { solver: bytes, challenger: bytes, total: 2 * bytes },
      referee: { flops: 64, hashCalls: 4 * rounds.length, hashedTensorBytes: 2 * 8 * 4 * 4 },
      // Initial state plus one 8×4 binary32 data leaf per step.
      replication: {
        steps: s.steps,
        flops: s.steps * stepFlops,
        ratio: 64 / (s.steps * stepFlops),
        bytes: 4 * 32 * (1 + s.steps),
      },
    },
  };
}

/** Real transcripts to use instead of the synthetic ones, keyed by demo dispute. */
export interface DemoTranscripts {
  caughtCheater?: Transcript;
  falseChallenge?: Transcript;
  bothLose?: Transcript;
}

/** The demo's actions in order. Dispute ids are 1, 2, 3 in the order the disputes open. */
export function demoActions(real: DemoTranscripts = {}): Action[] {
  const acts: Action[] = [];
  const people: [string, string][] = [
    ['alice', 'Alice (submitter)'],
    ['grace', 'Grace (submitter)'],
    ['bob', 'Bob (honest solver)'],
    ['carol', 'Carol (cheating solver)'],
    ['dave', 'Dave (verifier)'],
    ['erin', 'Erin (whistleblower)'],
    ['frank', 'Frank (false challenger)'],
  ];
  for (const [id, name] of people) acts.push({ type: 'account.open', account: id, name });
  for (const [id] of people) acts.push({ type: 'mint', account: id, amount: 1000 });
  const run = (task: string, who: string) => d(task, 'run-commitment', who);

  // 1. Honest: posted, claimed, proved, verified, finalised — bounty to Bob, reward to Dave.
  acts.push({
    type: 'task.post',
    task: 'mnist-mlp',
    submitter: 'alice',
    bounty: 200,
    spec: 'MLP 784-64-10 on MNIST subset, 3 epochs, seed 7',
  });
  acts.push({ type: 'task.claim', task: 'mnist-mlp', solver: 'bob' });
  acts.push({
    type: 'proof.submit',
    task: 'mnist-mlp',
    solver: 'bob',
    runCommitment: run('mnist-mlp', 'bob'),
  });
  acts.push({
    type: 'task.verify',
    task: 'mnist-mlp',
    verifier: 'dave',
    reportDigest: d('mnist-mlp', 'report'),
  });
  acts.push({ type: 'task.finalize', task: 'mnist-mlp' });

  // 2. Caught cheater: Carol skips work, Dave's sampled check misses it, Erin disputes and wins the jackpot.
  const specOf = (t: Transcript | undefined, fallback: string) =>
    t ? `${t.task} — dispute transcript from a real referee run` : fallback;
  acts.push({
    type: 'task.post',
    task: 'iris-mlp',
    submitter: 'alice',
    bounty: 300,
    spec: specOf(real.caughtCheater, 'MLP 4-16-3 on Iris, 200 steps, Adam, seed 1'),
  });
  acts.push({ type: 'task.claim', task: 'iris-mlp', solver: 'carol' });
  acts.push({
    type: 'proof.submit',
    task: 'iris-mlp',
    solver: 'carol',
    runCommitment: run('iris-mlp', 'carol'),
  });
  acts.push({
    type: 'task.verify',
    task: 'iris-mlp',
    verifier: 'dave',
    reportDigest: d('iris-mlp', 'report'),
  });
  acts.push({ type: 'dispute.open', task: 'iris-mlp', challenger: 'erin' });
  acts.push(
    settlementAction(
      1,
      real.caughtCheater ??
        syntheticTranscript({
          task: 'iris-mlp',
          solver: 'carol',
          challenger: 'erin',
          steps: 200,
          disputedStep: 137,
          opCount: 58,
          disputedOp: 41,
          opName: 'adam.param',
          loser: 'solver',
        }),
    ),
  );

  // 3. False challenge: Frank disputes Bob's honest run and loses part of his stake to Bob and the treasury.
  acts.push({
    type: 'task.post',
    task: 'xor-tanh',
    submitter: 'grace',
    bounty: 150,
    spec: specOf(real.falseChallenge, 'MLP 2-8-1 tanh on XOR, 500 steps, SGD, seed 3'),
  });
  acts.push({ type: 'task.claim', task: 'xor-tanh', solver: 'bob' });
  acts.push({ type: 'proof.submit', task: 'xor-tanh', solver: 'bob', runCommitment: run('xor-tanh', 'bob') });
  acts.push({ type: 'dispute.open', task: 'xor-tanh', challenger: 'frank' });
  acts.push(
    settlementAction(
      2,
      real.falseChallenge ??
        syntheticTranscript({
          task: 'xor-tanh',
          solver: 'bob',
          challenger: 'frank',
          steps: 500,
          disputedStep: 312,
          opCount: 30,
          disputedOp: 9,
          opName: 'tanh',
          loser: 'challenger',
        }),
    ),
  );

  // 4. Both lose: Carol cheats again and Frank's counter-claim is wrong too; Grace is refunded.
  acts.push({
    type: 'task.post',
    task: 'linreg',
    submitter: 'grace',
    bounty: 120,
    spec: specOf(real.bothLose, 'linear regression 8→1, 100 steps, SGD, seed 11'),
  });
  acts.push({ type: 'task.claim', task: 'linreg', solver: 'carol' });
  acts.push({ type: 'proof.submit', task: 'linreg', solver: 'carol', runCommitment: run('linreg', 'carol') });
  acts.push({ type: 'dispute.open', task: 'linreg', challenger: 'frank' });
  acts.push(
    settlementAction(
      3,
      real.bothLose ??
        syntheticTranscript({
          task: 'linreg',
          solver: 'carol',
          challenger: 'frank',
          steps: 100,
          disputedStep: 64,
          opCount: 12,
          disputedOp: 5,
          opName: 'matmul',
          loser: 'both',
        }),
    ),
  );

  // 5. Work in progress: one task claimed and proved (awaiting verification), one still open.
  acts.push({
    type: 'task.post',
    task: 'mnist-cnn',
    submitter: 'alice',
    bounty: 250,
    spec: 'small CNN on MNIST subset, 1 epoch, seed 5',
  });
  acts.push({ type: 'task.claim', task: 'mnist-cnn', solver: 'bob' });
  acts.push({
    type: 'proof.submit',
    task: 'mnist-cnn',
    solver: 'bob',
    runCommitment: run('mnist-cnn', 'bob'),
  });
  acts.push({
    type: 'task.post',
    task: 'iris-linear',
    submitter: 'grace',
    bounty: 80,
    spec: 'softmax regression on Iris, 50 steps, seed 2',
  });
  acts.push(...demoCopyActions(run('spirals', 'bob')));
  return acts;
}

/**
 * 6. A copied proof caught by commit-then-reveal. Alice and Grace post the same task (two instances;
 * RepOps makes honest runs of both bit-identical). Bob seals his run commitment, then reveals it; Mallory,
 * who only learnt it from Bob's reveal, seals the same run (re-signed with her own key, so the signer check
 * passes) and reveals: her seal is later than Bob's reveal, so the ledger slashes her and pays Bob a share.
 * Keys come from public demo seeds; salts are fixed so the file is reproducible (real salts are random).
 */
function demoCopyActions(runCommitment: string): Action[] {
  const spec = 'spirals MLP 2-16-16-2, 400 steps, SGD, seed 1';
  const bob = keyFromSeed('pinpoint-demo-bob');
  const mallory = keyFromSeed('pinpoint-demo-mallory');
  const honest = commitRevealActions(
    { runCommitment, solver: { publicKey: toHex(bob.publicKey) } },
    'spirals-a',
    'bob',
    d('salt', 'bob'),
  );
  const copy = commitRevealActions(
    { runCommitment, solver: { publicKey: toHex(mallory.publicKey) } },
    'spirals-b',
    'mallory',
    d('salt', 'mallory'),
  );
  return [
    { type: 'account.open', account: 'mallory', name: 'Mallory (copier)' },
    { type: 'mint', account: 'mallory', amount: 1000 },
    keyBindingAction('bob', bob),
    keyBindingAction('mallory', mallory),
    { type: 'task.post', task: 'spirals-a', submitter: 'alice', bounty: 150, spec: `${spec} (instance A)` },
    { type: 'task.post', task: 'spirals-b', submitter: 'grace', bounty: 150, spec: `${spec} (instance B)` },
    { type: 'task.claim', task: 'spirals-a', solver: 'bob' },
    { type: 'task.claim', task: 'spirals-b', solver: 'mallory' },
    honest.commit,
    honest.reveal,
    copy.commit,
    copy.reveal,
  ];
}
