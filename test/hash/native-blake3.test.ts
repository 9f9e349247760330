/**
 * The native multi-message BLAKE3 (native/blake3.c `blake3Many`) equals the TypeScript specification
 * (core/hash/blake3.ts, itself checked against the official vectors) at every vector level: batches of
 * random messages with prefix and data lengths around the block (64) and chunk (1024) boundaries, some of
 * 64 KiB and more (full lanes of one message's chunks, several tree levels), views at odd offsets; with
 * canonicalNaNs every NaN is hashed as 0x7fc00000 (an independent word-by-word reference) and the data are
 * left as they were; malformed arguments get the usage message. Skipped, saying so, where the addon was
 * not built.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { blake3Hasher } from '../../core/hash/blake3.ts';
import { nativeAddonPath } from '../../core/platform/node-native.ts';
import { loadNativeKernels, type NativeAddon } from '../../core/platform/node-native-load.ts';
import { atLevel, NATIVE_LEVELS, nativeKernel, nativeSkip } from '../helpers/native.ts';
import { seededBytes } from '../helpers/seeded-bytes.ts';

const addon: NativeAddon | null = nativeKernel ? loadNativeKernels(nativeAddonPath() as string) : null;
const skip = nativeSkip;

type Bytes = ArrayBufferView | ArrayBuffer;
const bytesOf = (b: Bytes) =>
  b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const oracle = (p: Bytes, d: Bytes) => hex(blake3Hasher().update(bytesOf(p)).update(bytesOf(d)).digest());

/** blake3Many's hashes as hex strings (asserting it returned true). */
function many(prefixes: Bytes[], datas: Bytes[], options?: { canonicalNaNs?: boolean }): string[] {
  const out = new Uint8Array(32 * prefixes.length).fill(0xee);
  const a = addon as NativeAddon;
  assert.equal(
    options === undefined ? a.blake3Many(prefixes, datas, out) : a.blake3Many(prefixes, datas, out, options),
    true,
  );
  return prefixes.map((_, i) => hex(out.subarray(32 * i, 32 * i + 32)));
}

/** Lengths near the block and chunk boundaries (k·64 ± 2, k·1024 ± 2), anything small, sometimes ≥ 64 KiB. */
const nearBoundary = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 200 }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom(64, 1024), fc.integer({ min: -2, max: 2 }))
      .map(([k, unit, d]) => Math.max(0, k * unit + d)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 64 * 1024, max: 200 * 1024 }) },
);

for (const level of NATIVE_LEVELS) {
  test(`blake3Many equals the TS BLAKE3 on batches of 1–60 messages (${level})`, { skip }, (t) => {
    atLevel(level, t, () => {
      const msg = fc.record({
        plen: fc.oneof(fc.nat({ max: 70 }), nearBoundary),
        dlen: nearBoundary,
        seed: fc.integer({ min: 1, max: 0x7fffffff }),
        offset: fc.nat({ max: 7 }),
        buffer: fc.boolean(),
      });
      fc.assert(
        fc.property(fc.array(msg, { minLength: 1, maxLength: 60 }), (ms) => {
          const prefixes = ms.map((m) => seededBytes(m.plen, m.seed ^ 0x5555));
          const datas: Bytes[] = ms.map((m) => {
            const all = seededBytes(m.dlen + m.offset, m.seed);
            return m.buffer && m.offset === 0
              ? (all.buffer as ArrayBuffer)
              : new Uint8Array(all.buffer, m.offset, m.dlen);
          });
          assert.deepEqual(
            many(prefixes, datas),
            ms.map((_, i) => oracle(prefixes[i], datas[i])),
          );
        }),
        { numRuns: 25 },
      );
    });
  });
}

test('blake3Many: a 2 MB message among 300 tiny ones, and an empty batch', { skip }, (t) => {
  for (const level of NATIVE_LEVELS)
    atLevel(level, t, () => {
      const prefixes = Array.from({ length: 301 }, (_, i) => seededBytes(i % 37, i + 1));
      const datas = Array.from({ length: 301 }, (_, i) =>
        seededBytes(i === 150 ? 2_000_003 : (i * 7) % 300, i + 9),
      );
      assert.deepEqual(
        many(prefixes, datas),
        prefixes.map((p, i) => oracle(p, datas[i])),
      );
      assert.deepEqual(many([], []), []);
    });
});

