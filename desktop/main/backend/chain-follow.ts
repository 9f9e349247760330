/**
 * `ledger.follow { rpc, game }`: the Ledger view follows a PinpointGame on an EVM RPC URL. Each call runs
 * `ledger sync` (core/chain/node-sync.ts) once — reading only the blocks since its last sync — : the chain's new events are appended to a mirror ledger the
 * backend keeps in the data folder (`<data>/chain/<chainId>-<game>.db`, a name the backend derives, so the
 * page never names a file to write); the view polls it and reads the mirror with the ordinary
 * ledger.* methods (that path is under the data folder, so the path guard lets them read it).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from 'viem';
import type { LogCache } from '../../../core/chain/node-sync.ts';
import type { ChainFollowApi, LedgerFollow } from '../../shared/api-views.ts';
import type { BackendContext } from './context.ts';
import { ViewsError } from './views-error.ts';

function checkArgs(rpc: unknown, game: unknown): { rpc: string; game: Address } {
  if (typeof rpc !== 'string' || !/^https?:\/\/[^\s]+$/i.test(rpc))
    throw new ViewsError(
      'ledger.follow',
      `"rpc" must be an http(s) JSON-RPC URL, got ${JSON.stringify(rpc)}`,
    );
  try {
    new URL(rpc);
  } catch {
    throw new ViewsError('ledger.follow', `"rpc" is not a URL: ${JSON.stringify(rpc)}`);
  }
  if (typeof game !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(game))
    throw new ViewsError(
      'ledger.follow',
      `"game" must be a contract address (0x and 40 hex digits), got ${JSON.stringify(game)}`,
    );
  return { rpc, game: game.toLowerCase() as Address };
}

export function createChainFollowHandlers(ctx: BackendContext): ChainFollowApi {
  // One sync at a time per mirror file: two tabs polling the same game must not append the same actions twice.
  const running = new Map<string, Promise<LedgerFollow>>();
  const chainIds = new Map<string, number>();
  // The last sync of each mirror: while the chain has no new block there is nothing new to mirror, so an
  // idle poll costs one eth_blockNumber instead of re-reading every log (148 → ~2 ms at 1 200 actions).
  const lastSync = new Map<string, LedgerFollow>();
  // The logs read so far per mirror: a poll after a new block reads only the blocks since the last one.
  const logCaches = new Map<string, LogCache>();

  async function follow(rpc: string, game: Address): Promise<LedgerFollow> {
    // Loaded on first use: viem and the chain code add ~0.7 s to the backend's start otherwise.
    const [{ chainFor, transportFor }, { syncLedger }, { createPublicClient }] = await Promise.all([
      import('../../../core/chain/game.ts'),
      import('../../../core/chain/node-sync.ts'),
      import('viem'),
    ]);
    let chainId = chainIds.get(rpc);
    if (chainId === undefined) {
      try {
        chainId = (await chainFor(transportFor(rpc))).id;
      } catch (err) {
        throw new ViewsError(
          'ledger.follow',
          `${rpc}: no JSON-RPC answer (${(err as Error).message.split('\n')[0]})`,
        );
      }
      chainIds.set(rpc, chainId);
    }
    const dir = join(ctx.dataDir, 'chain');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${chainId}-${game}.db`);
    const before = running.get(path) ?? Promise.resolve(null);
    const run = before
      .catch(() => null)
      .then(async () => {
        try {
          const last = lastSync.get(path);
          if (last) {
            const block = await createPublicClient({ transport: transportFor(rpc) }).getBlockNumber();
            if (Number(block) === last.block) return { ...last, appended: 0 };
          }
          const r = await syncLedger(path, rpc, game, undefined, logCaches.get(path));
          logCaches.set(path, r.cache);
          const done: LedgerFollow = {
            path,
            rpc,
            game,
            chainId: r.chainId,
            appended: r.appended,
            actions: r.total,
            block: r.block,
          };
          lastSync.set(path, done);
          return done;
        } catch (err) {
          lastSync.delete(path);
          logCaches.delete(path);
          throw new ViewsError(
            'ledger.follow',
            `following ${game} on ${rpc}: ${(err as Error).message.split('\n')[0]}`,
          );
        }
      });
    running.set(path, run);
    try {
      return await run;
    } finally {
      if (running.get(path) === run) running.delete(path);
    }
  }

  return {
    async 'ledger.follow'(args: { rpc: string; game: string }): Promise<LedgerFollow> {
      const { rpc, game } = checkArgs(args?.rpc, args?.game);
      return follow(rpc, game);
    },
  };
}
