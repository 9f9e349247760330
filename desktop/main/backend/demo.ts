/**
 * First start: the user data dir gets a demo so a newcomer sees something meaningful at once — a
 * notebook (always), a demo ledger (core/ledger's demo, when that module is available) and a demo
 * proof (core/train, when available). Anything unavailable is reported as a note, never a crash.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DemoState {
  firstRun: boolean;
  notebook?: string;
  proof?: string;
  ledger?: string;
  notes: string[];
}

const WELCOME = fileURLToPath(new URL('../demo/welcome.md', import.meta.url));

export async function ensureDemo(dataDir: string, repoRoot: string): Promise<DemoState> {
  const demoDir = join(dataDir, 'demo');
  const stateFile = join(dataDir, 'state.json');
  const firstRun = !existsSync(stateFile);
  await mkdir(demoDir, { recursive: true });
  const notes: string[] = [];
  const state: DemoState = { firstRun, notes };

  state.notebook = join(demoDir, 'welcome.md');
  if (!existsSync(state.notebook)) await copyFile(WELCOME, state.notebook);

  state.ledger = await tryStep(notes, 'demo ledger', async () => {
    const path = join(demoDir, 'demo-ledger.db');
    if (existsSync(path)) return path;
    const spec = join(repoRoot, 'core/ledger/node-demo.ts');
    if (!existsSync(spec)) return undefined;
    const mod = (await import(spec)) as { createDemoLedger?: (path: string) => unknown };
    if (typeof mod.createDemoLedger !== 'function') return undefined;
    await mod.createDemoLedger(path);
    return path;
  });

  if (firstRun) await writeFile(stateFile, `${JSON.stringify({ createdAt: new Date().toISOString() }, null, 2)}\n`);
  else await readFile(stateFile, 'utf8');
  return state;
}

async function tryStep(notes: string[], what: string, step: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    const path = await step();
    if (!path) notes.push(`${what}: not available in this build yet`);
    return path;
  } catch (err) {
    notes.push(`${what}: could not be created: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}
