/**
 * The notebook view: Monaco cells, Shift+Enter runs a cell (Ctrl+Enter runs and stays), outputs drawn
 * under each cell, run all, cancel, add/move/delete cells, save, open from notebooks/.
 * Runs are backend jobs; results arrive as 'cell'/'cell-result' events and the status bar shows the job.
 */
import type { CellDoc, CellResult, FileEntry, NotebookDoc, ServerEvent } from '../../../shared/api.ts';
import { h, svgIcon } from '../../shell/dom.ts';
import { describeError } from '../../shell/errors.ts';
import { accessibleName, icons } from '../../shell/icons.ts';
import { saveAsDialog } from '../../shell/save-dialog.ts';
import type { ViewContext, ViewHandle } from '../../shell/views.ts';
import { renderMarkdown } from './markdown.ts';
import { monaco, setupMonaco } from './monaco.ts';
import { renderOutput } from './outputs.ts';

interface CellView {
  cell: CellDoc;
  el: HTMLElement;
  editorHost: HTMLElement;
  outputs: HTMLElement;
  gutter: HTMLElement;
  editor?: monaco.editor.IStandaloneCodeEditor;
  model?: monaco.editor.ITextModel;
  editing: boolean;
  count?: number;
}

let modelSeq = 0;

/**
 * Notebooks the user left for another view, by path: their edited cells, dirty flag, cell outputs and
 * run counters. Coming back restores them instead of re-reading the file, so switching views never
 * loses work (the file on disk changes only on Save). Lives as long as the page.
 */
interface Stash {
  readonly doc: NotebookDoc;
  readonly dirty: boolean;
  readonly outputs: ReadonlyMap<string, { nodes: Node[]; gutter: string; count?: number }>;
}
const stashes = new Map<string, Stash>();

/** Whether the mounted notebook has unsaved edits (module-level: the page-wide guard reads it). */
let mountedDirty = false;
/**
 * One guard for the whole page: a reload or close with unsaved edits — in the notebook on screen or in
 * one left for another view — asks first (the browser's own prompt; Electron's main process turns it
 * into a native Leave/Stay dialog). The edits are autosaved too, so even a forced close loses nothing.
 */
export function hasUnsavedNotebooks(): boolean {
  return mountedDirty || [...stashes.values()].some((s) => s.dirty);
}
/** Autosaves the mounted notebook's pending edits now (set while a notebook view is mounted). */
let flushAutosave: (() => void) | null = null;
window.addEventListener('beforeunload', (e) => {
  if (!hasUnsavedNotebooks()) return;
  // Edits typed less than the autosave delay ago: send them now (the request usually completes
  // while the prompt is up; if not, the guard still stands between the user and the loss).
  flushAutosave?.();
  e.preventDefault();
  // Older Chromium shows the prompt only when returnValue is set.
  e.returnValue = '';
});

/** How long the editor waits after the last keystroke before autosaving to the recovery file. */
const AUTOSAVE_DELAY_MS = 800;

const sameCells = (a: NotebookDoc, b: NotebookDoc) =>
  a.title === b.title &&
  a.cells.length === b.cells.length &&
  a.cells.every((c, i) => {
    const d = b.cells[i];
    return d !== undefined && c.id === d.id && c.kind === d.kind && c.source === d.source;
  });

