/**
 * The copy-proof game on the staking ledger, run in memory with the real core/ledger rules: used by the
 * attack library's copy-proof scenario (core/attacks/scenarios.ts). It lives in core/ledger because it
 * only needs ledger rules, keys and digests; core/attacks imports it (never the other way round here).
 */
import { digestJson } from '../hash/digest.ts';
import { toHex } from '../hash/hex.ts';
import { keyFromSeed } from '../proof/sign.ts';
import { plan } from './game.ts';
import { MemoryLedger } from './memory.ts';
import { commitRevealActions, keyBindingAction } from './seal.ts';
import { type Action, type CopyRecord, DEFAULT_PARAMS, LedgerError } from './types.ts';

/** What the staking ledger did with a copied proof (copy-proof scenario; core/ledger game rules in memory). */
export interface LedgerCheck {
  /** The copier's reveal was caught by the commit-reveal order: copy recorded, stake slashed, task refunded. */
  readonly caught: boolean;
  /** The honest solver's reveal was accepted: task proved, stake still locked. */
  readonly honestProved: boolean;
  /** The victim's bundle submitted verbatim (signed by the victim's key) was refused with this message. */
  readonly verbatimRefused: string | null;
  readonly copy: CopyRecord | null;
  /** Balance changes caused by the copier's reveal. */
  readonly payouts: {
    readonly copier: number;
    readonly victim: number;
    readonly submitter: number;
    readonly treasury: number;
  };
  /** The ledger events of the two task instances, in order (refused actions marked). */
  readonly events: readonly {
    readonly seq: number | null;
    readonly action: string;
    readonly by: string;
    readonly result: string;
  }[];
}

/**
 * The copy-proof game on the staking ledger (the real core/ledger rules, in memory): two instances of the
 * same task; the honest solver seals and reveals its run commitment; the copier first tries the honest
 * bundle verbatim (refused: signed by the honest solver's key), then re-signs it with its own key — the
 * run commitment it seals is the one it read from the honest reveal, so the seal comes after that reveal
 * and the reveal is a copy.
 */
export function ledgerCopyCheck(runCommitment: string, seed = 1): LedgerCheck {
  const m = new MemoryLedger(DEFAULT_PARAMS);
  let seq = 1; // event 1 is ledger.init
  const events: { seq: number | null; action: string; by: string; result: string }[] = [];
  const by = (a: Action): string => {
    const r = a as unknown as Record<string, unknown>;
    return String(r.solver ?? r.submitter ?? r.account ?? '');
  };
  const act = (a: Action, log = true): string | null => {
    try {
      const changes = plan(m, a);
      seq++;
      for (const ch of changes) m.apply(ch, seq);
      const copied = changes.some((ch) => ch.op === 'copy.record');
      if (log) events.push({ seq, action: a.type, by: by(a), result: copied ? 'COPY: slashed' : 'ok' });
      return null;
    } catch (err) {
      if (!(err instanceof LedgerError)) throw err;
      if (log) events.push({ seq: null, action: a.type, by: by(a), result: `refused: ${err.message}` });
      return err.message;
    }
  };
  const must = (a: Action) => {
    const e = act(a, false);
    if (e !== null) throw new Error(`copy-proof ledger setup: ${a.type} refused: ${e}`);
  };
  const honestKey = keyFromSeed(`copy-proof-honest-${seed}`);
  const copierKey = keyFromSeed(`copy-proof-copier-${seed}`);
  for (const who of ['submitter', 'honest', 'copier']) {
    must({ type: 'account.open', account: who });
    must({ type: 'mint', account: who, amount: 1000 });
  }
  must(keyBindingAction('honest', honestKey));
  must(keyBindingAction('copier', copierKey));
  for (const t of ['instance-A', 'instance-B'])
    act({ type: 'task.post', task: t, submitter: 'submitter', bounty: 200, spec: 'identical task' });
  act({ type: 'task.claim', task: 'instance-A', solver: 'honest' });
  act({ type: 'task.claim', task: 'instance-B', solver: 'copier' });
  // Fixed salts keep the scenario reproducible; real solvers draw them at random (seal.ts newSalt).
  const salt = (who: string) => digestJson('pinpoint.attack.copy-proof.salt', [who, seed]);
  const honest = commitRevealActions(
    { runCommitment, solver: { publicKey: toHex(honestKey.publicKey) } },
    'instance-A',
    'honest',
    salt('honest'),
  );
  act(honest.commit);
  act(honest.reveal);
  // The copier learns the run commitment from the public reveal…
  const seen = [...m.proofs.values()].find((p) => p.solver === 'honest')?.runCommitment ?? runCommitment;
  // …tries the honest bundle verbatim (signed by the honest key)…
  const verbatimRefused = act({
    type: 'proof.submit',
    task: 'instance-B',
    solver: 'copier',
    runCommitment: seen,
    signer: toHex(honestKey.publicKey),
  });
  // …then re-signs it with its own key and goes through commit-then-reveal.
  const copy = commitRevealActions(
    { runCommitment: seen, solver: { publicKey: toHex(copierKey.publicKey) } },
    'instance-B',
    'copier',
    salt('copier'),
  );
  act(copy.commit);
  const before: Record<string, number> = { ...balances(m), treasury: m.treasury };
  act(copy.reveal);
  const after: Record<string, number> = { ...balances(m), treasury: m.treasury };
  const record = [...m.copies.values()].find((x) => x.copier === 'copier') ?? null;
  return {
    caught:
      record !== null &&
      m.stake(record.stake)?.status === 'slashed' &&
      m.task('instance-B')?.state === 'settled',
    honestProved:
      m.task('instance-A')?.state === 'proved' && m.solverStake('instance-A')?.status === 'locked',
    verbatimRefused,
    copy: record,
    payouts: {
      copier: after.copier - before.copier,
      victim: after.honest - before.honest,
      submitter: after.submitter - before.submitter,
      treasury: after.treasury - before.treasury,
    },
    events,
  };
}

function balances(m: MemoryLedger): Record<string, number> {
  return Object.fromEntries([...m.accounts.values()].map((a) => [a.id, a.balance]));
}
