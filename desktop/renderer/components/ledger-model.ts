/**
 * Ledger view models (pure): token flows of one event as a two-column flow graph (where units came
 * from → where they went), per-account balance changes between two snapshots, and identity binding
 * (key fingerprints, sealed commitments with their reveals, caught copies) as table rows.
 */
import type {
  LedgerAccountRow,
  LedgerCopyRow,
  LedgerIdentity,
  LedgerKeyRow,
  LedgerMove,
} from '../../shared/api-views.ts';

export interface FlowEnd {
  key: string;
  label: string;
  kind: 'account' | 'stake' | 'escrow' | 'treasury' | 'mint';
  /** Account the pocket belongs to (stake owner / account itself). */
  owner: string | null;
  total: number;
}

export interface FlowLink {
  source: string;
  target: string;
  amount: number;
  reasons: string[];
}

export interface FlowGraph {
  sources: FlowEnd[];
  targets: FlowEnd[];
  links: FlowLink[];
  total: number;
}

/** "Carol (cheating solver)" → "Carol": flow labels stay short. */
export function shortName(name: string): string {
  return name.replace(/\s*\(.*\)\s*$/, '') || name;
}

/** Parses a pocket label of LedgerMove ('alice', 'stake:3@alice', 'escrow:t1', 'treasury', 'mint'). */
export function parsePocket(
  p: string,
  names: ReadonlyMap<string, string> = new Map(),
): Omit<FlowEnd, 'total'> {
  if (p === 'treasury') return { key: p, label: 'Treasury', kind: 'treasury', owner: null };
  if (p === 'mint') return { key: p, label: 'Mint', kind: 'mint', owner: null };
  if (p.startsWith('escrow:')) return { key: p, label: `Escrow ${p.slice(7)}`, kind: 'escrow', owner: null };
  const m = /^stake:(\d+)@(.+)$/.exec(p);
  if (m)
    return { key: p, label: `${shortName(names.get(m[2]) ?? m[2])}'s stake`, kind: 'stake', owner: m[2] };
  return { key: p, label: shortName(names.get(p) ?? p), kind: 'account', owner: p };
}

/** Aggregates moves (same source → same target summed, reasons kept) into a flow graph. */
export function flowGraph(
  moves: readonly LedgerMove[],
  names: ReadonlyMap<string, string> = new Map(),
): FlowGraph {
  const links = new Map<string, FlowLink>();
  const src = new Map<string, FlowEnd>();
  const dst = new Map<string, FlowEnd>();
  let total = 0;
  for (const mv of moves) {
    if (!Number.isFinite(mv.amount) || mv.amount < 0)
      throw new Error(`ledger flow: bad amount ${mv.amount} (${mv.from} → ${mv.to})`);
    if (mv.amount === 0) continue;
    total += mv.amount;
    const k = `${mv.from}→${mv.to}`;
    const l = links.get(k) ?? { source: mv.from, target: mv.to, amount: 0, reasons: [] };
    l.amount += mv.amount;
    if (!l.reasons.includes(mv.reason)) l.reasons.push(mv.reason);
    links.set(k, l);
    const s = src.get(mv.from) ?? { ...parsePocket(mv.from, names), total: 0 };
    s.total += mv.amount;
    src.set(mv.from, s);
    const d = dst.get(mv.to) ?? { ...parsePocket(mv.to, names), total: 0 };
    d.total += mv.amount;
    dst.set(mv.to, d);
  }
  const byTotal = (a: FlowEnd, b: FlowEnd) => b.total - a.total || a.key.localeCompare(b.key);
  return {
    sources: [...src.values()].sort(byTotal),
    targets: [...dst.values()].sort(byTotal),
    links: [...links.values()],
    total,
  };
}

export interface BalanceChange {
  id: string;
  name: string;
  balanceBefore: number;
  balanceAfter: number;
  stakedBefore: number;
  stakedAfter: number;
  /** Change of balance + staked (what the account owns). */
  delta: number;
}

export function balanceChanges(
  before: readonly LedgerAccountRow[],
  after: readonly LedgerAccountRow[],
): BalanceChange[] {
  const b = new Map(before.map((a) => [a.id, a]));
  const out: BalanceChange[] = [];
  for (const a of after) {
    const p = b.get(a.id);
    const balanceBefore = p?.balance ?? 0;
    const stakedBefore = p?.staked ?? 0;
    out.push({
      id: a.id,
      name: a.name,
      balanceBefore,
      balanceAfter: a.balance,
      stakedBefore,
      stakedAfter: a.staked,
      delta: a.balance + a.staked - balanceBefore - stakedBefore,
    });
  }
  return out;
}

