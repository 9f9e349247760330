/**
 * The referee and the two-phase protocol (docs/DISPUTE.md). The referee holds only public task data
 * (steps, initial state digest, each step's graph structure, the data order) and what the parties answer;
 * every answer is checked against the answering party's own earlier commitments, and a party that does not
 * answer by the deadline, answers garbage or contradicts itself loses. Outcomes can be that both lose.
 *
 *  setup   both claim a run root over T step records (equal roots: nothing to dispute).
 *  steps   Merkle descent over the run tree of full step records to the FIRST differing record t (every
 *          committed field — stateBefore/After, batch, loss, op root/count — is in the record digest, so
 *          a difference in any field is found; all records before t are agreed), then both open record t
 *          (and the agreed record t−1) with membership proofs.
 *  chain   at step t: each record must have the mode's fields, its stateBefore must be the agreed state
 *          after t−1 (or the task's initial state) and its batch digest the task's.
 *  ops     op roots of step t (from the records in trace mode, committed now in fast mode), then Merkle
 *          descent to the first differing node i.
 *  leaf    i is a leaf: a param/state leaf must be opened in the agreed state before t, a data leaf must
 *          equal the task's data digest.
 *  recompute  i is an op: both reveal its inputs with membership proofs, the referee recomputes it once.
 *  seal    op roots equal: each party's stateAfter must be the root of the slot outputs in its op tree,
 *          and its loss the value of the loss node in its op tree.
 */
import { tensorDigest } from '../hash/digest.ts';
import { type Digest, isDigest } from '../hash/hex.ts';
import { type MerkleProof, merkleRoot, verifyMerkleProof } from '../hash/merkle.ts';
import type { TensorDigestScheme } from '../hash/tensor-scheme.ts';
import type { Attrs } from '../repops/registry.ts';
import type { Tensor } from '../repops/tensor.ts';
import { type CostReport, ceilLog2, type FlopsFn, graphBytes, graphFlops, wireBytes } from './cost.ts';
import { leafHash, nodeHash, splitPoint } from './merkle-descent.ts';
import { stepRecordDigest } from './record.ts';
import {
  type AnswerRecord,
  type Question,
  type RecomputeRecord,
  type RoundRecord,
  type Stage,
  TRANSCRIPT_FORMAT,
  TRANSCRIPT_VERSION,
  type Transcript,
} from './transcript.ts';
import type { DisputeParty, Fault, FaultCode, Role, StepGraph, StepRecord, Verdict } from './types.ts';

export interface RefereeConfig {
  /** Task name for the transcript. */
  readonly task: string;
  readonly steps: number;
  /** Digest of the state before step 0, derived from the task (seeded initialisation). */
  readonly initialState: Digest;
  readonly mode: 'trace' | 'fast';
  /** The task's tensor-digest scheme: how revealed tensors are hashed. */
  readonly scheme: TensorDigestScheme;
  /** Public structure of step t's graph. */
  graph(step: number): StepGraph;
  /** Recompute one op (production: core/repops getOp(op).forward). */
  recompute(op: string, attrs: Attrs, inputs: readonly Tensor[]): Tensor;
  flops?: FlopsFn;
  /** Step-record digest (default: canonical JSON under "pinpoint.step.v1", as core/train). */
  hashStepRecord?(r: StepRecord): Digest;
  /** Node index of step t's loss (a one-element tensor whose value the record's loss must be). */
  lossNode?(step: number): number | undefined;
  /** The task's batch digest for step t (data order from the seed); unchecked when absent. */
  expectedBatchDigest?(step: number): Digest;
  /** Digest of a data/target/const leaf of step t from the task's data. */
  leafDigest?(step: number, index: number): Digest | undefined;
  /**
   * Commitments outside the step records, decided at setup (docs/DISPUTE.md "One rule"): `invalid`
   * names a party whose bundle fails the referee's own validation (checkpoint data against the records,
   * op digests against op roots, signature, canonical form) — it loses before any round. `metadata`
   * are the parties' other signed claims (e.g. final metrics, recomputable from the final state the
   * records commit to): when the run roots are equal but the claims differ, the referee recomputes
   * `truth()` and every party whose claim differs loses.
   */
  readonly invalid?: Partial<Record<Role, string>>;
  readonly metadata?: {
    readonly solver: unknown;
    readonly challenger: unknown;
    truth(): unknown;
  };
  /** Per-answer deadline (default 10 s). */
  readonly deadlineMs?: number;
  /** FLOPs of replaying the whole run (default T × FLOPs of the disputed step's graph). */
  readonly replicationFlops?: number;
}

