/**
 * `pinpoint dispute <proof-solver> <proof-challenger> [--transcript out.json] [--json] [--checkpoint-store dir]
 *   [--ledger db …]`
 * Runs the two-phase pinpoint dispute between two proof bundles of the same task: bisection over steps,
 * Merkle descent over the disputed step's ops, one-op recomputation by the referee. Exit 0 = solver wins.
 * With --ledger the verdict is settled in a SQLite staking ledger (core/ledger): the task, the solver's
 * proof and the dispute are recorded first if the ledger does not have them yet.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { disputeBundles, loadForDispute } from '../../core/dispute/bundles.ts';
import { describeVerdict, type Transcript, transcriptToJson } from '../../core/dispute/transcript.ts';
import type { Digest } from '../../core/hash/hex.ts';
import { planDisputeSetup } from '../../core/ledger/dispute-setup.ts';
import { createLedger, openLedger, type SqliteLedger } from '../../core/ledger/node-store.ts';
import { settlementAction } from '../../core/ledger/transcript.ts';
import type { LedgerEvent } from '../../core/ledger/types.ts';
import { type FileSource, openFileSource } from '../../core/platform/node-file-source.ts';
import {
  type CheckpointStore,
  CheckpointStoreError,
  storeWithout,
} from '../../core/proof/checkpoint-store.ts';
import { directoryCheckpointStore } from '../../core/proof/node-checkpoint-store.ts';
import { pocket, table } from './ledger.ts';

export const summary = 'settle a disagreement between two proofs by pinpoint bisection';

const HELP = `usage: pinpoint dispute <proof-solver> <proof-challenger> [options]

  --transcript <f>  write the full transcript (JSON, docs/DISPUTE.md) to f
  --deadline <ms>   per-answer deadline (default 10000)
  --json            print verdict and cost as JSON
  --checkpoint-store <dir>
                    full states written by train --checkpoint-store: each party replays from the
                    nearest checkpoint whose state the store holds for its own commitments; every such
                    state is checked against its bundle before the dispute starts; a file that is
                    not the committed state is named on stderr and left out (that party replays
                    from an earlier checkpoint)
  --ledger <db>     settle the verdict in this staking ledger (created with default game parameters
                    if missing); records the task, the solver's proof and the dispute first if needed
    --task <id>         ledger task id (default <task name>-<first 12 hex of the task digest>)
    --solver <acct>     solver account (default solver-<first 8 hex of its public key>)
    --challenger <acct> challenger account (default challenger-<first 8 hex of its public key>)
    --submitter <acct>  account that posts the task if the ledger lacks it (default submitter)
    --bounty <n>        bounty when posting the task (default 200)
  Accounts the command opens are minted exactly the stake/bounty their role needs (mint events).
Exit status: 0 solver wins, 3 challenger wins, 4 both lose; 1 on an error.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      transcript: { type: 'string' },
      deadline: { type: 'string' },
      json: { type: 'boolean', default: false },
      'checkpoint-store': { type: 'string' },
      ledger: { type: 'string' },
      task: { type: 'string' },
      solver: { type: 'string' },
      challenger: { type: 'string' },
      submitter: { type: 'string' },
      bounty: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 2) {
    console.error(
      `pinpoint dispute: two proof files expected (<proof-solver> <proof-challenger>), got ${positionals.length} (pinpoint dispute --help)`,
    );
    return 2;
  }
  const deadline = values.deadline === undefined ? 10_000 : Number(values.deadline);
  if (!Number.isInteger(deadline) || deadline <= 0)
    throw new Error(`--deadline must be a positive integer (ms), got "${values.deadline}"`);
  const storeDir = values['checkpoint-store'];
  const load = (checkpointStore: CheckpointStore | undefined) =>
    positionals.map((file) =>
      loadForDispute({
        file,
        source: openFileSourceNamed(file),
        ...(checkpointStore ? { checkpointStore } : {}),
      }),
    );
  const store = storeDir === undefined ? undefined : directoryCheckpointStore(storeDir);
  let [la, lb] = load(store);
  // A store is the operator's cache, not a party's claim: a file that is not the committed state must not
  // make the party replaying from it fail to answer and lose. So every state is checked now, and a bad one
  // is left out: that party replays from the checkpoint before it instead (the same verdict, later).
  const bad = new Set<Digest>();
  for (const l of [la, lb])
    if ('bundle' in l)
      for (const s of l.bundle.checkpointStoreSteps)
        try {
          l.bundle.checkpoint(s);
        } catch (err) {
          if (!(err instanceof CheckpointStoreError)) throw err;
          const state = l.bundle.manifest.checkpoints.find((c) => c.step === s)?.state;
          if (state !== undefined) bad.add(state);
          console.error(
            `pinpoint dispute: ${err.message}; left out, replaying from an earlier checkpoint of ${l.bundle.file}`,
          );
        }
  if (store && bad.size > 0) [la, lb] = load(storeWithout(store, bad));
  // The ledger records the solver's proof and both identities: it needs two valid bundles. Without it,
  // an invalid bundle is a claim like any other and loses the game at setup (docs/DISPUTE.md).
  if (values.ledger) for (const l of [la, lb]) if ('error' in l) throw new Error(l.error);
  const a = 'bundle' in la ? la.bundle : null;
  const b = 'bundle' in lb ? lb.bundle : null;
  const ledgerOpts = ['task', 'solver', 'challenger', 'submitter', 'bounty'] as const;
  if (!values.ledger) {
    const stray = ledgerOpts.find((k) => values[k] !== undefined);
    if (stray) throw new Error(`--${stray} only applies with --ledger <db>`);
  }
  const bounty = values.bounty === undefined ? 200 : Number(values.bounty);
  if (!Number.isSafeInteger(bounty) || bounty < 0)
    throw new Error(`--bounty must be a non-negative integer, got "${values.bounty}"`);
  // Open the ledger and plan its setup before the dispute, so a wrong ledger state fails fast.
  const ledger = values.ledger ? openOrCreate(values.ledger) : null;
  try {
    const solver = values.solver ?? `solver-${a?.manifest.solver.publicKey.slice(0, 8)}`;
    // An account with a bound key (`pinpoint ledger key`) only accepts bundles signed by that key.
    const keyBound = ledger?.ledger.keys().some((k) => k.account === solver) ?? false;
    const setupInput = ledger &&
      a &&
      b && {
        task: values.task ?? `${a.manifest.task.name}-${a.manifest.taskDigest.slice(0, 12)}`,
        submitter: values.submitter ?? 'submitter',
        solver,
        challenger: values.challenger ?? `challenger-${b.manifest.solver.publicKey.slice(0, 8)}`,
        runCommitment: a.manifest.runCommitment,
        ...(keyBound ? { signer: a.manifest.solver.publicKey } : {}),
        bounty,
        spec: `${a.manifest.task.name} (task digest ${a.manifest.taskDigest})`,
      };
    if (ledger && setupInput) planDisputeSetup(ledgerState(ledger.ledger), setupInput);

    const { verdict, transcript } = await disputeBundles(la, lb, { deadlineMs: deadline });
    if (values.transcript) writeFileSync(values.transcript, transcriptToJson(transcript));
    const settled = ledger && setupInput ? settle(ledger.ledger, setupInput, transcript) : null;
    const c = transcript.cost;
    if (values.json)
      console.log(
        JSON.stringify({ verdict, cost: c, ...(settled ? { ledger: settled.json } : {}) }, null, 1),
      );
    else {
      console.log(describeVerdict(verdict));
      console.log(
        `rounds: ${c.rounds.steps} over steps + ${c.rounds.ops} over ops (bound ⌈log2 T⌉+⌈log2 N⌉ = ${c.rounds.bound}), ${c.rounds.messages} exchanges; ${c.bytes.total} bytes`,
      );
      console.log(
        transcript.recompute
          ? `referee: ${c.referee.flops} FLOPs for one op vs ${c.replication.flops} to replay all ${c.replication.steps} steps (${(c.replication.ratio * 100).toExponential(2)} %)`
          : `referee: recomputed no op — decided from the commitments and proofs alone (full replay: ${c.replication.flops} FLOPs for ${c.replication.steps} steps)`,
      );
      if (values.transcript) console.log(`transcript: ${values.transcript}`);
      if (ledger && settled) {
        if (ledger.created) console.log(`ledger: created ${values.ledger} with the default game parameters`);
        for (const n of settled.notes) console.log(`ledger: ${n}`);
        console.log(settled.text);
      }
    }
    return verdict.loser === 'challenger' ? 0 : verdict.loser === 'solver' ? 3 : 4;
  } finally {
    ledger?.ledger.close();
  }
}

function openOrCreate(file: string): { ledger: SqliteLedger; created: boolean } {
  if (existsSync(file)) return { ledger: openLedger(file), created: false };
  return { ledger: createLedger(file), created: true };
}

function ledgerState(l: SqliteLedger) {
  return {
    params: l.params(),
    accounts: l.accounts(),
    tasks: l.tasks(),
    proofs: l.proofs(),
    disputes: l.disputes(),
  };
}

/**
 * Records what the ledger lacks (one transaction), then settles the dispute with the referee's
 * transcript (a second one: a crash in between leaves an open dispute that the next run settles).
 */