// ------------------------------------------------------------------------------------ identity binding

/** Short fingerprint of an Ed25519 public key (hex): its first 4 bytes, as the ledger's errors print it. */
export function keyFingerprint(publicKey: string): string {
  if (!/^[0-9a-f]{64}$/.test(publicKey))
    throw new Error(`ledger key: not a 64-hex Ed25519 public key: ${publicKey}`);
  return `${publicKey.slice(0, 8)}…`;
}

/** Keys bound at or before event `at` (a snapshot of an earlier event shows only the keys bound by then). */
export function keysAt(keys: readonly LedgerKeyRow[], at: number): Map<string, LedgerKeyRow> {
  const m = new Map<string, LedgerKeyRow>();
  for (const k of keys) if (k.seq <= at) m.set(k.account, k);
  return m;
}

export type ProofRowState = 'pending' | 'revealed' | 'replaced' | 'copy';

/** One line of the Proofs panel: a sealed commitment (or a direct submit caught as a copy). */
export interface ProofRow {
  key: string;
  task: string;
  solver: string;
  /** Sealed commitment digest (null: a direct proof.submit, sealed and revealed in one event). */
  sealed: string | null;
  sealSeq: number;
  /** Reveal event (revealed/copy), null while pending or when replaced. */
  revealSeq: number | null;
  state: ProofRowState;
  /** Symbol + text, readable without colour: "✓ revealed #50", "✗ copy of Bob's run (sealed #51 after reveal #50)". */
  mark: string;
  copy: LedgerCopyRow | null;
}

export interface ProofFilter {
  task?: string;
  account?: string;
}

/** "✗ copy of Bob's run (sealed #51 after reveal #50)". */
export function copyMark(c: LedgerCopyRow, names: ReadonlyMap<string, string> = new Map()): string {
  const sealed = c.commitSeq ?? c.seq;
  return `✗ copy of ${shortName(names.get(c.original.account) ?? c.original.account)}'s run (sealed #${sealed} after reveal #${c.original.seq})`;
}

/**
 * Proofs panel rows in seal order. A row matches the task filter when it is that task's commitment or a
 * copy of that task's run; the account filter when the account sealed it or is the copied solver — so
 * filtering on the victim still shows who copied them.
 */
export function proofRows(
  id: Pick<LedgerIdentity, 'commitments' | 'copies'>,
  names: ReadonlyMap<string, string> = new Map(),
  filter: ProofFilter = {},
): ProofRow[] {
  const copyByCommitment = new Map<number, LedgerCopyRow>();
  const copyByTaskSeq = new Map<string, LedgerCopyRow>();
  for (const c of id.copies) {
    if (c.commitSeq !== null) copyByTaskSeq.set(`${c.task}@${c.commitSeq}`, c);
  }
  const rows: ProofRow[] = [];
  for (const c of id.commitments) {
    const copy = c.status === 'copy' ? (copyByTaskSeq.get(`${c.task}@${c.sealSeq}`) ?? null) : null;
    if (copy) copyByCommitment.set(c.id, copy);
    const state: ProofRowState = c.status === 'sealed' ? 'pending' : c.status;
    const revealSeq = state === 'revealed' || state === 'copy' ? c.closedSeq : null;
    const mark =
      state === 'pending'
        ? '… reveal pending'
        : state === 'revealed'
          ? `✓ revealed #${revealSeq}`
          : state === 'replaced'
            ? `↺ replaced by a new seal #${c.closedSeq}`
            : copy
              ? copyMark(copy, names)
              : `✗ copy (revealed #${revealSeq})`;
    rows.push({
      key: `c${c.id}`,
      task: c.task,
      solver: c.solver,
      sealed: c.sealed,
      sealSeq: c.sealSeq,
      revealSeq,
      state,
      mark,
      copy,
    });
  }
  // Direct submits caught as copies have no commitment row: the submit sealed and revealed at once.
  const linked = new Set(copyByCommitment.values());
  for (const c of id.copies) {
    if (linked.has(c)) continue;
    rows.push({
      key: `x${c.id}`,
      task: c.task,
      solver: c.copier,
      sealed: null,
      sealSeq: c.commitSeq ?? c.seq,
      revealSeq: c.seq,
      state: 'copy',
      mark: copyMark(c, names),
      copy: c,
    });
  }
  return rows
    .filter(
      (r) =>
        (!filter.task || r.task === filter.task || r.copy?.original.task === filter.task) &&
        (!filter.account || r.solver === filter.account || r.copy?.original.account === filter.account),
    )
    .sort((a, b) => a.sealSeq - b.sealSeq || a.key.localeCompare(b.key));
}

