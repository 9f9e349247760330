/**
 * `pinpoint <verb> …` — dispatches to one module per verb in cli/commands/. Each module exports
 * `run(args: string[]): Promise<number>` (the exit code) and a one-line `summary`.
 */
import { useNodeRuntime } from '../core/node-runtime.ts';
import { useDefaultThreads } from './threads.ts';

export interface CommandModule {
  summary: string;
  run(args: string[]): Promise<number>;
}

/** Verbs in the order `pinpoint --help` lists them; each lives in cli/commands/<verb>.ts. */
const COMMANDS = [
  'start',
  'serve',
  'train',
  'verify',
  'inspect',
  'dispute',
  'attack',
  'fuzz',
  'certify',
  'ledger',
  'run',
  'model',
  'spec',
  'node',
  'network',
];

async function load(name: string): Promise<CommandModule | null> {
  try {
    // A computed specifier keeps each verb's dependencies out of every other verb's start-up.
    return (await import(`./commands/${name}.ts`)) as CommandModule;
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String(err).includes(`commands/${name}.ts`)
    ) {
      return null;
    }
    throw err;
  }
}

async function usage(): Promise<string> {
  const lines = ['usage: pinpoint <command> [options]', '', 'commands:'];
  for (const name of COMMANDS) {
    const mod = await load(name).catch(() => null);
    if (mod) lines.push(`  ${name.padEnd(10)} ${mod.summary}`);
  }
  lines.push('', 'Run `pinpoint <command> --help` for a command’s options.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  useNodeRuntime();
  useDefaultThreads();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    const { PINPOINT_VERSION } = await import('../core/version.ts');
    console.log(PINPOINT_VERSION);
    return 0;
  }
  if (!COMMANDS.includes(name)) {
    console.error(`pinpoint: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  const mod = await load(name);
  if (!mod) {
    console.error(`pinpoint: command "${name}" is not available in this build`);
    return 2;
  }
  try {
    return await mod.run(rest);
  } catch (err) {
    // Never swallow: print the message (and the stack when PINPOINT_DEBUG is set) and fail.
    console.error(`pinpoint ${name}: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.PINPOINT_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  }
}
