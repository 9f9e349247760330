/**
 * New notebook and HTML export from the app (issue 15): 'notebook.exportHtml' runs the notebook as shown — including unsaved
 * edits — from a fresh kernel and writes the same self-contained report `pinpoint run --html` writes.
 * Oracle: the CLI's report of the same notebook file (equal once the run's timings are masked).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import { handleIpcCall } from '../../desktop/main/ipc.ts';
import type { NotebookDoc } from '../../desktop/shared/api.ts';
import { pinpoint } from '../train/run-cli.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SENDER = 'app://pinpoint/index.html';
/** Run-dependent parts of a report: timings and the start time. */
const mask = (html: string) =>
  html.replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'T').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'DATE');

describe('HTML export from the app', { timeout: 180_000 }, () => {
  let backend: Backend;
  let dataDir: string;
  let nbPath: string;
  const call = async <T>(method: string, args: unknown): Promise<T> => {
    const r = await handleIpcCall(backend, { method, args }, SENDER);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.result as T;
  };
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-export-'));
    nbPath = join(dataDir, 'all-outputs.md');
    await copyFile(join(REPO, 'test/notebook/fixtures/all-outputs.md'), nbPath);
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
  });
  after(async () => {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes the same report as pinpoint run --html, into <data>/reports', async () => {
    const doc = await call<NotebookDoc>('notebook.open', { path: nbPath });
    const r = await call<{ path: string; bytes: number; ok: boolean; html: string }>('notebook.exportHtml', {
      path: nbPath,
      doc,
    });
    assert.equal(r.path, join(dataDir, 'reports', 'all-outputs.html'));
    assert.equal(r.ok, true);
    assert.equal(await readFile(r.path, 'utf8'), r.html);
    assert.equal(r.bytes, Buffer.byteLength(r.html));
    const cliOut = join(dataDir, 'cli.html');
    const cli = await pinpoint(['run', nbPath, '--html', cliOut, '--quiet']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(mask(r.html), mask(await readFile(cliOut, 'utf8')));
    assert.doesNotMatch(r.html, /<script[^>]+src=|<link[^>]+href="http/, 'self-contained');
  });

  it('New notebook creates untitled-1, then untitled-2, in <data>/notebooks: valid, openable notebooks', async () => {
    const a = await call<{ path: string }>('notebook.create', {});
    const b = await call<{ path: string }>('notebook.create', {});
    assert.equal(a.path, join(dataDir, 'notebooks', 'untitled-1.md'));
    assert.equal(b.path, join(dataDir, 'notebooks', 'untitled-2.md'));
    const doc = await call<NotebookDoc>('notebook.open', { path: b.path });
    assert.equal(doc.title, 'Untitled 2');
    assert.deepEqual(
      doc.cells.filter((c) => c.kind === 'code').map((c) => c.id),
      ['c1'],
    );
    const r = await call<{ ok: boolean; html: string }>('notebook.exportHtml', { path: b.path, doc });
    assert.equal(r.ok, true);
    assert.match(r.html, /hello from a new notebook/);
  });

  it('exports the cells as shown (an unsaved edit), not the file on disk', async () => {
    const doc = await call<NotebookDoc>('notebook.open', { path: nbPath });
    const edited = {
      ...doc,
      cells: doc.cells.map((c) =>
        c.id === 'data' ? { ...c, source: 'markdown("edited in the app, not saved");' } : c,
      ),
    };
    const r = await call<{ html: string }>('notebook.exportHtml', { path: nbPath, doc: edited });
    assert.match(r.html, /edited in the app, not saved/);
    assert.doesNotMatch(await readFile(nbPath, 'utf8'), /edited in the app/);
  });
});
