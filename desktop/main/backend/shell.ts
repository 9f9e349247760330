/** The shell's API handlers (files, recent files, notebooks, jobs); see ShellApi in desktop/shared/api.ts. */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseNotebook } from '../../../core/notebook/format.ts';
import { renderReportHtml } from '../../../core/notebook/html.ts';
import { runNotebookNode } from '../../../core/notebook/node-runner.ts';
import type { AppInfo, CellDoc, NotebookDoc, ShellApi } from '../../shared/api.ts';
import type { RecoveryApi } from '../../shared/api-recovery.ts';
import type { BackendContext } from './context.ts';
import { addRecent, listFiles, readRecent, writeFileAtomic } from './files.ts';
import { createImportHandlers } from './imports.ts';
import type { NotebookEngine } from './notebook-engine.ts';
import { BadRequest } from './paths.ts';
import { preludeTypes } from './prelude-types.ts';
import { createRecoveryHandlers, discardRecovery } from './recovery.ts';

/** What a new notebook starts as: front matter, a line of prose, one cell using the Pinpoint API. */
const NEW_NOTEBOOK = (n: number) =>
  [
    '---',
    `title: Untitled ${n}`,
    '---',
    '',
    `# Untitled ${n}`,
    '',
    'Write prose here; cells are TypeScript with the Pinpoint API in scope (Shift+Enter runs one).',
    '',
    '```ts {id=c1}',
    "display('hello from a new notebook');",
    '```',
    '',
  ].join('\n');

/** Largest notebook/text file the app opens (a guard against opening a dataset by mistake). */
const MAX_TEXT_BYTES = 8 * 1024 * 1024;

export interface ShellOptions {
  engine: NotebookEngine;
  info: () => Omit<AppInfo, 'methods'>;
  methods: () => string[];
  /** Largest dropped file 'files.import' accepts (default: importLimit()). */
  importLimit?: number;
}

