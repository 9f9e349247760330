/**
 * The memory estimate made before training (issue 13, "Bad input"): exact for a recorded step of the
 * bundled tasks (independent count: the tape of a real step at the task's batch size), and a task too
 * large for the machine is refused by `pinpoint train` with the estimate, before any tensor is allocated.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { estimateTrainingMemory } from '../../core/train/memory.ts';
import { recordStep } from '../../core/train/step.ts';
import { initialState, prepareTask } from '../../core/train/train.ts';
import { bundledTask } from './helpers.ts';
import { pinpoint } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-memory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the step estimate equals the bytes of a real step (linear and quadratic-in-batch models)', () => {
  for (const [name, overrides] of [
    ['spirals-mlp', {}],
    ['chars-transformer', {}], // block-mask attention: [B·T, B·T] scores grow with B²
    ['chars-transformer', { batchSize: 5 }],
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