export interface DisputeResult {
  readonly verdict: Verdict;
  readonly transcript: Transcript;
}

const TIMEOUT = Symbol('timeout');

interface Asked<T> {
  value: T | undefined;
  record: AnswerRecord;
}

/** Equality of JSON-like claims (numbers compared with Object.is, so −0 ≠ +0 and NaN = NaN). */
function canonicalEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) =>
    canonicalEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

function fault(code: FaultCode, detail: string): Fault {
  return { code, detail };
}

function isProof(p: unknown): p is MerkleProof {
  const o = p as MerkleProof | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    Number.isInteger(o.index) &&
    Number.isInteger(o.count) &&
    Array.isArray(o.siblings)
  );
}

const RECORD_KEYS = new Set([
  'step',
  'stateBefore',
  'stateAfter',
  'batchDigest',
  'loss',
  'opRoot',
  'opCount',
]);

function isRecord(r: unknown): r is StepRecord {
  const o = r as StepRecord | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    Number.isInteger(o.step) &&
    isDigest(o.stateBefore) &&
    isDigest(o.stateAfter) &&
    isDigest(o.batchDigest) &&
    typeof o.loss === 'number' &&
    Object.keys(o).every((k) => RECORD_KEYS.has(k))
  );
}

/** What a record of this mode must and must not carry (null = well-formed). */
function recordShapeFault(r: StepRecord, mode: 'trace' | 'fast', t: number): string | null {
  const hasRoot = r.opRoot !== undefined || r.opCount !== undefined;
  if (mode === 'fast')
    return hasRoot ? `fast-mode record of step ${t} carries an op root (fast records commit none)` : null;
  if (!isDigest(r.opRoot) || !Number.isInteger(r.opCount))
    return `trace-mode record of step ${t} has no op root and op count`;
  return null;
}

function isTensor(t: unknown): t is Tensor {
  const o = t as Tensor | null;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.shape) || !(o.data instanceof Float32Array))
    return false;
  let n = 1;
  for (const d of o.shape) {
    if (!Number.isInteger(d) || d < 0) return false;
    n *= d;
  }
  return n === o.data.length;
}

