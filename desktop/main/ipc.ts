/**
 * The Electron IPC transport's logic, kept free of any `electron` import so tests can drive it with
 * the real backend (Electron itself passes the backend reached over HTTP, remote-backend.ts):
 * electron-main.ts registers `ipcMain.handle(IPC_CALL, (event, payload) => handleIpcCall(backend, payload,
 * senderUrl))` and forwards backend events to the window with `webContents.send(IPC_EVENT, event)`.
 */
import type { CallResponse } from '../shared/api.ts';
import type { BackendLike } from './remote-backend.ts';

/** Only our own renderer may call the backend (a navigated-away or injected frame may not). */
export function isTrustedSender(url: string | undefined): boolean {
  return typeof url === 'string' && url.startsWith('app://pinpoint/');
}

export async function handleIpcCall(
  backend: BackendLike,
  payload: unknown,
  senderUrl?: string,
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
  return backend.call(method, clean);
}
