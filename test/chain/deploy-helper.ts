/** Deploys a test-only contract (the re-entrant receiver) on the fixture's chain. */
import { type Abi, type Account, type Address, createPublicClient, createWalletClient } from 'viem';
import { type Artifact, chainFor, transportFor } from '../../core/chain/game.ts';
import type { Fixture } from './helpers.ts';

export async function deployContract(
  f: Fixture,
  a: Artifact,
  args: unknown[],
  from: Account,
): Promise<Address> {
  const transport = transportFor(f.chain.provider);
  const chain = await chainFor(transport);
  const wallet = createWalletClient({ account: from, chain, transport });
  const hash = await wallet.deployContract({
    abi: a.abi as Abi,
    bytecode: a.bytecode,
    args,
    account: from,
    chain,
  });
  const r = await createPublicClient({ chain, transport }).waitForTransactionReceipt({ hash });
  if (!r.contractAddress) throw new Error('test deploy failed');
  return r.contractAddress;
}
