/**
 * Talking to the PinpointGame contract with viem: deploy it on any EVM (an EIP-1193 provider or an RPC
 * URL), send the game's actions as a named party, record the gas of every action, sign round
 * commitments, and read the conservation check. Pure TS (viem only); the compiler and the local chain
 * live in the node-*.ts adapters.
 */
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  custom,
  decodeErrorResult,
  defineChain,
  encodeAbiParameters,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  type Transport,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { sealCommitment } from '../ledger/seal.ts';
import type { GameParams as LedgerParams } from '../ledger/types.ts';

export interface ChainGameParams {
  solverStake: bigint;
  challengerStake: bigint;
  verifierReward: bigint;
  slashBps: number;
  whistleblowerBps: number;
  treasuryBps: number;
  /** Seconds a party has to commit each dispute round; a silent party loses after it. */
  roundSeconds: number;
  /** Seconds a verified task stays open to challenges before `finalize`. */
  challengeSeconds: number;
}

/** The in-process ledger's parameters (docs/LEDGER.md) as contract parameters, amounts in wei. */
export function chainParams(p: LedgerParams, roundSeconds = 30, challengeSeconds = 0): ChainGameParams {
  return {
    solverStake: BigInt(p.solverStake),
    challengerStake: BigInt(p.challengerStake),
    verifierReward: BigInt(p.verifierReward),
    slashBps: p.slashBps,
    whistleblowerBps: p.whistleblowerBps,
    treasuryBps: p.treasuryBps,
    roundSeconds,
    challengeSeconds,
  };
}

export interface Artifact {
  abi: unknown[];
  bytecode: Hex;
}

export interface Eip1193Like {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
}

/** A transport to a chain: an in-process provider or an RPC URL. */
export function transportFor(target: Eip1193Like | string): Transport {
  return typeof target === 'string'
    ? http(target, { retryCount: 0 })
    : custom(target as Parameters<typeof custom>[0], { retryCount: 0 });
}

