/** The event hash: defined as digestJson over the envelope; the fast path from stored text gives the same bits. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, digestBytes } from '../../core/hash/digest.ts';
import { utf8 } from '../../core/hash/hex.ts';
import {
  eventAccounts,
  eventHash,
  eventHashFromText,
  eventTask,
  GENESIS_PREV,
} from '../../core/ledger/chain.ts';
import type { EventPayload } from '../../core/ledger/types.ts';

test('eventHashFromText(stored canonical text) equals eventHash(parsed payload) (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 40 }),
      fc.string(),
      fc.string(),
      fc.option(fc.string()),
      fc.jsonValue(),
      (seq, kind, at, task, extra) => {
        const payload = { action: { type: kind }, changes: [], extra } as unknown as EventPayload;
        const h = { seq, kind, at, task, prevHash: GENESIS_PREV, payload };
        assert.equal(eventHashFromText(h, canonicalJson(payload)), eventHash(h));
      },
    ),
    { numRuns: 300 },
  );
});

test('the hash is SHA-256 over the tag and the canonical envelope (independent recomputation)', () => {
  const payload: EventPayload = {
    action: { type: 'mint', account: 'a', amount: 5 },
    changes: [
      { op: 'move', move: { from: { mint: true }, to: { balance: 'a' }, amount: 5, reason: 'mint' } },
    ],
  };
  const text =
    '{"at":"2026-01-01T00:00:00.000Z","kind":"mint","payload":{"action":{"account":"a","amount":5,"type":"mint"},"changes":[{"move":{"amount":5,"from":{"mint":true},"reason":"mint","to":{"balance":"a"}},"op":"move"}]},"prev":"' +
    GENESIS_PREV +
    '","seq":2,"task":null}';
  const expected = digestBytes('pinpoint.ledger.event.v1', utf8(text));
  assert.equal(
    eventHash({
      seq: 2,
      kind: 'mint',
      at: '2026-01-01T00:00:00.000Z',
      task: null,
      prevHash: GENESIS_PREV,
      payload,
    }),
    expected,
  );
  assert.equal(eventTask(payload), null);
  assert.deepEqual(eventAccounts(payload), ['a']);
});
