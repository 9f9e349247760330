/**
 * The Electron IPC transport's logic, kept free of any `electron` import so tests can drive it with
 * the real backend (Electron itself passes the backend reached over HTTP, remote-backend.ts):
 * electron-main.ts registers `ipcMain.handle(IPC_CALL, (event, payload) => handleIpcCall(backend, payload,
 * senderUrl))` and forwards backend events to the window with `webContents.send(IPC_EVENT, event)`.
 */
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { CallResponse } from '../shared/api.ts';
import type { BackendLike } from './remote-backend.ts';

/** Only our own renderer may call the backend (a navigated-away or injected frame may not). */
export function isTrustedSender(url: string | undefined): boolean {
  return typeof url === 'string' && url.startsWith('app://pinpoint/');
}

/** Methods the Electron main process answers itself (native dialogs), by name. */
export type LocalHandlers = Record<string, (args: unknown) => Promise<unknown>>;

/** What electron-main passes in: `dialog.showSaveDialog(win, opts)` (a stub in tests). */
export type ShowSaveDialog = (opts: {
  title: string;
  defaultPath?: string;
  filters: { name: string; extensions: string[] }[];
}) => Promise<{ canceled: boolean; filePath?: string }>;

/**
 * The native dialogs behind 'dialog.*' (ElectronApi in desktop/shared/api.ts). The path the user picks
 * is allowed for writing through the backend's admin channel, which only the main process can use.
 */
export function createDialogHandlers(backend: BackendLike, showSaveDialog: ShowSaveDialog): LocalHandlers {
  return {
    async 'dialog.saveAs'(args) {
      const { defaultPath, kind } = (args ?? {}) as { defaultPath?: unknown; kind?: unknown };
      if (kind !== 'notebook') throw new Error(`dialog.saveAs: cannot save a ${JSON.stringify(kind)}`);
      const picked = await showSaveDialog({
        title: 'Save Notebook As',
        defaultPath: typeof defaultPath === 'string' ? defaultPath : undefined,
        filters: [{ name: 'Notebooks', extensions: ['md'] }],
      });
      if (picked.canceled || !picked.filePath) return { path: null, overwriteConfirmed: false };
      // The dialog asked about replacing the name the user typed; with ".md" added, that is another file.
      const typed = picked.filePath;
      const path = typed.toLowerCase().endsWith('.md') ? typed : `${typed}.md`;
      const allowed = await backend.call('admin.allowPath', { path });
      if (!allowed.ok) throw new Error(allowed.error.message);
      return { path: (allowed.result as { path: string }).path, overwriteConfirmed: path === typed };
    },
  };
}

/**
 * The paths of an IPC_DROP message worth opening: from our own page only, absolute, existing regular
 * files (at most 16 per drop). Anything else is ignored.
 */
export function droppedPaths(payload: unknown, senderUrl: string | undefined): string[] {
  if (!isTrustedSender(senderUrl) || !Array.isArray(payload)) return [];
  return payload
    .filter((p): p is string => typeof p === 'string' && isAbsolute(p))
    .filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false)
    .slice(0, 16);
}

export async function handleIpcCall(
  backend: BackendLike,
  payload: unknown,
  senderUrl?: string,
  local: LocalHandlers = {},
): Promise<CallResponse> {
  if (!isTrustedSender(senderUrl)) {
    return {
      ok: false,
      error: { code: 'forbidden', message: `IPC call from an untrusted page (${senderUrl ?? 'unknown'})` },
    };
  }
  if (
    !payload ||
    typeof payload !== 'object' ||
    typeof (payload as { method?: unknown }).method !== 'string'
  ) {
    return {
      ok: false,
      error: { code: 'bad-request', message: 'IPC payload must be { method: string, args }' },
    };
  }
  const { method, args } = payload as { method: string; args?: unknown };
  if (method.startsWith('admin.')) {
    return { ok: false, error: { code: 'forbidden', message: `${method} is reserved for the main process` } };
  }
  // Structured clone already copied the args; JSON round-trip strips anything non-JSON (same as HTTP).
  let clean: unknown;
  try {
    clean = args === undefined ? {} : JSON.parse(JSON.stringify(args));
  } catch (err) {
    return {
      ok: false,
      error: {
        code: 'bad-request',
        message: `${method}: arguments are not JSON (${(err as Error).message})`,
      },
    };
  }
  const own = Object.hasOwn(local, method) ? local[method] : undefined;
  if (own) {
    try {
      return { ok: true, result: await own(clean) };
    } catch (err) {
      return { ok: false, error: { code: 'dialog', message: (err as Error).message ?? String(err) } };
    }
  }
  return backend.call(method, clean);
}
