/**
 * The staking game's state machine: `plan(view, action)` checks an action against the current state and
 * expands it into primitive changes (or throws a LedgerError and changes nothing). It only reads through
 * `LedgerView`, so the same rules drive the SQLite store, the in-memory replay of `ledger verify` and
 * snapshots for the app.
 *
 * Task states: posted → claimed → proved → verified → settled, or proved/verified → disputed → settled.
 */
import { isDigest } from '../hash/hex.ts';
import { copyPenalty, isAmount, slashStake, splitSlashed } from './rules.ts';
import { isPublicKey, sealCommitment, verifyKeyBinding } from './seal.ts';
import { checkTranscript } from './transcript.ts';
import {
  type Account,
  type Action,
  type Change,
  type Commitment,
  type Dispute,
  type GameParams,
  LedgerError,
  type Loser,
  type MoveReason,
  type Pocket,
  type RecordedAction,
  type RewardKind,
  type Stake,
  type Task,
  type TaskState,
  type Verdict,
} from './types.ts';

export interface LedgerView {
  params(): GameParams;
  account(id: string): Account | undefined;
  task(id: string): Task | undefined;
  stake(id: number): Stake | undefined;
  dispute(id: number): Dispute | undefined;
  /** The solver stake a task's claim created (locked, or closed once settled). */
  solverStake(task: string): Stake | undefined;
  /** The next free id of a numbered record (ids are dense from 1, so replays reproduce them). */
  nextId(kind: IdKind): number;
  /** The Ed25519 public key bound to an account (account.key), if any. */
  accountKey(account: string): string | undefined;
  /** The account a public key is bound to, if any (a key belongs to one account). */
  keyOwner(publicKey: string): string | undefined;
  /** The task's pending sealed commitment and the seq of the event that recorded it. */
  sealedCommitment(task: string): { commitment: Commitment; seq: number } | undefined;
  /** The earliest recorded proof of `runCommitment` by an account other than `except`, with its event seq. */
  firstReveal(runCommitment: string, except: string): RevealRef | undefined;
}

export type IdKind = 'stake' | 'proof' | 'verification' | 'dispute' | 'commitment' | 'copy';

