/**
 * Demo data for the views when the user opened nothing: the shell's first-start demo (ctx.demo.proof /
 * .ledger) when present, else files created once under <dataDir>/demo/ — a short trace-mode training run of
 * tasks/iris-mlp.json (the demo proof), a copy of it tampered at one op (the demo dispute), and a ledger
 * replaying core/ledger's demo actions with real referee transcripts only: the caught-cheater dispute is
 * the core/dispute referee run between the two proofs, the others come from core/attacks' scenarios.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { realDemoTranscripts } from '../../../core/attacks/demo-transcripts.ts';
import { runDispute } from '../../../core/dispute/referee.ts';
import { bundleParty, repopsTask } from '../../../core/dispute/repops-task.ts';
import { refereeConfig } from '../../../core/dispute/task.ts';
import type { Transcript } from '../../../core/dispute/transcript.ts';
import { DEMO_PARAMS, demoActions, demoClock } from '../../../core/ledger/demo.ts';
import { createLedger } from '../../../core/ledger/node-store.ts';
import { bundleFromRun } from '../../../core/proof/bundle.ts';
import type { LoadedBundle } from '../../../core/proof/read.ts';
import { DEMO_KEY_SEED, keyFromSeed } from '../../../core/proof/sign.ts';
import { parseTaskText } from '../../../core/train/task.ts';
import { perturbNode, prepareTask, train } from '../../../core/train/train.ts';
import type { BackendContext } from './context.ts';
import { ViewsError } from './views-error.ts';

/** The demo dispute: the step Carol's copy of the demo run is tampered at, and her signing key. */
export const DEMO_TAMPER_STEP = 23;
const DEMO_CHEAT_KEY_SEED = 'pinpoint-demo-cheating-solver';
/**
 * Demo ledger file name; versioned so a data dir holding an older demo is rebuilt (v2: real transcripts;
 * v3: schema v2 with keys, commit-then-reveal and the caught copy).
 */
export const DEMO_LEDGER = 'views-ledger-v3.db';
/** Demo proof file names; versioned like the ledger so an older demo is rebuilt (v2: step metrics). */
export const DEMO_PROOF = 'views-demo-v2.pinproof';
export const DEMO_TAMPERED = 'views-demo-v2-tampered.pinproof';

/** An older demo ledger the shell may still point at (its name predates DEMO_LEDGER): rebuilt instead. */
function staleDemoLedger(file: string): boolean {
  const b = basename(file);
  return /^views-ledger-v\d+\.db$/.test(b) && b !== DEMO_LEDGER;
}

export interface DemoDispute {
  transcript: Transcript;
  /** The demo proof (Erin's side) and Carol's tampered copy. */
  proofPath: string;
  tamperedPath: string;
}

export interface DemoData {
  /** <dataDir>/demo */
  readonly dir: string;
  dispute(): Promise<DemoDispute>;
  proofPath(): string;
  ledgerPath(): Promise<string>;
}