export function createShellHandlers(ctx: BackendContext, opts: ShellOptions): ShellApi & RecoveryApi {
  const readText = async (path: string) => {
    const abs = ctx.resolvePath(path);
    const s = await stat(abs).catch(() => null);
    if (!s) throw new BadRequest(`${abs}: no such file`, { code: 'not-found', file: abs });
    if (!s.isFile()) throw new BadRequest(`${abs}: not a file`, { file: abs });
    if (s.size > MAX_TEXT_BYTES)
      throw new BadRequest(`${abs}: ${s.size} bytes is too large to open as text`, { file: abs });
    return { abs, text: await readFile(abs, 'utf8') };
  };

  return {
    ...createImportHandlers(ctx, { engine: opts.engine, maxBytes: opts.importLimit }),
    ...createRecoveryHandlers(ctx, checkDoc),
    async 'app.info'() {
      return { ...opts.info(), methods: opts.methods() };
    },
    async 'files.list'({ kind }) {
      const all = [
        ...(await listFiles(join(ctx.repoRoot, 'notebooks'), 'notebooks')),
        ...(await listFiles(ctx.dataDir, 'data')),
      ].filter((f) => !f.name.endsWith('.tmp') && f.name !== 'recent.json' && f.name !== 'state.json');
      return kind ? all.filter((f) => f.kind === kind) : all;
    },
    async 'files.readText'({ path }) {
      const { abs, text } = await readText(path);
      return { path: abs, text };
    },
    async 'files.writeText'({ path, text }) {
      if (typeof text !== 'string') throw new BadRequest('files.writeText: "text" must be a string');
      const abs = ctx.resolveWritePath(path);
      return { path: abs, bytes: await writeFileAtomic(abs, text) };
    },
    async 'recent.list'() {
      return readRecent(ctx.dataDir);
    },
    async 'recent.add'({ path }) {
      return addRecent(ctx.dataDir, ctx.resolvePath(path));
    },
    async 'notebook.open'({ path }) {
      const { abs, text } = await readText(path);
      let doc: NotebookDoc;
      try {
        doc = opts.engine.parse(text, abs);
      } catch (err) {
        if (err instanceof BadRequest) throw err;
        const e = err as { message?: string; line?: number };
        throw new BadRequest(
          e.message?.includes(basename(abs)) ? e.message : `${abs}: ${e.message ?? String(err)}`,
          {
            code: 'bad-notebook',
            file: abs,
            line: typeof e.line === 'number' ? e.line : undefined,
          },
        );
      }
      await addRecent(ctx.dataDir, abs);
      return doc;
    },
    async 'notebook.save'({ path, doc }) {
      const abs = ctx.resolveWritePath(path);
      checkDoc(doc, abs);
      const text = opts.engine.serialize({ ...doc, path: abs });
      const bytes = await writeFileAtomic(abs, text);
      // Saved: the autosaved edits are on disk now, so nothing is offered back next time.
      await discardRecovery(ctx, abs);
      return { path: abs, bytes };
    },
    async 'notebook.saveAs'({ path, doc, overwrite }) {
      const abs = ctx.resolveWritePath(path);
      // Save As writes where the user says: only notebook files, so it can never replace a source file.
      if (extname(abs).toLowerCase() !== '.md')
        throw new BadRequest(`${abs}: a notebook is saved as a .md file`, { file: abs });
      checkDoc(doc, abs);
      const s = await stat(abs).catch(() => null);
      if (s && !s.isFile()) throw new BadRequest(`${abs}: is a folder, not a file`, { file: abs });
      if (s && overwrite !== true)
        throw new BadRequest(`${abs}: already exists; confirm to overwrite it`, {
          code: 'exists',
          file: abs,
        });
      // Serialised under its current path: the engine keeps that file's parse, so untouched blocks are
      // written byte for byte; then the new file is parsed so later saves under it keep that property.
      const text = opts.engine.serialize(doc);
      const bytes = await writeFileAtomic(abs, text);
      opts.engine.parse(text, abs);
      // The edits now live in the new file: neither the old nor the new path has anything to recover.
      await discardRecovery(ctx, abs);
      // The old path only if the page may open it (a hostile doc.path is simply ignored here).
      if (typeof doc.path === 'string' && doc.path)
        await Promise.resolve()
          .then(() => discardRecovery(ctx, ctx.resolvePath(doc.path)))
          .catch(() => false);
      return { path: abs, bytes, recent: await addRecent(ctx.dataDir, abs) };
    },
    async 'notebook.create'() {
      const dir = join(ctx.dataDir, 'notebooks');
      await mkdir(dir, { recursive: true });
      for (let n = 1; ; n++) {
        const path = join(dir, `untitled-${n}.md`);
        if (await stat(path).catch(() => null)) continue;
        await writeFileAtomic(path, NEW_NOTEBOOK(n));
        return { path };
      }
    },
    async 'notebook.exportHtml'({ path, doc }) {
      const abs = ctx.resolvePath(path);
      checkDoc(doc, abs);
      // The same parse, run and renderer as `pinpoint run --html`, on the cells as the user sees them.
      const nb = parseNotebook(opts.engine.serialize({ ...doc, path: abs }), abs);
      const result = await runNotebookNode(nb, {});
      const html = renderReportHtml(nb, result);
      const out = join(ctx.dataDir, 'reports', `${basename(abs).replace(/\.md$/i, '')}.html`);
      await mkdir(dirname(out), { recursive: true });
      const bytes = await writeFileAtomic(out, html);
      return { path: out, bytes, ok: result.ok, html };
    },
    async 'notebook.run'({ path, doc, cellIds, timeoutMs }) {
      const abs = ctx.resolvePath(path);
      checkDoc(doc, abs);
      if (!Array.isArray(cellIds) || cellIds.length === 0)
        throw new BadRequest('notebook.run: "cellIds" must list at least one cell');
      const known = new Set(doc.cells.map((c) => c.id));
      const missing = cellIds.filter((id) => !known.has(id));
      if (missing.length)
        throw new BadRequest(`notebook.run: no cell ${missing.map((m) => `"${m}"`).join(', ')} in ${abs}`);
      const title =
        cellIds.length === 1
          ? `Run ${cellIds[0]} · ${basename(abs)}`
          : `Run ${cellIds.length} cells · ${basename(abs)}`;
      let failure: string | undefined;
      const job = ctx.jobs.start('notebook', title, async (jobCtl) => {
        const wanted = doc.cells.filter((c) => c.kind === 'code' && cellIds.includes(c.id)).map((c) => c.id);
        const total = wanted.length;
        let done = 0;
        jobCtl.progress(0, total, `cell 1/${total}`);
        await opts.engine.run({ ...doc, path: abs }, wanted, {
          signal: jobCtl.signal,
          timeoutMs: typeof timeoutMs === 'number' && timeoutMs > 0 ? timeoutMs : undefined,
          onCellStart(cellId) {
            ctx.emit({ type: 'cell', jobId: job.id, path: abs, cellId, state: 'running' });
            jobCtl.progress(done, total, `${cellId} · ${Math.min(done + 1, total)}/${total}`);
          },
          onOutput(cellId, output) {
            ctx.emit({ type: 'cell-output', jobId: job.id, path: abs, cellId, output });
          },
          onCellResult(result) {
            done += 1;
            ctx.emit({ type: 'cell-result', jobId: job.id, path: abs, result });
            jobCtl.progress(done, total);
            if (result.status === 'error' || result.status === 'timeout')
              failure = result.error?.message ?? result.status;
          },
        });
        if (failure && !jobCtl.signal.aborted) throw new Error(failure);
      });
      return { jobId: job.id };
    },
    async 'notebook.prelude'() {
      return preludeTypes(ctx.repoRoot);
    },
    async 'jobs.list'() {
      return ctx.jobs.list();
    },
    async 'jobs.cancel'({ id }) {
      return ctx.jobs.cancel(id);
    },
    async 'jobs.wait'({ id, timeoutMs }) {
      return ctx.jobs.wait(id, timeoutMs);
    },
  };
}

/** Checks a NotebookDoc sent by the renderer (untrusted JSON) before it reaches the engine. */
function checkDoc(doc: NotebookDoc, path: string): void {
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.cells))
    throw new BadRequest(`${path}: expected a notebook document { cells: [...] }`);
  const ids = new Set<string>();
  doc.cells.forEach((c: CellDoc, i) => {
    if (
      !c ||
      typeof c.id !== 'string' ||
      typeof c.source !== 'string' ||
      (c.kind !== 'code' && c.kind !== 'markdown')
    )
      throw new BadRequest(
        `${path}: cell ${i + 1} must be { id: string, kind: 'code' | 'markdown', source: string }`,
      );
    if (ids.has(c.id)) throw new BadRequest(`${path}: duplicate cell id "${c.id}"`);
    ids.add(c.id);
  });
  if (
    doc.meta !== undefined &&
    (typeof doc.meta !== 'object' || doc.meta === null || Array.isArray(doc.meta))
  )
    throw new BadRequest(`${path}: "meta" must be an object`);
}
