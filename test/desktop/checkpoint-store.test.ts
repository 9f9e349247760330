/**
 * The app's backend uses a checkpoint store beside a bundle (run.states/ for run.pinproof): its states
 * become replay starts in the Proof view, a step replays to its recorded state from the nearest one, and
 * a store file that is not the committed state is reported naming the file rather than used.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { STATE_FILE_MAGIC, stateFileName } from '../../core/proof/checkpoint-store.ts';
import { siblingStoreDir, writeCheckpointStore } from '../../core/proof/node-checkpoint-store.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import type { ProofSummary, StepTrace } from '../../desktop/shared/api-views.ts';
import { bundledTask } from '../train/helpers.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('a checkpoint store beside a proof, in the backend', { timeout: 300_000 }, () => {
  let backend: Backend;
  let dataDir: string;
  const run = train(
    prepareTask(bundledTask('spirals-mlp', { steps: 40, checkpointEvery: 5, fullCheckpointEvery: 20 })),
    { mode: 'trace' },
  );
  const states = run.checkpoints
    .filter((c) => c.step % 20 !== 0 && c.step < 40)
    .map((c) => ({ state: run.records[c.step].stateBefore, tensors: c.tensors }));

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-store-app-'));
    for (const name of ['run', 'bad']) {
      const file = join(dataDir, `${name}.pinproof`);
      await writeFile(file, bundleFromRun(run, keyFromSeed('store-app')));
      writeCheckpointStore(siblingStoreDir(file), states);
    }
    await writeFile(join(dataDir, 'plain.pinproof'), bundleFromRun(run, keyFromSeed('store-app')));
    // bad.states: checkpoint 15's file has one bit flipped.
    const victim = join(dataDir, 'bad.states', stateFileName(run.records[15].stateBefore));
    const bytes = await readFile(victim);
    bytes[STATE_FILE_MAGIC.length + 8] ^= 1;
    await writeFile(victim, bytes);
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
  });
  after(async () => {
    await backend?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, args: unknown) => backend.call(method, args);

  it('lists the store states as checkpoints and replays a step from the nearest one', async () => {
    const r = await call('proof.load', { path: join(dataDir, 'run.pinproof') });
    assert.ok(r.ok, JSON.stringify(r));
    const summary = r.result as ProofSummary;
    assert.deepEqual(summary.checkpoints, [0, 5, 10, 15, 20, 25, 30, 35]);
    assert.deepEqual(summary.checkpointStore, {
      dir: siblingStoreDir(join(dataDir, 'run.pinproof')),
      steps: [5, 10, 15, 25, 30, 35],
    });
    const plain = await call('proof.load', { path: join(dataDir, 'plain.pinproof') });
    assert.ok(plain.ok, JSON.stringify(plain));
    assert.deepEqual((plain.result as ProofSummary).checkpoints, [0, 20]);
    assert.equal((plain.result as ProofSummary).checkpointStore, undefined);
    const t = await call('proof.trace', { path: join(dataDir, 'run.pinproof'), step: 17 });
    assert.ok(t.ok, JSON.stringify(t));
    const trace = t.result as StepTrace;
    assert.equal(trace.stateAfter, run.records[17].stateAfter);
    assert.equal(trace.opRoot, run.records[17].opRoot);
  });

  it('names a store file that is not the committed state instead of replaying from it', async () => {
    const t = await call('proof.trace', { path: join(dataDir, 'bad.pinproof'), step: 17 });
    assert.equal(t.ok, false);
    assert.match(
      JSON.stringify(t),
      /checkpoint store file .*bad\.states.*\.pinstate \(checkpoint 15\): tensor \d+ .*does not match its digest/,
    );
  });
});
