/**
 * The hash-chained event log. Event hash = digestJson('pinpoint.ledger.event.v1', { seq, prev, kind, at,
 * task, payload }) — SHA-256 over the domain tag and the canonical JSON (sorted keys, no whitespace), so the
 * hash covers the previous hash and every byte of the payload. The first event (seq 1, `ledger.init`)
 * chains to 64 zeros.
 */
import { canonicalJson, digestBytes, digestJson } from '../hash/digest.ts';
import { type Digest, utf8 } from '../hash/hex.ts';
import type { Action, EventPayload } from './types.ts';

export const EVENT_TAG = 'pinpoint.ledger.event.v1';
export const GENESIS_PREV: Digest = '0'.repeat(64);

export interface EventHeader {
  seq: number;
  kind: string;
  at: string;
  task: string | null;
  prevHash: Digest;
  payload: EventPayload;
}

export function eventHash(e: EventHeader): Digest {
  return digestJson(EVENT_TAG, {
    seq: e.seq,
    prev: e.prevHash,
    kind: e.kind,
    at: e.at,
    task: e.task,
    payload: e.payload,
  });
}

/**
 * The same hash from the payload's canonical JSON text (as stored), without re-serialising the payload:
 * the envelope's keys in sorted order are at, kind, payload, prev, seq, task.
 */
export function eventHashFromText(e: Omit<EventHeader, 'payload'>, payloadText: string): Digest {
  const j = JSON.stringify;
  const text = `{"at":${j(e.at)},"kind":${j(e.kind)},"payload":${payloadText},"prev":${j(e.prevHash)},"seq":${canonicalJson(e.seq)},"task":${j(e.task)}}`;
  return digestBytes(EVENT_TAG, utf8(text));
}

/** The task an event concerns (for filtering): the action's task, else the task its changes update. */
export function eventTask(payload: EventPayload): string | null {
  const a = payload.action as Partial<Record<string, unknown>>;
  if (typeof a.task === 'string') return a.task;
  for (const c of payload.changes)
    if (c.op === 'task.update' || c.op === 'task.create') return c.op === 'task.create' ? c.task.id : c.id;
  return null;
}

/** Every account an event touches (for filtering), sorted. */
export function eventAccounts(payload: EventPayload): string[] {
  const out = new Set<string>();
  const a = payload.action as Action;
  for (const k of ['account', 'from', 'to', 'submitter', 'solver', 'verifier', 'challenger'] as const) {
    const v = (a as Partial<Record<string, unknown>>)[k];
    if (typeof v === 'string') out.add(v);
  }
  for (const c of payload.changes) {
    if (c.op === 'move') {
      for (const p of [c.move.from, c.move.to]) if ('balance' in p) out.add(p.balance);
    } else if (c.op === 'stake.create') out.add(c.stake.account);
    else if (c.op === 'dispute.create') {
      out.add(c.dispute.solver);
      out.add(c.dispute.challenger);
    } else if (c.op === 'slash.record' || c.op === 'reward.record' || c.op === 'jackpot.record')
      out.add(c.account);
    else if (c.op === 'copy.record') {
      out.add(c.copy.copier);
      out.add(c.copy.original.account);
    }
  }
  return [...out].sort();
}
