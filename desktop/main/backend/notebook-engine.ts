/**
 * The notebook engine as the backend sees it, bound to core/notebook (issue 6): parse/serialise a
 * notebook file losslessly, run cells in a live kernel per notebook (shared scope across runs, like
 * Jupyter; a time limit or cancel restarts the kernel), and map core's results to the wire types.
 *
 * The editor shows prose and code cells; whitespace-only prose between code cells is layout, not a
 * cell, so it is remembered per code cell and written back unchanged — saving an unedited notebook
 * reproduces the file byte for byte.
 */

import { DEFAULT_CELL_TIMEOUT_MS, NotebookSession } from '../../../core/notebook/engine.ts';
import {
  type CodeCell,
  makeCell,
  type Notebook,
  NotebookFormatError,
  parseNotebook,
} from '../../../core/notebook/format.ts';
import { compileCell } from '../../../core/notebook/node-compile.ts';
import { nodeKernelFactory } from '../../../core/notebook/node-kernel.ts';
import type { CellResult as CoreCellResult } from '../../../core/notebook/outputs.ts';
import type { CellDoc, CellOutput, CellResult, Json, NotebookDoc } from '../../shared/api.ts';
import { BadRequest } from './paths.ts';

export interface RunHooks {
  signal: AbortSignal;
  timeoutMs?: number;
  onCellStart(cellId: string): void;
  onOutput(cellId: string, output: CellOutput): void;
  onCellResult(result: CellResult): void;
}

export interface NotebookEngine {
  name: string;
  parse(text: string, path: string): NotebookDoc;
  serialize(doc: NotebookDoc): string;
  /** Runs the given cells in order in the notebook's kernel; stops at the first failure. */
  run(doc: NotebookDoc, cellIds: string[], hooks: RunHooks): Promise<void>;
  /** Stops every kernel. */
  close(): Promise<void>;
}

interface Parsed {
  nb: Notebook;
  /** Verbatim text of prose blocks by the markdown cell id shown to the editor. */
  prose: Map<string, string>;
  /** Whitespace-only prose that followed a code cell (by code cell id). */
  after: Map<string, string>;
  code: Map<string, CodeCell>;
}

const stripEol = (s: string) => s.replace(/\r?\n$/, '');

