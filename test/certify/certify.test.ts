/**
 * `pinpoint certify` (issue 17), short form: spirals-mlp for one step and every golden op vector in
 * Node, Node --jitless, QuickJS, Node with 2 worker threads and (where installed; always in CI) headless
 * Chromium, and Node with the native addon's kernels (where built) — all must agree, and agree with an
 * in-process training run (independent oracle). A planted one-bit difference in one engine must be reported
 * with the op vector and element, and exit 1; so must a broken native kernel, with the first differing step.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommitment } from '../../core/train/record.ts';
import { parseTaskText } from '../../core/train/task.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { skipReason } from '../helpers/chromium.ts';

const TASK = 'tasks/spirals-mlp.json';

const ADDON = 'build/Release/pinpoint_native.node';
const noAddon = existsSync(ADDON) ? false : `${ADDON} not built (no C compiler)`;

function certify(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; json: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/pinpoint.js', 'certify', '--json', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, ...env },
  });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(r.stdout);
  } catch {
    assert.fail(
      `no JSON from certify (status ${r.status}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(-2000)}`,
    );
  }
  return { status: r.status, json, stderr: r.stderr };
}

interface EngineJson {
  name: string;
  runRoots?: Record<string, string>;
  vectorDigest?: string;
  unavailable?: string;
  error?: string;
  native?: string;
}

test('engines agree bit for bit, and with an in-process run', { timeout: 300_000 }, () => {
  const engines = ['node', 'jitless', 'quickjs', 'threads'];
  if (skipReason() === null) engines.push('chromium');
  if (!noAddon) engines.push('native');
  const r = certify(['--steps', '1', '--engines', engines.join(','), TASK]);
  const list = r.json.engines as EngineJson[];
  for (const e of list) assert.equal(e.error, undefined, `${e.name}: ${e.error}`);
  assert.equal(r.json.agree, true, JSON.stringify(r.json.differences));
  assert.equal(r.status, 0);
  assert.ok(list.length >= 4, `${list.length} engines`);
  const task = parseTaskText(readFileSync(TASK, 'utf8'), TASK);
  const run = train(prepareTask({ ...task, steps: 1, checkpointEvery: 1 }), { mode: 'fast' });
  const root = runCommitment(run.records);
  for (const e of list) {
    assert.equal(e.runRoots?.['spirals-mlp'], root, e.name);
    assert.equal(e.vectorDigest, list[0].vectorDigest, e.name);
  }
  if (!noAddon) {
    const native = list.find((e) => e.name.startsWith('node + native'));
    // The child reports the level its addon ran, and the engine is named with it.
    assert.match(native?.native ?? '', /^(avx512|avx2|c)$/);
    assert.equal(native?.name, `node + native (${native?.native})`);
  }
});

test("the threads engine records a task's micro-batches on worker threads and agrees with node and an in-process run", {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-certify-'));
  try {
    const raw = JSON.parse(readFileSync('tasks/chars-transformer.json', 'utf8'));
    const file = join(dir, 'micro.json');
    writeFileSync(file, JSON.stringify({ ...raw, microBatches: 2 }));
    const r = certify(['--steps', '2', '--engines', 'node,threads', file]);
    const list = r.json.engines as (EngineJson & { microBatchThreads?: Record<string, number> })[];
    for (const e of list) assert.equal(e.error, undefined, `${e.name}: ${e.error}`);
    assert.equal(r.json.agree, true, JSON.stringify(r.json.differences));
    const threads = list.find((e) => e.name.startsWith('node, 2 worker threads'));
    assert.deepEqual(threads?.microBatchThreads, { 'chars-transformer': 2 });
    const task = parseTaskText(readFileSync(file, 'utf8'), file);
    const run = train(prepareTask({ ...task, steps: 2, checkpointEvery: 2 }), { mode: 'fast' });
    for (const e of list) assert.equal(e.runRoots?.['chars-transformer'], runCommitment(run.records), e.name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every native vector level agrees with the JavaScript kernels', {
  skip: noAddon,
  timeout: 300_000,
}, () => {
  const r = certify(['--steps', '1', '--engines', 'node,native-avx2,native-c', TASK]);
  const list = r.json.engines as EngineJson[];
  assert.equal(r.json.agree, true, JSON.stringify(r.json.differences));
  assert.equal(list[2].native, 'c');
  if (list[1].unavailable === undefined) assert.equal(list[1].native, 'avx2');
  else assert.match(list[1].unavailable, /no avx2/);
});

test('a broken native kernel is caught: the op vector, and the first differing training step', {
  skip: noAddon,
  timeout: 120_000,
}, () => {
  // The native matmul flips the lowest bit of its first output element on every call; the golden matmul
  // vectors are too small for the native kernel, so the first vector to differ is a training-step tape.
  const r = certify(['--steps', '2', '--engines', 'node,native', TASK], {
    PINPOINT_CERTIFY_BREAK_NATIVE: 'matmul',
  });
  assert.equal(r.status, 1);
  assert.equal(r.json.agree, false);
  const diffs = r.json.differences as { kind: string; engine: string; task?: string; step?: number }[];
  assert.ok(diffs.every((d) => d.engine.startsWith('node + native')));
  assert.deepEqual(
    diffs.filter((d) => d.kind === 'run').map((d) => [d.task, d.step]),
    [['spirals-mlp', 0]],
  );
  // A kernel this task never calls natively (no GELU in an MLP of ReLUs) leaves its run root alone.
  const g = certify(['--steps', '2', '--engines', 'node,native', TASK], {
    PINPOINT_CERTIFY_BREAK_NATIVE: 'gelu',
  });
  const gd = g.json.differences as { kind: string; vector?: string; element?: number }[];
  assert.deepEqual(
    gd.map((d) => [d.kind, d.vector, d.element]),
    [['vector', 'gelu', 0]],
  );
});

test('a planted one-bit difference is reported with its op vector and element; exit 1', {
  timeout: 120_000,
}, () => {
  const r = certify(['--steps', '1', '--engines', 'node,jitless', '--perturb', 'jitless:gelu:3', TASK]);
  assert.equal(r.status, 1);
  assert.equal(r.json.agree, false);
  const [d, ...rest] = r.json.differences as {
    kind: string;
    engine: string;
    vector: string;
    element: number;
    referenceBits: number;
    engineBits: number;
  }[];
  assert.equal(rest.length, 0);
  assert.equal(d.kind, 'vector');
  assert.equal(d.engine, 'node --jitless');
  assert.equal(d.vector, 'gelu');
  assert.equal(d.element, 3);
  assert.equal((d.referenceBits ^ d.engineBits) >>> 0, 1);
});

test('an unknown engine is refused by name', () => {
  const r = spawnSync(process.execPath, ['bin/pinpoint.js', 'certify', '--engines', 'node,rhino', TASK], {
    encoding: 'utf8',
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--engines: unknown engine "rhino"/);
});
