/**
 * The native multi-buffer SHA-256 (native/sha256-lanes.c `sha256Many`): every digest equals node:crypto's
 * SHA-256 of prefix ‖ data, for batches of random prefix and data lengths, lengths around the block and
 * padding boundaries, typed-array views at odd offsets, a long message among hundreds of tiny ones (lanes
 * refilled while one runs on), with the 16 lanes alone (tail 0), the default SHA-NI tail, and SHA-NI for
 * up to 16 busy lanes; with canonicalNaNs, every NaN hashed as 0x7fc00000 (against a word-by-word
 * reference) and the data left as they were; tensor digests through it equal `tensorDigest`; below AVX-512 it declines. Skipped,
 * saying so, where the addon was not built.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { tensorDigest } from '../../core/hash/digest.ts';
import { nodeDigestQueue } from '../../core/platform/node-digest-queue.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { nativeAddonPath } from '../../core/platform/node-native.ts';
import { loadNativeKernels, type NativeAddon } from '../../core/platform/node-native-load.ts';
import { atLevel, nativeKernel, nativeSkip } from '../helpers/native.ts';
import { seededBytes } from '../helpers/seeded-bytes.ts';

useNodeSha256();
const addon: NativeAddon | null = nativeKernel ? loadNativeKernels(nativeAddonPath() as string) : null;
const skip =
  nativeSkip || (nativeKernel !== 'avx512' ? 'this CPU has no AVX-512: sha256Many declines' : false);

type Bytes = ArrayBufferView | ArrayBuffer;
const bytesOf = (b: Bytes) =>
  b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const oracle = (p: Bytes, d: Bytes) =>
  createHash('sha256').update(bytesOf(p)).update(bytesOf(d)).digest('hex');

/** sha256Many's digests as hex strings (asserting it ran). */
function many(
  prefixes: Bytes[],
  datas: Bytes[],
  options?: { tail?: number; canonicalNaNs?: boolean },
): string[] {
  const out = new Uint8Array(32 * prefixes.length).fill(0xee);
  const a = addon as NativeAddon;
  assert.equal(
    options === undefined ? a.sha256Many(prefixes, datas, out) : a.sha256Many(prefixes, datas, out, options),
    true,
  );
  return prefixes.map((_, i) => Buffer.from(out.buffer, 32 * i, 32).toString('hex'));
}

const TAILS = [0, undefined, 16] as const;

// A message: prefix and data lengths, a seed, and how the data is passed (Uint8Array at an offset into a
// larger buffer, a Float32Array view, or a whole ArrayBuffer).
const message = fc.record({
  plen: fc.nat({ max: 100 }),
  dlen: fc.oneof(fc.nat({ max: 5000 }), fc.nat({ max: 200 })),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  offset: fc.nat({ max: 7 }),
  kind: fc.constantFrom('u8', 'f32', 'buffer'),
});
type Message = typeof message extends fc.Arbitrary<infer M> ? M : never;

function build(m: Message): [Bytes, Bytes] {
  const prefix = seededBytes(m.plen, m.seed ^ 0x5bd1e995);
  if (m.kind === 'f32') {
    const words = Math.floor(m.dlen / 4);
    const all = seededBytes(4 * (words + m.offset + 1), m.seed);
    return [prefix, new Float32Array(all.buffer, 4 * m.offset, words)];
  }
  if (m.kind === 'buffer') return [prefix, seededBytes(m.dlen, m.seed).buffer as ArrayBuffer];
  const all = seededBytes(m.dlen + m.offset + 3, m.seed);
  return [prefix, all.subarray(m.offset, m.offset + m.dlen)];
}

for (const tail of TAILS) {
  test(`sha256Many equals node:crypto on batches of 1–40 random messages (tail ${tail ?? 'default'})`, {
    skip,
  }, () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 40, size: 'max' }), (ms) => {
        const built = ms.map(build);
        assert.deepEqual(
          many(
            built.map((b) => b[0]),
            built.map((b) => b[1]),
            { tail },
          ),
          built.map(([p, d]) => oracle(p, d)),
        );
      }),
      { numRuns: 60 },
    );
  });
}

