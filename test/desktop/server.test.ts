/**
 * Browser-mode server security: a page on another origin, a DNS-rebinding Host, or a request without
 * the per-start token cannot use the API; the page gets a strict CSP; the events stream works.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import { type RunningServer, startServer } from '../../desktop/main/server.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (lets the test set Host/Origin as an attacker would). */
function raw(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

describe('browser-mode server', { timeout: 60_000 }, () => {
  let backend: Backend;
  let server: RunningServer;
  let dir: string;
  let host: string;
  const api = (headers: Record<string, string>, body = JSON.stringify({ method: 'app.info', args: {} })) =>
    raw(server.port, {
      method: 'POST',
      path: '/api/call',
      headers: { host, 'content-type': 'application/json', ...headers },
      body,
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinpoint-server-'));
    const staticDir = join(dir, 'static');
    await mkdir(join(staticDir, 'assets'), { recursive: true });
    await writeFile(
      join(staticDir, 'index.html'),
      '<!doctype html><html><head><title>t</title></head><body></body></html>',
    );
    await writeFile(join(staticDir, 'assets/app.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'secret');
    backend = await createBackend({ repoRoot: REPO, dataDir: join(dir, 'data'), mode: 'browser' });
    server = await startServer({ backend, staticDir });
    host = `127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server.close();
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 and prints a URL with a 48-hex-digit token', () => {
    assert.match(server.openUrl, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    const addr = server.server.address();
    assert.equal(typeof addr === 'object' && addr?.address, '127.0.0.1');
  });

  it('serves the page only with the token, with a strict CSP and the token for the client', async () => {
    const without = await raw(server.port, { path: '/', headers: { host } });
    assert.equal(without.status, 401);
    const wrong = await raw(server.port, { path: `/?token=${'0'.repeat(48)}`, headers: { host } });
    assert.equal(wrong.status, 401);
    const ok = await raw(server.port, { path: `/?token=${server.token}`, headers: { host } });
    assert.equal(ok.status, 200);
    const csp = String(ok.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline or eval scripts');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(ok.body.includes(`<meta name="pinpoint-token" content="${server.token}">`));
    assert.equal(ok.headers['x-frame-options'], 'DENY');
  });

  it('answers API calls only with the token header and a JSON body', async () => {
    const good = await api({ 'x-pinpoint-token': server.token });
    assert.equal(good.status, 200);
    const parsed = JSON.parse(good.body) as { ok: boolean; result: { mode: string } };
    assert.equal(parsed.ok, true);
    assert.equal(parsed.result.mode, 'browser');
    assert.equal((await api({})).status, 401);
    assert.equal((await api({ 'x-pinpoint-token': server.token.slice(0, -1) })).status, 401);
    // A form post (no preflight) cannot send JSON: refused.
    assert.equal((await api({ 'x-pinpoint-token': server.token, 'content-type': 'text/plain' })).status, 415);
    // GET is not an API call.
    assert.equal(
      (await raw(server.port, { path: '/api/call', headers: { host, 'x-pinpoint-token': server.token } }))
        .status,
      405,
    );
  });

  it('refuses other origins and DNS-rebinding hosts even with the token', async () => {
    const evilOrigin = await api({ 'x-pinpoint-token': server.token, origin: 'http://evil.example' });
    assert.equal(evilOrigin.status, 403);
    assert.match(evilOrigin.body, /Origin/);
    const otherPort = await api({
      'x-pinpoint-token': server.token,
      origin: `http://127.0.0.1:${server.port + 1}`,
    });
    assert.equal(otherPort.status, 403);
    const rebinding = await raw(server.port, {
      method: 'POST',
      path: '/api/call',
      headers: {
        host: `evil.example:${server.port}`,
        'content-type': 'application/json',
        'x-pinpoint-token': server.token,
      },
      body: '{"method":"app.info","args":{}}',
    });
    assert.equal(rebinding.status, 403);
    assert.match(rebinding.body, /Host/);
    const sameOrigin = await api({
      'x-pinpoint-token': server.token,
      origin: `http://127.0.0.1:${server.port}`,
    });
    assert.equal(sameOrigin.status, 200);
    const localhost = await raw(server.port, {
      path: `/?token=${server.token}`,
      headers: { host: `localhost:${server.port}` },
    });
    assert.equal(localhost.status, 200);
    // No CORS: a preflight gets no Access-Control-Allow-* header.
    const preflight = await raw(server.port, {
      method: 'OPTIONS',
      path: '/api/call',
      headers: { host, origin: 'http://evil.example' },
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('serves built assets but nothing outside the static folder', async () => {
    const asset = await raw(server.port, { path: '/assets/app.js', headers: { host } });
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt']) {
      const r = await raw(server.port, { path, headers: { host } });
      assert.ok(r.status === 403 || r.status === 404, `${path} → ${r.status}`);
      assert.ok(!r.body.includes('secret'), path);
    }
  });

  it('streams backend events to token holders only', async () => {
    assert.equal((await raw(server.port, { path: '/api/events', headers: { host } })).status, 401);
    const got = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `/api/events?token=${server.token}`,
          headers: { host },
        },
        (res) => {
          assert.equal(res.headers['content-type'], 'text/event-stream');
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            buf += c;
            if (buf.includes('"type":"log"')) {
              req.destroy();
              resolve(buf);
            } else if (buf.includes(': connected'))
              backend.context.emit({ type: 'log', level: 'info', message: 'hello stream' });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.match(got, /data: \{"type":"log","level":"info","message":"hello stream"\}/);
  });
});