// Binary32 words, NaN-heavy: both signs, quiet and signalling, the canonical one, ±Inf, ±0, subnormals.
const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0x7f800001, max: 0x7fffffff }),
  fc.integer({ min: 0xff800001, max: 0xffffffff }),
  fc.constantFrom(0x7fc00000, 0x7f800000, 0xff800000, 0x80000000, 0, 1, 0x807fffff, 0x007fffff),
);
// Reference (independent of the addon): exponent all ones and mantissa not zero is a NaN.
const canonicalWords = (ws: readonly number[]) =>
  ws.map((w) => ((w >>> 23) % 256 === 255 && w % 0x800000 !== 0 ? 0x7fc00000 : w));

for (const level of NATIVE_LEVELS) {
  test(`blake3Many with canonicalNaNs hashes every NaN as 0x7fc00000, data untouched (${level})`, {
    skip,
  }, (t) => {
    atLevel(level, t, () => {
      const msg = fc.record({
        // Prefix words are hashed as they are, NaN patterns included.
        pws: fc.array(word, { maxLength: 40 }),
        ws: fc.oneof(
          fc.array(word, { maxLength: 40 }),
          fc.array(word, { maxLength: 1300, size: 'max' }),
          fc.array(word, { minLength: 16_400, maxLength: 17_000 }),
        ),
        offset: fc.nat({ max: 3 }),
      });
      fc.assert(
        fc.property(fc.array(msg, { minLength: 1, maxLength: 20, size: 'max' }), (ms) => {
          const prefixes = ms.map((m) => Uint32Array.from(m.pws));
          const datas = ms.map((m) => {
            const all = new Uint32Array(m.ws.length + m.offset + 1).fill(0x7f800002);
            all.set(m.ws, m.offset);
            return new Float32Array(all.buffer, 4 * m.offset, m.ws.length);
          });
          const want = ms.map((m, i) => oracle(prefixes[i], Uint32Array.from(canonicalWords(m.ws))));
          assert.deepEqual(many(prefixes, datas, { canonicalNaNs: true }), want);
          ms.forEach((m, i) => {
            assert.deepEqual(
              Array.from(new Uint32Array(datas[i].buffer)).slice(m.offset, m.offset + m.ws.length),
              m.ws,
            );
          });
        }),
        { numRuns: 15 },
      );
    });
  });
}

test('blake3Many rejects malformed arguments with its usage', { skip }, () => {
  const a = addon as NativeAddon;
  const usage = { name: 'TypeError', message: /^blake3Many\(prefixes/ };
  assert.throws(() => a.blake3Many([new Uint8Array(1)], [], new Uint8Array(32)), usage, 'lengths differ');
  assert.throws(() => a.blake3Many([new Uint8Array(1)], [new Uint8Array(1)], new Uint8Array(31)), usage);
  assert.throws(
    () => a.blake3Many([new Uint8Array(1)], ['x' as unknown as Uint8Array], new Uint8Array(32)),
    usage,
  );
  assert.throws(() => (a.blake3Many as (...args: unknown[]) => boolean)([], []), usage, 'no out');
  const one = (options: unknown) =>
    a.blake3Many(
      [new Uint8Array(4)],
      [new Uint8Array(4)],
      new Uint8Array(32),
      options as { canonicalNaNs: boolean },
    );
  assert.throws(() => one(3), usage, 'options not an object');
  assert.throws(() => one({ canonicalNaNs: 'yes' }), usage);
  assert.equal(one({}), true);
  assert.throws(
    () => a.blake3Many([new Uint8Array(2)], [new Uint8Array(4)], new Uint8Array(32), { canonicalNaNs: true }),
    { name: 'RangeError', message: /whole 4-byte words/ },
  );
  assert.throws(
    () => a.blake3Many([new Uint8Array(4)], [new Uint8Array(6)], new Uint8Array(32), { canonicalNaNs: true }),
    { name: 'RangeError', message: /whole 4-byte words/ },
  );
});
