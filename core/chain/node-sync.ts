/**
 * Node adapter (SQLite files, the solc cache). `pinpoint ledger sync <db> --rpc <url> --game <0x…> [--transcripts dir]` mirrors a deployed
 * PinpointGame into the SQLite ledger (core/chain/mirror.ts maps events to ledger actions; the ledger's
 * own rules re-derive every payout), and `pinpoint ledger verify <db> --rpc … --game …` checks the
 * mirror against the chain: the ledger's actions are exactly the chain's, and every balance, the
 * treasury and every task's state agree. The app's Ledger view follows a game with the same `syncLedger`,
 * polled (desktop/main/backend/chain-follow.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Abi, Address } from 'viem';
import { canonicalJson } from '../hash/digest.ts';
import { createLedger, openLedger, type SqliteLedger } from '../ledger/node-store.ts';
import { checkTranscript } from '../ledger/transcript.ts';
import type { Action, GameParams } from '../ledger/types.ts';
import { GameClient } from './game.ts';
import { accountId, type ChainLog, ledgerParams, mirrorActions, taskId, WITHDRAWN } from './mirror.ts';
import { compileContracts } from './node-compile.ts';

/**
 * The game's logs up to `block`, kept by a follower between syncs (the app's Ledger view polls): the next
 * sync asks only for blocks after it. A chain whose head went backwards (a restarted dev chain) is read
 * from block 0 again; a mirror that then disagrees fails the prefix check as before.
 */
export interface LogCache {
  readonly logs: readonly ChainLog[];
  readonly block: bigint;
}

async function chainState(rpc: string, game: Address, since?: LogCache) {
  const artifact = compileContracts().contracts.PinpointGame;
  const client = await GameClient.connect(rpc, game, artifact);
  const code = await client.publicClient.getCode({ address: game });
  if (!code || code === '0x') throw new Error(`${rpc}: no contract at ${game}`);
  const [solverStake, challengerStake, verifierReward, slashBps, whistleblowerBps, treasuryBps] =
    await Promise.all([
      client.read<bigint>('solverStake'),
      client.read<bigint>('challengerStake'),
      client.read<bigint>('verifierReward'),
      client.read<number>('slashBps'),
      client.read<number>('whistleblowerBps'),
      client.read<number>('treasuryBps'),
    ]);
  const params = ledgerParams({
    solverStake,
    challengerStake,
    verifierReward,
    slashBps,
    whistleblowerBps,
    treasuryBps,
  });
  const block = await client.publicClient.getBlockNumber();
  const from = since && since.block <= block ? since : undefined;
  const fresh = (await client.publicClient.getContractEvents({
    address: game,
    abi: artifact.abi as Abi,
    fromBlock: from ? from.block + 1n : 0n,
    toBlock: block,
  })) as unknown as ChainLog[];
  const logs = from ? [...from.logs, ...fresh] : fresh;
  return { client, params, logs, block, fetched: fresh.length };
}

function transcriptIndex(dir: string | undefined): (digest: string) => object | undefined {
  const m = new Map<string, object>();
  if (dir) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.transcript.json'))) {
      try {
        const t = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
          verdict: Parameters<typeof checkTranscript>[1];
        };
        m.set(checkTranscript(t, t.verdict), t);
      } catch {
        // not a dispute transcript: ignored (its settlement gets a minimal record)
      }
    }
  }
  return (d) => m.get(d);
}

/** The part of an action both the live action and the log's recorded action carry (for the prefix check). */
function key(a: Action | Record<string, unknown>): string {
  const o = a as Record<string, unknown>;
  const pick: Record<string, unknown> = {};
  for (const k of [
    'type',
    'account',
    'task',
    'submitter',
    'solver',
    'verifier',
    'challenger',
    'from',
    'to',
    'amount',
    'bounty',
    'runCommitment',
    'sealed',
    'salt',
    'dispute',
  ])
    if (o[k] !== undefined) pick[k] = o[k];
  return canonicalJson(pick);
}

