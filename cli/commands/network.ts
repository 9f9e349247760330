/**
 * `pinpoint network demo|chain|deploy|compile` — the protocol as a network (docs/NETWORK.md): a local
 * EVM started by our own code, the PinpointGame contract deployed on any RPC, and a demo with every
 * party in its own process.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { accountFromSeed, chainParams, deployGame } from '../../core/chain/game.ts';
import { compileContracts } from '../../core/chain/node-compile.ts';
import { serveRpc, startLocalChain } from '../../core/chain/node-local.ts';
import { DEFAULT_PARAMS } from '../../core/ledger/types.ts';
import { printDemo, runDemo } from '../network/demo.ts';
import { TASKS_DIR } from '../network/tasks.ts';

export const summary = 'the protocol as a network: local EVM, contract deployment, multi-process demo';

const HELP = `usage: pinpoint network <demo|chain|deploy|address|compile> [options]

  demo [--solvers 8] [--verifiers 3] [--cheat-rate 0.2] [--seed s] [--steps 64] [--out dir]
       [--tasks synthetic|repops[:<name>]]
        --tasks repops trains a real RepOps task bundled under tasks/ (default iris-mlp, 8 steps unless
        --steps) instead of the synthetic dispute tasks; the cheater alters one real forward op.
        starts the chain and every party as a process, runs one task per solver, prints who cheated and
        who was caught, balances, gas per action and per dispute and the on-chain conservation check;
        writes <dir>/network-transcript.json (+ one dispute transcript per dispute). Exit 1 on any
        violation (a cheater not caught, an honest party slashed, conservation broken).
  chain [--port 8545] [--fund 0xaddr,…]
        an in-process EVM (Hardhat EDR) served as JSON-RPC on 127.0.0.1 until interrupted; --fund gives
        each address 100 ETH (e.g. the deployer: pinpoint network address --key-seed me).
  deploy --rpc <url> (--key-seed <phrase> | env PINPOINT_DEPLOYER_KEY=0x…) --referee <0x…>
         [--round-seconds 30] [--challenge-seconds 0]
        deploys PinpointGame with the ledger's default parameters on any EVM RPC; prints the address.
  address --key-seed <phrase>
        the chain account a key seed derives (to fund it).
  compile
        compiles contracts/*.sol with solc (npm) and caches ABI + bytecode under .pinpoint/solc/.`;

function int(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer in ${min}..${max}, got "${v}"`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    console.log(HELP);
    return sub ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      solvers: { type: 'string' },
      verifiers: { type: 'string' },
      'cheat-rate': { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      tasks: { type: 'string' },
      out: { type: 'string' },
      port: { type: 'string' },
      rpc: { type: 'string' },
      'key-seed': { type: 'string' },
      referee: { type: 'string' },
      'round-seconds': { type: 'string' },
      'challenge-seconds': { type: 'string' },
      fund: { type: 'string' },
    },
  });
  try {
    if (sub === 'compile') {
      const r = compileContracts();
      console.log(
        `${r.cached ? 'cached' : 'compiled'}: ${Object.keys(r.contracts).join(', ')} (${r.compiler}), key ${r.key.slice(0, 12)}`,
      );
      return 0;
    }
    if (sub === 'address') {
      if (!values['key-seed']) throw new Error('address needs --key-seed <phrase>');
      console.log(accountFromSeed(values['key-seed']).address);
      return 0;
    }
    if (sub === 'chain') {
      const chain = await startLocalChain();
      // Local dev chain: fund the given accounts (e.g. the deployer of `network deploy --key-seed`).
      const fund = (values.fund ?? '').split(',').filter(Boolean);
      for (const a of fund) {
        if (!/^0x[0-9a-fA-F]{40}$/.test(a))
          throw new Error(`--fund takes comma-separated addresses, got "${a}"`);
        await chain.provider.request({
          method: 'hardhat_setBalance',
          params: [a, `0x${(10n ** 20n).toString(16)}`],
        });
      }
      const rpc = await serveRpc(chain.provider, { port: int('port', values.port, 8545, 0, 65535) });
      console.log(JSON.stringify({ event: 'ready', rpc: rpc.url, chainId: chain.chainId }));
      await new Promise<void>((r) => {
        process.once('SIGINT', r);
        process.once('SIGTERM', r);
      });
      await rpc.close();
      return 0;
    }
    if (sub === 'deploy') {
      if (!values.rpc || !values.referee) throw new Error('deploy needs --rpc <url> and --referee <address>');
      if (!/^0x[0-9a-fA-F]{40}$/.test(values.referee))
        throw new Error(`--referee must be an address, got "${values.referee}"`);
      const envKey = process.env.PINPOINT_DEPLOYER_KEY;
      const deployer = values['key-seed']
        ? accountFromSeed(values['key-seed'])
        : envKey
          ? privateKeyToAccount(envKey as Hex)
          : null;
      if (!deployer)
        throw new Error('deploy needs --key-seed <phrase> or PINPOINT_DEPLOYER_KEY=0x… in the environment');
      const params = chainParams(
        DEFAULT_PARAMS,
        int('round-seconds', values['round-seconds'], 30, 1, 86_400 * 30),
        int('challenge-seconds', values['challenge-seconds'], 0, 0, 86_400 * 30),
      );
      const artifact = compileContracts().contracts.PinpointGame;
      const { address, gas } = await deployGame(
        values.rpc,
        artifact,
        deployer,
        values.referee as Address,
        params,
      );
      console.log(JSON.stringify({ game: address, deployer: deployer.address, gas: gas.toString() }));
      return 0;
    }
    if (sub === 'demo') {
      const cheatRate = values['cheat-rate'] === undefined ? 0.2 : Number(values['cheat-rate']);
      if (!(cheatRate >= 0 && cheatRate <= 1))
        throw new Error(`--cheat-rate must be in 0..1, got "${values['cheat-rate']}"`);
      const kind = values.tasks ?? 'synthetic';
      const m = /^(synthetic|repops)(?::([a-z0-9][a-z0-9-]{0,63}))?$/.exec(kind);
      if (!m || (m[1] === 'synthetic' && m[2]))
        throw new Error(`--tasks must be synthetic or repops[:<bundled task name>], got "${kind}"`);
      const repops = m[1] === 'repops' ? (m[2] ?? 'iris-mlp') : undefined;
      if (repops && !existsSync(join(TASKS_DIR, `${repops}.json`)))
        throw new Error(`--tasks ${kind}: no bundled task ${join(TASKS_DIR, `${repops}.json`)}`);
      const r = await runDemo({
        solvers: int('solvers', values.solvers, 8, 1, 64),
        verifiers: int('verifiers', values.verifiers, 3, 1, 64),
        cheatRate,
        seed: values.seed ?? 'demo',
        steps: int('steps', values.steps, repops ? 8 : 64, 1, 100_000),
        ...(repops ? { repops } : {}),
        outDir: values.out ?? 'network-demo',
        log: (s) => console.log(s),
      });
      printDemo(r, (s) => console.log(s));
      return r.violations.length === 0 ? 0 : 1;
    }
    console.error(`pinpoint network: unknown subcommand "${sub}"\n\n${HELP}`);
    return 2;
  } catch (err) {
    console.error(`pinpoint network ${sub}: ${(err as Error).message}`);
    return 1;
  }
}
