/**
 * A compromised page against every backend method that takes a path (issue 15, "Security"): it can read
 * and write only under notebooks/ and the data folder (symlinks followed) or files the user opened, and
 * it writes only notebooks, proofs and JSON. Real files in temp folders; the repository is never written.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import { handleIpcCall } from '../../desktop/main/ipc.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SENDER = 'app://pinpoint/index.html';
const doc = { path: '', title: 'x', frontMatter: {}, cells: [{ id: 'c1', kind: 'code', source: '1' }] };

describe('a hostile page against every file method', { timeout: 120_000 }, () => {
  let backend: Backend;
  let dataDir: string;
  let outside: string;
  /** The wire answer of one page call (never throws). */
  const page = (method: string, args: unknown) => handleIpcCall(backend, { method, args }, SENDER);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-hostile-'));
    outside = await mkdtemp(join(tmpdir(), 'pinpoint-outside-'));
    await writeFile(join(outside, 'secret.md'), '# secret\n');
    await writeFile(join(outside, 'secret.pinproof'), 'x');
    // A symlink inside the data folder that points out of it.
    await symlink(outside, join(dataDir, 'link'));
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
  });
  after(async () => {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const before0 = new Map<string, string>();
  it('cannot write code, configuration or files beside the CLI, nor anything outside the roots', async () => {
    const targets = [
      'package.json',
      'bin/pinpoint.js',
      'bin/evil.js',
      'core/version.ts',
      'tasks/spirals-mlp.json',
    ];
    for (const t of targets) before0.set(t, await readFile(join(REPO, t), 'utf8').catch(() => '<absent>'));
    for (const t of targets) {
      const path = join(REPO, t);
      for (const [method, args] of [
        ['files.writeText', { path, text: 'pwned' }],
        ['notebook.save', { path, doc }],
        ['notebook.saveAs', { path, doc, overwrite: true }],
      ] as const) {
        const r = await page(method, args);
        assert.equal(r.ok, false, `${method} ${t} must be refused`);
      }
    }
    for (const t of targets)
      assert.equal(await readFile(join(REPO, t), 'utf8').catch(() => '<absent>'), before0.get(t), t);
  });

  it('cannot read outside the roots, directly, by climbing or through a symlink', async () => {
    const paths = [
      '/etc/passwd',
      join(REPO, 'package.json'),
      join(REPO, 'core/version.ts'),
      join(outside, 'secret.md'),
      `${dataDir}/../${outside.split('/').pop()}/secret.md`,
      join(dataDir, 'link/secret.md'),
    ];
    for (const path of paths) {
      for (const [method, args] of [
        ['files.readText', { path }],
        ['notebook.open', { path }],
        ['recent.add', { path }],
        ['notebook.run', { path, doc: { ...doc, path }, cellIds: ['c1'] }],
        ['proof.load', { path }],
        ['proof.trace', { path, step: 0 }],
        ['proof.runStep', { path, step: 0 }],
        ['graph.compareTrace', { path, step: 0, variant: 'tampered' }],
        ['ledger.snapshot', { path }],
        ['ledger.events', { path }],
        ['ledger.identity', { path }],
        ['model.load', { path }],
        ['model.check', { path }],
        ['notebook.recovery.write', { path, doc: { ...doc, path } }],
        ['notebook.recovery.read', { path }],
        ['notebook.recovery.discard', { path }],
        ['compare.summary', { a: path, b: path }],
        ['compare.step', { a: path, b: path, step: 0 }],
        ['compare.dispute', { a: path, b: path }],
        ['model.node', { path, node: 0 }],
      ] as const) {
        const r = await page(method, args);
        assert.equal(r.ok, false, `${method} ${path} must be refused`);
        if (!r.ok) assert.match(r.error.message, /outside the folders the app may open/, `${method} ${path}`);
      }
    }
  });

  it('cannot write through a symlink or write other file types inside the roots', async () => {
    const r1 = await page('files.writeText', { path: join(dataDir, 'link/new.md'), text: 'x' });
    assert.equal(r1.ok, false);
    await assert.rejects(stat(join(outside, 'new.md')));
    for (const name of ['evil.ts', 'evil.js', 'evil.sh', 'evil']) {
      const r = await page('files.writeText', { path: join(dataDir, name), text: 'x' });
      assert.equal(r.ok, false, name);
      if (!r.ok) assert.match(r.error.message, /the app writes only \.md, \.pinproof, \.json files/);
    }
  });

  it('still works where it should: notebooks and proofs in the data folder, files the user opened', async () => {
    await mkdir(join(dataDir, 'work'), { recursive: true });
    const ok = await page('files.writeText', { path: join(dataDir, 'work/n.md'), text: '# hi\n' });
    assert.equal(ok.ok, true);
    assert.equal((await page('files.readText', { path: join(dataDir, 'work/n.md') })).ok, true);
    assert.equal((await page('files.readText', { path: join(REPO, 'notebooks/README.md') })).ok, true);
    // After File › Open (main process), the page may read that one file — and only that one.
    assert.equal((await backend.call('admin.openPath', { path: join(outside, 'secret.md') })).ok, true);
    assert.equal((await page('files.readText', { path: join(outside, 'secret.md') })).ok, true);
    assert.equal((await page('files.readText', { path: join(outside, 'secret.pinproof') })).ok, false);
  });
});