test('sha256Many at total lengths around the block and padding boundaries, split anywhere', { skip }, () => {
  // 55 is the longest message whose padding fits its last block; 56–63 need one more; the same per block.
  const totals = [
    0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 183, 184, 191, 192, 193, 1000, 1024,
  ];
  const prefixes: Uint8Array[] = [];
  const datas: Uint8Array[] = [];
  for (const total of totals)
    for (const plen of [0, 1, 19, 36, 63, 64, 65, 100])
      if (plen <= total) {
        prefixes.push(seededBytes(plen, total * 131 + plen + 1));
        datas.push(seededBytes(total - plen, total * 7 + plen + 2));
      }
  const want = prefixes.map((p, i) => oracle(p, datas[i]));
  for (const tail of TAILS) assert.deepEqual(many(prefixes, datas, { tail }), want, `tail ${tail}`);
  // Each alone too: one busy lane from the start.
  for (let i = 0; i < prefixes.length; i += 7)
    for (const tail of TAILS) assert.deepEqual(many([prefixes[i]], [datas[i]], { tail }), [want[i]]);
});

test('sha256Many: a 2 MB message among 300 tiny ones (lanes refilled while it runs on)', { skip }, () => {
  const prefixes = [seededBytes(24, 9)];
  const datas = [seededBytes(2 << 20, 10)];
  for (let i = 0; i < 300; i++) {
    prefixes.push(seededBytes(i % 41, 100 + i));
    datas.push(seededBytes((i * 37) % 300, 1000 + i));
  }
  // And a second long one of another length, so two lanes run long.
  prefixes.push(seededBytes(3, 11));
  datas.push(seededBytes((1 << 20) + 5, 12));
  const want = prefixes.map((p, i) => oracle(p, datas[i]));
  for (const tail of TAILS) assert.deepEqual(many(prefixes, datas, { tail }), want, `tail ${tail}`);
  assert.deepEqual(many([], []), [], 'an empty batch');
});

// Binary32 words, NaN-heavy: both signs, quiet and signalling, the canonical one, ±Inf, ±0, subnormals.
const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0x7f800001, max: 0x7fffffff }),
  fc.integer({ min: 0xff800001, max: 0xffffffff }),
  fc.constantFrom(0x7fc00000, 0x7f800000, 0xff800000, 0x80000000, 0, 1, 0x807fffff),
);
// Reference (independent of the addon): exponent all ones and mantissa not zero is a NaN.
const canonicalWords = (ws: readonly number[]) =>
  ws.map((w) => ((w >>> 23) % 256 === 255 && w % 0x800000 !== 0 ? 0x7fc00000 : w));

for (const tail of TAILS) {
  test(`sha256Many with canonicalNaNs hashes every NaN as 0x7fc00000, data untouched (tail ${tail ?? 'default'})`, {
    skip,
  }, () => {
    const msg = fc.record({
      pwords: fc.nat({ max: 25 }),
      seed: fc.integer({ min: 1, max: 0x7fffffff }),
      ws: fc.oneof(fc.array(word, { maxLength: 40 }), fc.array(word, { maxLength: 1300, size: 'max' })),
      offset: fc.nat({ max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(msg, { minLength: 1, maxLength: 24, size: 'max' }), (ms) => {
        const prefixes = ms.map((m) => seededBytes(4 * m.pwords, m.seed));
        const datas = ms.map((m) => {
          const all = new Uint32Array(m.ws.length + m.offset + 1).fill(0x7f800002);
          all.set(m.ws, m.offset);
          return new Float32Array(all.buffer, 4 * m.offset, m.ws.length);
        });
        const want = ms.map((m, i) => oracle(prefixes[i], Uint32Array.from(canonicalWords(m.ws))));
        assert.deepEqual(many(prefixes, datas, { tail, canonicalNaNs: true }), want);
        ms.forEach((m, i) => {
          assert.deepEqual(
            Array.from(new Uint32Array(datas[i].buffer)).slice(m.offset, m.offset + m.ws.length),
            m.ws,
          );
        });
      }),
      { numRuns: 60 },
    );
  });
}

test('tensor digests through sha256Many equal tensorDigest (NaNs canonicalised by the caller or by it)', {
  skip,
}, () => {
  const TAG = Buffer.from('pinpoint.tensor.v1\u0000', 'utf8');
  const tensor = fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }).chain((shape) =>
    fc
      .array(word, {
        minLength: shape.reduce((a, b) => a * b, 1),
        maxLength: shape.reduce((a, b) => a * b, 1),
      })
      .map((ws) => ({ shape, data: new Float32Array(Uint32Array.from(ws).buffer) })),
  );
  fc.assert(
    fc.property(fc.array(tensor, { minLength: 1, maxLength: 20 }), (ts) => {
      const a = addon as NativeAddon;
      const prefixes = ts.map(({ shape }) => {
        const head = Buffer.alloc(5 + 4 * shape.length);
        head.writeUInt8(1, 0);
        head.writeUInt32LE(shape.length, 1);
        for (const [i, d] of shape.entries()) head.writeUInt32LE(d, 5 + 4 * i);
        return Buffer.concat([TAG, head]);
      });
      const copies = ts.map(({ data }) => {
        const c = data.slice();
        a.nanCanonicalize(c);
        return c;
      });
      const want = ts.map((t) => tensorDigest(t, 'sha256'));
      assert.deepEqual(many(prefixes, copies), want);
      assert.deepEqual(
        many(
          prefixes,
          ts.map((t) => t.data),
          { canonicalNaNs: true },
        ),
        want,
      );
    }),
    { numRuns: 100 },
  );
});

