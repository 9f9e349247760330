/**
 * Notebook outputs drawn with the view components: `renderOutput(el, output)` draws a 'graph',
 * 'dispute' or 'ledger' output (core/notebook/outputs.ts) and returns false for other kinds. The
 * views register these with the shell's output registry so a notebook's display() reuses them.
 */
import type { Transcript } from '../../../core/dispute/transcript.ts';
import { fmtInt, shortDigest } from './format.ts';
import { type CanvasNode, mountGraphCanvas, type NodeMark } from './graph-canvas.ts';
import { ensureStyles } from './styles.ts';
import { mountTranscriptPlayer } from './transcript-player.ts';

type Loose = { kind: string; [key: string]: unknown };

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what} must be an array`);
  return v;
}

export function graphOutputNodes(output: Loose): { nodes: CanvasNode[]; marks: Map<number, NodeMark> } {
  const nodes = arr(output.nodes, 'graph output: nodes') as {
    id: number;
    op: string;
    shape?: number[];
    digest?: string;
    phase?: string;
    label?: string;
    mark?: NodeMark;
  }[];
  const edges = arr(output.edges ?? [], 'graph output: edges') as { from: number; to: number }[];
  const inputs = new Map<number, number[]>();
  for (const e of edges) inputs.set(e.to, [...(inputs.get(e.to) ?? []), e.from]);
  const marks = new Map<number, NodeMark>();
  const out = nodes.map((n) => {
    if (n.mark && n.mark !== 'none') marks.set(n.id, n.mark);
    return {
      id: n.id,
      op: n.op,
      phase: n.phase ?? 'forward',
      inputs: inputs.get(n.id) ?? [],
      shape: n.shape ?? [],
      digest: n.digest,
      label: n.label,
    };
  });
  return { nodes: out, marks };
}

export function renderGraphOutput(el: HTMLElement, output: Loose): void {
  const { nodes, marks } = graphOutputNodes(output);
  const host = document.createElement('div');
  host.style.cssText = `position:relative;height:${Math.min(560, 160 + nodes.length * 18)}px;border:1px solid var(--border,#2c313a);border-radius:6px;overflow:hidden`;
  el.append(host);
  const c = mountGraphCanvas(host, nodes, {
    title: typeof output.title === 'string' ? output.title : 'Graph',
    minimap: nodes.length > 40,
  });
  c.setMarks(marks);
}

export function renderDisputeOutput(el: HTMLElement, output: Loose): void {
  ensureStyles(el.ownerDocument);
  const t = output.transcript as Transcript | undefined;
  if (t && Array.isArray(t.rounds) && t.verdict) {
    const host = document.createElement('div');
    el.append(host);
    mountTranscriptPlayer(host, t, { frameMs: 700 });
    return;
  }
  // No transcript: the round list and verdict only.
  const box = document.createElement('div');
  box.className = 'pp pp-panel';
  const rounds = arr(output.rounds ?? [], 'dispute output: rounds') as {
    phase: string;
    lo?: number;
    hi?: number;
    mid?: number;
    agree?: boolean;
    note?: string;
  }[];
  const rows = rounds
    .map(
      (r, i) =>
        `<tr><td class="num">${i + 1}</td><td>${esc(r.phase)}</td><td class="num">${r.lo ?? ''}–${r.hi ?? ''}</td><td>${r.agree === undefined ? '' : r.agree ? '✓ agree' : '✗ differ'}</td><td>${esc(r.note ?? '')}</td></tr>`,
    )
    .join('');
  box.innerHTML = `<h3>Dispute</h3><table class="pp-table"><thead><tr><th>#</th><th>phase</th><th>interval</th><th>agree?</th><th>note</th></tr></thead><tbody>${rows}</tbody></table><div class="verdict" style="padding:10px 12px"><strong>⚖ ${esc(String(output.verdict ?? ''))}</strong></div>`;
  el.append(box);
}

export function renderLedgerOutput(el: HTMLElement, output: Loose): void {
  ensureStyles(el.ownerDocument);
  const accounts = arr(output.accounts, 'ledger output: accounts') as {
    id: string;
    balance: number;
    staked?: number;
    slashed?: number;
  }[];
  const events = (output.events ?? []) as { seq: number; type: string; detail?: string; hash?: string }[];
  const inv = output.invariant as { ok: boolean; detail?: string } | undefined;
  const box = document.createElement('div');
  box.className = 'pp pp-panel';
  const acc = accounts
    .map(
      (a) =>
        `<tr><td>${esc(a.id)}</td><td class="num">${fmtInt(a.balance)}</td><td class="num">${fmtInt(a.staked ?? 0)}</td><td class="num">${a.slashed ? fmtInt(a.slashed) : ''}</td></tr>`,
    )
    .join('');
  const ev = events
    .map(
      (e) =>
        `<tr><td class="num">${e.seq}</td><td>${esc(e.type)}</td><td>${esc(e.detail ?? '')}</td><td class="pp-mono">${shortDigest(e.hash)}</td></tr>`,
    )
    .join('');
  box.innerHTML =
    `<h3>${esc(typeof output.title === 'string' ? output.title : 'Ledger')}${inv ? ` <span class="pp-badge ${inv.ok ? 'ok' : 'bad'}">${inv.ok ? '✓ supply invariant holds' : `✗ ${esc(inv.detail ?? 'invariant broken')}`}</span>` : ''}</h3>` +
    `<table class="pp-table"><thead><tr><th>account</th><th class="num">balance</th><th class="num">staked</th><th class="num">slashed</th></tr></thead><tbody>${acc}</tbody></table>` +
    (events.length
      ? `<table class="pp-table"><thead><tr><th>#</th><th>event</th><th>detail</th><th>hash</th></tr></thead><tbody>${ev}</tbody></table>`
      : '');
  el.append(box);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Draws a graph/dispute/ledger output; false when the kind is not one of these. */
export function renderOutput(el: HTMLElement, output: Loose): boolean {
  if (output.kind === 'graph') renderGraphOutput(el, output);
  else if (output.kind === 'dispute') renderDisputeOutput(el, output);
  else if (output.kind === 'ledger') renderLedgerOutput(el, output);
  else return false;
  return true;
}
