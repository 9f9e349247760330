/**
 * The portable BLAKE3 (core/hash/blake3-portable.ts blake3Parts), on both of its paths — WebAssembly SIMD
 * and plain JavaScript — against the readable specification core/hash/blake3.ts (itself checked against
 * the official vectors in test/blake3.test.ts) and the official vectors directly: any split into parts,
 * lengths at block (64 B), chunk (1 KB) and segment boundaries, multi-chunk and multi-segment trees,
 * and calls after one another (the memory is reused: nothing from an earlier input may leak).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeBase64 } from '../../core/hash/base64.ts';
import { blake3 } from '../../core/hash/blake3.ts';
import {
  blake3Parts,
  PORTABLE_BLAKE3_SEGMENT,
  type PortableBlake3Path,
  portableBlake3Path,
  setPortableBlake3Path,
} from '../../core/hash/blake3-portable.ts';
import { BLAKE3_WASM_BASE64 } from '../../core/hash/blake3-wasm-bytes.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/blake3-vectors.json', import.meta.url), 'utf8'),
) as { cases: { input_len: number; hash: string }[] };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);
/** Pseudo-random bytes (xorshift32): cheap to make in megabytes, unlike fast-check arrays. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
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
      for (const c of vectors.cases) {
        const data = pattern(c.input_len);
        assert.equal(hex(blake3Parts([data])), c.hash, `length ${c.input_len}`);
        const third = Math.floor(c.input_len / 3);
        assert.equal(
          hex(blake3Parts([data.subarray(0, third), new Uint8Array(0), data.subarray(third)])),
          c.hash,
          `length ${c.input_len} in pieces`,
        );
      }
      assert.equal(hex(blake3Parts([])), vectors.cases[0].hash, 'no parts at all is the empty input');
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
        const data = noise(n, seed);
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
    const data = noise(n, 1000 + i);
    const want = hex(blake3(data));
    const cuts = [S, S - 3, 17, n - 1];
    for (const path of PATHS)
      onPath(path, () => {
        assert.equal(hex(blake3Parts([data])), want, `${path}, ${n} B in one part`);
        assert.equal(hex(blake3Parts(split(data, cuts))), want, `${path}, ${n} B in pieces`);
      });
  }
});

test('many small parts crossing a segment boundary, and a tensor-digest shaped message', () => {
  const data = noise(PORTABLE_BLAKE3_SEGMENT + 5000, 7);
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
  const big = noise(3 * PORTABLE_BLAKE3_SEGMENT + 777, 99);
  for (const path of PATHS)
    onPath(path, () => {
      for (const n of [0, 1, 63, 65, 1000, 1025, 5000]) {
        blake3Parts([big]);
        const small = noise(n, n + 5);
        assert.equal(hex(blake3Parts([small])), hex(blake3(small)), `${path}, ${n} B after ${big.length} B`);
      }
    });
});

test('the result is a fresh 32-byte array each time (not a view of the reused memory)', () => {
  for (const path of PATHS)
    onPath(path, () => {
      const a = blake3Parts([pattern(10)]);
      const copy = hex(a);
      blake3Parts([pattern(5000)]);
      assert.equal(a.length, 32);
      assert.equal(hex(a), copy);
    });
});
