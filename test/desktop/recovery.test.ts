/**
 * Recovery files for unsaved notebook edits (issue 15, "never lose work"), through the IPC handler as
 * the page calls them: autosave → read back after a restart of the backend → deleted on Save and Save
 * As → one file per notebook; damaged files are reported by name; a hostile page cannot use the
 * methods to read or write outside the allowed folders.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import { recoveryFile } from '../../desktop/main/backend/recovery.ts';
import { handleIpcCall } from '../../desktop/main/ipc.ts';
import type { NotebookDoc } from '../../desktop/shared/api.ts';
import type { RecoveredEdits } from '../../desktop/shared/api-recovery.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SENDER = 'app://pinpoint/index.html';
const NOTEBOOK = ['---', 'title: R', '---', '', '# R', '', '```ts {id=c1}', '1 + 1', '```', ''].join('\n');

describe('notebook recovery files', { timeout: 120_000 }, () => {
  let backend: Backend;
  let dataDir: string;
  let outside: string;
  let nbA: string;
  let nbB: string;
  const page = (method: string, args: unknown) => handleIpcCall(backend, { method, args }, SENDER);
  const call = async <T>(method: string, args: unknown): Promise<T> => {
    const r = await page(method, args);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.result as T;
  };
  const edited = (doc: NotebookDoc, source: string): NotebookDoc => ({
    ...doc,
    cells: doc.cells.map((c) => (c.id === 'c1' ? { ...c, source } : c)),
  });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-recovery-'));
    outside = await mkdtemp(join(tmpdir(), 'pinpoint-recovery-out-'));
    await mkdir(join(dataDir, 'notebooks'), { recursive: true });
    nbA = join(dataDir, 'notebooks', 'a.md');
    nbB = join(dataDir, 'notebooks', 'b.md');
    await writeFile(nbA, NOTEBOOK);
    await writeFile(nbB, NOTEBOOK);
    await writeFile(join(outside, 'x.md'), NOTEBOOK);
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
  });
  after(async () => {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('keeps edits across a backend restart, one file per notebook, and hides them from file lists', async () => {
    assert.equal(await call('notebook.recovery.read', { path: nbA }), null);
    const docA = await call<NotebookDoc>('notebook.open', { path: nbA });
    const docB = await call<NotebookDoc>('notebook.open', { path: nbB });
    const t0 = Date.now();
    await call('notebook.recovery.write', { path: nbA, doc: edited(docA, 'const a = "edit A";') });
    await call('notebook.recovery.write', { path: nbB, doc: edited(docB, 'const b = "edit B";') });
    // A later autosave replaces the earlier one.
    await call('notebook.recovery.write', { path: nbA, doc: edited(docA, 'const a = "edit A2";') });
    await backend.close();
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
    const a = await call<RecoveredEdits>('notebook.recovery.read', { path: nbA });
    const b = await call<RecoveredEdits>('notebook.recovery.read', { path: nbB });
    assert.equal(a.path, nbA);
    const c1 = (d: NotebookDoc) => d.cells.find((c) => c.id === 'c1')?.source;
    assert.equal(c1(a.doc), 'const a = "edit A2";');
    assert.equal(c1(b.doc), 'const b = "edit B";');
    assert.ok(a.savedAt >= t0 && a.savedAt <= Date.now());
    // The notebook file itself is untouched until the user saves.
    assert.equal(await readFile(nbA, 'utf8'), NOTEBOOK);
    assert.equal((await readdir(join(dataDir, '.recovery'))).length, 2);
    const listed = await call<{ path: string }[]>('files.list', {});
    assert.ok(!listed.some((f) => f.path.includes('.recovery')), 'recovery files are not listed');
  });

  it('Save deletes the recovery file; Discard does too; Save As clears old and new paths', async () => {
    const a = await call<RecoveredEdits>('notebook.recovery.read', { path: nbA });
    await call('notebook.save', { path: nbA, doc: a.doc });
    assert.equal(await call('notebook.recovery.read', { path: nbA }), null);
    assert.match(await readFile(nbA, 'utf8'), /edit A2/);
    assert.deepEqual(await call('notebook.recovery.discard', { path: nbB }), { deleted: true });
    assert.deepEqual(await call('notebook.recovery.discard', { path: nbB }), { deleted: false });
    assert.equal(await call('notebook.recovery.read', { path: nbB }), null);

    const docB = await call<NotebookDoc>('notebook.open', { path: nbB });
    const nbC = join(dataDir, 'notebooks', 'c.md');
    await call('notebook.recovery.write', { path: nbB, doc: edited(docB, 'x') });
    await call('notebook.recovery.write', { path: nbC, doc: edited(docB, 'y') }).catch(() => undefined);
    await call('notebook.saveAs', { path: nbC, doc: edited(docB, 'z') });
    assert.equal(await call('notebook.recovery.read', { path: nbB }), null);
    assert.equal(await call('notebook.recovery.read', { path: nbC }), null);
  });

  it('distinct notebook paths never share a recovery file', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (x, y) => {
        fc.pre(x !== y);
        return recoveryFile('/d', `/n/${x}`) !== recoveryFile('/d', `/n/${y}`);
      }),
    );
    assert.equal(recoveryFile('/d', '/n/a.md'), recoveryFile('/d', '/n/a.md'));
    assert.ok(recoveryFile('/d', '/n/a.md').startsWith('/d/.recovery/'));
  });

  it('reports a damaged recovery file by name instead of dropping it', async () => {
    const file = recoveryFile(dataDir, nbA);
    await writeFile(file, '{"format":');
    const r = await page('notebook.recovery.read', { path: nbA });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'bad-recovery');
      assert.ok(r.error.message.includes(file), r.error.message);
    }
    // A file claiming to be another notebook's edits is refused too.
    await writeFile(
      file,
      JSON.stringify({ format: 'pinpoint-notebook-recovery/1', path: nbB, savedAt: 1, doc: { cells: [] } }),
    );
    const r2 = await page('notebook.recovery.read', { path: nbA });
    assert.equal(r2.ok, false);
    await call('notebook.recovery.discard', { path: nbA });
  });

  it('a hostile page cannot use recovery to reach outside the allowed folders', async () => {
    const doc = { path: '', title: 'x', meta: {}, cells: [{ id: 'c1', kind: 'code', source: '1' }] };
    for (const path of ['/etc/passwd', join(REPO, 'package.json'), join(outside, 'x.md'), '']) {
      for (const [method, args] of [
        ['notebook.recovery.write', { path, doc }],
        ['notebook.recovery.read', { path }],
        ['notebook.recovery.discard', { path }],
      ] as const) {
        const r = await page(method, args);
        assert.equal(r.ok, false, `${method} ${path} must be refused`);
      }
    }
    const r = await page('notebook.recovery.write', { path: nbA, doc: { cells: 'nope' } });
    assert.equal(r.ok, false);
    assert.deepEqual(await readdir(outside), ['x.md']);
  });
});
