/**
 * First start: the user data dir gets a demo so a newcomer sees something meaningful at once — the
 * welcome notebook opens, and the Proof/Graph/Dispute/Ledger views open the demo proof and ledger.
 */

import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_LEDGER, DEMO_PROOF } from './views-demo.ts';

export interface DemoState {
  firstRun: boolean;
  notebook?: string;
  proof?: string;
  ledger?: string;
  notes: string[];
}

const WELCOME = fileURLToPath(new URL('../demo/welcome.md', import.meta.url));

export async function ensureDemo(dataDir: string): Promise<DemoState> {
  const demoDir = join(dataDir, 'demo');
  const stateFile = join(dataDir, 'state.json');
  const firstRun = !existsSync(stateFile);
  await mkdir(demoDir, { recursive: true });
  const notes: string[] = [];
  const state: DemoState = { firstRun, notes };

  state.notebook = join(demoDir, 'welcome.md');
  if (!existsSync(state.notebook)) await copyFile(WELCOME, state.notebook);

  // The demo proof (a short trace-mode training run via core/train) and the demo ledger (core/ledger's
  // demo actions) are made by the views' backend (views.ts) under <dataDir>/demo/ the first time a view
  // needs them, so the app window opens at once; the paths here stay unset unless already made.
  for (const [key, name] of [
    ['proof', DEMO_PROOF],
    ['ledger', DEMO_LEDGER],
  ] as const) {
    const path = join(demoDir, name);
    if (existsSync(path)) state[key] = path;
  }

  if (firstRun)
    await writeFile(stateFile, `${JSON.stringify({ createdAt: new Date().toISOString() }, null, 2)}\n`);
  return state;
}
