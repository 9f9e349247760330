/**
 * The portable BLAKE3 in headless Chromium, on a page's main thread (where Chromium refuses synchronous
 * WebAssembly compiles above 4 KB): blake3Parts must take the WebAssembly path there, and both of its
 * paths must give the hashes Node's specification (core/hash/blake3.ts) gives. esbuild bundles the entry;
 * the page reports its hashes, its path and its throughput. Skipped without Chromium (not in CI).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blake3 } from '../../core/hash/blake3.ts';
import { runOnPage, skipReason } from '../helpers/chromium.ts';

const LENGTHS = [0, 1, 64, 65, 1023, 1024, 1025, 4097, 31 * 1024 + 5, 600_000];

/** Deterministic bytes, the same in Node and in the page (the function is sent as its source). */
function bytesOf(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = n + 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = x >>> 24;
  }
  return out;
}

const ENTRY = `
import { blake3Parts, portableBlake3Path, setPortableBlake3Path } from './core/hash/blake3-portable.ts';
const bytesOf = ${bytesOf.toString()};
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const w = globalThis;
try {
  const auto = portableBlake3Path();
  const hashes = {};
  for (const path of ['wasm', 'js']) {
    setPortableBlake3Path(path);
    hashes[path] = ${JSON.stringify(LENGTHS)}.map((n) => {
      const d = bytesOf(n);
      return hex(blake3Parts([d.subarray(0, n >> 2), d.subarray(n >> 2)]));
    });
  }
  setPortableBlake3Path('auto');
  // Throughput for the log only: the best of several runs (the machine may be shared).
  const big = bytesOf(8 << 20);
  let best = Infinity;
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    blake3Parts([big]);
    best = Math.min(best, performance.now() - t0);
  }
  const mbps = big.length / best / 1e3;
  w.__blake3 = { ok: true, auto, hashes, mbps, ua: navigator.userAgent };
} catch (e) {
  w.__blake3 = { ok: false, error: String((e && e.stack) || e) };
}
`;

interface PageResult {
  ok: boolean;
  error?: string;
  auto?: string;
  hashes?: Record<string, string[]>;
  mbps?: number;
  ua?: string;
}

test('blake3Parts on a Chromium page main thread: WebAssembly path, same hashes as the specification', {
  timeout: 120_000,
}, async (t) => {
  const skip = skipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const result = await runOnPage<PageResult>(ENTRY, '__blake3', 100_000);
  assert.ok(result.ok, `browser run failed: ${result.error}`);
  assert.equal(result.auto, 'wasm', 'the page main thread compiles the module synchronously');
  const want = LENGTHS.map((n) => Buffer.from(blake3(bytesOf(n))).toString('hex'));
  assert.deepEqual(result.hashes?.wasm, want, 'wasm path');
  assert.deepEqual(result.hashes?.js, want, 'js path');
  t.diagnostic(`Chromium blake3Parts: ${result.mbps?.toFixed(0)} MB/s on 8 MB, best of 8 (${result.ua})`);
});
