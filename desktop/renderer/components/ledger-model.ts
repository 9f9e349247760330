/**
 * Ledger view models (pure): token flows of one event as a two-column flow graph (where units came
 * from → where they went), and per-account balance changes between two snapshots.
 */
import type { LedgerAccountRow, LedgerMove } from '../../shared/api-views.ts';

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