/**
 * Vertical positions for labels that want to sit at `wanted` (any order) without overlapping: each
 * label keeps its rank, neighbours are at least `gap` apart, and all stay within [min, max] when they
 * fit (pushed down from the top, then back up from the bottom). Returns positions in input order.
 */
export function spreadLabels(wanted: readonly number[], gap: number, min: number, max: number): number[] {
  const order = wanted.map((y, i) => ({ i, y })).sort((a, b) => a.y - b.y || a.i - b.i);
  const ys = order.map((o) => Math.max(min, o.y));
  for (let j = 1; j < ys.length; j++) ys[j] = Math.max(ys[j], ys[j - 1] + gap);
  if (ys.length && ys[ys.length - 1] > max) {
    ys[ys.length - 1] = max;
    for (let j = ys.length - 2; j >= 0; j--) ys[j] = Math.min(ys[j], ys[j + 1] - gap);
    // Too many labels for the height: keep the gaps and let the first ones start at `min`.
    if (ys[0] < min) {
      ys[0] = min;
      for (let j = 1; j < ys.length; j++) ys[j] = Math.max(ys[j], ys[j - 1] + gap);
    }
  }
  const out = new Array<number>(wanted.length);
  order.forEach((o, j) => {
    out[o.i] = ys[j];
  });
  return out;
}

/** A losing stake only partly returned to its owner: how much was slashed, where it went, and why. */
export interface PartialReturn {
  /** The stake pocket ('stake:<id>@<account>'). */
  pocket: string;
  owner: string;
  stake: number;
  returned: number;
  slashed: number;
  /** Slashed units by reason ('slash.jackpot', 'slash.treasury', …), largest first. */
  slashedTo: { reason: string; amount: number }[];
  /** One sentence for the legend and the tooltip of the return flow. */
  text: string;
}

/**
 * Stakes the event returns only in part (a 'stake.return' to the owner next to slash moves out of the
 * same stake), explained from the event's own moves: a losing stake is slashed at the game's rate
 * (slashBps) and the rest goes back to its owner (docs/LEDGER.md "Settlement").
 */
export function partialReturns(
  moves: readonly LedgerMove[],
  names: ReadonlyMap<string, string> = new Map(),
  eventKind = '',
): PartialReturn[] {
  const byPocket = new Map<string, LedgerMove[]>();
  for (const mv of moves) {
    if (!mv.from.startsWith('stake:') || mv.amount <= 0) continue;
    byPocket.set(mv.from, [...(byPocket.get(mv.from) ?? []), mv]);
  }
  const out: PartialReturn[] = [];
  for (const [pocket, list] of byPocket) {
    const owner = parsePocket(pocket, names).owner ?? pocket;
    const returned = list.filter((m) => m.reason === 'stake.return').reduce((a, m) => a + m.amount, 0);
    const slashedMoves = list.filter((m) => m.reason !== 'stake.return');
    const slashed = slashedMoves.reduce((a, m) => a + m.amount, 0);
    if (returned === 0 || slashed === 0) continue;
    const to = new Map<string, number>();
    for (const m of slashedMoves) to.set(m.reason, (to.get(m.reason) ?? 0) + m.amount);
    const slashedTo = [...to.entries()]
      .map(([reason, amount]) => ({ reason, amount }))
      .sort((a, b) => b.amount - a.amount || a.reason.localeCompare(b.reason));
    const stake = returned + slashed;
    const who = shortName(names.get(owner) ?? owner);
    const why =
      eventKind === 'proof.reveal'
        ? `${who} was caught revealing a copied run`
        : eventKind === 'dispute.settle'
          ? `${who} lost the dispute`
          : `${who}'s stake was slashed`;
    const pct = Math.round((slashed / stake) * 100);
    out.push({
      pocket,
      owner,
      stake,
      returned,
      slashed,
      slashedTo,
      text:
        `Partial return: ${why}, so ${fmtCount(slashed)} of its ${fmtCount(stake)} stake (${pct} %) was slashed ` +
        `(${slashedTo.map((s) => `${fmtCount(s.amount)} ${s.reason}`).join(', ')}); the game slashes a losing ` +
        `stake at its slash rate and returns the rest, ${fmtCount(returned)}, to ${who}.`,
    });
  }
  return out.sort((a, b) => a.pocket.localeCompare(b.pocket));
}

const fmtCount = (n: number) => n.toLocaleString('en-US');
