/**
 * The same RepOps bits in Node and in headless Chromium: esbuild bundles a browser entry that imports
 * the golden cases (core/repops/golden/cases.ts), the transcendentals, the PRNG and both matmul
 * kernels (the WebAssembly-SIMD one runs in Chromium's engine), serves it from 127.0.0.1 and compares
 * every digest the page computes with Node's — and with the checked-in golden table.
 * Without /usr/bin/chromium the test is skipped with a message, except in CI (CI=true), where it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { CHROMIUM, runOnPage } from '../helpers/chromium.ts';
import { computeExtraDigests } from './extra-digests.ts';

const ENTRY = `
import { computeGolden } from './core/repops/golden/cases.ts';
import { computeExtraDigests } from './test/e2e-repops/extra-digests.ts';
const w = globalThis;
try {
  const t0 = performance.now();
  const golden = computeGolden();
  const extra = computeExtraDigests();
  w.__repops = { ok: true, golden, extra, ms: performance.now() - t0, ua: navigator.userAgent };
} catch (e) {
  w.__repops = { ok: false, error: String(e && e.stack || e) };
}
`;

interface PageResult {
  ok: boolean;
  error?: string;
  golden?: { version: string; digests: Record<string, string> };
  extra?: Record<string, string>;
  ms?: number;
  ua?: string;
}

const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

test('golden digests in headless Chromium equal Node (and the checked-in table)', {
  timeout: 240_000,
}, async (t) => {
  if (!haveChromium) {
    if (inCi) assert.fail(`${CHROMIUM} not found: the browser golden test cannot run in CI`);
    t.skip(`${CHROMIUM} not found — skipping the browser golden test (set up Debian's chromium to run it)`);
    return;
  }
  const result = await runOnPage<PageResult>(ENTRY, '__repops', 200_000);
  assert.ok(result.ok, `browser run failed: ${result.error}`);
  t.diagnostic(
    `Chromium computed ${Object.keys(result.golden?.digests ?? {}).length} golden + ${Object.keys(result.extra ?? {}).length} extra digests in ${result.ms?.toFixed(0)} ms (${result.ua})`,
  );

  useNodeSha256();
  const { computeGolden } = await import('../../core/repops/golden/cases.ts');
  const node = computeGolden();
  assert.equal(result.golden?.version, node.version);
  const differ = Object.keys(node.digests).filter((k) => result.golden?.digests[k] !== node.digests[k]);
  assert.deepEqual(differ, [], `digests differing between Chromium and Node: ${differ.join(', ')}`);
  assert.deepEqual(Object.keys(result.golden?.digests ?? {}).sort(), Object.keys(node.digests).sort());

  const table = JSON.parse(readFileSync(new URL('../repops/golden.json', import.meta.url), 'utf8')) as {
    digests: Record<string, string>;
  };
  const offTable = Object.keys(table.digests).filter((k) => result.golden?.digests[k] !== table.digests[k]);
  assert.deepEqual(
    offTable,
    [],
    `Chromium digests differing from test/repops/golden.json: ${offTable.join(', ')}`,
  );

  assert.deepEqual(result.extra, computeExtraDigests(), 'transcendental / PRNG / matmul kernel digests');
});