export async function chainFor(transport: Transport): Promise<Chain> {
  const probe = createPublicClient({ transport });
  const id = await probe.getChainId();
  return defineChain({
    id,
    name: `chain-${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });
}

/** A party's key, derived deterministically from a phrase (demo and tests; real users bring a key). */
export function accountFromSeed(seed: string): Account {
  return privateKeyToAccount(keccak256(toHex(`pinpoint.chain.key.v1\0${seed}`)));
}

export interface GasEntry {
  action: string;
  by: string;
  gas: bigint;
  task?: Hex;
}

export const LOSER = { none: 0, solver: 1, challenger: 2, both: 3 } as const;
export type LoserName = keyof typeof LOSER;
export const TASK_STATES = [
  'none',
  'posted',
  'claimed',
  'proved',
  'verified',
  'disputed',
  'settled',
] as const;

export interface ChainTask {
  submitter: Address;
  solver: Address;
  verifier: Address;
  challenger: Address;
  bounty: bigint;
  escrow: bigint;
  solverLocked: bigint;
  challengerLocked: bigint;
  runRoot: Hex;
  challengerRoot: Hex;
  steps: number;
  round: number;
  deadline: bigint;
  verifiedAt: bigint;
  state: (typeof TASK_STATES)[number];
  solverIn: boolean;
  challengerIn: boolean;
  loser: LoserName;
  /** The pending proof seal (zero when none) and its place in the contract's proof order. */
  seal: Hex;
  sealSeq: bigint;
}

export interface Conservation {
  ok: boolean;
  contractWei: bigint;
  totalBalances: bigint;
  totalLocked: bigint;
  totalEscrow: bigint;
  treasury: bigint;
  /** Σ balanceOf over the accounts the caller knows (must equal totalBalances when it knows them all). */
  sumBalances: bigint;
  /** Σ per-task locked stakes and escrow over the tasks the caller knows. */
  sumLocked: bigint;
  sumEscrow: bigint;
  problems: string[];
}

/** The string id of a task as the contract's bytes32 key. */
export function taskKey(id: string): Hex {
  return keccak256(toHex(`pinpoint.task.v1\0${id}`));
}

/**
 * One connection to a deployed game. Every write waits for its receipt and records its gas under the
 * party's name; reverts surface as viem errors naming the contract's custom error.
 */
export class GameClient {
  readonly gas: GasEntry[] = [];
  private readonly names = new Map<string, string>();

  constructor(
    readonly publicClient: PublicClient,
    readonly transport: Transport,
    readonly chain: Chain,
    readonly address: Address,
    readonly abi: Abi,
  ) {}

  static async connect(
    target: Eip1193Like | string,
    address: Address,
    artifact: Artifact,
  ): Promise<GameClient> {
    const transport = transportFor(target);
    const chain = await chainFor(transport);
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 20 }) as PublicClient;
    return new GameClient(publicClient, transport, chain, address, artifact.abi as Abi);
  }

  name(account: Account | Address, label: string): void {
    this.names.set((typeof account === 'string' ? account : account.address).toLowerCase(), label);
  }

  label(a: Address): string {
    return this.names.get(a.toLowerCase()) ?? a;
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Sends one transaction; writes through one client are serialised, so one account's nonces never race. */
  write(account: Account, functionName: string, args: readonly unknown[], value?: bigint, task?: Hex) {
    const run = this.queue.then(() => this.send(account, functionName, args, value, task));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async send(
    account: Account,
    functionName: string,
    args: readonly unknown[],
    value?: bigint,
    task?: Hex,
  ) {
    const wallet = createWalletClient({ account, chain: this.chain, transport: this.transport });
    const attempt = () =>
      wallet.writeContract({
        address: this.address,
        abi: this.abi,
        functionName,
        args,
        value,
        chain: this.chain,
        account,
      } as Parameters<typeof wallet.writeContract>[0]);
    let hash: Hex | undefined;
    for (let tries = 1; hash === undefined; tries++) {
      try {
        hash = await attempt();
      } catch (err) {
        // A revert is final; an RPC hiccup without revert data (seen once under heavy load from a
        // local node) is retried twice before it is reported.
        if (revertData(err) !== null || tries >= 3)
          throw new ContractRevert(functionName, this.label(account.address), err, this.abi);
        await new Promise((r) => setTimeout(r, 100 * tries));
      }
    }
    const receipt = await this.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== 'success') throw new Error(`${functionName}: transaction ${hash} reverted`);
    this.gas.push({ action: functionName, by: this.label(account.address), gas: receipt.gasUsed, task });
    return receipt;
  }

  async read<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    return (await this.publicClient.readContract({
      address: this.address,
      abi: this.abi,
      functionName,
      args,
    })) as T;
  }

  deposit(a: Account, wei: bigint) {
    return this.write(a, 'deposit', [], wei);
  }
  withdraw(a: Account, wei: bigint) {
    return this.write(a, 'withdraw', [wei]);
  }
  postTask(a: Account, id: Hex, bounty: bigint, steps: number) {
    return this.write(a, 'postTask', [id, bounty, steps], undefined, id);
  }
  claimTask(a: Account, id: Hex) {
    return this.write(a, 'claimTask', [id], undefined, id);
  }
  submitProof(a: Account, id: Hex, runRoot: Hex) {
    return this.write(a, 'submitProof', [id, runRoot], undefined, id);
  }
  commitProof(a: Account, id: Hex, seal: Hex) {
    return this.write(a, 'commitProof', [id, seal], undefined, id);
  }
  revealProof(a: Account, id: Hex, runRoot: Hex, salt: Hex) {
    return this.write(a, 'revealProof', [id, runRoot, salt], undefined, id);
  }
  verifyTask(a: Account, id: Hex) {
    return this.write(a, 'verifyTask', [id], undefined, id);
  }
  finalize(a: Account, id: Hex) {
    return this.write(a, 'finalize', [id], undefined, id);
  }
  openDispute(a: Account, id: Hex, challengerRoot: Hex) {
    return this.write(a, 'openDispute', [id, challengerRoot], undefined, id);
  }
  commitRound(relayer: Account, id: Hex, round: number, digest: Hex, sig: Hex) {
    return this.write(relayer, 'commitRound', [id, round, digest, sig], undefined, id);
  }
  claimTimeout(a: Account, id: Hex) {
    return this.write(a, 'claimTimeout', [id], undefined, id);
  }
  settle(
    referee: Account,
    id: Hex,
    v: {
      loser: LoserName;
      step: number;
      transcript: Hex;
      solverLeaf: Hex;
      solverPath: Hex[];
      challengerLeaf: Hex;
      challengerPath: Hex[];
    },
  ) {
    return this.write(
      referee,
      'settle',
      [
        id,
        LOSER[v.loser],
        v.step,
        v.transcript,
        v.solverLeaf,
        v.solverPath,
        v.challengerLeaf,
        v.challengerPath,
      ],
      undefined,
      id,
    );
  }

  balanceOf(a: Address): Promise<bigint> {
    return this.read<bigint>('balanceOf', [a]);
  }

  async task(id: Hex): Promise<ChainTask> {
    const t = await this.read<Record<string, unknown>>('task', [id]);
    return {
      ...(t as unknown as ChainTask),
      steps: Number(t.steps),
      round: Number(t.round),
      state: TASK_STATES[Number(t.state)],
      loser: (Object.keys(LOSER) as LoserName[])[Number(t.loser)],
    };
  }

  /**
   * Token conservation on chain: the wei the contract holds equals Σ balances + Σ locked stakes +
   * Σ escrow + treasury (its own counters), and each counter equals the sum the caller computes
   * independently over the accounts and tasks it knows.
   */
  async conservation(accounts: Address[], tasks: Hex[]): Promise<Conservation> {
    const [contractWei, totalBalances, totalLocked, totalEscrow, treasury] = await Promise.all([
      this.publicClient.getBalance({ address: this.address }),
      this.read<bigint>('totalBalances'),
      this.read<bigint>('totalLocked'),
      this.read<bigint>('totalEscrow'),
      this.read<bigint>('treasury'),
    ]);
    let sumBalances = 0n;
    for (const a of new Set(accounts.map((x) => x.toLowerCase() as Address)))
      sumBalances += await this.balanceOf(a);
    let sumLocked = 0n;
    let sumEscrow = 0n;
    for (const id of new Set(tasks)) {
      const t = await this.task(id);
      sumLocked += t.solverLocked + t.challengerLocked;
      sumEscrow += t.escrow;
    }
    const problems: string[] = [];
    const held = totalBalances + totalLocked + totalEscrow + treasury;
    if (contractWei !== held)
      problems.push(`contract holds ${contractWei} wei, books say ${held} (balances+locked+escrow+treasury)`);
    if (sumBalances !== totalBalances)
      problems.push(`Σ balances ${sumBalances} ≠ totalBalances ${totalBalances}`);
    if (sumLocked !== totalLocked) problems.push(`Σ locked ${sumLocked} ≠ totalLocked ${totalLocked}`);
    if (sumEscrow !== totalEscrow) problems.push(`Σ escrow ${sumEscrow} ≠ totalEscrow ${totalEscrow}`);
    return {
      ok: problems.length === 0,
      contractWei,
      totalBalances,
      totalLocked,
      totalEscrow,
      treasury,
      sumBalances,
      sumLocked,
      sumEscrow,
      problems,
    };
  }
}

/** The revert data (0x…) somewhere in a provider/viem error: a `data` field down the cause chain or the node's message. */
export function revertData(err: unknown): Hex | null {
  for (
    let e = err as { data?: unknown; cause?: unknown; message?: string } | undefined, i = 0;
    e && i < 10;
    i++
  ) {
    if (typeof e.data === 'string' && /^0x[0-9a-f]{8}/i.test(e.data)) return e.data as Hex;
    const nested = (e.data as { data?: unknown } | undefined)?.data;
    if (typeof nested === 'string' && /^0x[0-9a-f]{8}/i.test(nested)) return nested as Hex;
    const m = /return data: (0x[0-9a-f]+)/i.exec(e.message ?? '');
    if (m) return m[1] as Hex;
    e = e.cause as typeof e;
  }
  return null;
}

/** A refused action, named by the contract's custom error and its arguments (e.g. `Deadline(1700000060, 1700000001)`). */
export class ContractRevert extends Error {
  readonly reason: string;
  constructor(functionName: string, by: string, cause: unknown, abi: Abi) {
    const data = revertData(cause);
    let reason = 'reverted';
    if (data) {
      try {
        const d = decodeErrorResult({ abi, data });
        const args = (d.args ?? []).map((a) => (typeof a === 'string' ? a : String(a)));
        reason = `${d.errorName}(${args.join(', ')})`;
      } catch {
        reason = `reverted with data ${data.slice(0, 74)}`;
      }
    } else {
      const e = cause as { shortMessage?: string; details?: string; message?: string };
      reason = [e.shortMessage ?? String(e.message ?? cause).split('\n')[0], e.details]
        .filter(Boolean)
        .join(': ');
    }
    super(`${functionName} by ${by}: ${reason}`, { cause });
    this.name = 'ContractRevert';
    this.reason = reason;
  }
}

/** Deploys the game with `deployer` paying; returns its address. Works against any RPC URL. */
export async function deployGame(
  target: Eip1193Like | string,
  artifact: Artifact,
  deployer: Account,
  referee: Address,
  p: ChainGameParams,
): Promise<{ address: Address; gas: bigint }> {
  const transport = transportFor(target);
  const chain = await chainFor(transport);
  const wallet = createWalletClient({ account: deployer, chain, transport });
  const pub = createPublicClient({ chain, transport, pollingInterval: 20 });
  const hash = await wallet.deployContract({
    abi: artifact.abi as Abi,
    bytecode: artifact.bytecode,
    args: [
      referee,
      [p.solverStake, p.challengerStake, p.verifierReward],
      [p.slashBps, p.whistleblowerBps, p.treasuryBps],
      p.roundSeconds,
      p.challengeSeconds,
    ],
    account: deployer,
    chain,
  });
  const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (!receipt.contractAddress || receipt.status !== 'success')
    throw new Error(`deploy: transaction ${hash} failed`);
  return { address: receipt.contractAddress, gas: receipt.gasUsed };
}

/**
 * The seal a solver commits for `runRoot` on task `id`: the ledger's own seal (core/ledger/seal.ts) over
 * the mirror's ids (lowercase 0x address, task key without 0x, no Ed25519 key), which the contract's
 * `sealOf` recomputes at the reveal and the SQLite mirror re-checks with the ledger's code.
 */
export function proofSeal(id: Hex, solver: Address, runRoot: Hex, salt: Hex): Hex {
  const strip = (h: string) => h.toLowerCase().replace(/^0x/, '');
  return `0x${sealCommitment({
    task: strip(id),
    account: solver.toLowerCase(),
    publicKey: null,
    runCommitment: strip(runRoot),
    salt: strip(salt),
  })}`;
}

/** The hash a party signs (EIP-191 personal message) for its round-`round` answer `digest`; mirrors the contract. */
export function roundMessage(chainId: number, game: Address, id: Hex, round: number, digest: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'bytes32' },
        { type: 'uint32' },
        { type: 'bytes32' },
      ],
      [keccak256(toHex('pinpoint.round.v1')), BigInt(chainId), game, id, round, digest],
    ),
  );
}

export async function signRound(
  account: Account,
  chainId: number,
  game: Address,
  id: Hex,
  round: number,
  digest: Hex,
): Promise<Hex> {
  if (!account.signMessage) throw new Error(`account ${account.address} cannot sign messages`);
  return account.signMessage({ message: { raw: roundMessage(chainId, game, id, round, digest) } });
}