/** `openBundle` reads a proof through the caller's cache of open proofs. */
export function createDemoData(ctx: BackendContext, openBundle: (path: string) => LoadedBundle): DemoData {
  const demoDir = join(ctx.dataDir, 'demo');
  let live: Promise<DemoDispute> | null = null;
  const openProof = (path: string) => ({ bundle: openBundle(path) });

  /**
   * The demo dispute, run by the core/dispute referee on the demo proof's own task: Carol (solver) submits
   * a copy of the demo run in which one forward op (fc2's linear, the middle forward op) of step 23 was
   * nudged by +1e-3 on one element, and Erin (challenger) answers from the honest demo proof. Both parties
   * answer from proof bundles (bundleParty), so the pinpointed step and op index the demo proof's graph.
   * The tampered bundle is cached next to the demo proof (it also shows up in the Proof view's list).
   */
  function demoDispute(): Promise<DemoDispute> {
    live ??= (async () => {
      const honestPath = demoProofPath();
      const honest = openProof(honestPath).bundle;
      const task = repopsTask(honest.manifest.task);
      const tamperedPath = join(demoDir, DEMO_TAMPERED);
      if (!existsSync(tamperedPath)) {
        const tctx = prepareTask(honest.manifest.task);
        const step = Math.min(DEMO_TAMPER_STEP, honest.manifest.steps.length - 1);
        const fwd = task.graph(step).nodes.flatMap((n, i) => (n.phase === 'forward' ? [i] : []));
        if (fwd.length === 0)
          throw new ViewsError('dispute.load', `step ${step} of ${honestPath} has no forward op`);
        const run = train(tctx, {
          mode: honest.manifest.mode,
          tamper: perturbNode(step, fwd[Math.floor(fwd.length / 2)], 0, 1e-3),
        });
        mkdirSync(demoDir, { recursive: true });
        const tmp = `${tamperedPath}.tmp-${process.pid}`;
        writeFileSync(tmp, bundleFromRun(run, keyFromSeed(DEMO_CHEAT_KEY_SEED)));
        renameSync(tmp, tamperedPath);
      }
      const tampered = openProof(tamperedPath).bundle;
      const mode = honest.manifest.mode === 'trace' && tampered.manifest.mode === 'trace' ? 'trace' : 'fast';
      const r = await runDispute(
        bundleParty('carol', task, tampered),
        bundleParty('erin', task, honest),
        refereeConfig(task, mode),
      );
      return { transcript: r.transcript, proofPath: honestPath, tamperedPath };
    })();
    // A failed run is not cached: the next request retries (and reports its own error).
    live.catch(() => {
      live = null;
    });
    return live;
  }

  function demoProofPath(): string {
    if (ctx.demo.proof && existsSync(ctx.demo.proof)) return ctx.demo.proof;
    const path = join(demoDir, DEMO_PROOF);
    if (existsSync(path)) return path;
    const text = readFileSync(join(ctx.repoRoot, 'tasks/iris-mlp.json'), 'utf8');
    const task = {
      ...parseTaskText(text, 'tasks/iris-mlp.json'),
      name: 'iris-mlp-demo',
      steps: 40,
      checkpointEvery: 10,
    };
    const tctx = prepareTask(task);
    const run = train(tctx, { mode: 'trace' });
    mkdirSync(demoDir, { recursive: true });
    writeFileSync(path, bundleFromRun(run, keyFromSeed(DEMO_KEY_SEED)));
    return path;
  }

  /**
   * The demo ledger: core/ledger's demo actions (as `createDemoLedger` / `pinpoint ledger demo` write them)
   * with real referee transcripts throughout — disputes 2 and 3 from core/attacks' scenarios
   * (`realDemoTranscripts`), and dispute 1 (Erin catches Carol on iris-mlp) carrying the demo dispute above,
   * so the Dispute view replays it on the demo proof's own graph. Written to a temp file and renamed.
   */
  async function demoLedgerPath(): Promise<string> {
    if (ctx.demo.ledger && existsSync(ctx.demo.ledger) && !staleDemoLedger(ctx.demo.ledger))
      return ctx.demo.ledger;
    const path = join(demoDir, DEMO_LEDGER);
    if (existsSync(path)) return path;
    mkdirSync(demoDir, { recursive: true });
    const { transcript } = await demoDispute();
    const real = await realDemoTranscripts();
    const tmp = `${path}.tmp-${process.pid}`;
    const store = createLedger(tmp, DEMO_PARAMS, { clock: demoClock(), durability: 'normal' });
    try {
      store.submitAll(demoActions({ ...real, caughtCheater: { ...transcript, task: 'iris-mlp' } }));
      // Fold the WAL into the main file so renaming the one file moves everything.
      store.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      store.close();
      for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
      throw err;
    }
    store.close();
    renameSync(tmp, path);
    return path;
  }

  return { dir: demoDir, dispute: demoDispute, proofPath: demoProofPath, ledgerPath: demoLedgerPath };
}