export function createNotebookEngine(): NotebookEngine {
  const parsed = new Map<string, Parsed>();
  const sessions = new Map<string, NotebookSession>();
  const queues = new Map<string, Promise<void>>();

  const toDoc = (nb: Notebook, path: string): NotebookDoc => {
    const p: Parsed = { nb, prose: new Map(), after: new Map(), code: new Map() };
    const cells: CellDoc[] = [];
    let lastCode: string | null = null;
    let n = 0;
    for (const b of nb.blocks) {
      if (b.kind === 'code') {
        p.code.set(b.id, b);
        cells.push({ id: b.id, kind: 'code', source: stripEol(b.source) });
        lastCode = b.id;
      } else if (b.text.trim() === '' && lastCode !== null && !p.after.has(lastCode)) {
        p.after.set(lastCode, b.text);
      } else {
        n += 1;
        let id = `prose-${n}`;
        while (p.code.has(id) || nb.blocks.some((x) => x.kind === 'code' && x.id === id)) id = `prose-${++n}`;
        p.prose.set(id, b.text);
        cells.push({ id, kind: 'markdown', source: b.text.trim() });
        lastCode = null;
      }
    }
    parsed.set(path, p);
    const meta: Record<string, Json> = JSON.parse(JSON.stringify(nb.meta));
    return { path, title: nb.meta.title, meta, cells };
  };

  return {
    name: 'core/notebook',
    parse(text, path) {
      try {
        return toDoc(parseNotebook(text, path), path);
      } catch (err) {
        if (err instanceof NotebookFormatError)
          throw new BadRequest(err.message, { code: 'bad-notebook', file: err.file, line: err.line });
        throw err;
      }
    },
    serialize(doc) {
      const p = parsed.get(doc.path);
      let out = p?.nb.frontMatterText ?? `---\ntitle: ${JSON.stringify(doc.title || 'Untitled')}\n---\n`;
      doc.cells.forEach((cell, i) => {
        const next = doc.cells[i + 1];
        if (cell.kind === 'markdown') {
          const orig = p?.prose.get(cell.id);
          if (orig !== undefined && orig.trim() === cell.source.trim()) {
            out += orig;
          } else {
            // New or edited prose: a blank line on each side, the fence of a following cell on its own line.
            const prev = doc.cells[i - 1];
            out += `${prev?.kind === 'code' ? '\n\n' : out.endsWith('\n\n') ? '' : '\n'}${cell.source.trim()}\n${next ? '\n' : ''}`;
          }
          return;
        }
        const orig = p?.code.get(cell.id);
        const source = cell.source === '' ? '' : `${stripEol(cell.source)}${orig?.eol ?? '\n'}`;
        const block = orig ? { ...orig, source } : makeCell(cell.id, source);
        if (!out.endsWith('\n')) out += '\n';
        out += `${block.fence}${block.info}${block.eol || '\n'}${block.source}${block.close || block.fence}`;
        const sep = p?.after.get(cell.id);
        if (sep !== undefined && next?.kind !== 'markdown') out += sep;
        else if (!next) out += '\n';
        else if (next.kind === 'code') out += '\n\n';
      });
      return out;
    },
    run(doc, cellIds, hooks) {
      // Runs of one notebook queue behind each other (one kernel runs one cell at a time).
      const previous = queues.get(doc.path) ?? Promise.resolve();
      const mine = previous.then(() => runNow(doc, cellIds, hooks));
      const settled = mine.then(
        () => {},
        () => {},
      );
      queues.set(doc.path, settled);
      void settled.then(() => {
        if (queues.get(doc.path) === settled) queues.delete(doc.path);
      });
      return mine;
    },
    async close() {
      for (const s of sessions.values()) await s.close();
      sessions.clear();
    },
  };

  async function runNow(doc: NotebookDoc, cellIds: string[], hooks: RunHooks): Promise<void> {
    const p = parsed.get(doc.path);
    const permissions = p?.nb.meta.permissions ?? [];
    let session = sessions.get(doc.path);
    if (!session) {
      session = new NotebookSession(permissions, {
        kernelFactory: nodeKernelFactory(),
        compile: compileCell,
      });
      sessions.set(doc.path, session);
    }
    const timeoutMs = hooks.timeoutMs ?? p?.nb.meta.timeout ?? DEFAULT_CELL_TIMEOUT_MS;
    const s = session;
    // A cancel can arrive while the kernel is still starting, before the session has a running
    // cell to stop: keep cancelling until the current cell returns.
    let poll: ReturnType<typeof setInterval> | undefined;
    const onAbort = () => {
      s.cancel();
      poll ??= setInterval(() => s.cancel(), 50);
    };
    hooks.signal.addEventListener('abort', onAbort);
    try {
      for (const id of cellIds) {
        if (hooks.signal.aborted) break;
        const cell = doc.cells.find((c) => c.id === id);
        if (!cell || cell.kind !== 'code') continue;
        const orig = p?.code.get(id);
        const codeCell: CodeCell = { ...(orig ?? makeCell(id, '')), source: cell.source };
        hooks.onCellStart(id);
        const r = await s.runCell(codeCell, timeoutMs, (o) => hooks.onOutput(id, o as unknown as CellOutput));
        const result = toWire(r);
        hooks.onCellResult(result);
        if (result.status !== 'ok') break;
      }
    } finally {
      clearInterval(poll);
      hooks.signal.removeEventListener('abort', onAbort);
    }
  }
}

function toWire(r: CoreCellResult): CellResult {
  const out: CellResult = {
    cellId: r.id,
    status: r.status === 'skipped' ? 'cancelled' : r.status,
    outputs: r.outputs as unknown as CellOutput[],
    durationMs: r.ms,
  };
  if (r.error) {
    const where =
      r.error.cellLine !== undefined
        ? ` (cell line ${r.error.cellLine}${r.error.fileLine !== undefined ? `, file line ${r.error.fileLine}` : ''})`
        : '';
    out.error = {
      message: `${r.error.name === 'Error' ? '' : `${r.error.name}: `}${r.error.message}${where}`,
      ...(r.error.cellLine !== undefined ? { line: r.error.cellLine } : {}),
    };
  }
  return out;
}
