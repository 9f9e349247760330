/**
 * Drag-and-drop in browser mode: a dropped proof (.pinproof), notebook (.md) or ONNX model (.onnx)
 * has no path the page could pass on, so its bytes are uploaded ('files.import', see upload.ts) into
 * the data folder's imports/, checked there, and opened in the view that shows its kind. Big files
 * show their progress in the status bar (with cancel); a rejected file gets a toast and an
 * error-panel entry naming it. Two proofs dropped at once open compared (#/proof?path=a&compare=b). In Electron the main process opens dropped files by path instead.
 */
import type { ApiClient } from '../../shared/api.ts';
import { h } from './dom.ts';
import { showError } from './errors.ts';
import type { StatusBar } from './statusbar.ts';
import { CHUNK_BYTES, type ImportDone, uploadFile } from './upload.ts';

export function installDrop(
  api: ApiClient,
  status: StatusBar,
  openView: (id: string, params: Record<string, string>) => void,
): { pickFiles(): void } | null {
  if (api.mode === 'electron') return null; // will-navigate in electron-main.ts opens the dropped path.
  let overlay: HTMLElement | null = null;
  let depth = 0;
  const hide = () => {
    depth = 0;
    overlay?.remove();
    overlay = null;
  };
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    depth += 1;
    overlay ??= document.body.appendChild(
      h(
        'div',
        { class: 'drop-overlay', 'data-testid': 'drop-overlay' },
        'Drop a proof (.pinproof), notebook (.md) or ONNX model (.onnx) to open it',
      ),
    );
  });
  window.addEventListener('dragleave', () => {
    depth -= 1;
    if (depth <= 0) hide();
  });
  window.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  window.addEventListener('drop', (e) => {
    hide();
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    void importAll(files);
  });

  // "Upload and open…": the browser's file chooser, then the same import as a drop.
  const input = h('input', {
    type: 'file',
    multiple: '',
    accept: '.pinproof,.md,.onnx',
    hidden: '',
    'data-testid': 'upload-input',
  }) as HTMLInputElement;
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) void importAll(files);
  });
  document.body.append(input);

  const importAll = async (files: File[]) => {
    let last: ImportDone | null = null;
    const proofs: string[] = [];
    for (const file of files) {
      const r = await importOne(file);
      if (r) last = r;
      if (r?.kind === 'proof') proofs.push(r.path);
    }
    // Two proofs dropped together: compared (the Proof view overlays them; another task gets a clear message).
    if (proofs.length === 2) openView('proof', { path: proofs[0], compare: proofs[1] });
    // Several files: each is imported; the last good one is shown (the others are in Recent).
    else if (last) openView(last.view, { path: last.path });
  };

  const importOne = async (file: File): Promise<ImportDone | null> => {
    const abort = new AbortController();
    // Small files finish at once: only show a progress item for files of more than one chunk.
    const transfer = file.size > CHUNK_BYTES ? status.transfer(`Import ${file.name}`, abort) : null;
    try {
      const r = await uploadFile((args) => api.call('files.import', args), file, {
        signal: abort.signal,
        onProgress: (done, total) => transfer?.progress(done, total),
      });
      status.message(
        `${r.reused ? 'Already imported' : 'Imported'} ${file.name} → ${r.path} (${formatBytes(r.size)})`,
      );
      return r;
    } catch (err) {
      showError(err, `Importing ${file.name}`);
      return null;
    } finally {
      transfer?.end();
    }
  };
  return { pickFiles: () => input.click() };
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
