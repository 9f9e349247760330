/**
 * Save As and drag-and-drop import, through the same backend both transports use: real files in a
 * temp data dir, real proof bundles / ONNX models / notebooks, the renderer's chunked uploader, the
 * path guard, overwrite refusal, the size limit and errors that name the dropped file.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readOnnx } from '../../core/onnx/read.ts';
import { readBundle } from '../../core/proof/read.ts';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import {
  createDialogHandlers,
  droppedPaths,
  handleIpcCall,
  type ShowSaveDialog,
} from '../../desktop/main/ipc.ts';
import { uploadFile } from '../../desktop/renderer/shell/upload.ts';
import type { ImportChunk, ImportChunkResult, NotebookDoc, SaveAsResult } from '../../desktop/shared/api.ts';
import { smallProof } from './proof-fixture.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SENDER = 'app://pinpoint/index.html';
const LIMIT = 256 * 1024;

describe('Save As and dropped-file import (backend)', { timeout: 120_000 }, () => {
  let backend: Backend;
  let dataDir: string;
  let elsewhere: string;
  let proof: Uint8Array;
  const call = async <T>(method: string, args: unknown): Promise<T> => {
    const r = await handleIpcCall(backend, { method, args }, SENDER);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.result as T;
  };
  const importCall = (args: ImportChunk) => call<ImportChunkResult>('files.import', args);
  const upload = (name: string, bytes: Uint8Array, chunkBytes?: number, onProgress?: (r: number) => void) =>
    uploadFile(importCall, new File([bytes.slice()], name), { chunkBytes, onProgress });
  /** The wire error of a call expected to fail. */
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err as Error & { code: string; file?: string; line?: number };
    }
    assert.fail('expected the call to fail');
  };
  const importsDir = () => join(dataDir, 'imports');
  const leftovers = async () =>
    (await readdir(importsDir()).catch(() => [])).filter((f) => f.endsWith('.part'));

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-import-'));
    elsewhere = await mkdtemp(join(tmpdir(), 'pinpoint-elsewhere-'));
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser', importLimit: LIMIT });
    // A fixture outside notebooks/ and the data folder: opened as the user would (File › Open).
    await backend.call('admin.openPath', { path: join(REPO, 'test/e2e/fixtures/shell-demo.md') });
    proof = smallProof(REPO);
  });
  after(async () => {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  });

  it('imports a real proof bundle in chunks with progress, and the Proof view opens it', async () => {
    const seen: number[] = [];
    const done = await upload('my run.pinproof', proof, 1024, (r) => seen.push(r));
    assert.equal(done.kind, 'proof');
    assert.equal(done.view, 'proof');
    assert.equal(done.path, join(importsDir(), 'my run.pinproof'));
    assert.deepEqual(new Uint8Array(await readFile(done.path)), proof);
    // One reply per 1 KiB chunk, strictly increasing, ending at the size.
    assert.equal(seen.length, Math.ceil(proof.length / 1024));
    assert.ok(seen.every((r, i) => i === 0 || r > seen[i - 1]));
    assert.equal(seen.at(-1), proof.length);
    const summary = await call<{ steps: unknown[]; taskId: string }>('proof.load', { path: done.path });
    const manifest = readBundle(proof, 'oracle').manifest;
    assert.equal(summary.steps.length, manifest.steps.length);
    assert.equal(summary.taskId, 'iris-mlp-drop-test');
    assert.equal((await call<string[]>('recent.list', {}))[0], done.path);
    assert.deepEqual(await leftovers(), []);
  });

  it('imports ONNX models (type from content), reuses identical files and numbers different ones', async () => {
    const mlp = new Uint8Array(await readFile(join(REPO, 'test/fixtures/onnx/mlp.onnx')));
    const cnn = new Uint8Array(await readFile(join(REPO, 'test/fixtures/onnx/cnn.onnx')));
    const a = await upload('mlp.onnx', mlp);
    assert.equal(a.kind, 'onnx');
    assert.equal(a.view, 'model');
    assert.equal(a.reused, false);
    const summary = await call<{ opCounts: Record<string, number> }>('model.load', { path: a.path });
    const oracle = readOnnx(mlp, 'oracle').graph.nodes.length;
    assert.equal(
      Object.values(summary.opCounts).reduce((s, n) => s + n, 0),
      oracle,
    );
    const again = await upload('mlp.onnx', mlp);
    assert.equal(again.path, a.path);
    assert.equal(again.reused, true);
    const other = await upload('mlp.onnx', cnn);
    assert.equal(other.path, join(importsDir(), 'mlp-2.onnx'));
    assert.deepEqual(new Uint8Array(await readFile(other.path)), cnn);
    // No extension: the content decides, and the stored name gets the right one.
    const bare = await upload('weights', cnn);
    assert.equal(bare.kind, 'onnx');
    assert.equal(bare.path, join(importsDir(), 'weights.onnx'));
  });

  it('imports a notebook that then opens, with folders stripped from the dropped name', async () => {
    const text = await readFile(join(REPO, 'test/e2e/fixtures/shell-demo.md'));
    const done = await upload('../../etc/shell-demo.md', new Uint8Array(text));
    assert.equal(done.path, join(importsDir(), 'shell-demo.md'));
    const doc = await call<NotebookDoc>('notebook.open', { path: done.path });
    assert.ok(doc.cells.length > 0);
  });

  it('refuses malformed files with an error naming the file, and keeps nothing', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['broken.pinproof', proof.subarray(0, 200), /^broken\.pinproof: not a valid proof bundle: /],
      [
        'garbage.pinproof',
        new Uint8Array([1, 2, 3, 0, 9, 8]),
        /^garbage\.pinproof: not a valid proof bundle: header/,
      ],
      [
        'fake.onnx',
        new TextEncoder().encode('# just text\n'),
        /^fake\.onnx: not an ONNX model: .*content is text/,
      ],
      [
        'corrupt.onnx',
        new Uint8Array([0x08, 0x07, 0x3a, 0xff, 0xff, 0x01, 0x02]),
        /^corrupt\.onnx: not a valid ONNX model/,
      ],
      ['proof.md', proof, /^proof\.md: not a notebook: .*content is a proof bundle; rename it to \.pinproof/],
      [
        'notes.txt',
        new TextEncoder().encode('hello'),
        /^notes\.txt: not a file Pinpoint can import .*must end in \.md/,
      ],
      ['empty.bin', new Uint8Array(0), /^empty\.bin: not a file Pinpoint can import .*empty/],
      [
        'binary.md',
        new Uint8Array([0x23, 0x20, 0xff, 0xfe, 0x41]),
        /^binary\.md: not a notebook: the file is not UTF-8/,
      ],
    ];
    for (const [name, bytes, pattern] of cases) {
      const err = await failure(upload(name, bytes));
      assert.match(err.message, pattern, name);
      assert.equal(err.file, name, name);
      assert.equal(err.code, 'bad-import', name);
    }
    const md = await readFile(join(REPO, 'test/e2e/fixtures/malformed.md'));
    const err = await failure(upload('malformed.md', new Uint8Array(md)));
    assert.match(err.message, /malformed\.md/);
    assert.equal(err.line, 7, 'the unclosed fence opens on line 7');
    const kept = (await readdir(importsDir())).sort();
    assert.ok(
      !kept.some((f) => /broken|garbage|fake|corrupt|proof\.md|notes|empty|binary|malformed/.test(f)),
      kept.join(),
    );
    assert.deepEqual(await leftovers(), []);
  });

  it('enforces the size limit and the chunk protocol', async () => {
    const big = await failure(importCall({ name: 'huge.onnx', size: LIMIT + 1, offset: 0, data: '' }));
    assert.equal(big.code, 'too-large');
    assert.match(big.message, /^huge\.onnx: 262145 bytes is larger than the import limit of 262144 bytes/);
    const first = await importCall({
      name: 'a.onnx',
      size: 10,
      offset: 0,
      data: Buffer.from([8, 7, 1]).toString('base64'),
    });
    assert.equal(first.done, false);
    const skip = await failure(
      importCall({ name: 'a.onnx', size: 10, offset: 5, data: 'AAAA', uploadId: first.uploadId }),
    );
    assert.match(skip.message, /^a\.onnx: chunk at byte 5, expected byte 3/);
    // A failed chunk ends the upload: its id is gone and its partial file deleted.
    const gone = await failure(
      importCall({ name: 'a.onnx', size: 10, offset: 3, data: 'AAAA', uploadId: first.uploadId }),
    );
    assert.equal(gone.code, 'not-found');
    const over = await importCall({
      name: 'b.onnx',
      size: 2,
      offset: 0,
      data: Buffer.from([8]).toString('base64'),
    });
    const tooMany = await failure(
      importCall({
        name: 'b.onnx',
        size: 2,
        offset: 1,
        data: Buffer.from([1, 2]).toString('base64'),
        uploadId: over.uploadId,
      }),
    );
    assert.match(tooMany.message, /^b\.onnx: more bytes than the declared size 2/);
    const notB64 = await failure(importCall({ name: 'c.md', size: 4, offset: 0, data: '!!!!' }));
    assert.match(notB64.message, /^c\.md: chunk at byte 0 is not base64/);
    // A real file just under the limit goes through.
    const text = `---\ntitle: big\n---\n\n${'x'.repeat(LIMIT - 40)}\n`;
    const ok = await upload('big.md', new TextEncoder().encode(text));
    assert.equal(ok.size, Buffer.byteLength(text));
    assert.deepEqual(await leftovers(), []);
  });

  it('Save As writes a copy under a new path, refuses overwrite without confirmation and lists it in Recent', async () => {
    const original = join(dataDir, 'orig.md');
    await copyFile(join(REPO, 'test/e2e/fixtures/shell-demo.md'), original);
    const doc = await call<NotebookDoc>('notebook.open', { path: original });
    const target = join(dataDir, 'saved', 'copy.md');
    const r = await call<SaveAsResult>('notebook.saveAs', { path: target, doc });
    assert.equal(r.path, target);
    assert.equal(r.recent[0], target);
    // An unedited notebook saved elsewhere is the same bytes.
    assert.deepEqual(await readFile(target), await readFile(original));
    // Refuses to replace an existing file unless confirmed; the file is untouched.
    const code = doc.cells.find((c) => c.kind === 'code');
    assert.ok(code);
    const edited: NotebookDoc = {
      ...doc,
      cells: doc.cells.map((c) => (c.id === code.id ? { ...c, source: 'display("edited by save-as");' } : c)),
    };
    const exists = await failure(call('notebook.saveAs', { path: target, doc: edited }));
    assert.equal(exists.code, 'exists');
    assert.match(exists.message, /copy\.md: already exists/);
    assert.deepEqual(await readFile(target), await readFile(original));
    await call('notebook.saveAs', { path: target, doc: edited, overwrite: true });
    const reopened = await call<NotebookDoc>('notebook.open', { path: target });
    assert.equal(reopened.cells.find((c) => c.id === code.id)?.source, 'display("edited by save-as");');
    assert.equal(reopened.cells.length, doc.cells.length);
    // The original file is unchanged.
    assert.deepEqual(await readFile(original), await readFile(join(REPO, 'test/e2e/fixtures/shell-demo.md')));
  });

  it('Save As refuses paths outside the guard, non-notebook names and folders', async () => {
    const doc = await call<NotebookDoc>('notebook.open', {
      path: join(REPO, 'test/e2e/fixtures/shell-demo.md'),
    });
    const outside = await failure(call('notebook.saveAs', { path: join(elsewhere, 'x.md'), doc }));
    assert.match(outside.message, /outside the folders the app may open/);
    const climb = await failure(call('notebook.saveAs', { path: `${dataDir}/../../x.md`, doc }));
    assert.match(climb.message, /outside the folders the app may open/);
    const source = await failure(call('notebook.saveAs', { path: join(dataDir, 'evil.ts'), doc }));
    assert.match(source.message, /evil\.ts: the app writes only \.md, \.pinproof, \.json files/);
    await mkdir(join(dataDir, 'dir.md'));
    const folder = await failure(
      call('notebook.saveAs', { path: join(dataDir, 'dir.md'), doc, overwrite: true }),
    );
    assert.match(folder.message, /is a folder/);
    assert.deepEqual(await readdir(elsewhere), []);
  });

  it('Electron: the native Save dialog allows the picked path (IPC), cancel returns null', async () => {
    let answer: { canceled: boolean; filePath?: string } = { canceled: true };
    const asked: Parameters<ShowSaveDialog>[0][] = [];
    const dialogs = createDialogHandlers(backend, async (opts) => {
      asked.push(opts);
      return answer;
    });
    const ipc = async <T>(method: string, args: unknown) => {
      const r = await handleIpcCall(backend, { method, args }, SENDER, dialogs);
      if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
      return r.result as T;
    };
    const doc = await call<NotebookDoc>('notebook.open', {
      path: join(REPO, 'test/e2e/fixtures/shell-demo.md'),
    });
    const cancelled = await ipc<{ path: string | null }>('dialog.saveAs', {
      kind: 'notebook',
      defaultPath: doc.path,
    });
    assert.equal(cancelled.path, null);
    assert.equal(asked[0].defaultPath, doc.path);
    assert.deepEqual(asked[0].filters[0].extensions, ['md']);
    answer = { canceled: false, filePath: join(elsewhere, 'picked') };
    const picked = await ipc<{ path: string; overwriteConfirmed: boolean }>('dialog.saveAs', {
      kind: 'notebook',
    });
    assert.equal(picked.path, join(elsewhere, 'picked.md'));
    assert.equal(picked.overwriteConfirmed, false, '".md" was added: the dialog did not ask about that file');
    const saved = await ipc<SaveAsResult>('notebook.saveAs', { path: picked.path, doc });
    assert.equal(saved.path, picked.path);
    assert.deepEqual(
      await readFile(picked.path),
      await readFile(join(REPO, 'test/e2e/fixtures/shell-demo.md')),
    );
    // Browser mode has no native dialog: the method is unknown there.
    const browser = await backend.call('dialog.saveAs', { kind: 'notebook' });
    assert.equal(!browser.ok && browser.error.code, 'unknown-method');
    // And a page cannot reach the admin channel that allows paths.
    const admin = await handleIpcCall(
      backend,
      { method: 'admin.allowPath', args: { path: '/etc/x.md' } },
      SENDER,
      dialogs,
    );
    assert.equal(!admin.ok && admin.error.code, 'forbidden');
  });

  it('Electron: dropped paths from the preload are opened only from our page and only if they are files', async () => {
    const file = join(elsewhere, 'dropped.md');
    await writeFile(file, '# dropped\n');
    assert.deepEqual(
      droppedPaths([file, 'relative.md', join(elsewhere, 'missing.md'), elsewhere, 42], SENDER),
      [file],
    );
    assert.deepEqual(droppedPaths([file], 'https://evil.example/'), []);
    assert.deepEqual(droppedPaths(file, SENDER), []);
  });
});
