/**
 * The memory estimate made before training (issue 13, "Bad input"): exact for a recorded step of the
 * bundled tasks (independent count: the tape of a real step at the task's batch size), and a task too
 * large for the machine is refused by `pinpoint train` with the estimate, before any tensor is allocated.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { estimateTrainingMemory, OP_DIGEST_HEAP_BYTES } from '../../core/train/memory.ts';
import { nodeMicroBatchWorkers } from '../../core/train/node-microbatch.ts';
import { recordStep } from '../../core/train/step.ts';
import { parseTask } from '../../core/train/task.ts';
import { initialState, prepareTask, train } from '../../core/train/train.ts';
import { bundledTask } from './helpers.ts';
import { pinpoint } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-memory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the step estimate equals the bytes of a real step (linear and quadratic-in-batch models)', () => {
  for (const [name, overrides] of [
    ['spirals-mlp', {}],
    ['chars-transformer', {}], // block-mask attention: [B·T, B·T] scores grow with B²
    ['chars-transformer', { batchSize: 5 }],
    ['chars-transformer', { microBatches: 2 }],
    ['chars-transformer', { batchSize: 12, microBatches: 4 }],
  ] as const) {
    const ctx = prepareTask(bundledTask(name, overrides));
    const e = estimateTrainingMemory(ctx);
    const { tape } = recordStep(ctx, initialState(ctx), 0, ctx.order.batch(0));
    const bufs = new Set(tape.nodes.map((n) => n.out.data.buffer));
    const actual = [...bufs].reduce((n, b) => n + b.byteLength, 0);
    assert.ok(Math.abs(e.stepBytes - actual) <= 0.01 * actual, `${name}: ${e.stepBytes} vs ${actual}`);
    const state = ctx.layout.reduce((n, l) => n + 4 * l.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(e.stateBytes, state);
  }
});

test('micro-batch worker threads: the estimate covers the arenas they hold after a run', () => {
  const ctx = prepareTask(
    bundledTask('chars-transformer', { steps: 4, checkpointEvery: 4, microBatches: 2 }),
  );
  const none = estimateTrainingMemory(ctx);
  const one = estimateTrainingMemory(ctx, Number.POSITIVE_INFINITY, undefined, 'fast', 1);
  assert.equal(none.workerBytes, 0);
  assert.equal(one.totalBytes - none.totalBytes, one.workerBytes);
  const workers = nodeMicroBatchWorkers(ctx, 1);
  try {
    train(ctx, { mode: 'fast', workers });
    const held = workers.arenaBytes();
    assert.ok(held > 0);
    assert.ok(
      one.workerBytes >= held && one.workerBytes <= 3 * held,
      `estimate ${one.workerBytes}, held ${held}`,
    );
  } finally {
    workers.close();
  }
});

test('pinpoint train refuses a task that will not fit, naming the estimate', async () => {
  const raw = JSON.parse(readFileSync('tasks/chars-transformer.json', 'utf8'));
  const file = join(dir, 'huge.json');
  writeFileSync(
    file,
    JSON.stringify({ ...raw, model: { ...raw.model, dModel: 4096, heads: 64, layers: 64, ffn: 16384 } }),
  );
  const r = await pinpoint(['train', file, '--out', join(dir, 'h.pinproof')]);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /huge\.json: training "chars-transformer" needs an estimated [\d.]+ GiB \(state 144\.0 GiB, .*\); this machine has [\d.]+ GiB/,
  );
});

test('a trace run counts the op digests it keeps: a long one that would not fit is refused, its fast run is not', async (t) => {
  const ctx = prepareTask(bundledTask('spirals-mlp'));
  const fast = estimateTrainingMemory(ctx, Number.POSITIVE_INFINITY, 2, 'fast');
  const trace = estimateTrainingMemory(ctx, Number.POSITIVE_INFINITY, 2, 'trace');
  const { tape } = recordStep(ctx, initialState(ctx), 0, ctx.order.batch(0));
  assert.equal(fast.opDigestBytes, 0);
  assert.equal(trace.opDigestBytes, ctx.task.steps * tape.nodes.length * OP_DIGEST_HEAP_BYTES);
  assert.equal(trace.totalBytes - fast.totalBytes, trace.opDigestBytes);
  // What the constant counts: a real trace run keeps each step's op digests as one array of exactly 32
  // bytes per op, on a buffer of its own (no larger buffer kept alive behind it).
  const run = train(prepareTask(bundledTask('spirals-mlp', { steps: 20, checkpointEvery: 20 })), {
    mode: 'trace',
  });
  assert.equal(run.opDigests?.length, 20);
  for (const [k, packed] of (run.opDigests ?? []).entries()) {
    assert.equal(packed.byteLength, 32 * (run.records[k].opCount ?? 0), `step ${k}`);
    assert.equal(packed.buffer.byteLength, packed.byteLength, `step ${k}: a buffer of its own`);
  }
  assert.ok(OP_DIGEST_HEAP_BYTES >= 32, 'at least the raw bytes');

  // Enough nanogpt-char steps (853 ops each) that the op digests alone exceed this machine's memory;
  // checkpoints stay two. A task has at most 10 000 000 steps: on a machine too large for that, skip.
  const nano = prepareTask(bundledTask('nanogpt-char'));
  const ops = recordStep(nano, initialState(nano), 0, nano.order.batch(0)).tape.nodes.length;
  const steps = Math.ceil((1.2 * totalmem()) / (ops * OP_DIGEST_HEAP_BYTES));
  if (steps > 10_000_000) {
    t.diagnostic(`this machine's memory needs ${steps} steps to be exceeded: the CLI refusal is not checked`);
    return;
  }
  const raw = JSON.parse(readFileSync('tasks/nanogpt-char.json', 'utf8'));
  const file = join(dir, 'long.json');
  writeFileSync(file, JSON.stringify({ ...raw, steps, checkpointEvery: steps, fullCheckpointEvery: steps }));
  const r = await pinpoint(['train', file, '--out', join(dir, 'long.pinproof'), '--mode', 'trace']);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /long\.json: training "nanogpt-char" needs an estimated [\d.]+ GiB \(.*op digests [\d.]+ GiB(, micro-batch threads [\d.]+ [GM]iB)?\)/,
  );
  assert.match(r.stderr, /train fewer steps per proof in trace mode/);
  // The same task in fast mode keeps no op digests: the estimate lets it start (it is not run here).
  assert.ok(
    estimateTrainingMemory(
      prepareTask(parseTask({ ...raw, steps, checkpointEvery: steps, fullCheckpointEvery: steps }, file)),
      totalmem(),
      2,
    ).totalBytes < totalmem(),
  );
});
