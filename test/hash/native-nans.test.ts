/**
 * The native NaN pass (native/hash.c via core/platform/node-native.ts) finds and rewrites exactly the words
 * the tensor digest canonicalises: every kernel this CPU has (AVX-512, AVX2, plain C) against an
 * independent word-by-word reference, on arrays of every NaN kind (quiet and signalling, both signs, any
 * payload, the canonical one), ±Inf, ±0, subnormals, at lengths and offsets around the vector widths; then
 * canonicalBytes / tensorDigest and the digest worker with the addon equal the JS-only digests, and the
 * caller's data is never written. Skipped, saying so, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalBytes, setNativeNaNs, tensorDigest } from '../../core/hash/digest.ts';
import { nodeDigestQueue } from '../../core/platform/node-digest-queue.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { nativeAddonPath } from '../../core/platform/node-native.ts';
import { loadNativeKernels, type NativeAddon } from '../../core/platform/node-native-load.ts';
import { EDGE_WORDS } from '../helpers/binary32.ts';
import { atLevel, NATIVE_LEVELS, nativeKernel, nativeSkip as skip } from '../helpers/native.ts';

useNodeSha256();
const addon: NativeAddon | null = nativeKernel ? loadNativeKernels(nativeAddonPath() as string) : null;

// Reference: exponent all ones and mantissa not zero is a NaN; all but one NaN pattern are non-canonical.
const isBad = (w: number) => (w >>> 23) % 256 === 255 && w % 0x800000 !== 0 && w !== 0x7fc00000;

const word = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_WORDS, 0x7f800001, 0xff800001, 0x7fbfffff, 0xffffffff) },
  { weight: 3, arbitrary: fc.integer({ min: 0x7f800001, max: 0x7fffffff }) }, // positive NaNs
  { weight: 1, arbitrary: fc.integer({ min: 0xff800001, max: 0xffffffff }) }, // negative NaNs
  { weight: 6, arbitrary: fc.integer({ min: 0x3f000000, max: 0x40000000 }) }, // ordinary values
);
// Mostly NaN-free runs with a few bad words: the vector loops' first-hit and tail paths.
const words = fc.oneof(
  fc.array(word, { maxLength: 80 }),
  fc
    .tuple(fc.nat({ max: 70 }), fc.array(fc.tuple(fc.nat({ max: 69 }), word), { maxLength: 3 }))
    .map(([n, hits]) => {
      const w = new Array<number>(n).fill(0x3f800000);
      for (const [at, v] of hits) if (at < n) w[at] = v;
      return w;
    }),
);

for (const variant of NATIVE_LEVELS) {
  test(
    `native ${variant}: nanFind / nanCanonicalize agree with the word-by-word reference`,
    {
      skip,
    },
    (t) =>
      atLevel(variant, t, () => {
        const a = addon as NativeAddon;
        fc.assert(
          fc.property(words, fc.nat({ max: 5 }), (ws, pad) => {
            const all = new Uint32Array(ws.length + 2 * pad).fill(0x7f800002);
            all.set(ws, pad);
            const view = new Float32Array(all.buffer, 4 * pad, ws.length);
            const first = ws.findIndex(isBad);
            assert.equal(a.nanFind(view), first);
            const count = a.nanCanonicalize(view);
            assert.equal(count, ws.filter(isBad).length);
            const got = Array.from(all.subarray(pad, pad + ws.length));
            assert.deepEqual(
              got,
              ws.map((w) => (isBad(w) ? 0x7fc00000 : w)),
            );
            // The padding outside the view (signalling NaNs) is not touched.
            assert.ok(all.subarray(0, pad).every((w) => w === 0x7f800002));
            assert.ok(all.subarray(pad + ws.length).every((w) => w === 0x7f800002));
            assert.equal(a.nanFind(view), -1, 'nothing left to find');
          }),
          { numRuns: 300 },
        );
      }),
  );
}

test('canonicalBytes and tensorDigest with the native pass equal the JS ones; the input is not written', {
  skip,
}, () => {
  fc.assert(
    fc.property(words, (ws) => {
      const data = new Float32Array(Uint32Array.from(ws).buffer);
      const t = { shape: [ws.length], data };
      const withNative = [Array.from(canonicalBytes(data)), tensorDigest(t, 'sha256')];
      assert.deepEqual(Array.from(new Uint32Array(data.buffer)), ws, 'input unchanged');
      setNativeNaNs(null);
      try {
        assert.deepEqual(withNative, [Array.from(canonicalBytes(data)), tensorDigest(t, 'sha256')]);
      } finally {
        setNativeNaNs(addon);
      }
    }),
    { numRuns: 200 },
  );
});

test('the digest worker, given the addon path, gives the JS-only digests', { skip }, () => {
  const q = nodeDigestQueue();
  assert.ok(q);
  fc.assert(
    fc.property(fc.array(words, { maxLength: 5 }), (wss) => {
      const tensors = wss.map((ws) => ({
        shape: [ws.length],
        data: new Float32Array(Uint32Array.from(ws).buffer),
      }));
      const ticket = q.submit(tensors, undefined, 'sha256');
      setNativeNaNs(null);
      try {
        assert.deepEqual(
          q.take(ticket),
          tensors.map((t) => tensorDigest(t, 'sha256')),
        );
      } finally {
        setNativeNaNs(addon);
      }
    }),
    { numRuns: 60 },
  );
});