function settle(
  l: SqliteLedger,
  input: Parameters<typeof planDisputeSetup>[1],
  transcript: Transcript,
): { notes: string[]; text: string; json: object } {
  const setup = planDisputeSetup(ledgerState(l), input);
  const parties = [input.submitter, input.solver, input.challenger];
  l.submitAll(setup.actions);
  // "before" = stakes locked, escrow posted: what the settlement alone moves.
  const before = new Map(l.accounts().map((r) => [r.id, r]));
  const treasuryBefore = l.totals().treasury;
  const id =
    setup.openDispute ?? l.disputes().findLast((d) => d.task === input.task && d.state === 'open')?.id;
  if (id === undefined) throw new Error(`ledger: the dispute on ${input.task} was not opened`);
  const event = l.submit(settlementAction(id, transcript));
  const after = new Map(l.accounts().map((r) => [r.id, r]));
  const moves = settlementMoves(event);
  const rows = parties.map((p) => {
    const b = before.get(p);
    const x = after.get(p);
    return [
      p,
      b ? b.balance : 0,
      b ? b.locked : 0,
      x?.balance ?? 0,
      x?.locked ?? 0,
      (x?.balance ?? 0) - (b?.balance ?? 0),
    ];
  });
  const treasury = l.totals().treasury;
  const text = [
    `ledger: dispute #${id} settled in event ${event.seq} (${event.hash.slice(0, 16)}…); stake movements:`,
    ...moves.map((m) => `  ${m.from} → ${m.to}  ${m.amount}  (${m.reason})`),
    table(
      ['account', 'balance before', 'locked before', 'balance after', 'locked after', 'Δ balance'],
      [...rows, ['treasury', treasuryBefore, 0, treasury, 0, treasury - treasuryBefore]],
    ),
  ].join('\n');
  return {
    notes: setup.notes,
    text,
    json: { dispute: id, event: event.seq, hash: event.hash, moves, notes: setup.notes },
  };
}

function settlementMoves(e: LedgerEvent): { from: string; to: string; amount: number; reason: string }[] {
  return e.payload.changes.flatMap((c) =>
    c.op === 'move'
      ? [{ from: pocket(c.move.from), to: pocket(c.move.to), amount: c.move.amount, reason: c.move.reason }]
      : [],
  );
}

function openFileSourceNamed(file: string): FileSource {
  try {
    return openFileSource(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}
