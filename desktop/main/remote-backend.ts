/**
 * A Backend reached over browser mode's HTTP API. The Electron main process uses it: the backend
 * runs in the plain Node process that launched Electron (`pinpoint start`), so native modules such as
 * better-sqlite3 keep Node's ABI (no rebuild for Electron), and the Electron main stays a thin shell.
 */
import type { CallResponse, ServerEvent } from '../shared/api.ts';

export interface BackendLike {
  call(method: string, args: unknown): Promise<CallResponse>;
  subscribe(listener: (event: ServerEvent) => void): () => void;
}

export function connectRemoteBackend(
  baseUrl: string,
  token: string,
  adminToken?: string,
): BackendLike & { close(): void } {
  const listeners = new Set<(event: ServerEvent) => void>();
  const abort = new AbortController();
  let streaming = false;
  const origin = new URL(baseUrl).origin;

  const stream = async () => {
    streaming = true;
    while (!abort.signal.aborted) {
      try {
        const res = await fetch(`${origin}/api/events?token=${encodeURIComponent(token)}`, {
          signal: abort.signal,
        });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let end = buf.indexOf('\n\n');
          while (end >= 0) {
            const frame = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (data) {
              const event = JSON.parse(data) as ServerEvent;
              for (const l of listeners) l(event);
            }
            end = buf.indexOf('\n\n');
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      // The stream ended (backend restarting?): retry shortly.
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  return {
    async call(method, args) {
      try {
        const res = await fetch(`${origin}/api/call`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-pinpoint-token': token,
            origin,
            ...(adminToken && method.startsWith('admin.') ? { 'x-pinpoint-admin': adminToken } : {}),
          },
          body: JSON.stringify({ method, args }),
        });
        if (!res.ok)
          return {
            ok: false,
            error: { code: `http-${res.status}`, message: `${method}: ${await res.text()}` },
          };
        return (await res.json()) as CallResponse;
      } catch (err) {
        return {
          ok: false,
          error: {
            code: 'offline',
            message: `${method}: the Pinpoint backend is not reachable (${(err as Error).message})`,
          },
        };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!streaming) void stream();
      return () => listeners.delete(listener);
    },
    close() {
      abort.abort();
      listeners.clear();
    },
  };
}
