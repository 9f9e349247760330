/**
 * The renderer's ApiClient over either transport: Electron's preload bridge (`window.pinpoint`) or,
 * in browser mode, HTTP POST /api/call + an EventSource on /api/events. Both forward any method
 * generically — the contract lives in desktop/shared/api.ts only.
 */
import {
  type ApiClient,
  ApiError,
  type CallResponse,
  type PreloadBridge,
  type ServerEvent,
} from '../../shared/api.ts';

declare global {
  interface Window {
    pinpoint?: PreloadBridge;
  }
}

export function createApiClient(): ApiClient {
  return window.pinpoint ? ipcClient(window.pinpoint) : httpClient(readToken());
}

function unwrap(response: CallResponse): unknown {
  if (response.ok) return response.result;
  throw new ApiError(response.error);
}

function ipcClient(bridge: PreloadBridge): ApiClient {
  return {
    mode: 'electron',
    async call(method, args) {
      return unwrap(await bridge.call(method, args)) as never;
    },
    subscribe(listener) {
      return bridge.onEvent(listener);
    },
  };
}

function readToken(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="pinpoint-token"]')?.content;
  return meta ?? new URLSearchParams(location.search).get('token') ?? '';
}

function httpClient(token: string): ApiClient {
  const listeners = new Set<(event: ServerEvent) => void>();
  let source: EventSource | null = null;
  const connect = () => {
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (m) => {
      const event = JSON.parse(m.data) as ServerEvent;
      for (const l of listeners) l(event);
    };
  };
  return {
    mode: 'browser',
    async call(method, args) {
      let res: Response;
      try {
        res = await fetch('/api/call', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-pinpoint-token': token },
          body: JSON.stringify({ method, args }),
        });
      } catch (err) {
        throw new ApiError({
          code: 'offline',
          message: `${method}: the Pinpoint server is not reachable (${(err as Error).message})`,
        });
      }
      if (!res.ok)
        throw new ApiError({
          code: `http-${res.status}`,
          message: `${method}: ${res.status} ${await res.text()}`,
        });
      return unwrap((await res.json()) as CallResponse) as never;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!source) connect();
      return () => listeners.delete(listener);
    },
  };
}
