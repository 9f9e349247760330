/**
 * The portable BLAKE3 (core/hash/blake3-portable.ts blake3Parts), on both of its paths — WebAssembly SIMD
 * and plain JavaScript — against the readable specification core/hash/blake3.ts (itself checked against
 * the official vectors in test/blake3.test.ts) and the official vectors directly: any split into parts,
 * lengths at block (64 B), chunk (1 KB) and segment boundaries, multi-chunk and multi-segment trees,
 * and calls after one another (the memory is reused: nothing from an earlier input may leak). And
 * blake3CanonicalF32 (NaNs made canonical in the hasher's copy) against blake3 of digest.ts canonicalBytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeBase64 } from '../../core/hash/base64.ts';
import { blake3 } from '../../core/hash/blake3.ts';
import {
  blake3CanonicalF32,
  blake3Parts,
  PORTABLE_BLAKE3_SEGMENT,
  type PortableBlake3Path,
  portableBlake3Path,
  setPortableBlake3Path,
} from '../../core/hash/blake3-portable.ts';
import { BLAKE3_WASM_BASE64 } from '../../core/hash/blake3-wasm-bytes.ts';
import { canonicalBytes } from '../../core/hash/digest.ts';
import { BLAKE3_VECTORS, vectorInput } from '../helpers/blake3-vectors.ts';
import { seededBytes } from '../helpers/seeded-bytes.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** data cut at the given points (sorted, clamped), so blake3Parts sees pieces of it. */
function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (data.length + 1)).sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, data.length]) {
    parts.push(data.subarray(from, p));
    from = p;
  }
  return parts;
}

const PATHS: PortableBlake3Path[] = ['wasm', 'js'];

function onPath<T>(path: PortableBlake3Path, run: () => T): T {
  setPortableBlake3Path(path);
  try {
    return run();
  } finally {
    setPortableBlake3Path('auto');
  }
}

test('Node takes the WebAssembly path; the module stays small enough for a synchronous compile anywhere', () => {
  assert.equal(portableBlake3Path(), 'wasm');
  // Chromium refuses new WebAssembly.Module() above 4 KB on a page's main thread (then "js" would run).
  assert.ok(decodeBase64(BLAKE3_WASM_BASE64).length < 4096);
});

for (const path of PATHS) {
  test(`${path}: the official test vectors, whole and in pieces`, () => {
    onPath(path, () => {
      for (const c of BLAKE3_VECTORS.cases) {
        const data = vectorInput(c.input_len);
        assert.equal(hex(blake3Parts([data])), c.hash, `length ${c.input_len}`);
        const third = Math.floor(c.input_len / 3);
        assert.equal(
          hex(blake3Parts([data.subarray(0, third), new Uint8Array(0), data.subarray(third)])),
          c.hash,
          `length ${c.input_len} in pieces`,
        );
      }
      assert.equal(hex(blake3Parts([])), BLAKE3_VECTORS.cases[0].hash, 'no parts at all is the empty input');
    });
  });

  test(`${path}: equals the specification at block and chunk boundaries, any split (property)`, () => {
    // Lengths near multiples of 64 and 1024 (up to 20 chunks: several parent levels, odd counts).
    const nearBoundary = fc
      .tuple(fc.constantFrom(64, 1024), fc.nat({ max: 20 }), fc.integer({ min: -2, max: 2 }))
      .map(([unit, k, d]) => Math.max(0, unit * k + d));
    const length = fc.oneof(nearBoundary, fc.nat({ max: 9000 }));
    fc.assert(
      fc.property(length, fc.array(fc.nat(), { maxLength: 5 }), fc.nat(), (n, cuts, seed) => {
        const data = seededBytes(n, seed);
        const want = hex(blake3(data));
        onPath(path, () => assert.equal(hex(blake3Parts(split(data, cuts))), want, `length ${n}`));
      }),
      { numRuns: 120 },
    );
  });
}

test('multi-segment inputs: both paths equal the specification around segment boundaries', () => {
  const S = PORTABLE_BLAKE3_SEGMENT;
  const lengths = [S - 1, S, S + 1, 2 * S, 2 * S + 1024, 3 * S + 1, 4 * S, 5 * S + 4097];
  for (const [i, n] of lengths.entries()) {
    const data = seededBytes(n, 1000 + i);
    const want = hex(blake3(data));
    const cuts = [S, S - 3, 17, n - 1];
    for (const path of PATHS)
      onPath(path, () => {
        assert.equal(hex(blake3Parts([data])), want, `${path}, ${n} B in one part`);
        assert.equal(hex(blake3Parts(split(data, cuts))), want, `${path}, ${n} B in pieces`);
      });
  }
});

test('a 10 MB input (a deep stack of segment subtrees) equals the specification on both paths', () => {
  const data = seededBytes(10 * 1024 * 1024 + 3, 42);
  const want = hex(blake3(data));
  for (const path of PATHS) onPath(path, () => assert.equal(hex(blake3Parts([data])), want, path));
});

