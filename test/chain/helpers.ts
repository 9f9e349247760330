/** Shared set-up for the contract tests: one in-process EVM per test file, a fresh game per test. */
import type { Account, Address, Hex } from 'viem';
import {
  type Artifact,
  accountFromSeed,
  type ChainGameParams,
  chainParams,
  deployGame,
  GameClient,
} from '../../core/chain/game.ts';
import { compileContracts } from '../../core/chain/node-compile.ts';
import { type LocalChain, startLocalChain } from '../../core/chain/node-local.ts';
import { DEFAULT_PARAMS } from '../../core/ledger/types.ts';

export const ETH = 10n ** 18n;

export interface Fixture {
  chain: LocalChain;
  artifacts: Record<string, Artifact>;
  party: (name: string) => Account;
}

let shared: Promise<Fixture> | null = null;

export function fixture(): Promise<Fixture> {
  shared ??= (async () => {
    const compiled = compileContracts();
    const chain = await startLocalChain();
    const artifacts: Record<string, Artifact> = {};
    for (const [k, c] of Object.entries(compiled.contracts))
      artifacts[k] = { abi: c.abi, bytecode: c.bytecode };
    const funded = new Map<string, Account>();
    const party = (name: string): Account => {
      let a = funded.get(name);
      if (!a) {
        a = accountFromSeed(`test:${name}`);
        funded.set(name, a);
      }
      return a;
    };
    return { chain, artifacts, party };
  })();
  return shared;
}

export async function fund(f: Fixture, accounts: Account[], wei = 10n * ETH): Promise<void> {
  for (const a of accounts) {
    await f.chain.provider.request({
      method: 'hardhat_setBalance',
      params: [a.address, `0x${wei.toString(16)}`],
    });
  }
}

export async function advance(f: Fixture, seconds: number): Promise<void> {
  await f.chain.provider.request({ method: 'evm_increaseTime', params: [seconds] });
  await f.chain.provider.request({ method: 'evm_mine', params: [] });
}

export interface Game {
  client: GameClient;
  address: Address;
  params: ChainGameParams;
  /** Every account and task the test touched: the conservation check sums over them. */
  accounts: Address[];
  tasks: Hex[];
}

/** Deploys a fresh game (ledger default parameters, 30 s rounds) with `referee` as the referee. */
export async function newGame(
  f: Fixture,
  referee: Account,
  over: Partial<ChainGameParams> = {},
): Promise<Game> {
  const params = { ...chainParams(DEFAULT_PARAMS, 30, 0), ...over };
  const deployer = f.party('deployer');
  await fund(f, [deployer, referee]);
  const { address } = await deployGame(
    f.chain.provider,
    f.artifacts.PinpointGame,
    deployer,
    referee.address,
    params,
  );
  const client = await GameClient.connect(f.chain.provider, address, f.artifacts.PinpointGame);
  return { client, address, params, accounts: [], tasks: [] };
}
