/**
 * The backend opens proofs of corpus tasks whoever created it: a nanogpt-char bundle (its data is the
 * bundled KJV corpus) loads and its step replays through a backend made with createBackend alone — the
 * e2e harness and embedders do not go through the CLI, which used to be the only place the Node corpus
 * loader was installed ("corpus "kjv" is not available here" in the Proof view).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';
import { setCorpusLoader } from '../../core/train/corpus.ts';
import { useNodeCorpora } from '../../core/train/node-corpus.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import type { ProofSummary, StepTrace } from '../../desktop/shared/api-views.ts';
import { bundledTask } from '../train/helpers.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('a corpus-task proof in the backend', { timeout: 300_000 }, () => {
  let backend: Backend;
  let dataDir: string;
  let file: string;
  let run: ReturnType<typeof train>;

  before(async () => {
    useNodeCorpora();
    run = train(prepareTask(bundledTask('nanogpt-char', { steps: 2, checkpointEvery: 1 })), {
      mode: 'trace',
    });
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-corpus-proof-'));
    file = join(dataDir, 'nano.pinproof');
    await writeFile(file, bundleFromRun(run, keyFromSeed('corpus-proof')));
    setCorpusLoader(null); // as in a process that never ran the CLI
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
  });
  after(async () => {
    await backend?.close();
    useNodeCorpora();
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = async <T>(method: string, args: unknown): Promise<T> => {
    const r = await backend.call(method, args);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.result as T;
  };

  it('loads the proof and replays step 1 to the recorded state and op root', async () => {
    const summary = await call<ProofSummary>('proof.load', { path: file });
    assert.equal(summary.steps.length, 2);
    assert.equal(summary.tensorDigest, 'blake3', "the task's tensor-digest scheme");
    assert.match(summary.model, /batch 12 in 2 micro-batches$/);
    const t = await call<StepTrace>('proof.trace', { path: file, step: 1 });
    assert.equal(t.stateAfter, run.records[1].stateAfter);
    assert.equal(t.opRoot, run.records[1].opRoot);
    assert.equal(t.recordedOpRoot, t.opRoot);
  });
});