function recorded(ledger: SqliteLedger): Record<string, unknown>[] {
  return ledger
    .events({})
    .filter((e) => e.kind !== 'ledger.init')
    .map((e) => (e.payload as { action: Record<string, unknown> }).action);
}

function sameParams(a: GameParams, b: GameParams): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export async function syncLedger(
  file: string,
  rpc: string,
  game: Address,
  transcripts?: string,
  since?: LogCache,
) {
  const { client, params, logs, block, fetched } = await chainState(rpc, game, since);
  const actions = mirrorActions(logs, transcriptIndex(transcripts));
  const ledger = existsSync(file) ? openLedger(file) : createLedger(file, params);
  try {
    const have = ledger.status().params;
    if (!sameParams(have, params))
      throw new Error(
        `${file}: ledger parameters ${JSON.stringify(have)} differ from the contract's ${JSON.stringify(params)}`,
      );
    const done = recorded(ledger);
    for (const [i, r] of done.entries()) {
      if (i >= actions.length || key(r) !== key(actions[i]))
        throw new Error(
          `${file}: event ${i + 2} (${String(r.type)}) is not the chain's action ${i + 1}: not a mirror of ${game}`,
        );
    }
    const fresh = actions.slice(done.length);
    if (fresh.length) ledger.submitAll(fresh);
    return {
      appended: fresh.length,
      total: actions.length,
      logs: logs.length,
      /** Logs read from the chain by this sync (all of them without `since`). */
      fetched,
      block: Number(block),
      chainId: client.chain.id,
      /** Pass as `since` to the next sync of this game. */
      cache: { logs, block } as LogCache,
    };
  } finally {
    ledger.close();
  }
}

export async function verifyAgainstChain(file: string, rpc: string, game: Address) {
  const { client, params, logs } = await chainState(rpc, game);
  const actions = mirrorActions(logs);
  const ledger = openLedger(file, { readonly: true });
  const problems: string[] = [];
  try {
    const report = ledger.verify();
    if (!report.ok)
      problems.push(
        `the ledger itself fails verify (${report.firstBadEvent?.problem ?? report.tableProblems[0]})`,
      );
    if (!sameParams(ledger.status().params, params)) problems.push('parameters differ from the contract');
    const done = recorded(ledger);
    if (done.length !== actions.length)
      problems.push(`ledger has ${done.length} mirrored actions, the chain ${actions.length}`);
    for (let i = 0; i < Math.min(done.length, actions.length); i++) {
      if (key(done[i]) !== key(actions[i])) {
        problems.push(`event ${i + 2}: ledger ${String(done[i].type)} ≠ chain ${actions[i].type}`);
        break;
      }
    }
    for (const acc of ledger.accounts()) {
      if (acc.id === WITHDRAWN) continue;
      const onChain = await client.balanceOf(acc.id as Address);
      if (BigInt(acc.balance) !== onChain)
        problems.push(`account ${acc.id}: ledger ${acc.balance}, chain ${onChain}`);
    }
    const treasury = await client.read<bigint>('treasury');
    if (BigInt(ledger.totals().treasury) !== treasury)
      problems.push(`treasury: ledger ${ledger.totals().treasury}, chain ${treasury}`);
    for (const t of ledger.tasks()) {
      const c = await client.task(`0x${t.id}`);
      const want =
        c.state === 'verified' ||
        c.state === 'proved' ||
        c.state === 'disputed' ||
        c.state === 'claimed' ||
        c.state === 'posted' ||
        c.state === 'settled'
          ? c.state
          : 'unknown';
      if (t.state !== want) problems.push(`task ${t.id.slice(0, 12)}…: ledger ${t.state}, chain ${c.state}`);
    }
    return { ok: problems.length === 0, problems, actions: actions.length };
  } finally {
    ledger.close();
  }
}

export { accountId, taskId };
