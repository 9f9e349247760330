/**
 * `pinpoint node solver|verifier|referee --rpc <url> --game <address> --key-seed <phrase> …` — one party
 * of the network as its own process (cli/network/party-node.ts, docs/NETWORK.md). Prints one JSON line
 * `{ "event": "ready", url, role, name, address, ed25519 }` when listening, then one JSON line per
 * notable event; runs until killed.
 */
import { parseArgs } from 'node:util';
import type { Hex } from 'viem';
import { type Role, startNode } from '../network/party-node.ts';

export const summary = 'run one party of the network (solver, verifier or referee) as a process';

const HELP = `usage: pinpoint node <solver|verifier|referee> --rpc <url> --game <0x…> --key-seed <phrase> [options]

  --rpc <url>            EVM JSON-RPC endpoint (pinpoint network chain prints one)
  --game <address>       the deployed PinpointGame contract
  --key-seed <phrase>    derives the party's Ed25519 message key and secp256k1 chain account
  --name <n>             name in logs (default: the role)
  --port <p>             listen port on 127.0.0.1 (default: any free port)
  --cheat-rate <r>       solver: share of tasks solved dishonestly, 0..1 (default 0)
  --seed <s>             solver: seed of the cheating choice (default: the key seed)
  --deadline-ms <ms>     referee: per-answer deadline (default 2000)
  --submitter-key <hex>  only this Ed25519 key may post tasks/checks
  --referee-key <hex>    only this Ed25519 key may ask dispute questions
  --out-dir <dir>        referee: write dispute transcripts here`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rpc: { type: 'string' },
      game: { type: 'string' },
      'key-seed': { type: 'string' },
      name: { type: 'string' },
      port: { type: 'string' },
      'cheat-rate': { type: 'string' },
      seed: { type: 'string' },
      'deadline-ms': { type: 'string' },
      'submitter-key': { type: 'string' },
      'referee-key': { type: 'string' },
      'out-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const role = positionals[0] as Role;
  if (!['solver', 'verifier', 'referee'].includes(role) || positionals.length !== 1) {
    console.error(`pinpoint node: expected one role, solver, verifier or referee\n\n${HELP}`);
    return 2;
  }
  for (const k of ['rpc', 'game', 'key-seed'] as const) {
    if (!values[k]) {
      console.error(`pinpoint node: --${k} is required\n\n${HELP}`);
      return 2;
    }
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(values.game as string)) {
    console.error(`pinpoint node: --game must be a 0x-prefixed 20-byte address, got "${values.game}"`);
    return 2;
  }
  const cheatRate = values['cheat-rate'] === undefined ? 0 : Number(values['cheat-rate']);
  if (!(cheatRate >= 0 && cheatRate <= 1)) {
    console.error(`pinpoint node: --cheat-rate must be in 0..1, got "${values['cheat-rate']}"`);
    return 2;
  }
  const print = (e: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(e)}\n`);
  const node = await startNode({
    role,
    name: values.name ?? role,
    rpc: values.rpc as string,
    game: values.game as Hex,
    keySeed: values['key-seed'] as string,
    port: values.port ? Number(values.port) : 0,
    cheatRate,
    seed: values.seed,
    deadlineMs: values['deadline-ms'] ? Number(values['deadline-ms']) : undefined,
    submitterKey: values['submitter-key'],
    refereeKey: values['referee-key'],
    outDir: values['out-dir'],
    log: print,
  });
  print({ event: 'ready', url: node.url, ...node.hello });
  await new Promise<void>((resolve) => {
    const stop = () => node.close().then(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
