/**
 * Node adapter: a local EVM started from the project's own code. `startLocalChain` runs Hardhat's EDR
 * (the Rust EVM behind Hardhat Network) in this process and returns its EIP-1193 provider;
 * `serveRpc` exposes any EIP-1193 provider as a JSON-RPC HTTP endpoint, so separate processes (and
 * `pinpoint network deploy --rpc <url>`) reach the same chain. Only this file imports Hardhat.
 */
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './node-compile.ts';

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
}

export interface LocalChain {
  provider: Eip1193;
  chainId: number;
}

/**
 * An in-process EVM (Hardhat Network on EDR): automine, wall-clock timestamps, chain id 31337 by
 * default. Accounts are funded by the caller (`hardhat_setBalance`), so no key material is built in.
 */
export async function startLocalChain(opts: { chainId?: number } = {}): Promise<LocalChain> {
  const chainId = opts.chainId ?? 31337;
  const require = createRequire(import.meta.url);
  const { resolveConfig } = require('hardhat/internal/core/config/config-resolution') as {
    resolveConfig(path: string, user: object): object;
  };
  const { createProvider } = require('hardhat/internal/core/providers/construction') as {
    createProvider(config: object, network: string): Promise<Eip1193>;
  };
  // Hardhat resolves project paths from a config file that must exist; package.json stands in (it is
  // never read as a config — the user config is passed here).
  const config = resolveConfig(join(REPO_ROOT, 'package.json'), {
    networks: {
      hardhat: {
        chainId,
        accounts: { count: 1 },
        loggingEnabled: false,
        // Wall-clock timestamps even at many blocks per second: otherwise each block is forced one
        // second past the previous one and on-chain deadlines would run ahead of real time.
        allowBlocksWithSameTimestamp: true,
      },
    },
  });
  const provider = await createProvider(config, 'hardhat');
  return { provider, chainId };
}

export interface RpcServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** JSON-RPC 2.0 over HTTP (single and batch requests) in front of an EIP-1193 provider; 127.0.0.1 only. */
export function serveRpc(provider: Eip1193, opts: { port?: number; host?: string } = {}): Promise<RpcServer> {
  const host = opts.host ?? '127.0.0.1';
  const answer = async (req: { id?: unknown; method?: unknown; params?: unknown }) => {
    try {
      if (typeof req.method !== 'string')
        throw Object.assign(new Error('method must be a string'), { code: -32600 });
      const result = await provider.request({ method: req.method, params: (req.params ?? []) as unknown[] });
      return { jsonrpc: '2.0', id: req.id ?? null, result };
    } catch (err) {
      const e = err as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: '2.0',
        id: req.id ?? null,
        error: {
          code: typeof e.code === 'number' ? e.code : -32603,
          message: e.message ?? String(err),
          data: e.data,
        },
      };
    }
  };
  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }),
        );
        return;
      }
      const out = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body as object);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        server,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