export function mountNotebook(root: HTMLElement, ctx: ViewContext): ViewHandle {
  root.classList.add('nb-root');
  let doc: NotebookDoc | null = null;
  let cells: CellView[] = [];
  let dirty = false;
  let jobId: string | null = null;
  /** Every run started here: a cancelled run's final cell results still arrive after it ended. */
  const myJobs = new Set<string>();
  const activeJobs = new Set<string>();
  let runCounter = 0;
  /** Runs whose failure a cell already shows (no extra toast). */
  const failedJobs = new Set<string>();
  const nameEl = h('span', { class: 'nb-name', 'data-testid': 'notebook-name' });
  /** The file the notebook is saved in (changes with Save As). */
  const pathEl = h('span', { class: 'nb-path', 'data-testid': 'notebook-path' });
  const dirtyEl = h('span', { class: 'nb-dirty', title: 'Unsaved changes', 'data-testid': 'notebook-dirty' });
  const btn = (icon: string, label: string, onclick: () => void, extra: Record<string, string> = {}) =>
    h('button', { class: 'btn', title: label, onclick, ...extra }, svgIcon(icon), h('span', {}, label));
  const runAllBtn = btn(icons.playAll, 'Run all', () => runAll(), { 'data-testid': 'run-all' });
  const cancelBtn = btn(icons.stop, 'Cancel', () => cancel(), {
    'data-testid': 'cancel-run',
    class: 'btn danger',
  });
  cancelBtn.disabled = true;
  const saveBtn = btn(icons.save, 'Save', () => void save(), { 'data-testid': 'save' });
  const saveAsBtn = btn(icons.save, 'Save As…', () => void saveAs(), {
    'data-testid': 'save-as',
    title: 'Save As… (Ctrl+Shift+S)',
    class: 'btn ghost',
  });
  const toolbar = h(
    'div',
    { class: 'nb-toolbar toolbar' },
    h('span', { class: 'nb-file' }, svgIcon(icons.notebook), nameEl, dirtyEl, pathEl),
    h('span', { style: 'flex:1' }),
    btn(icons.plus, 'New', () => void newNotebook(), { 'data-testid': 'new-notebook' }),
    btn(icons.open, 'Open', () => openPicker()),
    saveBtn,
    saveAsBtn,
    btn(icons.download, 'Export HTML', () => void exportHtml(), {
      'data-testid': 'export-html',
      title: 'Export HTML report (runs the notebook as `pinpoint run --html` does)',
    }),
    h('span', { class: 'sep' }),
    runAllBtn,
    cancelBtn,
    h('span', { class: 'sep' }),
    btn(icons.plus, 'Code', () => addCell('code'), { 'data-testid': 'add-code' }),
    btn(icons.text, 'Text', () => addCell('markdown')),
    h(
      'button',
      {
        class: 'btn ghost icon-only',
        title: 'Clear outputs',
        'aria-label': 'Clear outputs',
        onclick: () => clearOutputs(),
      },
      svgIcon(icons.clear),
    ),
  );
  const body = h('div', { class: 'nb-body' });
  root.append(toolbar, body);

  const showPath = (d: NotebookDoc) => {
    const file = d.path.split('/').pop() ?? d.path;
    nameEl.textContent = d.title || file;
    nameEl.title = d.path;
    pathEl.textContent = file;
    pathEl.title = d.path;
  };
  const markDirty = (v = true) => {
    dirty = v;
    mountedDirty = v;
    dirtyEl.classList.toggle('on', dirty);
    dirtyEl.setAttribute('aria-label', dirty ? 'Unsaved changes' : '');
    if (v) scheduleAutosave();
    else if (autosaveTimer) {
      clearTimeout(autosaveTimer);
      autosaveTimer = undefined;
    }
  };

  // ---- autosave (recovery file in the data folder; deleted by the backend on Save) ------------
  let autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  flushAutosave = () => {
    if (autosaveTimer) void autosaveNow();
  };
  /** Autosaves run one after another, and Save waits for them, so none lands after a Save. */
  let autosaveChain: Promise<void> = Promise.resolve();
  let autosaveFailed = false;
  const scheduleAutosave = () => {
    if (autosaveTimer) clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(() => {
      autosaveTimer = undefined;
      void autosaveNow();
    }, AUTOSAVE_DELAY_MS);
  };
  const autosaveNow = () => {
    if (autosaveTimer) {
      clearTimeout(autosaveTimer);
      autosaveTimer = undefined;
    }
    const d = currentDoc();
    if (!d || !dirty) return autosaveChain;
    autosaveChain = autosaveChain.then(async () => {
      try {
        await ctx.api.call('notebook.recovery.write', { path: d.path, doc: d });
        if (autosaveFailed) ctx.showStatus('Autosave works again');
        autosaveFailed = false;
        root.dataset.autosavedAt = String(Date.now());
      } catch (err) {
        // Once per failure streak: the user must know their edits are not being kept.
        if (!autosaveFailed) ctx.showError(err, 'Autosave of unsaved edits');
        autosaveFailed = true;
      }
    });
    return autosaveChain;
  };

  /**
   * Offers back edits autosaved for this notebook (a reload, a crash, a closed window) when they differ
   * from the file; identical ones are simply deleted.
   */
  const offerRecovery = async (loaded: NotebookDoc) => {
    let rec: Awaited<ReturnType<typeof ctx.api.call<'notebook.recovery.read'>>>;
    try {
      rec = await ctx.api.call('notebook.recovery.read', { path: loaded.path });
    } catch (err) {
      ctx.showError(err, 'Reading autosaved edits');
      return;
    }
    if (!rec || ctx.signal.aborted || doc !== loaded) return;
    if (sameCells(rec.doc, loaded)) {
      void ctx.api.call('notebook.recovery.discard', { path: loaded.path }).catch(() => undefined);
      return;
    }
    const when = new Date(rec.savedAt).toLocaleString();
    const recovered = rec.doc;
    const banner = h(
      'div',
      { class: 'nb-recovery', role: 'alert', 'data-testid': 'recovery-banner' },
      svgIcon(icons.alert),
      h('span', {}, `Restore unsaved edits from ${when}?`),
      h('span', { style: 'flex:1' }),
      h(
        'button',
        {
          class: 'btn',
          'data-testid': 'recovery-restore',
          onclick: () => {
            banner.remove();
            showDoc({ ...recovered, path: loaded.path });
            markDirty(true);
            ctx.showStatus(`Restored unsaved edits from ${when}; save to keep them`);
          },
        },
        'Restore',
      ),
      h(
        'button',
        {
          class: 'btn ghost',
          'data-testid': 'recovery-discard',
          onclick: () => {
            banner.remove();
            ctx.api
              .call('notebook.recovery.discard', { path: loaded.path })
              .then(() => ctx.showStatus('Discarded the autosaved edits'))
              .catch((err) => ctx.showError(err, 'Discarding autosaved edits'));
          },
        },
        'Discard',
      ),
    );
    body.prepend(banner);
  };
  const setRunning = (running: boolean) => {
    cancelBtn.disabled = !running;
    root.classList.toggle('running', running);
  };

  // ---- loading -------------------------------------------------------------------------------
  const showHome = async () => {
    doc = null;
    disposeCells();
    toolbar.hidden = true;
    const files = await ctx.api.call('files.list', { kind: 'notebook' });
    const recent = (await ctx.api.call('recent.list', {})).filter((p) => p.endsWith('.md'));
    const card = (f: { path: string; name: string; source: string }) =>
      h(
        'button',
        {
          class: 'nb-card',
          'data-testid': 'notebook-card',
          'data-path': f.path,
          onclick: () => ctx.openView('notebook', { path: f.path }),
        },
        svgIcon(icons.notebook),
        h('span', { class: 'nb-card-name' }, f.name.replace(/\.md$/, '')),
        h(
          'span',
          { class: 'nb-card-sub' },
          f.source === 'notebooks' ? 'notebooks/' : (f.path.split('/').slice(-2, -1)[0] ?? ''),
        ),
      );
    const group = (title: string, list: FileEntry[]) =>
      list.length
        ? h('section', {}, h('h3', {}, title), h('div', { class: 'nb-cards' }, list.map(card)))
        : null;
    body.replaceChildren(
      h(
        'div',
        { class: 'nb-home' },
        h('h1', {}, 'Notebooks'),
        h(
          'button',
          { class: 'btn', 'data-testid': 'home-new-notebook', onclick: () => void newNotebook() },
          svgIcon(icons.plus),
          h('span', {}, 'New notebook'),
        ),
        h(
          'p',
          { class: 'muted' },
          'Open a notebook to run Pinpoint experiments. Shift+Enter runs a cell; Ctrl+Shift+P shows every command.',
        ),
        recent.length
          ? h(
              'section',
              {},
              h('h3', {}, 'Recent'),
              h(
                'div',
                { class: 'nb-cards' },
                recent
                  .slice(0, 6)
                  .map((p) => card({ path: p, name: p.split('/').pop() ?? p, source: 'recent' })),
              ),
            )
          : null,
        group(
          'Project notebooks',
          files.filter((f) => f.source === 'notebooks'),
        ),
        group(
          'Data folder',
          files.filter((f) => f.source !== 'notebooks'),
        ),
        files.length === 0
          ? h('p', { class: 'muted' }, 'No notebooks found in notebooks/ or the data folder.')
          : null,
      ),
    );
  };

  const load = async (path: string) => {
    disposeCells();
    toolbar.hidden = false;
    nameEl.textContent = path.split('/').pop() ?? path;
    pathEl.textContent = '';
    body.replaceChildren(h('div', { class: 'nb-loading' }, h('span', { class: 'spinner' }), ' Loading…'));
    try {
      const stash = stashes.get(path);
      const [loaded] = await Promise.all([
        stash ? stash.doc : ctx.api.call('notebook.open', { path }),
        setupMonaco(ctx.api, (e) => ctx.showError(e, 'Loading the Pinpoint API types')),
      ]);
      if (ctx.signal.aborted) return;
      showDoc(loaded);
      markDirty(stash?.dirty ?? false);
      if (!stash) void offerRecovery(loaded);
      if (stash) {
        for (const c of cells) {
          const kept = stash.outputs.get(c.cell.id);
          if (!kept) continue;
          c.outputs.replaceChildren(...kept.nodes);
          c.gutter.textContent = kept.gutter;
          c.count = kept.count;
        }
        stashes.delete(path);
      }
      ctx.showStatus(
        stash
          ? `Back to ${loaded.path}${stash.dirty ? ' (unsaved changes kept)' : ''}`
          : `Opened ${loaded.path}`,
      );
    } catch (err) {
      doc = null;
      toolbar.hidden = true;
      body.replaceChildren(
        h(
          'div',
          { class: 'nb-error', role: 'alert', 'data-testid': 'notebook-error' },
          svgIcon(icons.alert),
          h('h2', {}, 'This notebook could not be opened'),
          h('pre', {}, describeError(err)),
          h(
            'div',
            { class: 'toolbar' },
            h('button', { class: 'btn', onclick: () => openPicker() }, 'Open another notebook'),
            h('button', { class: 'btn ghost', onclick: () => ctx.openView('notebook', {}) }, 'All notebooks'),
          ),
        ),
      );
      ctx.showError(err, `Opening ${path.split('/').pop()}`);
    }
  };

  /** Shows `d` as the notebook on screen (fresh cell views, no outputs). */
  const showDoc = (d: NotebookDoc) => {
    disposeCells();
    doc = d;
    showPath(d);
    body.replaceChildren();
    for (const cell of d.cells) insertCellView(cell, cells.length);
    body.append(addBar(() => cells.length));
  };

  // ---- cells ---------------------------------------------------------------------------------
  const addBar = (indexOf: () => number) =>
    h(
      'div',
      { class: 'nb-addbar' },
      h(
        'button',
        { class: 'btn ghost', onclick: () => addCell('code', indexOf()) },
        svgIcon(icons.plus),
        'Code',
      ),
      h(
        'button',
        { class: 'btn ghost', onclick: () => addCell('markdown', indexOf()) },
        svgIcon(icons.plus),
        'Text',
      ),
    );

  const insertCellView = (cell: CellDoc, index: number) => {
    const gutter = h('div', { class: 'nb-gutter' }, cell.kind === 'code' ? '[ ]' : '');
    const editorHost = h('div', { class: 'nb-editor' });
    const outputs = h('div', { class: 'nb-outputs', 'data-testid': 'cell-outputs', 'aria-live': 'polite' });
    const tools = h('div', { class: 'nb-celltools' });
    const el = h(
      'div',
      { class: `nb-cell nb-${cell.kind}`, 'data-cell-id': cell.id, 'data-testid': 'cell', tabindex: '-1' },
      gutter,
      h('div', { class: 'nb-main' }, editorHost, outputs),
      tools,
    );
    const view: CellView = { cell, el, editorHost, outputs, gutter, editing: cell.kind === 'code' };
    const tool = (icon: string, label: string, fn: () => void) =>
      h(
        'button',
        { class: 'btn ghost icon-only', title: label, 'aria-label': accessibleName(label), onclick: fn },
        svgIcon(icon),
      );
    if (cell.kind === 'code') tools.append(tool(icons.play, 'Run cell (Shift+Enter)', () => run([cell.id])));
    tools.append(
      tool(icons.up, 'Move up', () => move(view, -1)),
      tool(icons.down, 'Move down', () => move(view, 1)),
      tool(icons.trash, 'Delete cell', () => remove(view)),
    );
    const before = cells[index]?.el ?? body.querySelector('.nb-addbar');
    body.insertBefore(el, before ?? null);
    cells.splice(index, 0, view);
    if (cell.kind === 'code') createEditor(view);
    else renderProse(view);
    return view;
  };

  const createEditor = (view: CellView) => {
    const lang = view.cell.kind === 'code' ? 'typescript' : 'markdown';
    modelSeq += 1;
    const uri = monaco.Uri.parse(
      `file:///notebook/cell-${modelSeq}-${view.cell.id}.${lang === 'typescript' ? 'ts' : 'md'}`,
    );
    const model = monaco.editor.createModel(view.cell.source, lang, uri);
    const editor = monaco.editor.create(view.editorHost, {
      model,
      theme: 'pinpoint-dark',
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      automaticLayout: true,
      fontSize: 13,
      fontFamily: "'JetBrains Mono', 'Cascadia Code', Menlo, 'DejaVu Sans Mono', monospace",
      lineNumbers: lang === 'typescript' ? 'on' : 'off',
      lineNumbersMinChars: 3,
      folding: false,
      glyphMargin: false,
      renderLineHighlight: 'line',
      overviewRulerLanes: 0,
      hideCursorInOverviewRuler: true,
      scrollbar: {
        vertical: 'hidden',
        horizontal: 'auto',
        horizontalScrollbarSize: 6,
        alwaysConsumeMouseWheel: false,
        useShadows: false,
      },
      padding: { top: 8, bottom: 8 },
      wordWrap: lang === 'markdown' ? 'on' : 'off',
      fixedOverflowWidgets: true,
      tabSize: 2,
    });
    const fit = () => {
      const height = Math.max(editor.getContentHeight(), 38);
      view.editorHost.style.height = `${height}px`;
      editor.layout();
    };
    editor.onDidContentSizeChange(fit);
    fit();
    editor.onDidChangeModelContent(() => {
      view.cell.source = model.getValue();
      markDirty();
    });
    editor.addAction({
      id: 'pinpoint.runCellAdvance',
      label: 'Run cell and select below',
      keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter],
      run: () => {
        if (view.cell.kind === 'markdown') finishProseEdit(view);
        else run([view.cell.id]);
        focusCell(cells.indexOf(view) + 1);
      },
    });
    editor.addAction({
      id: 'pinpoint.runCell',
      label: 'Run cell',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
      run: () => (view.cell.kind === 'markdown' ? finishProseEdit(view) : run([view.cell.id])),
    });
    editor.onDidFocusEditorText(() => {
      for (const c of cells) c.el.classList.toggle('focused', c === view);
    });
    view.editor = editor;
    view.model = model;
  };

  const renderProse = (view: CellView) => {
    view.editing = false;
    view.editorHost.replaceChildren();
    view.editorHost.style.height = '';
    const prose = h('div', {
      class: 'prose',
      title: 'Double-click to edit',
      ondblclick: () => editProse(view),
    });
    prose.innerHTML = view.cell.source.trim()
      ? renderMarkdown(view.cell.source)
      : '<p class="muted">Empty text cell — double-click to edit</p>';
    view.editorHost.append(prose);
  };
  const editProse = (view: CellView) => {
    if (view.editing) return;
    view.editing = true;
    view.editorHost.replaceChildren();
    createEditor(view);
    view.editor?.focus();
  };
  const finishProseEdit = (view: CellView) => {
    disposeEditor(view);
    renderProse(view);
  };

  const disposeEditor = (view: CellView) => {
    view.editor?.dispose();
    view.model?.dispose();
    view.editor = undefined;
    view.model = undefined;
  };
  const disposeCells = () => {
    for (const c of cells) disposeEditor(c);
    cells = [];
  };

  /** Focuses the first code cell at or after index i (prose cells are read, not run). */
  const focusCell = (i: number) => {
    const target = cells.slice(i).find((c) => c.editor) ?? cells[i];
    if (!target) return;
    target.el.scrollIntoView({ block: 'nearest' });
    if (target.editor) target.editor.focus();
    else target.el.focus();
  };

  const addCell = (kind: CellDoc['kind'], index = cells.length) => {
    if (!doc) return;
    const ids = new Set(cells.map((c) => c.cell.id));
    let n = cells.length + 1;
    while (ids.has(`cell-${n}`)) n++;
    const cell: CellDoc = { id: `cell-${n}`, kind, source: '' };
    const view = insertCellView(cell, index);
    markDirty();
    if (kind === 'markdown') editProse(view);
    else view.editor?.focus();
  };
  const move = (view: CellView, delta: number) => {
    const i = cells.indexOf(view);
    const j = i + delta;
    if (j < 0 || j >= cells.length) return;
    cells.splice(i, 1);
    cells.splice(j, 0, view);
    const anchor = cells[j + 1]?.el ?? body.querySelector('.nb-addbar');
    body.insertBefore(view.el, anchor ?? null);
    markDirty();
    view.editor?.focus();
  };
  const remove = (view: CellView) => {
    const i = cells.indexOf(view);
    disposeEditor(view);
    view.el.remove();
    cells.splice(i, 1);
    markDirty();
    ctx.showStatus(`Deleted cell ${view.cell.id}`);
  };

  const currentDoc = (): NotebookDoc | null =>
    doc ? { ...doc, cells: cells.map((c) => ({ ...c.cell })) } : null;

  // ---- running -------------------------------------------------------------------------------
  const run = async (cellIds: string[]) => {
    const d = currentDoc();
    if (!d || cellIds.length === 0) return;
    try {
      for (const c of cells)
        if (c.cell.kind === 'code' && cellIds.includes(c.cell.id)) setCellState(c, 'queued');
      const started = await ctx.api.call('notebook.run', { path: d.path, doc: d, cellIds });
      // Runs queue in the backend: a new one starts when the current one ends.
      jobId = started.jobId;
      setRunning(true);
      adopt(started.jobId);
    } catch (err) {
      for (const c of cells) setCellState(c, 'idle');
      ctx.showError(err, 'Run');
    }
  };
  const runAll = () => run(cells.filter((c) => c.cell.kind === 'code').map((c) => c.cell.id));
  const cancel = () => {
    for (const id of activeJobs) ctx.api.call('jobs.cancel', { id }).catch((e) => ctx.showError(e, 'Cancel'));
  };
  const clearOutputs = () => {
    for (const c of cells) {
      c.outputs.replaceChildren();
      c.el.classList.remove('has-error');
    }
  };

  const setCellState = (c: CellView, state: 'queued' | 'running' | 'idle') => {
    c.el.classList.toggle('queued', state === 'queued');
    c.el.classList.toggle('running', state === 'running');
    if (c.cell.kind !== 'code') return;
    if (state === 'running') c.gutter.replaceChildren(h('span', { class: 'spinner' }));
    else if (state === 'queued') c.gutter.textContent = '[*]';
    else c.gutter.textContent = c.count ? `[${c.count}]` : '[ ]';
  };

  const showResult = (r: CellResult) => {
    const c = cells.find((x) => x.cell.id === r.cellId);
    if (!c) return;
    runCounter += 1;
    c.count = runCounter;
    setCellState(c, 'idle');
    delete c.el.dataset.streaming;
    c.el.classList.toggle('has-error', r.status !== 'ok');
    c.el.dataset.status = r.status;
    c.outputs.replaceChildren();
    for (const o of r.outputs) renderOutput(c.outputs, o, ctx);
    if (r.error || r.status !== 'ok') {
      const where = r.error?.line ? ` (line ${r.error.line})` : '';
      const label =
        r.status === 'timeout' ? 'Time limit exceeded' : r.status === 'cancelled' ? 'Cancelled' : 'Error';
      c.outputs.append(
        h(
          'div',
          { class: `output output-error status-${r.status}`, 'data-testid': 'cell-error' },
          h('div', { class: 'output-title' }, `${label}${where}`),
          h('pre', {}, r.error?.message ?? r.status),
        ),
      );
      if (r.error?.line && c.editor && c.model && r.status === 'error') {
        monaco.editor.setModelMarkers(c.model, 'pinpoint-run', [
          {
            severity: monaco.MarkerSeverity.Error,
            message: r.error.message,
            startLineNumber: r.error.line,
            endLineNumber: r.error.line,
            startColumn: 1,
            endColumn: 1000,
          },
        ]);
      }
    } else if (c.model) monaco.editor.setModelMarkers(c.model, 'pinpoint-run', []);
    c.outputs.append(
      h('div', { class: 'nb-meta' }, `${r.status === 'ok' ? '✓' : '✗'} ${formatMs(r.durationMs)}`),
    );
  };

  // A fast run's events can arrive (over SSE/IPC) before the reply to notebook.run that names its
  // job: keep recent events of unknown jobs and replay them once the job id is known.
  const early: ServerEvent[] = [];
  const jobOf = (e: ServerEvent) => (e.type === 'job' ? e.job.id : 'jobId' in e ? e.jobId : null);
  ctx.onEvent((e: ServerEvent) => {
    const id = jobOf(e);
    if (id && !myJobs.has(id)) {
      early.push(e);
      if (early.length > 500) early.shift();
      return;
    }
    handleEvent(e);
  });
  const adopt = (id: string) => {
    myJobs.add(id);
    activeJobs.add(id);
    const mine = early.filter((e) => jobOf(e) === id);
    for (let i = early.length - 1; i >= 0; i--) if (jobOf(early[i]) === id) early.splice(i, 1);
    for (const e of mine) handleEvent(e);
  };

  function handleEvent(e: ServerEvent): void {
    if (!doc) return;
    if (e.type === 'cell' && myJobs.has(e.jobId)) {
      const c = cells.find((x) => x.cell.id === e.cellId);
      if (c) setCellState(c, 'running');
    } else if (e.type === 'cell-output' && myJobs.has(e.jobId)) {
      // Live output while the cell runs (replaced by the full list when the cell ends).
      const c = cells.find((x) => x.cell.id === e.cellId);
      if (c) {
        if (!c.el.dataset.streaming) {
          c.el.dataset.streaming = '1';
          c.outputs.replaceChildren();
        }
        renderOutput(c.outputs, e.output, ctx);
      }
    } else if (e.type === 'cell-result' && myJobs.has(e.jobId)) {
      if (e.result.status === 'error' || e.result.status === 'timeout') failedJobs.add(e.jobId);
      showResult(e.result);
    } else if (e.type === 'job' && activeJobs.has(e.job.id) && e.job.state !== 'running') {
      activeJobs.delete(e.job.id);
      // A failure no cell reported (e.g. the kernel could not start) must still reach the user.
      if (e.job.state === 'failed' && !failedJobs.has(e.job.id))
        ctx.showError(e.job.error ?? 'the run failed', e.job.title);
      if (activeJobs.size === 0) {
        jobId = null;
        setRunning(false);
        for (const c of cells)
          if (c.el.classList.contains('queued') || c.el.classList.contains('running'))
            setCellState(c, 'idle');
      }
      ctx.showStatus(`${e.job.title}: ${e.job.state}`);
    }
  }

  // ---- save/open -----------------------------------------------------------------------------
  const save = async () => {
    const d = currentDoc();
    if (!d) return;
    try {
      // An autosave still in flight must not recreate the recovery file after the save deletes it.
      if (autosaveTimer) clearTimeout(autosaveTimer);
      autosaveTimer = undefined;
      await autosaveChain;
      const r = await ctx.api.call('notebook.save', { path: d.path, doc: d });
      markDirty(false);
      ctx.showStatus(`Saved ${r.path} (${r.bytes} bytes)`);
    } catch (err) {
      ctx.showError(err, 'Save');
    }
  };
  const newNotebook = async () => {
    try {
      const { path } = await ctx.api.call('notebook.create', {});
      ctx.openView('notebook', { path });
    } catch (err) {
      ctx.showError(err, 'New notebook');
    }
  };
  /**
   * HTML report: the backend runs the notebook as shown from a fresh kernel (as `pinpoint run --html`)
   * and writes <data>/reports/<name>.html; the page also offers the report as a download.
   */
  const exportHtml = async () => {
    const d = currentDoc();
    if (!d) return;
    ctx.showStatus(`Exporting ${d.title}: running every cell…`);
    try {
      const r = await ctx.api.call('notebook.exportHtml', { path: d.path, doc: d });
      const a = h('a', {
        href: URL.createObjectURL(new Blob([r.html], { type: 'text/html' })),
        download: r.path.split('/').pop() ?? 'report.html',
      }) as HTMLAnchorElement;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      ctx.showStatus(`Report ${r.ok ? '' : '(some cells failed) '}saved to ${r.path} (${r.bytes} bytes)`);
    } catch (err) {
      ctx.showError(err, 'Export HTML');
    }
  };
  /**
   * Save As: Electron asks the main process for the native dialog (which also allows the picked path);
   * browser mode shows the in-app dialog limited to the folders the backend allows.
   */
  const saveAs = async () => {
    const d = currentDoc();
    if (!d) return;
    const write = async (path: string, overwrite: boolean) => {
      if (autosaveTimer) clearTimeout(autosaveTimer);
      autosaveTimer = undefined;
      await autosaveChain;
      const latest = currentDoc() ?? d;
      const r = await ctx.api.call('notebook.saveAs', { path, doc: latest, overwrite });
      if (doc) doc.path = r.path;
      markDirty(false);
      if (doc) showPath(doc);
      ctx.showStatus(`Saved as ${r.path} (${r.bytes} bytes)`);
      // The URL follows the file (the same-path update is a no-op, so nothing reloads).
      ctx.openView('notebook', { path: r.path });
    };
    try {
      if (ctx.api.mode === 'electron') {
        const picked = await ctx.api.call('dialog.saveAs', { kind: 'notebook', defaultPath: d.path });
        if (!picked.path) return;
        try {
          await write(picked.path, picked.overwriteConfirmed);
        } catch (err) {
          const exists = (err as { code?: string }).code === 'exists';
          if (!exists || !confirm(`${picked.path} already exists. Replace it?`)) throw err;
          await write(picked.path, true);
        }
        return;
      }
      const info = await ctx.api.call('app.info', {});
      await saveAsDialog({
        title: 'Save notebook as',
        roots: [
          { label: 'Data folder', path: info.dataDir },
          { label: 'Project notebooks', path: `${info.repoRoot.replace(/\/+$/, '')}/notebooks` },
        ],
        currentPath: d.path,
        extension: '.md',
        save: write,
        signal: ctx.signal,
      });
    } catch (err) {
      ctx.showError(err, 'Save As');
    }
  };
  const openPicker = () => ctx.openView('notebook', {});

  ctx.addCommand({ id: 'notebook.save', title: 'Notebook: Save', shortcut: 'Ctrl+S', run: save });
  ctx.addCommand({
    id: 'notebook.saveAs',
    title: 'Notebook: Save As…',
    shortcut: 'Ctrl+Shift+S',
    run: saveAs,
  });
  ctx.addCommand({ id: 'notebook.runAll', title: 'Notebook: Run all cells', run: runAll });
  ctx.addCommand({ id: 'notebook.new', title: 'Notebook: New notebook', run: () => void newNotebook() });
  ctx.addCommand({
    id: 'notebook.exportHtml',
    title: 'Notebook: Export HTML report',
    run: () => void exportHtml(),
  });
  ctx.addCommand({ id: 'notebook.cancel', title: 'Notebook: Cancel the run', run: cancel });
  ctx.addCommand({ id: 'notebook.addCode', title: 'Notebook: Add code cell', run: () => addCell('code') });
  ctx.addCommand({
    id: 'notebook.addText',
    title: 'Notebook: Add text cell',
    run: () => addCell('markdown'),
  });
  ctx.addCommand({ id: 'notebook.clear', title: 'Notebook: Clear outputs', run: clearOutputs });
  ctx.addCommand({ id: 'notebook.home', title: 'Notebook: Show all notebooks', run: openPicker });

  const open = (params: Readonly<Record<string, string>>) => {
    if (params.path) void load(params.path);
    else showHome().catch((err) => ctx.showError(err, 'Listing notebooks'));
  };
  open(ctx.params);
  return {
    update(params) {
      if (doc && params.path === doc.path) return;
      if (dirty && doc && !confirm(`Discard unsaved changes to ${doc.title}?`)) {
        // Stay: put the URL back on this notebook (the same-path update above then does nothing).
        location.replace(`#/notebook?path=${encodeURIComponent(doc.path)}`);
        return;
      }
      if (dirty && doc) {
        // The user chose to discard: after any autosave still in flight, so it cannot come back.
        const path = doc.path;
        markDirty(false);
        autosaveChain = autosaveChain.then(() =>
          ctx.api.call('notebook.recovery.discard', { path }).then(
            () => undefined,
            () => undefined,
          ),
        );
      }
      if (jobId) cancel();
      markDirty(false);
      open(params);
    },
    unmount() {
      // Edits left for another view are autosaved now, not after the delay (the page may close next).
      if (dirty) void autosaveNow();
      mountedDirty = false;
      flushAutosave = null;
      const d = currentDoc();
      if (d)
        stashes.set(d.path, {
          doc: d,
          dirty,
          outputs: new Map(
            cells.map((c) => [
              c.cell.id,
              { nodes: [...c.outputs.childNodes], gutter: c.gutter.textContent ?? '', count: c.count },
            ]),
          ),
        });
      disposeCells();
    },
  };
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
