/**
 * Browser mode's Save As dialog (Electron uses the native one: 'dialog.saveAs'). The page cannot pick
 * an arbitrary path, so the user chooses one of the folders the backend's path guard allows and types
 * a path relative to it; the full target is shown as they type. The dialog stays open on errors and
 * shows them inline: a path outside the allowed folders (the backend's message), or an existing file,
 * which needs a second, explicit "Overwrite" click.
 */
import { ApiError } from '../../shared/api.ts';
import { h } from './dom.ts';
import { describeError } from './errors.ts';

export interface SaveRoot {
  label: string;
  path: string;
}

export interface SaveAsDialogOptions {
  title: string;
  /** Folders the backend allows writing under (first = default). */
  roots: SaveRoot[];
  /** The file being saved now (suggests the folder and a name). */
  currentPath?: string;
  /** Required extension, e.g. '.md' (added when the typed name lacks it). */
  extension: string;
  /** Does the write; throws ApiError code 'exists' when the file exists and `overwrite` is false. */
  save(path: string, overwrite: boolean): Promise<void>;
  /** Closes the dialog (as cancelled) when aborted — the view that opened it was left. */
  signal?: AbortSignal;
}

let openDialog: HTMLElement | null = null;

export function isSaveDialogOpen(): boolean {
  return openDialog !== null;
}

/** Joins a folder and a path typed relative to it (an absolute path is taken as is). */
export function targetPath(root: string, typed: string, extension: string): string {
  const t = typed.trim();
  if (!t) return '';
  const withExt = t.toLowerCase().endsWith(extension) ? t : `${t}${extension}`;
  return withExt.startsWith('/') ? withExt : `${root.replace(/\/+$/, '')}/${withExt.replace(/^\.\//, '')}`;
}

/** Resolves to the saved path, or null when cancelled. */
export function saveAsDialog(opts: SaveAsDialogOptions): Promise<string | null> {
  openDialog?.remove();
  return new Promise((resolve) => {
    const cur = opts.currentPath ?? '';
    // The folder holding the current file (longest matching root), else the first root.
    const home =
      [...opts.roots]
        .sort((a, b) => b.path.length - a.path.length)
        .find((r) => cur.startsWith(`${r.path.replace(/\/+$/, '')}/`)) ?? opts.roots[0];
    const rel = home && cur.startsWith(home.path) ? cur.slice(home.path.replace(/\/+$/, '').length + 1) : '';
    const suggested = rel
      ? rel.replace(new RegExp(`${opts.extension.replace('.', '\\.')}$`, 'i'), `-copy${opts.extension}`)
      : `untitled${opts.extension}`;

    const select = h(
      'select',
      { 'data-testid': 'saveas-root', 'aria-label': 'Folder' },
      opts.roots.map((r) => h('option', { value: r.path }, `${r.label} — ${r.path}`)),
    );
    if (home) select.value = home.path;
    const input = h('input', {
      class: 'saveas-path',
      'data-testid': 'saveas-path',
      'aria-label': 'Path relative to the folder',
      spellcheck: 'false',
      value: suggested,
    });
    const target = h('div', { class: 'saveas-target', 'data-testid': 'saveas-target' });
    const problem = h('div', { class: 'saveas-error', role: 'alert', 'data-testid': 'saveas-error' });
    const saveBtn = h('button', { class: 'btn primary', 'data-testid': 'saveas-save' }, 'Save');
    const cancelBtn = h('button', { class: 'btn ghost', 'data-testid': 'saveas-cancel' }, 'Cancel');
    let confirmFor: string | null = null;
    let busy = false;

    const path = () => targetPath(select.value, input.value, opts.extension);
    const refresh = () => {
      const p = path();
      target.textContent = p ? `Saves to ${p}` : 'Type a file name';
      if (confirmFor !== p) {
        confirmFor = null;
        saveBtn.textContent = 'Save';
        saveBtn.classList.remove('danger');
        saveBtn.classList.add('primary');
        problem.textContent = '';
      }
      saveBtn.disabled = !p || busy;
    };
    const close = (result: string | null) => {
      overlay.remove();
      if (openDialog === overlay) openDialog = null;
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => close(null);
    opts.signal?.addEventListener('abort', onAbort);
    const submit = async () => {
      const p = path();
      if (!p || busy) return;
      busy = true;
      saveBtn.disabled = true;
      problem.textContent = '';
      try {
        await opts.save(p, confirmFor === p);
        close(p);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'exists') {
          confirmFor = p;
          problem.textContent = `${p} already exists. Click Overwrite to replace it.`;
          saveBtn.textContent = 'Overwrite';
          saveBtn.classList.replace('primary', 'danger');
        } else problem.textContent = describeError(err);
      } finally {
        busy = false;
        saveBtn.disabled = !path();
      }
    };

    saveBtn.addEventListener('click', () => void submit());
    cancelBtn.addEventListener('click', () => close(null));
    select.addEventListener('change', refresh);
    input.addEventListener('input', refresh);
    const dialog = h(
      'div',
      {
        class: 'dialog saveas',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-label': opts.title,
        'data-testid': 'saveas-dialog',
      },
      h('h2', {}, opts.title),
      h('label', {}, h('span', {}, 'Folder'), select),
      h('label', {}, h('span', {}, 'Path'), input),
      target,
      h(
        'div',
        { class: 'muted saveas-note' },
        `Browser mode saves only under these folders (the app's allowed roots). Names end in ${opts.extension}.`,
      ),
      problem,
      h('div', { class: 'saveas-actions' }, cancelBtn, saveBtn),
    );
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close(null);
      } else if (e.key === 'Enter' && e.target === input) {
        e.preventDefault();
        void submit();
      }
    });
    const overlay = h(
      'div',
      { class: 'overlay', onmousedown: (e: MouseEvent) => e.target === overlay && close(null) },
      dialog,
    );
    openDialog = overlay;
    document.body.append(overlay);
    refresh();
    input.focus();
    // Select the name, not the folders, so typing replaces it.
    const slash = input.value.lastIndexOf('/') + 1;
    input.setSelectionRange(slash, input.value.length - opts.extension.length);
  });
}
