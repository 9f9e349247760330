/**
 * Browser mode: a local HTTP server bound to 127.0.0.1 that serves the built renderer and exposes the
 * backend API — POST /api/call `{ method, args }` → CallResponse, GET /api/events → Server-Sent Events.
 *
 * Another web page must not be able to drive it (it can run code and write files):
 * - every API request carries the random per-start token (header `x-pinpoint-token`; the events stream,
 *   which EventSource opens without headers, takes `?token=`), compared in constant time;
 * - the Host header must name this server by a loopback name (defeats DNS rebinding) and an Origin
 *   header, when present, must be this server's own origin (defeats cross-site requests);
 * - no CORS headers are ever sent, API calls require `content-type: application/json` (so a form post
 *   cannot reach them without a preflight that is refused);
 * - the page gets a strict Content-Security-Policy.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ServerEvent } from '../shared/api.ts';
import type { Backend } from './backend/index.ts';

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Monaco injects <style> elements at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

const MAX_BODY = 32 * 1024 * 1024;

export interface ServerOptions {
  backend: Backend;
  /** Folder with the built renderer (index.html + assets). */
  staticDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token (tests); default: 24 random bytes, hex. */
  token?: string;
  /**
   * Second token for 'admin.*' methods (e.g. allowing a path the user picked in a native dialog):
   * given only to the Electron main process, never to a page. Default: random.
   */
  adminToken?: string;
}

export interface RunningServer {
  url: string;
  /** url with ?token=… : what the user opens. */
  openUrl: string;
  port: number;
  token: string;
  adminToken: string;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const tokenBuf = Buffer.from(token);
  const adminToken = opts.adminToken ?? randomBytes(24).toString('hex');
  const adminBuf = Buffer.from(adminToken);
  const staticDir = resolve(opts.staticDir);
  const streams = new Set<ServerResponse>();
  let port = 0;

  const tokenOk = (given: string | null | undefined) => {
    if (!given) return false;
    const b = Buffer.from(given);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };

  const adminOk = (given: string | undefined) => {
    if (!given) return false;
    const b = Buffer.from(given);
    return b.length === adminBuf.length && timingSafeEqual(b, adminBuf);
  };

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const host = req.headers.host ?? '';
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (!allowedHosts.includes(host.toLowerCase()))
      return send(res, 403, `forbidden: Host "${host}" is not this local server`);
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`))
      return send(res, 403, `forbidden: Origin "${origin}" is not this local server`);
    const url = new URL(req.url ?? '/', `http://${host}`);

    if (url.pathname === '/api/call') {
      if (req.method !== 'POST') return send(res, 405, 'use POST');
      if (!tokenOk(req.headers['x-pinpoint-token'] as string | undefined))
        return send(res, 401, 'missing or wrong token');
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
        return send(res, 415, 'content-type must be application/json');
      let body: { method?: unknown; args?: unknown };
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        return send(res, 400, `bad request body: ${(err as Error).message}`);
      }
      const method = String(body.method);
      if (method.startsWith('admin.') && !adminOk(req.headers['x-pinpoint-admin'] as string | undefined))
        return send(res, 403, `${method} is reserved for the desktop app's main process`);
      const out = await opts.backend.call(method, body.args);
      return send(res, 200, JSON.stringify(out), 'application/json; charset=utf-8');
    }
    if (url.pathname === '/api/events') {
      if (!tokenOk(url.searchParams.get('token'))) return send(res, 401, 'missing or wrong token');
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        ...SECURITY_HEADERS,
      });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (url.pathname.startsWith('/api/')) return send(res, 404, 'no such API endpoint');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');

    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!tokenOk(url.searchParams.get('token')))
        return send(
          res,
          401,
          'Pinpoint: open the URL printed by `pinpoint serve` (it carries an access token).',
        );
      const html = await readFile(join(staticDir, 'index.html'), 'utf8');
      // The page reads its token from this meta tag (kept out of the URL after load).
      const page = html.replace('<head>', `<head>\n<meta name="pinpoint-token" content="${token}">`);
      res.writeHead(200, {
        'content-type': MIME['.html'],
        'cache-control': 'no-store',
        'content-security-policy': CSP,
        ...SECURITY_HEADERS,
      });
      return res.end(page);
    }
    // Static assets of the built renderer (public code: no token, but Host/Origin checked above).
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    const file = resolve(staticDir, rel);
    if (!file.startsWith(staticDir + sep)) return send(res, 403, 'forbidden path');
    const s = await stat(file).catch(() => null);
    if (!s?.isFile()) return send(res, 404, 'not found');
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': s.size,
      'cache-control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error('pinpoint serve: request failed:', err);
      if (!res.headersSent) send(res, 500, `internal error: ${(err as Error).message}`);
      else res.end();
    });
  });
  const unsubscribe = opts.backend.subscribe((event: ServerEvent) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const s of streams) s.write(frame);
  });
  // Keep proxies/browsers from timing the stream out.
  const heartbeat = setInterval(() => {
    for (const s of streams) s.write(': ping\n\n');
  }, 15_000);
  heartbeat.unref();

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    openUrl: `${url}?token=${token}`,
    port,
    token,
    adminToken,
    server,
    async close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const s of streams) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
