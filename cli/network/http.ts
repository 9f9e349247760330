/** Small HTTP/JSON helpers for the party processes: a router with clear JSON errors, and a POST with a deadline. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (body: unknown) => Promise<unknown>;

const MAX_BODY = 8 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (chunks.length === 0) return resolve(null);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** Serves `routes` ("GET /v1/hello", "POST /v1/ask" …) on 127.0.0.1; errors answer { error } with 4xx/5xx. */
export function serveJson(
  routes: Record<string, Handler>,
  port = 0,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const route = routes[`${req.method} ${req.url?.split('?')[0]}`];
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (!route) return reply(404, { error: `no route ${req.method} ${req.url}` });
    try {
      reply(200, await route(await readBody(req)));
    } catch (err) {
      const e = err as Error & { status?: number; code?: string };
      const status = e instanceof HttpError ? e.status : e.name === 'ProtocolError' ? 400 : 500;
      reply(status, { error: e.message, code: e.code });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${p}` });
    });
  });
}

export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const value = (await res.json().catch(() => null)) as { error?: string } | null;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}: ${value?.error ?? 'no body'}`);
  return value;
}

export const getJson = (url: string, timeoutMs: number) => postJson(url, undefined, timeoutMs);