test('many small parts crossing a segment boundary, and a tensor-digest shaped message', () => {
  const data = seededBytes(PORTABLE_BLAKE3_SEGMENT + 5000, 7);
  const cuts = Array.from({ length: 700 }, (_, i) => (i * 7919) % data.length);
  const want = hex(blake3(data));
  const prefix = new TextEncoder().encode('pinpoint.tensor.v1\u0000');
  const tensor = new Float32Array([Number.NaN, -0, Number.POSITIVE_INFINITY, 1e-45, 3.5]);
  const bytes = new Uint8Array(tensor.buffer);
  const concat = new Uint8Array(prefix.length + bytes.length);
  concat.set(prefix);
  concat.set(bytes, prefix.length);
  for (const path of PATHS)
    onPath(path, () => {
      assert.equal(hex(blake3Parts(split(data, cuts))), want, path);
      assert.equal(hex(blake3Parts([prefix, bytes])), hex(blake3(concat)), `${path}, prefix ‖ data`);
    });
});

test('a call after a large one is not affected by what the large one left in memory', () => {
  const big = seededBytes(3 * PORTABLE_BLAKE3_SEGMENT + 777, 99);
  for (const path of PATHS)
    onPath(path, () => {
      for (const n of [0, 1, 63, 65, 1000, 1025, 5000]) {
        blake3Parts([big]);
        const small = seededBytes(n, n + 5);
        assert.equal(hex(blake3Parts([small])), hex(blake3(small)), `${path}, ${n} B after ${big.length} B`);
      }
    });
});

test('the result is a fresh 32-byte array each time (not a view of the reused memory)', () => {
  for (const path of PATHS)
    onPath(path, () => {
      const a = blake3Parts([vectorInput(10)]);
      const copy = hex(a);
      blake3Parts([vectorInput(5000)]);
      assert.equal(a.length, 32);
      assert.equal(hex(a), copy);
    });
});

/** binary32 bit patterns with the IEEE specials: NaNs with payloads and signs, ±Inf, ±0, subnormals. */
const SPECIAL_BITS = [
  0x7fc00000, 0x7f800001, 0x7fffffff, 0xffc00000, 0xff800001, 0xffffffff, 0x7fc00001, 0x7f800000, 0xff800000,
  0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x3f800000,
];
const word = fc.oneof(fc.constantFrom(...SPECIAL_BITS), fc.nat({ max: 0xffffffff }));

for (const path of PATHS) {
  test(`${path}: blake3CanonicalF32 equals blake3 of prefix ‖ canonicalBytes(data), data untouched (property)`, () => {
    const prefixLen = fc.nat({ max: 12 }).map((w) => 4 * w);
    // Word counts up to a few chunks, plus lengths that cross a segment boundary with the prefix.
    const count = fc.oneof(
      fc.nat({ max: 2100 }),
      fc.integer({ min: PORTABLE_BLAKE3_SEGMENT / 4 - 40, max: PORTABLE_BLAKE3_SEGMENT / 4 + 40 }),
    );
    fc.assert(
      fc.property(
        prefixLen,
        count,
        fc.array(word, { minLength: 1, maxLength: 64 }),
        fc.nat(),
        (pl, n, pool, seed) => {
          const bits = new Uint32Array(n);
          for (let i = 0; i < n; i++) bits[i] = pool[(i * 2654435761 + seed) % pool.length] >>> 0;
          const data = new Float32Array(bits.buffer);
          const prefix = seededBytes(pl, seed + 1);
          const before = Buffer.from(bits.buffer).toString('hex');
          const canon = canonicalBytes(data);
          const whole = new Uint8Array(pl + canon.length);
          whole.set(prefix);
          whole.set(canon, pl);
          const want = hex(blake3(whole));
          onPath(path, () => {
            const half = (pl >> 3) << 2;
            assert.equal(
              hex(blake3CanonicalF32([prefix.subarray(0, half), prefix.subarray(half)], data)),
              want,
            );
          });
          assert.equal(Buffer.from(bits.buffer).toString('hex'), before, 'data unchanged');
        },
      ),
      { numRuns: 40 },
    );
  });
}

test('blake3CanonicalF32 reads a data view at an offset, and refuses a prefix of partial words', () => {
  const bits = Uint32Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? 0xff800000 + i : i * 977));
  const view = new Float32Array(bits.buffer, 4 * 5, 2000);
  const prefix = seededBytes(28, 3);
  const canon = canonicalBytes(view);
  const whole = new Uint8Array(28 + canon.length);
  whole.set(prefix);
  whole.set(canon, 28);
  for (const path of PATHS)
    onPath(path, () => {
      assert.equal(hex(blake3CanonicalF32([prefix], view)), hex(blake3(whole)), path);
      assert.throws(
        () => blake3CanonicalF32([prefix.subarray(0, 27)], view),
        /27 bytes, not a whole number of 4-byte words/,
      );
    });
});