/** JSON form of an answer for the transcript: tensors become shape + digest (+ bytes when small). */
export const TRANSCRIPT_TENSOR_LIMIT = 4096;
function tensorJson(
  t: Tensor,
  scheme: TensorDigestScheme,
): { shape: number[]; digest: Digest; dataB64?: string } {
  const out: { shape: number[]; digest: Digest; dataB64?: string } = {
    shape: [...t.shape],
    digest: tensorDigest(t, scheme),
  };
  if (t.data.length <= TRANSCRIPT_TENSOR_LIMIT)
    out.dataB64 = toBase64(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return out;
}
function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function answerJson(v: unknown, scheme: TensorDigestScheme): unknown {
  if (Array.isArray(v)) return v.map((x) => answerJson(x, scheme));
  if (typeof v === 'object' && v !== null) {
    if (isTensor(v)) return tensorJson(v, scheme);
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = answerJson(x, scheme);
    return o;
  }
  return v;
}

/** Runs a dispute between a solver and a challenger to a verdict, recording the transcript. */
export async function runDispute(
  solver: DisputeParty,
  challenger: DisputeParty,
  cfg: RefereeConfig,
): Promise<DisputeResult> {
  const deadline = cfg.deadlineMs ?? 10_000;
  const hashRecord = cfg.hashStepRecord ?? stepRecordDigest;
  const parties: Record<Role, DisputeParty> = { solver, challenger };
  const faults: Record<Role, Fault | null> = { solver: null, challenger: null };
  const bytes: Record<Role, number> = { solver: 0, challenger: 0 };
  const rounds: RoundRecord[] = [];
  let hashCalls = 0;
  let hashedTensorBytes = 0;
  let stepRounds = 0;
  let opRounds = 0;
  let recompute: RecomputeRecord | null = null;
  let refereeFlops = 0;
  let disputedStep: number | null = null;
  let disputedOp: number | null = null;
  let disputedGraph: StepGraph | null = null;

  const verify = (leaf: Digest, proof: MerkleProof, root: Digest): boolean => {
    hashCalls += 1 + proof.siblings.length;
    return verifyMerkleProof(leaf, proof, root);
  };

  async function askOne<T>(
    role: Role,
    call: () => Promise<T>,
    check: (v: T) => Fault | null,
  ): Promise<Asked<T>> {
    const t0 = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<typeof TIMEOUT>((res) => {
      timer = setTimeout(() => res(TIMEOUT), deadline);
    });
    let outcome: { ok: true; v: T } | { ok: false; err: unknown } | typeof TIMEOUT;
    try {
      outcome = await Promise.race([
        Promise.resolve()
          .then(call)
          .then(
            (v) => ({ ok: true as const, v }),
            (err: unknown) => ({ ok: false as const, err }),
          ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
    const ms = Date.now() - t0;
    if (outcome === TIMEOUT) {
      const f = fault('timeout', `${parties[role].name} did not answer within ${deadline} ms`);
      return { value: undefined, record: { status: 'timeout', bytes: 0, ms, fault: f } };
    }
    if (!outcome.ok) {
      const msg = outcome.err instanceof Error ? outcome.err.message : String(outcome.err);
      const f = fault('error', `${parties[role].name} failed to answer: ${msg}`);
      return { value: undefined, record: { status: 'error', bytes: 0, ms, fault: f } };
    }
    let f: Fault | null;
    try {
      f = check(outcome.v);
    } catch (err) {
      f = fault('malformed', `malformed answer (${err instanceof Error ? err.message : String(err)})`);
    }
    const b = wireBytes(outcome.v);
    bytes[role] += b;
    return {
      value: outcome.v,
      record: { status: 'ok', value: answerJson(outcome.v, cfg.scheme), bytes: b, ms, fault: f },
    };
  }

  /** Asks both parties the same question in parallel; records the round; collects faults. */
  async function askBoth<T>(
    stage: Stage,
    question: Question,
    call: (p: DisputeParty) => Promise<T>,
    check: (role: Role, v: T) => Fault | null,
    extra: Partial<Pick<RoundRecord, 'bisection' | 'note'>> = {},
    roles: readonly Role[] = ['solver', 'challenger'],
  ): Promise<Partial<Record<Role, T>>> {
    const asked = await Promise.all(
      roles.map((role) =>
        askOne(
          role,
          () => call(parties[role]),
          (v) => check(role, v),
        ),
      ),
    );
    const answers: { solver?: AnswerRecord; challenger?: AnswerRecord } = {};
    const values: Partial<Record<Role, T>> = {};
    roles.forEach((role, k) => {
      answers[role] = asked[k].record;
      if (asked[k].record.fault) faults[role] ??= asked[k].record.fault;
      else values[role] = asked[k].value as T;
    });
    rounds.push({
      seq: rounds.length,
      stage,
      bisection: extra.bisection ?? false,
      question,
      answers,
      note: extra.note ?? '',
    });
    return values;
  }

  const last = (): RoundRecord => rounds[rounds.length - 1];
  const patchLast = (p: Partial<RoundRecord>): void => {
    rounds[rounds.length - 1] = { ...last(), ...p };
  };
  const anyFault = (): boolean => faults.solver !== null || faults.challenger !== null;

  function finish(stage: Verdict['stage']): DisputeResult {
    const losers = (['solver', 'challenger'] as const).filter((r) => faults[r] !== null);
    if (losers.length === 0) throw new Error('dispute: finished without a fault (referee bug)');
    const loser = losers.length === 2 ? 'both' : losers[0];
    const outcome = loser === 'both' ? 'both-lose' : loser === 'solver' ? 'challenger-wins' : 'solver-wins';
    const opName = disputedOp !== null && disputedGraph ? disputedGraph.nodes[disputedOp].op : null;
    const reason = losers
      .map((r) => `${r} ${parties[r].name}: ${faults[r]?.code} — ${faults[r]?.detail}`)
      .join('; ');
    const verdict: Verdict = {
      outcome,
      loser,
      losers,
      step: disputedStep,
      op: disputedOp,
      opName,
      stage,
      faults: { solver: faults.solver, challenger: faults.challenger },
      reason,
    };
    const g = disputedGraph ?? (cfg.steps > 0 ? cfg.graph(disputedStep ?? 0) : null);
    const stepFlops = g && cfg.flops ? graphFlops(g, cfg.flops) : 0;
    const replicationFlops = cfg.replicationFlops ?? cfg.steps * stepFlops;
    const gb = g ? graphBytes(g) : { state: 0, data: 0 };
    const cost: CostReport = {
      rounds: {
        steps: stepRounds,
        ops: opRounds,
        messages: rounds.length,
        bound: ceilLog2(cfg.steps) + ceilLog2(g ? g.nodes.length : 1),
      },
      bytes: { solver: bytes.solver, challenger: bytes.challenger, total: bytes.solver + bytes.challenger },
      referee: { flops: refereeFlops, hashCalls, hashedTensorBytes },
      replication: {
        steps: cfg.steps,
        flops: replicationFlops,
        ratio: replicationFlops > 0 ? refereeFlops / replicationFlops : 0,
        bytes: gb.state + cfg.steps * gb.data,
      },
    };
    const transcript: Transcript = {
      format: TRANSCRIPT_FORMAT,
      version: TRANSCRIPT_VERSION,
      task: cfg.task,
      mode: cfg.mode,
      parties: { solver: solver.name, challenger: challenger.name },
      public: { steps: cfg.steps, initialState: cfg.initialState, deadlineMs: deadline },
      rounds,
      recompute,
      verdict,
      cost,
    };
    return { verdict, transcript };
  }

  // ---- setup: run claims ----
  const T = cfg.steps;
  if (!Number.isInteger(T) || T < 1)
    throw new Error(`dispute: task ${cfg.task} has ${T} steps; need at least 1`);
  for (const r of ['solver', 'challenger'] as const) {
    const why = cfg.invalid?.[r];
    if (why !== undefined) faults[r] = fault('bad-bundle', why);
  }
  if (anyFault()) return finish('setup');
  const claims = await askBoth(
    'setup',
    { kind: 'claim' },
    (p) => p.claim(),
    (_r, c) =>
      !isDigest(c.runRoot)
        ? fault('malformed', 'run root is not a digest')
        : c.steps !== T
          ? fault('bad-claim', `claims ${c.steps} steps, the task has ${T}`)
          : null,
    { note: 'both parties state their run commitment' },
  );
  if (anyFault()) return finish('setup');
  const root: Record<Role, Digest> = {
    solver: claims.solver!.runRoot,
    challenger: claims.challenger!.runRoot,
  };

  const opened: Record<Role, Map<number, StepRecord>> = { solver: new Map(), challenger: new Map() };
  const checkOpening = (
    role: Role,
    m: number,
    o: { record: StepRecord; proof: MerkleProof },
  ): Fault | null => {
    if (!isRecord(o.record) || !isProof(o.proof))
      return fault('malformed', `opening of step ${m} is not a record + proof`);
    if (o.record.step !== m)
      return fault('bad-proof', `opened record says step ${o.record.step}, asked for ${m}`);
    if (o.proof.index !== m || o.proof.count !== T)
      return fault('bad-proof', `proof is for leaf ${o.proof.index}/${o.proof.count}, asked ${m}/${T}`);
    hashCalls++;
    if (!verify(hashRecord(o.record), o.proof, root[role])) {
      return fault(
        'bad-proof',
        `record of step ${m} does not verify against its run root ${root[role].slice(0, 12)}…`,
      );
    }
    return null;
  };
  const openStep = async (m: number, stage: Stage, note: string, bisection: boolean): Promise<boolean> => {
    const v = await askBoth(
      stage,
      { kind: 'open-step', step: m },
      (p) => p.openStep(m),
      (r, o) => checkOpening(r, m, o),
      { note, bisection },
    );
    if (v.solver) opened.solver.set(m, v.solver.record);
    if (v.challenger) opened.challenger.set(m, v.challenger.record);
    return !anyFault();
  };

  if (root.solver === root.challenger) {
    const md = cfg.metadata;
    if (md && canonicalEqual(md.solver, md.challenger) === false) {
      const truth = md.truth();
      for (const r of ['solver', 'challenger'] as const) {
        if (!canonicalEqual(md[r], truth))
          faults[r] = fault(
            'wrong-metadata',
            `same run, but its signed metadata ${JSON.stringify(md[r])} is not what the committed states give (${JSON.stringify(truth)})`,
          );
      }
      if (anyFault()) return finish('setup');
    }
    faults.challenger = fault('no-disagreement', 'both parties committed to the same run');
    return finish('setup');
  }

  // ---- phase 1: Merkle descent over the run tree of step records ----
  // "Record m agrees" does not imply "every record before m agrees" (a false loss or op root at one
  // step leaves later records equal), so the referee follows the leftmost differing child of the run
  // tree, as in the op phase: it ends at the first differing record, every earlier one agreed.
  let lo = 0;
  let hi = T;
  const heldRun: Record<Role, string> = { solver: root.solver, challenger: root.challenger };
  patchLast({ steps: { lo: -1, hi: T - 1 }, agree: false });
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    stepRounds++;
    const lo0 = lo;
    const hi0 = hi;
    const v = await askBoth(
      'steps',
      { kind: 'run-children', range: [lo0, hi0] },
      (p) => p.runChildren(lo0, hi0),
      (r, c) => {
        if (
          typeof c?.left !== 'string' ||
          typeof c.right !== 'string' ||
          !isDigest(c.left) ||
          !isDigest(c.right)
        )
          return fault('malformed', 'children must be two hashes');
        hashCalls++;
        return nodeHash(c.left, c.right) === heldRun[r]
          ? null
          : fault(
              'bad-proof',
              `children of step records [${lo0}, ${hi0}) do not hash to the node it committed`,
            );
      },
      { bisection: true },
    );
    if (anyFault()) return finish('steps');
    const leftDiffers = v.solver!.left !== v.challenger!.left;
    if (leftDiffers) {
      hi = lo + k;
      heldRun.solver = v.solver!.left;
      heldRun.challenger = v.challenger!.left;
    } else {
      lo = lo + k;
      heldRun.solver = v.solver!.right;
      heldRun.challenger = v.challenger!.right;
    }
    // Shown as the half-open step interval (lo, hi] of the state-bisection era: records [lo, hi).
    patchLast({
      steps: { lo: lo - 1, hi: hi - 1 },
      agree: !leftDiffers,
      note: leftDiffers
        ? `records [${lo0}, ${lo0 + k}) differ: first differing step in [${lo}, ${hi})`
        : `records [${lo0}, ${lo0 + k}) agree: first differing step in [${lo}, ${hi})`,
    });
  }
  const t = lo;
  disputedStep = t;
  if (!(await openStep(t, 'chain', `first differing step record: ${t}; both open it`, false)))
    return finish('chain');
  for (const r of ['solver', 'challenger'] as const) {
    hashCalls++;
    if (T > 1 && leafHash(hashRecord(opened[r].get(t)!)) !== heldRun[r])
      faults[r] = fault('bad-proof', `record of step ${t} is not the leaf it descended to`);
  }
  if (anyFault()) return finish('chain');
  let agreedBefore = cfg.initialState;
  if (t > 0) {
    // Record t−1 lies in a subtree both opened with equal hashes: both must open the same record.
    if (
      !(await openStep(
        t - 1,
        'chain',
        `both open the agreed record ${t - 1} (its stateAfter starts step ${t})`,
        false,
      ))
    )
      return finish('chain');
    const a = opened.solver.get(t - 1)!;
    if (hashRecord(a) !== hashRecord(opened.challenger.get(t - 1)!))
      throw new Error(`dispute: both parties opened different records ${t - 1} under agreed subtrees`);
    agreedBefore = a.stateAfter;
  }
  const rec: Record<Role, StepRecord> = {
    solver: opened.solver.get(t)!,
    challenger: opened.challenger.get(t)!,
  };
  for (const r of ['solver', 'challenger'] as const) {
    const bad = recordShapeFault(rec[r], cfg.mode, t);
    if (bad) faults[r] = fault('malformed', bad);
  }
  if (anyFault()) return finish('chain');

  // ---- chain: the disputed step starts from the agreed state and the task's batch ----
  const expectedBatch = cfg.expectedBatchDigest?.(t);
  for (const r of ['solver', 'challenger'] as const) {
    if (rec[r].stateBefore !== agreedBefore) {
      faults[r] = fault(
        t === 0 ? 'wrong-initial-state' : 'broken-chain',
        t === 0
          ? `step 0 starts from ${rec[r].stateBefore.slice(0, 12)}…, the task's initial state is ${agreedBefore.slice(0, 12)}…`
          : `step ${t} starts from ${rec[r].stateBefore.slice(0, 12)}…, not the agreed state after step ${t - 1} (${agreedBefore.slice(0, 12)}…)`,
      );
    } else if (expectedBatch !== undefined && rec[r].batchDigest !== expectedBatch) {
      faults[r] = fault(
        'wrong-batch',
        `step ${t} claims batch ${rec[r].batchDigest.slice(0, 12)}…, the task's data order gives ${expectedBatch.slice(0, 12)}…`,
      );
    }
  }
  if (anyFault()) return finish('chain');

  // ---- phase 2: op roots and Merkle descent ----
  const graph = cfg.graph(t);
  disputedGraph = graph;
  const N = graph.nodes.length;
  const opRoot: Record<Role, Digest> = { solver: '', challenger: '' };
  if (cfg.mode === 'trace') {
    for (const r of ['solver', 'challenger'] as const) {
      if (!isDigest(rec[r].opRoot))
        faults[r] = fault('malformed', `trace-mode record of step ${t} has no op root`);
      else if (rec[r].opCount !== N)
        faults[r] = fault(
          'bad-op-count',
          `step ${t} record has ${rec[r].opCount} ops, the task's graph has ${N}`,
        );
      else opRoot[r] = rec[r].opRoot!;
    }
    if (anyFault()) return finish('ops');
  } else {
    const c = await askBoth(
      'ops',
      { kind: 'commit-ops', step: t },
      (p) => p.commitOps(t),
      (_r, o) =>
        !isDigest(o.root)
          ? fault('malformed', 'op root is not a digest')
          : o.count !== N
            ? fault('bad-op-count', `commits ${o.count} ops, the task's graph of step ${t} has ${N}`)
            : null,
      { note: `fast mode: both commit the op-output root of step ${t}, recomputed from the agreed state` },
    );
    if (anyFault()) return finish('ops');
    opRoot.solver = c.solver!.root;
    opRoot.challenger = c.challenger!.root;
  }

  if (opRoot.solver === opRoot.challenger) {
    // Same ops, different stateAfter: whoever's stateAfter is not made of its own op outputs loses.
    await askBoth(
      'seal',
      { kind: 'seal-state', step: t },
      (p) => p.sealState(t),
      (r, s) => {
        if (
          !Array.isArray(s.digests) ||
          !Array.isArray(s.proofs) ||
          s.digests.length !== graph.slots.length ||
          s.proofs.length !== graph.slots.length
        ) {
          return fault('malformed', `seal must open ${graph.slots.length} state slots`);
        }
        for (let k = 0; k < graph.slots.length; k++) {
          const p = s.proofs[k];
          if (!isProof(p) || p.index !== graph.slots[k].out || !verify(s.digests[k], p, opRoot[r])) {
            return fault(
              'bad-proof',
              `state slot ${k} (${graph.slots[k].name}) is not node ${graph.slots[k].out}'s output in its op tree`,
            );
          }
        }
        hashCalls += graph.slots.length;
        const sealed = merkleRoot(s.digests);
        return sealed === rec[r].stateAfter
          ? null
          : fault(
              'wrong-state-after',
              `stateAfter of step ${t} is not the root of its own op outputs (${sealed.slice(0, 12)}…)`,
            );
      },
      { note: `op roots agree; both show stateAfter of step ${t} is built from their op outputs` },
    );
    const lossIndex = cfg.lossNode?.(t);
    if (lossIndex !== undefined && rec.solver.loss !== rec.challenger.loss) {
      // The loss is a committed field: it must be the one-element output of the loss node in the
      // party's own op tree (its digest is that of the record's loss as a binary32 tensor).
      const lossShape = graph.nodes[lossIndex].shape;
      await askBoth(
        'seal',
        { kind: 'open-op', step: t, index: lossIndex },
        (p) => p.openOp(t, lossIndex),
        (r, o) => {
          if (!isDigest(o?.digest) || !isProof(o.proof))
            return fault('malformed', 'op opening must be a digest + proof');
          if (o.proof.index !== lossIndex || !verify(o.digest, o.proof, opRoot[r]))
            return fault('bad-proof', `loss node ${lossIndex} does not verify against its op root`);
          const claimed = tensorDigest(
            { shape: [...lossShape], data: Float32Array.of(rec[r].loss) },
            cfg.scheme,
          );
          return o.digest === claimed
            ? null
            : fault(
                'wrong-loss',
                `step ${t} record says loss ${rec[r].loss}, its own loss node ${lossIndex} holds another value`,
              );
        },
        { note: `op roots agree, losses differ: both open the loss node ${lossIndex} of step ${t}` },
      );
    }
    if (!anyFault()) {
      // Equal op trees, both records sealed from them: only a hash collision does that.
      throw new Error('dispute: both parties sealed different records from the same op root');
    }
    return finish('seal');
  }

  let opLo = 0;
  let opHi = N;
  const held: Record<Role, string> = { solver: opRoot.solver, challenger: opRoot.challenger };
  // The committed roots are Merkle roots, so they are the top node hashes of the descent.
  if (N === 1) {
    held.solver = opRoot.solver;
    held.challenger = opRoot.challenger;
  }
  while (opHi - opLo > 1) {
    const k = splitPoint(opHi - opLo);
    opRounds++;
    const lo0 = opLo;
    const hi0 = opHi;
    const v = await askBoth(
      'ops',
      { kind: 'children', step: t, range: [lo0, hi0] },
      (p) => p.children(t, lo0, hi0),
      (r, c) => {
        if (
          typeof c.left !== 'string' ||
          typeof c.right !== 'string' ||
          !isDigest(c.left) ||
          !isDigest(c.right)
        ) {
          return fault('malformed', 'children must be two hashes');
        }
        hashCalls++;
        return nodeHash(c.left, c.right) === held[r]
          ? null
          : fault('bad-proof', `children of ops [${lo0}, ${hi0}) do not hash to the node it committed`);
      },
      { bisection: true },
    );
    if (anyFault()) return finish('ops');
    const leftDiffers = v.solver!.left !== v.challenger!.left;
    if (leftDiffers) {
      opHi = opLo + k;
      held.solver = v.solver!.left;
      held.challenger = v.challenger!.left;
    } else {
      opLo = opLo + k;
      held.solver = v.solver!.right;
      held.challenger = v.challenger!.right;
    }
    patchLast({
      ops: { lo: opLo, hi: opHi },
      agree: !leftDiffers,
      note: leftDiffers
        ? `ops [${lo0}, ${lo0 + k}) differ: first differing op in [${opLo}, ${opHi})`
        : `ops [${lo0}, ${lo0 + k}) agree: first differing op in [${opLo}, ${opHi})`,
    });
  }
  const i = opLo;
  disputedOp = i;
  const node = graph.nodes[i];

  // Each party opens the leaf it descended to: its output digest for node i.
  const outs = await askBoth(
    'ops',
    { kind: 'open-op', step: t, index: i },
    (p) => p.openOp(t, i),
    (r, o) => {
      if (!isDigest(o.digest) || !isProof(o.proof))
        return fault('malformed', 'op opening must be a digest + proof');
      if (o.proof.index !== i || o.proof.count !== N)
        return fault('bad-proof', `opened leaf ${o.proof.index}/${o.proof.count}, asked ${i}/${N}`);
      hashCalls++;
      if (N > 1 && leafHash(o.digest) !== held[r])
        return fault('bad-proof', `output digest of node ${i} is not the leaf it descended to`);
      return verify(o.digest, o.proof, opRoot[r])
        ? null
        : fault('bad-proof', `output digest of node ${i} does not verify against its op root`);
    },
    {
      note: `first differing node: ${i} (${node.op}${node.label ? ` "${node.label}"` : ''}); both open its output digest`,
    },
  );
  if (anyFault()) return finish('ops');
  const claimed: Record<Role, Digest> = { solver: outs.solver!.digest, challenger: outs.challenger!.digest };

  if (node.op === 'leaf') {
    const kind = String(node.attrs.kind);
    if (kind === 'param' || kind === 'state') {
      const slot = graph.slots.findIndex((s) => s.leaf === i);
      if (slot < 0)
        throw new Error(
          `dispute: task ${cfg.task} graph of step ${t}: leaf ${i} (${String(node.attrs.name)}) reads no state slot`,
        );
      await askBoth(
        'leaf',
        { kind: 'open-state-before', step: t, slot },
        (p) => p.openStateBefore(t, slot),
        (r, s) => {
          if (!isDigest(s.digest) || !isProof(s.proof))
            return fault('malformed', 'state opening must be a digest + proof');
          if (s.digest !== claimed[r])
            return fault('wrong-leaf', `opened state slot ${slot} is not the value its leaf ${i} used`);
          if (s.proof.index !== slot || !verify(s.digest, s.proof, agreedBefore)) {
            return fault(
              'wrong-leaf',
              `leaf ${i} (${String(node.attrs.name)}) is not slot ${slot} of the agreed state before step ${t}`,
            );
          }
          return null;
        },
        {
          note: `node ${i} is ${kind} leaf "${String(node.attrs.name)}": both prove it is slot ${slot} of the agreed state`,
        },
      );
      return finish('leaf');
    }
    const expected = cfg.leafDigest?.(t, i);
    if (expected === undefined)
      throw new Error(`dispute: task ${cfg.task} gives no digest for ${kind} leaf ${i} of step ${t}`);
    for (const r of ['solver', 'challenger'] as const) {
      if (claimed[r] !== expected) {
        faults[r] = fault(
          'wrong-leaf',
          `${kind} leaf ${i} (${String(node.attrs.name)}) of step ${t} is ${claimed[r].slice(0, 12)}…, the task's data gives ${expected.slice(0, 12)}…`,
        );
      }
    }
    return finish('leaf');
  }

  // Non-leaf: both reveal the op's inputs (agreed: they precede i), the referee recomputes it once.
  const reveals = await askBoth(
    'recompute',
    { kind: 'reveal-inputs', step: t, index: i },
    (p) => p.revealInputs(t, i),
    (r, rs) => {
      if (!Array.isArray(rs) || rs.length !== node.inputs.length)
        return fault('malformed', `must reveal ${node.inputs.length} inputs`);
      for (let k = 0; k < rs.length; k++) {
        const x = rs[k];
        if (
          !x ||
          x.index !== node.inputs[k] ||
          !isTensor(x.tensor) ||
          !isProof(x.proof) ||
          x.proof.index !== x.index
        ) {
          return fault(
            'bad-reveal',
            `input ${k} of node ${i} must be node ${node.inputs[k]}'s tensor with its proof`,
          );
        }
        hashedTensorBytes += x.tensor.data.byteLength;
        hashCalls++;
        if (!verify(tensorDigest(x.tensor, cfg.scheme), x.proof, opRoot[r])) {
          return fault('bad-reveal', `revealed input ${k} (node ${x.index}) does not match its own op tree`);
        }
      }
      return null;
    },
    { note: `both reveal the ${node.inputs.length} input(s) of node ${i} with membership proofs` },
  );
  const source = reveals.solver ?? reveals.challenger;
  if (!source) return finish('recompute');
  const inputs = source.map((x) => x.tensor);
  let out: Tensor | null = null;
  let error: string | undefined;
  try {
    out = cfg.recompute(node.op, node.attrs, inputs);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const outDigest = out ? tensorDigest(out, cfg.scheme) : null;
  if (out) hashedTensorBytes += out.data.byteLength;
  refereeFlops = cfg.flops
    ? cfg.flops(
        node.op,
        node.attrs,
        inputs.map((x) => x.shape),
      )
    : 0;
  recompute = {
    step: t,
    index: i,
    op: node.op,
    attrs: node.attrs,
    inputs: source.map((x) => ({
      index: x.index,
      shape: [...x.tensor.shape],
      digest: tensorDigest(x.tensor, cfg.scheme),
    })),
    output: outDigest,
    outputShape: out ? [...out.shape] : null,
    ...(error ? { error } : {}),
    claims: { solver: claimed.solver, challenger: claimed.challenger },
    flops: refereeFlops,
  };
  for (const r of ['solver', 'challenger'] as const) {
    if (faults[r]) continue;
    if (outDigest === null)
      faults[r] = fault(
        'wrong-output',
        `${node.op} fails on the agreed inputs (${error}), so no claimed output is right`,
      );
    else if (claimed[r] !== outDigest) {
      faults[r] = fault(
        'wrong-output',
        `claimed ${node.op} output ${claimed[r].slice(0, 12)}…, the referee computes ${outDigest.slice(0, 12)}…`,
      );
    }
  }
  return finish('recompute');
}
