/**
 * A whole network on this machine: the local EVM (in this process, served over JSON-RPC), the deployed
 * game, and parties as child processes (`pinpoint node …`). Used by `pinpoint network demo` and the
 * integration tests; the submitter (who posts tasks) is this process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Abi, type Account, type Address, decodeFunctionData, type Hex } from 'viem';
import {
  type Artifact,
  accountFromSeed,
  type ChainGameParams,
  chainParams,
  deployGame,
  GameClient,
  taskKey,
} from '../../core/chain/game.ts';
import { compileContracts, REPO_ROOT } from '../../core/chain/node-compile.ts';
import { type LocalChain, type RpcServer, serveRpc, startLocalChain } from '../../core/chain/node-local.ts';
import { DEFAULT_PARAMS } from '../../core/ledger/types.ts';
import { type Ed25519Key, ed25519FromSeed, open, seal } from '../../core/network/protocol.ts';
import { postJson } from './http.ts';
import {
  type Hello,
  type NodeOptions,
  type Role,
  type RunningNode,
  startNode,
  type TaskSpec,
} from './party-node.ts';

/** What the submitter needs to talk to a party. */
export interface PartyHandle {
  name: string;
  url: string;
  hello: Hello;
}

export interface PartyProcess {
  role: Role;
  name: string;
  url: string;
  hello: Hello;
  child: ChildProcess;
  /** Every JSON line the process printed. */
  events: Record<string, unknown>[];
  /** Resolves with the first event matching `pred` (already printed or future). */
  waitFor(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export interface NetworkOptions {
  seed?: string;
  params?: Partial<ChainGameParams>;
  deadlineMs?: number;
  outDir?: string;
}

export interface GasByAction {
  action: string;
  count: number;
  total: bigint;
  min: bigint;
  max: bigint;
}

export interface GasRecord {
  action: string;
  from: Address;
  task: Hex | null;
  gas: bigint;
  /** Wei sent with the call (deposits). */
  value: bigint;
}

export class LocalNetwork {
  readonly parties: PartyProcess[] = [];
  readonly tasks: Hex[] = [];
  private seq = 0;
  private constructor(
    readonly chain: LocalChain,
    readonly rpc: RpcServer,
    readonly artifact: Artifact,
    readonly game: GameClient,
    readonly address: Address,
    readonly deployBlock: bigint,
    readonly submitter: Account,
    readonly submitterKey: Ed25519Key,
    readonly referee: Account,
    readonly opts: NetworkOptions,
  ) {}

  static async start(opts: NetworkOptions = {}): Promise<LocalNetwork> {
    const seed = opts.seed ?? 'demo';
    const artifact = compileContracts().contracts.PinpointGame;
    const chain = await startLocalChain();
    const rpc = await serveRpc(chain.provider);
    const submitter = accountFromSeed(`${seed}:submitter`);
    const referee = accountFromSeed(`${seed}:referee`);
    await fundGas(chain, [submitter.address, referee.address]);
    const params = { ...chainParams(DEFAULT_PARAMS, 3, 0), ...opts.params };
    const { address } = await deployGame(chain.provider, artifact, submitter, referee.address, params);
    const game = await GameClient.connect(chain.provider, address, artifact);
    const deployBlock = await game.publicClient.getBlockNumber();
    game.name(submitter, 'submitter');
    game.name(referee, 'referee');
    return new LocalNetwork(
      chain,
      rpc,
      artifact,
      game,
      address,
      deployBlock,
      submitter,
      ed25519FromSeed(`${seed}:submitter`),
      referee,
      opts,
    );
  }

  /** Starts `pinpoint node <role>` and waits for its ready line; funds its account with gas money. */
  async spawn(role: Role, name: string, extra: string[] = []): Promise<PartyProcess> {
    const seed = this.opts.seed ?? 'demo';
    const keySeed = role === 'referee' ? `${seed}:referee` : `${seed}:${name}`;
    const args = [
      join(REPO_ROOT, 'bin', 'pinpoint.js'),
      'node',
      role,
      '--rpc',
      this.rpc.url,
      '--game',
      this.address,
      '--key-seed',
      keySeed,
      '--name',
      name,
      ...(role === 'referee'
        ? [
            '--deadline-ms',
            String(this.opts.deadlineMs ?? 2000),
            ...(this.opts.outDir ? ['--out-dir', this.opts.outDir] : []),
          ]
        : ['--submitter-key', this.submitterKey.publicKey]),
      ...extra,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
    const events: Record<string, unknown>[] = [];
    const waiters: {
      pred: (e: Record<string, unknown>) => boolean;
      resolve: (e: Record<string, unknown>) => void;
    }[] = [];
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line);
      } catch {
        return;
      }
      events.push(e);
      for (const w of [...waiters]) {
        if (w.pred(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const waitFor = (pred: (e: Record<string, unknown>) => boolean) => {
      const hit = events.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise<Record<string, unknown>>((resolve) => waiters.push({ pred, resolve }));
    };
    const ready = await Promise.race([
      waitFor((e) => e.event === 'ready'),
      exited.then((code) => {
        throw new Error(
          `pinpoint node ${role} ${name} exited (${code}) before it was ready:\n${stderr.slice(-2000)}`,
        );
      }),
    ]);
    const hello = ready as unknown as Hello & { url: string };
    await fundGas(this.chain, [hello.address]);
    this.game.name(hello.address, name);
    const p: PartyProcess = { role, name, url: hello.url, hello, child, events, waitFor, exited };
    this.parties.push(p);
    return p;
  }

  /**
   * A party in this process (same HTTP protocol, no process start-up): for benchmarks. `close()` stops it
   * with the network.
   */
  async startInProcess(role: Role, name: string, extra: Partial<NodeOptions> = {}): Promise<PartyHandle> {
    const seed = this.opts.seed ?? 'demo';
    const node = await startNode({
      role,
      name,
      rpc: this.rpc.url,
      game: this.address,
      keySeed: role === 'referee' ? `${seed}:referee` : `${seed}:${name}`,
      deadlineMs: this.opts.deadlineMs,
      submitterKey: role === 'referee' ? undefined : this.submitterKey.publicKey,
      ...extra,
    });
    await fundGas(this.chain, [node.hello.address]);
    this.inProcess.push(node);
    return { name, url: node.url, hello: node.hello };
  }

  private readonly inProcess: RunningNode[] = [];

  /** The submitter funds and posts a task on chain (bounty in wei). */
  async post(spec: TaskSpec, bounty: bigint): Promise<Hex> {
    const id = taskKey(spec.task);
    const need = bounty + (await this.game.read<bigint>('verifierReward'));
    const has = await this.game.balanceOf(this.submitter.address);
    if (has < need) await this.game.deposit(this.submitter, need - has);
    await this.game.postTask(this.submitter, id, bounty, spec.steps);
    this.tasks.push(id);
    return id;
  }

  private async send<T>(
    url: string,
    kind: string,
    task: string,
    body: unknown,
    timeoutMs: number,
    from: string,
  ) {
    const res = await postJson(url, seal(this.submitterKey, task, this.seq++, kind, body), timeoutMs);
    return open<T>(res, { expectFrom: from }).body;
  }

  solve(solver: PartyHandle, spec: TaskSpec) {
    return this.send<{ runRoot: string; cheated: { step: number; op: number } | null }>(
      `${solver.url}/v1/task`,
      'task',
      spec.task,
      spec,
      120_000,
      solver.hello.ed25519,
    );
  }

  check(verifier: PartyHandle, solver: PartyHandle, referee: PartyHandle, spec: TaskSpec) {
    return this.send<{ outcome: 'verified' | 'disputed'; referee?: unknown }>(
      `${verifier.url}/v1/check`,
      'check',
      spec.task,
      { ...spec, solverUrl: solver.url, refereeUrl: referee.url },
      180_000,
      verifier.hello.ed25519,
    );
  }

  accounts(): Address[] {
    return [
      this.submitter.address,
      this.referee.address,
      ...this.parties.map((p) => p.hello.address),
      ...this.inProcess.map((n) => n.hello.address),
    ];
  }

  conservation() {
    return this.game.conservation(this.accounts(), this.tasks);
  }

  /** Gas of every game transaction since the deployment, read back from the chain's own receipts. */
  async gasLog(): Promise<GasRecord[]> {
    const out: GasRecord[] = [];
    const last = await this.game.publicClient.getBlockNumber();
    for (let n = this.deployBlock + 1n; n <= last; n++) {
      const block = await this.game.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions) {
        if (typeof tx === 'string' || tx.to?.toLowerCase() !== this.address.toLowerCase()) continue;
        const receipt = await this.game.publicClient.getTransactionReceipt({ hash: tx.hash });
        const call = decodeFunctionData({ abi: this.artifact.abi as Abi, data: tx.input });
        const first = call.args?.[0];
        out.push({
          action: call.functionName,
          from: tx.from,
          task: typeof first === 'string' && first.length === 66 ? (first as Hex) : null,
          gas: receipt.gasUsed,
          value: tx.value,
        });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    for (const p of this.parties) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    }
    await Promise.all(
      this.parties.map((p) =>
        Promise.race([p.exited, new Promise((r) => setTimeout(r, 3000)).then(() => p.child.kill('SIGKILL'))]),
      ),
    );
    await Promise.all(this.inProcess.map((n) => n.close()));
    await this.rpc.close();
  }
}

export function summarizeGas(log: { action: string; gas: bigint }[]): GasByAction[] {
  const m = new Map<string, GasByAction>();
  for (const e of log) {
    const g = m.get(e.action) ?? { action: e.action, count: 0, total: 0n, min: e.gas, max: e.gas };
    g.count++;
    g.total += e.gas;
    if (e.gas < g.min) g.min = e.gas;
    if (e.gas > g.max) g.max = e.gas;
    m.set(e.action, g);
  }
  return [...m.values()];
}

async function fundGas(chain: LocalChain, addresses: Address[]): Promise<void> {
  for (const a of addresses) {
    await chain.provider.request({
      method: 'hardhat_setBalance',
      params: [a, `0x${(10n ** 20n).toString(16)}`],
    });
  }
}