/** A public reveal on the ledger: the proof of `task` by `account`, recorded by event `seq`. */
export interface RevealRef {
  task: string;
  account: string;
  seq: number;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/;

function fail(code: string, msg: string): never {
  throw new LedgerError(code, msg);
}

function checkId(what: string, id: unknown): string {
  if (typeof id !== 'string' || !ID_RE.test(id)) {
    fail(
      'bad-id',
      `${what} id must be 1–64 characters [A-Za-z0-9._:@-] starting with a letter or digit, got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

function checkPositive(what: string, x: unknown): number {
  if (!isAmount(x) || x === 0)
    fail('bad-amount', `${what} must be a positive safe integer, got ${String(x)}`);
  return x;
}

function needAccount(view: LedgerView, id: unknown, what = 'account'): Account {
  const acc = view.account(checkId(what, id));
  if (!acc) fail('no-account', `${what} "${String(id)}" does not exist`);
  return acc;
}

function needTask(view: LedgerView, id: unknown, states: TaskState[]): Task {
  const task = view.task(checkId('task', id));
  if (!task) fail('no-task', `task "${String(id)}" does not exist`);
  if (!states.includes(task.state)) {
    fail(
      'bad-state',
      `task "${task.id}" is ${task.state}; this action needs it to be ${states.join(' or ')}`,
    );
  }
  return task;
}

function needFunds(acc: Account, amount: number, why: string): void {
  if (acc.balance < amount)
    fail('insufficient', `account "${acc.id}" has ${acc.balance}, needs ${amount} to ${why}`);
}

function lockedStake(view: LedgerView, id: number, what: string): Stake {
  const s = view.stake(id);
  if (s?.status !== 'locked') fail('internal', `${what} stake #${id} is not locked`);
  return s;
}

/** Validates a verdict's shape (the fields the ledger needs from a dispute transcript). */
export function checkVerdict(v: unknown): Verdict {
  if (v === null || typeof v !== 'object')
    fail('bad-verdict', 'verdict must be an object { loser, step, op, reason }');
  const o = v as Record<string, unknown>;
  const losers: Loser[] = ['solver', 'challenger', 'both'];
  if (!losers.includes(o.loser as Loser))
    fail('bad-verdict', `verdict.loser must be solver, challenger or both, got ${JSON.stringify(o.loser)}`);
  const step = o.step ?? null;
  if (step !== null && !(Number.isSafeInteger(step) && (step as number) >= 0))
    fail('bad-verdict', `verdict.step must be a step index or null, got ${JSON.stringify(step)}`);
  const op = o.op ?? null;
  if (op !== null && typeof op !== 'string' && !(Number.isSafeInteger(op) && (op as number) >= 0)) {
    fail('bad-verdict', `verdict.op must be an op index, an op name or null, got ${JSON.stringify(op)}`);
  }
  const reason = o.reason ?? 'mismatch';
  if (typeof reason !== 'string' || reason.length > 200)
    fail('bad-verdict', 'verdict.reason must be a short string');
  return { loser: o.loser as Loser, step: step as number | null, op: op as number | string | null, reason };
}

/** Collects changes; moves and records of amount 0 are dropped so the log holds only real flows. */
class Plan {
  readonly changes: Change[] = [];
  push(c: Change): void {
    this.changes.push(c);
  }
  move(from: Pocket, to: Pocket, amount: number, reason: MoveReason): void {
    if (amount > 0) this.changes.push({ op: 'move', move: { from, to, amount, reason } });
  }
  reward(task: string, dispute: number | null, account: string, kind: RewardKind, amount: number): void {
    if (amount > 0) this.changes.push({ op: 'reward.record', task, dispute, account, kind, amount });
  }
}

const bal = (account: string): Pocket => ({ balance: account });
const TREASURY: Pocket = { treasury: true };

/** Pays the escrow of a task that the solver earned: bounty to the solver, verifier reward to the verifier (or back). */
function payOut(p: Plan, task: Task, dispute: number | null): void {
  const esc: Pocket = { escrow: task.id };
  p.move(esc, bal(task.solver as string), task.bounty, 'reward.bounty');
  p.reward(task.id, dispute, task.solver as string, 'bounty', task.bounty);
  if (task.verifier) {
    p.move(esc, bal(task.verifier), task.verifierReward, 'reward.verifier');
    p.reward(task.id, dispute, task.verifier, 'verifier', task.verifierReward);
  } else {
    p.move(esc, bal(task.submitter), task.verifierReward, 'refund');
  }
}

function refund(p: Plan, task: Task): void {
  p.move({ escrow: task.id }, bal(task.submitter), task.escrow, 'refund');
}

function returnStake(p: Plan, s: Stake): void {
  p.move({ stake: s.id }, bal(s.account), s.locked, 'stake.return');
  p.push({ op: 'stake.close', id: s.id, status: 'returned' });
}

/** Slashes a losing stake; `jackpotTo` receives the whistleblower share, `wronged` the compensation. */
function slash(
  p: Plan,
  params: GameParams,
  d: Dispute,
  s: Stake,
  jackpotTo: string | null,
  wronged: string,
): void {
  const { slashed, returned } = slashStake(params, s.locked);
  const split = splitSlashed(params, slashed, jackpotTo !== null);
  const from: Pocket = { stake: s.id };
  if (slashed > 0)
    p.push({ op: 'slash.record', dispute: d.id, stake: s.id, account: s.account, amount: slashed });
  if (jackpotTo && split.jackpot > 0) {
    p.move(from, bal(jackpotTo), split.jackpot, 'slash.jackpot');
    p.push({ op: 'jackpot.record', dispute: d.id, account: jackpotTo, amount: split.jackpot });
  }
  p.move(from, TREASURY, split.treasury, 'slash.treasury');
  p.move(from, bal(wronged), split.compensation, 'slash.compensation');
  p.reward(d.task, d.id, wronged, 'compensation', split.compensation);
  p.move(from, bal(s.account), returned, 'stake.return');
  p.push({ op: 'stake.close', id: s.id, status: 'slashed' });
}

/** The proof row a submit or a reveal records (the signer only when the solver named one). */
function proofCreate(
  view: LedgerView,
  task: string,
  solver: string,
  runCommitment: string,
  signer: string | undefined,
): Change {
  return {
    op: 'proof.create',
    proof: {
      id: view.nextId('proof'),
      task,
      solver,
      runCommitment,
      ...(signer === undefined ? {} : { signer }),
    },
  };
}

/** A named signer (the proof bundle's key) must be the key bound to the claiming account. */
function checkSigner(view: LedgerView, solver: string, signer: unknown): string | undefined {
  if (signer === undefined) return undefined;
  if (!isPublicKey(signer))
    fail(
      'bad-key',
      `signer must be an Ed25519 public key as 64 lowercase hex digits, got ${JSON.stringify(signer)}`,
    );
  const bound = view.accountKey(solver);
  if (bound === undefined)
    fail(
      'no-key',
      `proof signed by key ${signer.slice(0, 16)}… but account "${solver}" has no key bound (account.key first)`,
    );
  if (bound !== signer) {
    const owner = view.keyOwner(signer);
    fail(
      'wrong-key',
      `proof signed by key ${signer.slice(0, 16)}…${owner ? ` (account "${owner}")` : ''}, not by the claimant "${solver}" (key ${bound.slice(0, 16)}…): refused`,
    );
  }
  return signer;
}

/**
 * A copy: the claimant's run commitment was revealed by another account before the claimant sealed it
 * (or, for a direct submit, before it submitted). Slashes the copier (rules.ts copyPenalty), pays the
 * original solver its share, refunds the submitter and settles the task; no proof is recorded.
 */
function penaliseCopy(
  p: Plan,
  view: LedgerView,
  task: Task,
  copier: string,
  runCommitment: string,
  original: RevealRef,
  sealed: { commitment: Commitment; seq: number } | null,
): void {
  const s = findSolverStake(view, task);
  const pen = copyPenalty(view.params(), s.locked);
  const from: Pocket = { stake: s.id };
  p.push({
    op: 'copy.record',
    copy: {
      id: view.nextId('copy'),
      task: task.id,
      copier,
      runCommitment,
      commitment: sealed ? sealed.commitment.id : null,
      commitSeq: sealed ? sealed.seq : null,
      original: { task: original.task, account: original.account, seq: original.seq },
      stake: s.id,
      slashed: pen.slashed,
      victimShare: pen.victim,
    },
  });
  p.move(from, bal(original.account), pen.victim, 'slash.victim');
  p.move(from, TREASURY, pen.treasury, 'slash.treasury');
  p.move(from, bal(task.submitter), pen.compensation, 'slash.compensation');
  p.reward(task.id, null, task.submitter, 'compensation', pen.compensation);
  p.move(from, bal(copier), pen.returned, 'stake.return');
  p.push({ op: 'stake.close', id: s.id, status: 'slashed' });
  if (sealed) p.push({ op: 'commitment.close', id: sealed.commitment.id, status: 'copy' });
  refund(p, task);
  p.push({ op: 'task.update', id: task.id, state: 'settled', outcome: 'refunded' });
}

function needClaimant(view: LedgerView, task: Task, solverId: unknown): Account {
  const solver = needAccount(view, solverId, 'solver');
  if (solver.id !== task.solver)
    fail('not-solver', `"${solver.id}" did not claim task "${task.id}" (solver is "${task.solver}")`);
  return solver;
}

export function plan(view: LedgerView, action: Action): Change[] {
  if (action === null || typeof action !== 'object') fail('bad-action', 'action must be an object');
  const params = view.params();
  const p = new Plan();
  switch (action.type) {
    case 'account.open': {
      const id = checkId('account', action.account);
      if (view.account(id)) fail('exists', `account "${id}" already exists`);
      const name = action.name ?? id;
      if (typeof name !== 'string' || name.length > 100)
        fail('bad-name', `account name must be a string of at most 100 characters`);
      p.push({ op: 'account.create', id, name });
      break;
    }
    case 'account.key': {
      const acc = needAccount(view, action.account);
      if (!isPublicKey(action.publicKey))
        fail(
          'bad-key',
          `public key must be 64 lowercase hex digits (Ed25519), got ${JSON.stringify(action.publicKey)}`,
        );
      const had = view.accountKey(acc.id);
      if (had !== undefined)
        fail(
          'key-bound',
          `account "${acc.id}" already has key ${had.slice(0, 16)}… bound (keys are bound once)`,
        );
      const owner = view.keyOwner(action.publicKey);
      if (owner !== undefined)
        fail('key-taken', `key ${action.publicKey.slice(0, 16)}… is already bound to account "${owner}"`);
      if (
        typeof action.signature !== 'string' ||
        !verifyKeyBinding(acc.id, action.publicKey, action.signature)
      )
        fail(
          'bad-signature',
          `the signature does not prove possession of key ${action.publicKey.slice(0, 16)}… for account "${acc.id}"`,
        );
      p.push({ op: 'key.bind', account: acc.id, publicKey: action.publicKey });
      break;
    }
    case 'mint': {
      const acc = needAccount(view, action.account);
      p.move({ mint: true }, bal(acc.id), checkPositive('mint amount', action.amount), 'mint');
      break;
    }
    case 'transfer': {
      const from = needAccount(view, action.from, 'sender');
      const to = needAccount(view, action.to, 'recipient');
      if (from.id === to.id) fail('self', `cannot transfer from "${from.id}" to itself`);
      const amount = checkPositive('transfer amount', action.amount);
      needFunds(from, amount, 'transfer');
      p.move(bal(from.id), bal(to.id), amount, 'transfer');
      break;
    }
    case 'task.post': {
      const id = checkId('task', action.task);
      if (view.task(id)) fail('exists', `task "${id}" already exists`);
      const sub = needAccount(view, action.submitter, 'submitter');
      const bounty = checkPositive('bounty', action.bounty);
      const spec = action.spec ?? '';
      if (typeof spec !== 'string' || spec.length > 500)
        fail('bad-spec', 'task spec must be a string of at most 500 characters');
      const total = bounty + params.verifierReward;
      if (!Number.isSafeInteger(total)) fail('bad-amount', `bounty ${bounty} is too large`);
      needFunds(sub, total, `escrow bounty ${bounty} + verifier reward ${params.verifierReward}`);
      p.push({
        op: 'task.create',
        task: {
          id,
          submitter: sub.id,
          bounty,
          verifierReward: params.verifierReward,
          escrow: 0,
          state: 'posted',
          spec,
          solver: null,
          verifier: null,
          outcome: null,
        },
      });
      p.move(bal(sub.id), { escrow: id }, total, 'escrow');
      break;
    }
    case 'task.claim': {
      const task = needTask(view, action.task, ['posted']);
      const solver = needAccount(view, action.solver, 'solver');
      if (solver.id === task.submitter) fail('self', `submitter "${solver.id}" cannot solve its own task`);
      needFunds(solver, params.solverStake, 'lock the solver stake');
      const id = view.nextId('stake');
      p.push({
        op: 'stake.create',
        stake: {
          id,
          task: task.id,
          account: solver.id,
          role: 'solver',
          amount: params.solverStake,
          locked: 0,
          status: 'locked',
        },
      });
      p.move(bal(solver.id), { stake: id }, params.solverStake, 'stake.lock');
      p.push({ op: 'task.update', id: task.id, state: 'claimed', solver: solver.id });
      break;
    }
    case 'proof.submit': {
      const task = needTask(view, action.task, ['claimed']);
      const solver = needClaimant(view, task, action.solver);
      if (!isDigest(action.runCommitment)) fail('bad-digest', 'run commitment must be a 64-hex-digit digest');
      const pending = view.sealedCommitment(task.id);
      if (pending)
        fail(
          'sealed',
          `task "${task.id}" has a sealed commitment (event ${pending.seq}): open it with proof.reveal`,
        );
      const signer = checkSigner(view, solver.id, action.signer);
      // Sealed and revealed in this one event: any earlier reveal of the same run by someone else is a copy.
      const original = view.firstReveal(action.runCommitment, solver.id);
      if (original) {
        penaliseCopy(p, view, task, solver.id, action.runCommitment, original, null);
        break;
      }
      p.push(proofCreate(view, task.id, solver.id, action.runCommitment, signer));
      p.push({ op: 'task.update', id: task.id, state: 'proved' });
      break;
    }
    case 'proof.commit': {
      const task = needTask(view, action.task, ['claimed']);
      const solver = needClaimant(view, task, action.solver);
      if (!isDigest(action.sealed)) fail('bad-digest', 'sealed commitment must be a 64-hex-digit digest');
      const pending = view.sealedCommitment(task.id);
      // Sealing again replaces the pending seal; the new event's seq is what the copy rule compares.
      if (pending) p.push({ op: 'commitment.close', id: pending.commitment.id, status: 'replaced' });
      p.push({
        op: 'commitment.create',
        commitment: {
          id: view.nextId('commitment'),
          task: task.id,
          solver: solver.id,
          sealed: action.sealed,
          status: 'sealed',
        },
      });
      break;
    }
    case 'proof.reveal': {
      const task = needTask(view, action.task, ['claimed']);
      const solver = needClaimant(view, task, action.solver);
      if (!isDigest(action.runCommitment)) fail('bad-digest', 'run commitment must be a 64-hex-digit digest');
      if (!isDigest(action.salt)) fail('bad-salt', 'salt must be 64 hex digits (32 bytes)');
      const pending = view.sealedCommitment(task.id);
      if (!pending)
        fail('no-commitment', `task "${task.id}" has no sealed commitment to reveal (proof.commit first)`);
      const signer = checkSigner(view, solver.id, action.signer);
      const expected = sealCommitment({
        task: task.id,
        account: solver.id,
        publicKey: view.accountKey(solver.id) ?? null,
        runCommitment: action.runCommitment,
        salt: action.salt,
      });
      if (expected !== pending.commitment.sealed)
        fail(
          'bad-reveal',
          `the reveal does not open the commitment sealed in event ${pending.seq} (run commitment, salt, account or key differ)`,
        );
      // The seal hides the run commitment: a solver who sealed after the same run was revealed by someone
      // else can only have taken it from that reveal.
      const original = view.firstReveal(action.runCommitment, solver.id);
      if (original && original.seq < pending.seq) {
        penaliseCopy(p, view, task, solver.id, action.runCommitment, original, pending);
        break;
      }
      p.push(proofCreate(view, task.id, solver.id, action.runCommitment, signer));
      p.push({ op: 'commitment.close', id: pending.commitment.id, status: 'revealed' });
      p.push({ op: 'task.update', id: task.id, state: 'proved' });
      break;
    }
    case 'task.verify': {
      const task = needTask(view, action.task, ['proved']);
      const v = needAccount(view, action.verifier, 'verifier');
      if (v.id === task.solver) fail('self', `solver "${v.id}" cannot verify its own proof`);
      const report = action.reportDigest ?? null;
      if (report !== null && !isDigest(report))
        fail('bad-digest', 'report digest must be a 64-hex-digit digest');
      p.push({
        op: 'verification.create',
        verification: {
          id: view.nextId('verification'),
          task: task.id,
          verifier: v.id,
          reportDigest: report,
        },
      });
      p.push({ op: 'task.update', id: task.id, state: 'verified', verifier: v.id });
      break;
    }
    case 'dispute.open': {
      const task = needTask(view, action.task, ['proved', 'verified']);
      const ch = needAccount(view, action.challenger, 'challenger');
      if (ch.id === task.solver) fail('self', `solver "${ch.id}" cannot challenge its own proof`);
      needFunds(ch, params.challengerStake, 'lock the challenger stake');
      const solverStake = findSolverStake(view, task);
      const stakeId = view.nextId('stake');
      p.push({
        op: 'stake.create',
        stake: {
          id: stakeId,
          task: task.id,
          account: ch.id,
          role: 'challenger',
          amount: params.challengerStake,
          locked: 0,
          status: 'locked',
        },
      });
      p.move(bal(ch.id), { stake: stakeId }, params.challengerStake, 'stake.lock');
      p.push({
        op: 'dispute.create',
        dispute: {
          id: view.nextId('dispute'),
          task: task.id,
          solver: task.solver as string,
          challenger: ch.id,
          solverStake: solverStake.id,
          challengerStake: stakeId,
          state: 'open',
          verdict: null,
          transcriptDigest: null,
        },
      });
      p.push({ op: 'task.update', id: task.id, state: 'disputed' });
      break;
    }
    case 'dispute.settle': {
      if (!Number.isSafeInteger(action.dispute))
        fail('bad-id', `dispute id must be an integer, got ${JSON.stringify(action.dispute)}`);
      const d = view.dispute(action.dispute);
      if (!d) fail('no-dispute', `dispute #${action.dispute} does not exist`);
      if (d.state !== 'open') fail('bad-state', `dispute #${d.id} is already settled`);
      const verdict = checkVerdict(action.verdict);
      const transcriptDigest = checkTranscript(action.transcript, verdict);
      const task = needTask(view, d.task, ['disputed']);
      const s = lockedStake(view, d.solverStake, 'solver');
      const c = lockedStake(view, d.challengerStake, 'challenger');
      if (verdict.loser === 'solver') {
        slash(p, params, d, s, d.challenger, task.submitter);
        returnStake(p, c);
        refund(p, task);
      } else if (verdict.loser === 'challenger') {
        slash(p, params, d, c, null, d.solver);
        returnStake(p, s);
        payOut(p, task, d.id);
      } else {
        slash(p, params, d, s, null, task.submitter);
        slash(p, params, d, c, null, task.submitter);
        refund(p, task);
      }
      p.push({ op: 'dispute.settle', id: d.id, verdict, transcriptDigest });
      p.push({
        op: 'task.update',
        id: task.id,
        state: 'settled',
        outcome: verdict.loser === 'challenger' ? 'paid' : 'refunded',
      });
      break;
    }
    case 'task.finalize': {
      const task = needTask(view, action.task, ['verified']);
      returnStake(p, findSolverStake(view, task));
      payOut(p, task, null);
      p.push({ op: 'task.update', id: task.id, state: 'settled', outcome: 'paid' });
      break;
    }
    default:
      fail('bad-action', `unknown action type ${JSON.stringify((action as { type?: unknown }).type)}`);
  }
  return p.changes;
}

function findSolverStake(view: LedgerView, task: Task): Stake {
  const s = view.solverStake(task.id);
  if (s?.status !== 'locked') fail('internal', `task "${task.id}" has no locked solver stake`);
  return s;
}

/** The action as the log records it (known fields only; a settlement keeps the transcript digest, not the transcript). */
export function recordAction(action: Action, changes: Change[]): RecordedAction {
  const pick = <K extends string>(keys: K[]): Record<K, unknown> => {
    const o = {} as Record<K, unknown>;
    for (const k of keys) {
      const v = (action as unknown as Record<string, unknown>)[k];
      if (v !== undefined) o[k] = v;
    }
    return o;
  };
  switch (action.type) {
    case 'account.open':
      return { type: action.type, ...pick(['account', 'name']) } as RecordedAction;
    case 'account.key':
      return { type: action.type, ...pick(['account', 'publicKey', 'signature']) } as RecordedAction;
    case 'proof.commit':
      return { type: action.type, ...pick(['task', 'solver', 'sealed']) } as RecordedAction;
    case 'proof.reveal':
      return {
        type: action.type,
        ...pick(['task', 'solver', 'runCommitment', 'salt', 'signer']),
      } as RecordedAction;
    case 'mint':
      return { type: action.type, ...pick(['account', 'amount']) } as RecordedAction;
    case 'transfer':
      return { type: action.type, ...pick(['from', 'to', 'amount']) } as RecordedAction;
    case 'task.post':
      return { type: action.type, ...pick(['task', 'submitter', 'bounty', 'spec']) } as RecordedAction;
    case 'task.claim':
      return { type: action.type, ...pick(['task', 'solver']) } as RecordedAction;
    case 'proof.submit':
      return { type: action.type, ...pick(['task', 'solver', 'runCommitment', 'signer']) } as RecordedAction;
    case 'task.verify':
      return { type: action.type, ...pick(['task', 'verifier', 'reportDigest']) } as RecordedAction;
    case 'dispute.open':
      return { type: action.type, ...pick(['task', 'challenger']) } as RecordedAction;
    case 'dispute.settle': {
      const settled = changes.find((c) => c.op === 'dispute.settle');
      if (settled?.op !== 'dispute.settle')
        throw new LedgerError('internal', 'settlement without a dispute.settle change');
      return {
        type: 'dispute.settle',
        dispute: action.dispute,
        verdict: settled.verdict,
        transcriptDigest: settled.transcriptDigest,
      };
    }
    case 'task.finalize':
      return { type: action.type, ...pick(['task']) } as RecordedAction;
  }
}
