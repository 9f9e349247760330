/**
 * The shared backend, driven through the Electron IPC handler (the same object the HTTP server
 * delegates to): notebooks open/save/run/cancel/time out, clear errors, path checks, first start.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import { handleIpcCall } from '../../desktop/main/ipc.ts';
import type { CellResult, JobInfo, NotebookDoc, ServerEvent } from '../../desktop/shared/api.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(REPO, 'test/e2e/fixtures/shell-demo.md');
const MALFORMED = join(REPO, 'test/e2e/fixtures/malformed.md');
const SENDER = 'app://pinpoint/index.html';

describe('desktop backend via IPC', { timeout: 300_000 }, () => {
  let backend: Backend;
  let dataDir: string;
  const events: ServerEvent[] = [];
  // Typed helper: one IPC call, unwrapped (throws the wire error's message on failure).
  const call = async <T>(method: string, args: unknown): Promise<T> => {
    const r = await handleIpcCall(backend, { method, args }, SENDER);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.result as T;
  };
  const resultsOf = (jobId: string) =>
    events
      .filter(
        (e): e is Extract<ServerEvent, { type: 'cell-result' }> =>
          e.type === 'cell-result' && e.jobId === jobId,
      )
      .map((e) => e.result);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-backend-'));
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'electron' });
    backend.subscribe((e) => events.push(e));
    // The fixtures live outside notebooks/ and the data folder: opened as the user would (File › Open).
    for (const path of [FIXTURE, MALFORMED])
      assert.equal((await backend.call('admin.openPath', { path })).ok, true);
  });
  after(async () => {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports app info, first start and the demo notebook', async () => {
    const info = await call<{
      firstRun: boolean;
      mode: string;
      demo: { notebook?: string };
      methods: string[];
    }>('app.info', {});
    assert.equal(info.firstRun, true);
    assert.equal(info.mode, 'electron');
    assert.ok(info.demo.notebook?.startsWith(dataDir));
    for (const m of ['notebook.open', 'notebook.run', 'jobs.cancel', 'files.list'])
      assert.ok(info.methods.includes(m), m);
    const again = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
    const second = await again.call('app.info', {});
    await again.close();
    assert.equal(
      second.ok && (second.result as { firstRun: boolean }).firstRun,
      false,
      'second start is not a first run',
    );
    const demo = await call<NotebookDoc>('notebook.open', { path: info.demo.notebook });
    assert.equal(demo.title, 'Welcome to Pinpoint');
  });

  it('refuses untrusted senders, bad payloads and unknown methods', async () => {
    const fromWeb = await handleIpcCall(backend, { method: 'app.info', args: {} }, 'https://evil.example/');
    assert.equal(fromWeb.ok, false);
    assert.equal(!fromWeb.ok && fromWeb.error.code, 'forbidden');
    const bad = await handleIpcCall(backend, 'app.info', SENDER);
    assert.equal(!bad.ok && bad.error.code, 'bad-request');
    const unknown = await handleIpcCall(backend, { method: 'fs.rmrf', args: {} }, SENDER);
    assert.equal(!unknown.ok && unknown.error.code, 'unknown-method');
  });

  it('refuses paths outside the repo and the data dir', async () => {
    await assert.rejects(
      call('files.readText', { path: '/etc/passwd' }),
      /outside the folders the app may open/,
    );
    await assert.rejects(
      call('files.writeText', { path: join(REPO, '../escape.txt'), text: 'x' }),
      /outside/,
    );
    await assert.rejects(call('notebook.open', { path: 42 }), /expected a file path/);
  });

  it('gives a clear error naming file and line for a malformed notebook', async () => {
    const r = await handleIpcCall(backend, { method: 'notebook.open', args: { path: MALFORMED } }, SENDER);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 'bad-notebook');
    assert.equal(r.error.file, MALFORMED);
    assert.equal(r.error.line, 7);
    assert.match(r.error.message, /malformed\.md:7: .*never closed/);
    const missing = await handleIpcCall(
      backend,
      { method: 'notebook.open', args: { path: join(dataDir, 'nope.md') } },
      SENDER,
    );
    assert.equal(!missing.ok && missing.error.code, 'not-found');
  });

  it('saves an unedited notebook byte for byte, and edits round-trip', async () => {
    const path = join(dataDir, 'copy.md');
    await copyFile(FIXTURE, path);
    const original = await readFile(path, 'utf8');
    const doc = await call<NotebookDoc>('notebook.open', { path });
    await call('notebook.save', { path, doc });
    assert.equal(await readFile(path, 'utf8'), original);
    // Edit a cell, add a prose cell and a code cell, move one: the file parses back to the same doc.
    const edited: NotebookDoc = {
      ...doc,
      cells: [
        ...doc.cells.map((c) => (c.id === 'second' ? { ...c, source: 'display(base + 1);' } : c)),
        { id: 'note', kind: 'markdown', source: '## Added\n\nA new paragraph.' },
        { id: 'added', kind: 'code', source: 'display("added");' },
      ],
    };
    await call('notebook.save', { path, doc: edited });
    const text = await readFile(path, 'utf8');
    assert.match(text, /```ts \{id=second\}\ndisplay\(base \+ 1\);\n```/);
    assert.match(text, /## Added\n\nA new paragraph\.\n\n```ts \{id=added\}\ndisplay\("added"\);\n```\n$/);
    const reopened = await call<NotebookDoc>('notebook.open', { path });
    assert.deepEqual(
      reopened.cells.map((c) => [c.kind, c.source]),
      edited.cells.map((c) => [c.kind, c.source]),
    );
    await assert.rejects(call('notebook.save', { path, doc: { cells: [{ id: 1 }] } }), /cell 1 must be/);
  });

  it('runs cells in a live kernel with shared scope and typed outputs', async () => {
    const doc = await call<NotebookDoc>('notebook.open', { path: FIXTURE });
    const { jobId } = await call<{ jobId: string }>('notebook.run', {
      path: FIXTURE,
      doc,
      cellIds: ['first'],
    });
    const job = await call<JobInfo>('jobs.wait', { id: jobId, timeoutMs: 60_000 });
    assert.equal(job.state, 'done');
    const edited = {
      ...doc,
      cells: doc.cells.map((c) =>
        c.id === 'second' ? { ...c, source: 'display(base * 2 + 2);\ntable([{ a: 1 }, { a: 2 }]);' } : c,
      ),
    };
    const second = await call<{ jobId: string }>('notebook.run', {
      path: FIXTURE,
      doc: edited,
      cellIds: ['second'],
    });
    assert.equal((await call<JobInfo>('jobs.wait', { id: second.jobId, timeoutMs: 60_000 })).state, 'done');
    const [r] = resultsOf(second.jobId);
    assert.equal(r.status, 'ok');
    assert.deepEqual(
      r.outputs[0],
      { kind: 'text', text: '42' },
      '`base` from the first run is still in scope',
    );
    assert.equal(r.outputs[1].kind, 'table');
    // Progress events were published for the status bar.
    assert.ok(
      events.some((e) => e.type === 'job' && e.job.id === second.jobId && e.job.progress?.done === 1),
    );
  });

  it('queues runs of one notebook instead of interleaving them', async () => {
    const doc = await call<NotebookDoc>('notebook.open', { path: FIXTURE });
    const edited = {
      ...doc,
      cells: doc.cells.map((c) =>
        c.id === 'first'
          ? { ...c, source: 'const base = 7;' }
          : c.id === 'second'
            ? { ...c, source: 'display(base);' }
            : c,
      ),
    };
    // Restart the kernel so `base` may be declared again, then start two runs without waiting.
    await call('notebook.run', { path: FIXTURE, doc, cellIds: ['forever'], timeoutMs: 200 }).then((r) =>
      call<JobInfo>('jobs.wait', { id: (r as { jobId: string }).jobId, timeoutMs: 60_000 }),
    );
    const a = await call<{ jobId: string }>('notebook.run', {
      path: FIXTURE,
      doc: edited,
      cellIds: ['first'],
    });
    const b = await call<{ jobId: string }>('notebook.run', {
      path: FIXTURE,
      doc: edited,
      cellIds: ['second'],
    });
    assert.equal((await call<JobInfo>('jobs.wait', { id: b.jobId, timeoutMs: 90_000 })).state, 'done');
    assert.equal((await call<JobInfo>('jobs.wait', { id: a.jobId, timeoutMs: 1_000 })).state, 'done');
    assert.deepEqual(resultsOf(b.jobId)[0].outputs, [{ kind: 'text', text: '7' }]);
  });

  it('reports a cell error with its line', async () => {
    const doc = await call<NotebookDoc>('notebook.open', { path: FIXTURE });
    const broken = {
      ...doc,
      cells: doc.cells.map((c) =>
        c.id === 'second' ? { ...c, source: 'const x = 1;\nthrow new Error("boom");' } : c,
      ),
    };
    const { jobId } = await call<{ jobId: string }>('notebook.run', {
      path: FIXTURE,
      doc: broken,
      cellIds: ['second'],
    });
    const job = await call<JobInfo>('jobs.wait', { id: jobId, timeoutMs: 60_000 });
    assert.equal(job.state, 'failed');
    const [r] = resultsOf(jobId);
    assert.equal(r.status, 'error');
    assert.equal(r.error?.line, 2);
    assert.match(r.error?.message ?? '', /boom/);
  });

  it('stops a cell at its time limit', async () => {
    const doc = await call<NotebookDoc>('notebook.open', { path: FIXTURE });
    const t0 = Date.now();
    const { jobId } = await call<{ jobId: string }>('notebook.run', {
      path: FIXTURE,
      doc,
      cellIds: ['forever'],
      timeoutMs: 1500,
    });
    const job = await call<JobInfo>('jobs.wait', { id: jobId, timeoutMs: 60_000 });
    assert.equal(job.state, 'failed');
    const [r] = resultsOf(jobId);
    assert.equal(r.status, 'timeout');
    assert.match(r.error?.message ?? '', /time limit of 1500 ms/);
    assert.ok(Date.now() - t0 < 30_000);
  });

  it('cancels a running cell', async () => {
    const doc = await call<NotebookDoc>('notebook.open', { path: FIXTURE });
    const { jobId } = await call<{ jobId: string }>('notebook.run', {
      path: FIXTURE,
      doc,
      cellIds: ['forever'],
    });
    // Wait until the cell really runs, then cancel.
    for (let i = 0; i < 300 && !events.some((e) => e.type === 'cell' && e.jobId === jobId); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const cancelled = await call<JobInfo>('jobs.cancel', { id: jobId });
    assert.equal(cancelled.state, 'cancelled');
    await call<JobInfo>('jobs.wait', { id: jobId, timeoutMs: 30_000 });
    for (let i = 0; i < 100 && resultsOf(jobId).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const [r]: CellResult[] = resultsOf(jobId);
    assert.equal(r?.status, 'cancelled');
    // The kernel was restarted: a fresh run works.
    const again = await call<{ jobId: string }>('notebook.run', { path: FIXTURE, doc, cellIds: ['first'] });
    assert.equal((await call<JobInfo>('jobs.wait', { id: again.jobId, timeoutMs: 60_000 })).state, 'done');
  });

  it('lists files from notebooks/ and the data dir, and keeps recent files', async () => {
    const files = await call<{ path: string; kind: string; source: string }[]>('files.list', {});
    assert.ok(
      files.some((f) => f.source === 'data' && f.path.endsWith('demo/welcome.md') && f.kind === 'notebook'),
    );
    await writeFile(join(dataDir, 'x.onnx'), new Uint8Array([1, 2, 3]));
    const onnx = await call<{ kind: string }[]>('files.list', { kind: 'onnx' });
    assert.deepEqual(
      onnx.map((f) => f.kind),
      ['onnx'],
    );
    const recent = await call<string[]>('recent.list', {});
    assert.equal(recent[0], FIXTURE, 'the last opened notebook is first');
  });
});