test('the digest worker with the addon (one sha256Many per step) equals tensorDigest, shared buffers too', {
  skip,
}, () => {
  const q = nodeDigestQueue();
  assert.ok(q);
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ n: fc.nat({ max: 3000 }), seed: fc.integer({ min: 1, max: 1e9 }), nan: fc.boolean() }),
        {
          minLength: 1,
          maxLength: 40,
        },
      ),
      fc.boolean(),
      (specs, handOver) => {
        const tensors = specs.flatMap(({ n, seed, nan }) => {
          const data = new Float32Array(seededBytes(4 * n, seed).buffer);
          if (nan && n > 0) new Uint32Array(data.buffer)[seed % n] = 0xffc01234;
          // A reshape shares its input's buffer: both go to the worker as one buffer.
          return n % 2 === 0
            ? [{ shape: [n], data }]
            : [
                { shape: [n], data },
                { shape: [1, n], data },
              ];
        });
        const want = tensors.map((t) => tensorDigest(t, 'sha256'));
        const ticket = q.submit(tensors, handOver ? tensors.map(() => 'give' as const) : undefined, 'sha256');
        assert.deepEqual(q.take(ticket), want);
      },
    ),
    { numRuns: 40 },
  );
});

test('sha256Many rejects malformed arguments with its usage, and declines below AVX-512', { skip }, (t) => {
  const a = addon as NativeAddon;
  const usage = { name: 'TypeError', message: /^sha256Many\(prefixes/ };
  assert.throws(() => a.sha256Many([new Uint8Array(1)], [], new Uint8Array(32)), usage, 'lengths differ');
  assert.throws(() => a.sha256Many([new Uint8Array(1)], [new Uint8Array(1)], new Uint8Array(31)), usage);
  assert.throws(
    () => a.sha256Many([new Uint8Array(1)], ['x' as unknown as Uint8Array], new Uint8Array(32)),
    usage,
  );
  const one = (options: unknown) =>
    a.sha256Many([new Uint8Array(4)], [new Uint8Array(4)], new Uint8Array(32), options as { tail: number });
  assert.throws(() => one(3), usage, 'options not an object');
  assert.throws(() => one({ tail: -1 }), usage);
  assert.throws(() => one({ canonicalNaNs: 'yes' }), usage);
  assert.throws(
    () => a.sha256Many([new Uint8Array(2)], [new Uint8Array(4)], new Uint8Array(32), { canonicalNaNs: true }),
    { name: 'RangeError', message: /whole 4-byte words/ },
  );
  assert.throws(
    () => a.sha256Many([new Uint8Array(4)], [new Uint8Array(6)], new Uint8Array(32), { canonicalNaNs: true }),
    { name: 'RangeError', message: /whole 4-byte words/ },
  );
  atLevel('avx2', t, () => {
    const out = new Uint8Array(32);
    assert.equal(a.sha256Many([new Uint8Array(1)], [new Uint8Array(1)], out), false);
    assert.ok(
      out.every((b) => b === 0),
      'nothing written',
    );
  });
});
