/** Runs `pinpoint <args>` in-process (the real dispatcher and command), capturing what it prints. */
import { main } from '../../cli/main.ts';

export interface CliResult {
  readonly code: number;
  /** console.log lines joined by '\n'. */
  readonly stdout: string;
  /** console.error lines joined by '\n'. */
  readonly stderr: string;
}

/** In-process instead of a child process: a spawn costs ~1.5 s of tsx startup on the 2-core CI. */
export async function pinpoint(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    const code = await main(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    [console.log, console.error] = [log, error];
  }
}
