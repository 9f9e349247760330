import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { ProofError } from '../../core/proof/format.ts';
import { readBundle } from '../../core/proof/read.ts';
import { KEY, smallRun } from './helpers.ts';

const honest = bundleFromRun(smallRun('trace', undefined, 12, 4), KEY);

/** Any change must be rejected with a ProofError: never a crash (TypeError, RangeError…) or a silent pass. */
function mustReject(bytes: Uint8Array, what: string): void {
  try {
    readBundle(bytes, 'fuzz.pinproof');
  } catch (err) {
    if (err instanceof ProofError) {
      assert.match(err.message, /^fuzz\.pinproof: /);
      return;
    }
    assert.fail(
      `${what}: crashed with ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
  }
  assert.fail(`${what}: silently accepted`);
}

test('the honest fuzz seed loads', () => {
  assert.equal(readBundle(honest).manifest.task.steps, 12);
});

test('random byte flips anywhere are rejected with a ProofError', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(honest.length - 1), fc.integer({ min: 1, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      (flips) => {
        const b = honest.slice();
        for (const [at, x] of flips) b[at] ^= x;
        if (Buffer.compare(b, honest) === 0) return; // two flips cancelled out
        mustReject(b, `flips ${JSON.stringify(flips)}`);
      },
    ),
    { numRuns: 400 },
  );
});

test('flips concentrated in the header and manifest are rejected', () => {
  const { length } = honest;
  const mlen = new DataView(honest.buffer, honest.byteOffset).getUint32(12, true);
  fc.assert(
    fc.property(fc.nat(16 + mlen - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
      const b = honest.slice();
      b[at] ^= x;
      mustReject(b, `flip at ${at} of ${length}`);
    }),
    { numRuns: 400 },
  );
});

test('truncations, extensions and splices are rejected with a ProofError', () => {
  fc.assert(
    fc.property(fc.nat(honest.length - 1), (n) => mustReject(honest.subarray(0, n), `truncated to ${n}`)),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(honest.length), (extra, at) => {
      const b = new Uint8Array(honest.length + extra.length);
      b.set(honest.subarray(0, at));
      b.set(extra, at);
      b.set(honest.subarray(at), at + extra.length);
      mustReject(b, `inserted ${extra.length} bytes at ${at}`);
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (junk) => mustReject(junk, 'random bytes')),
    { numRuns: 200 },
  );
});
