/**
 * `pinpoint ledger init|status|accounts|events|verify|demo|dispute|snapshot|copies <db>` — the staking
 * ledger from the command line — and the writes `submit`, `key`, `commit`, `reveal` (identity binding:
 * bundle keys bound to accounts, commit-then-reveal of run commitments). Human tables by default, `--json`
 * for machines. `verify` exits 1 when the file fails any check; `reveal` exits 3 when the ledger judged
 * the reveal a copy (and slashed it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { realDemoTranscripts } from '../../core/attacks/demo-transcripts.ts';
import { toHex } from '../../core/hash/hex.ts';
import { createDemoLedger } from '../../core/ledger/node-demo.ts';
import { createLedger, openLedger, type SqliteLedger } from '../../core/ledger/node-store.ts';
import { commitRevealActions, keyBindingAction } from '../../core/ledger/seal.ts';
import {
  type Action,
  DEFAULT_PARAMS,
  type GameParams,
  type LedgerEvent,
  type Move,
} from '../../core/ledger/types.ts';
import type { LoadedBundle } from '../../core/proof/read.ts';
import type { SolverKey } from '../../core/proof/sign.ts';
import { readBundleFile, readKeyOption } from '../files.ts';

export const summary = 'staking ledger: init, status, accounts, events, verify, demo, commit/reveal';

const HELP = `usage: pinpoint ledger <subcommand> <db> [options]

subcommands:
  init <db>        create a ledger file (game parameters below; defaults shown)
  status <db>      head of the chain, supply totals, tasks by state
  accounts <db>    balances and locked stakes
  events <db>      the event log   [--task ID] [--account ID] [--kind KIND] [--limit N]
  sync <db> --rpc <url> --game <0x…> [--transcripts dir]   mirror a PinpointGame's events (docs/NETWORK.md)
  verify <db> --rpc <url> --game <0x…>   also check the mirror against the chain
  verify <db>      recompute the hash chain, replay the rules, check the supply invariant and every table
                   [--anchor HASH: also require a head hash published earlier to be in the chain]
  demo <db>        write the demo ledger (accounts, tasks, settled disputes)   [--force: overwrite]
                   [--synthetic: made-up transcripts instead of real referee runs]
  dispute <db> <id>   one dispute with its verdict and transcript summary
  snapshot <db> <seq> balances, stakes, escrow and treasury right after event <seq>
  copies <db>      copied proofs the ledger caught (commit-then-reveal order) and their penalties

writes:
  submit <db> <action.json|->   one game action (or an array, in one transaction) as JSON
  key <db> --account A (--key FILE | --key-seed PHRASE)
                   bind an Ed25519 key to an account, once (signed: proves possession)
  commit <db> <proof> --task T --solver A [--seal FILE]
                   record a sealed commitment to the bundle's run; the salt goes to FILE (default
                   <proof>.seal.json) — keep it private until the reveal
  reveal <db> <proof> --task T --solver A [--seal FILE]
                   open the seal: the task is proved, or (exit 3) the reveal is a copy and is slashed;
                   a bundle signed by a key other than A's is refused

options:
  --json           machine-readable output
  init parameters: --solver-stake ${DEFAULT_PARAMS.solverStake} --challenger-stake ${DEFAULT_PARAMS.challengerStake} --slash-bps ${DEFAULT_PARAMS.slashBps}
                   --whistleblower-bps ${DEFAULT_PARAMS.whistleblowerBps} --treasury-bps ${DEFAULT_PARAMS.treasuryBps} --verifier-reward ${DEFAULT_PARAMS.verifierReward}
                   (bps = basis points, 1/10000)`;

const PARAM_FLAGS: [keyof GameParams, string][] = [
  ['solverStake', 'solver-stake'],
  ['challengerStake', 'challenger-stake'],
  ['slashBps', 'slash-bps'],
  ['whistleblowerBps', 'whistleblower-bps'],
  ['treasuryBps', 'treasury-bps'],
  ['verifierReward', 'verifier-reward'],
];

/** Left-aligned text table; numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const width = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(width[i]) : c.padEnd(width[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(width.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** A pocket as text: account id, stake#n, escrow:task, treasury or mint. */
export function pocket(p: Move['from']): string {
  if ('balance' in p) return p.balance;
  if ('stake' in p) return `stake#${p.stake}`;
  if ('escrow' in p) return `escrow:${p.escrow}`;
  if ('treasury' in p) return 'treasury';
  return 'mint';
}

function describe(e: LedgerEvent): string {
  const a = e.payload.action as unknown as Record<string, unknown>;
  const moves = e.payload.changes.flatMap((c) =>
    c.op === 'move' ? [`${pocket(c.move.from)}→${pocket(c.move.to)} ${c.move.amount}`] : [],
  );
  const fields = Object.entries(a)
    .filter(
      ([k]) =>
        k !== 'type' &&
        k !== 'params' &&
        k !== 'transcriptDigest' &&
        k !== 'runCommitment' &&
        k !== 'reportDigest' &&
        k !== 'spec',
    )
    .map(([k, v]) => {
      if (k === 'verdict' && v && typeof v === 'object') {
        const vd = v as { loser?: unknown; step?: unknown; op?: unknown };
        return `loser=${String(vd.loser)} step=${String(vd.step)} op=${String(vd.op)}`;
      }
      return `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
    });
  const s = [...fields, ...(moves.length ? [`moves: ${moves.join(', ')}`] : [])].join(' ');
  return s.length > 110 ? `${s.slice(0, 107)}…` : s;
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  // Flags are named bare ("limit"), positionals with their brackets ("<seq>").
  const label = name.startsWith('<') ? name : `--${name}`;
  if (!/^\d+$/.test(v)) throw new Error(`${label} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      force: { type: 'boolean' },
      synthetic: { type: 'boolean' },
      anchor: { type: 'string' },
      task: { type: 'string' },
      account: { type: 'string' },
      kind: { type: 'string' },
      limit: { type: 'string' },
      solver: { type: 'string' },
      seal: { type: 'string' },
      key: { type: 'string' },
      'key-seed': { type: 'string' },
      rpc: { type: 'string' },
      game: { type: 'string' },
      transcripts: { type: 'string' },
      ...Object.fromEntries(PARAM_FLAGS.map(([, f]) => [f, { type: 'string' as const }])),
    },
  });
  const [sub, file, extra] = positionals;
  if (values.help || !sub) {
    console.log(HELP);
    return sub || values.help ? 0 : 1;
  }
  const subs = [
    'init',
    'status',
    'accounts',
    'events',
    'verify',
    'demo',
    'dispute',
    'snapshot',
    'copies',
    'submit',
    'key',
    'commit',
    'reveal',
    'sync',
  ];
  if (!subs.includes(sub)) {
    console.error(
      `pinpoint ledger: unknown subcommand "${sub}" (one of ${subs.join(', ')}; pinpoint ledger --help)`,
    );
    return 2;
  }
  if (!file) {
    console.error(`pinpoint ledger ${sub}: missing <db> (path of the ledger file)`);
    return 2;
  }
  const json = values.json === true;
  const out = (human: string, data: unknown) => console.log(json ? JSON.stringify(data, null, 2) : human);

  if (sub === 'sync' || (sub === 'verify' && values.rpc)) {
    // The chain mirror (docs/NETWORK.md): sync appends the chain's game events; verify --rpc checks them.
    if (!values.rpc || !values.game || !/^0x[0-9a-fA-F]{40}$/.test(values.game)) {
      console.error(`pinpoint ledger ${sub}: needs --rpc <url> and --game <0x… contract address>`);
      return 2;
    }
    const { syncLedger, verifyAgainstChain } = await import('../../core/chain/node-sync.ts');
    const game = values.game as `0x${string}`;
    if (sub === 'sync') {
      const r = await syncLedger(file, values.rpc, game, values.transcripts);
      out(`${file}: ${r.appended} new action(s) from ${r.logs} chain events (${r.total} mirrored in all)`, r);
      return 0;
    }
    const r = await verifyAgainstChain(file, values.rpc, game);
    out(
      `${r.ok ? 'OK' : 'FAILED'}  ${file} mirrors ${game}: ${r.actions} actions${r.problems.map((p) => `\n  ${p}`).join('')}`,
      r,
    );
    return r.ok ? 0 : 1;
  }

  if (sub === 'init') {
    const params = { ...DEFAULT_PARAMS };
    for (const [key, flag] of PARAM_FLAGS) {
      const v = num(flag, (values as Record<string, string | undefined>)[flag]);
      if (v !== undefined) params[key] = v;
    }
    const existed = existsSync(file);
    const ledger = createLedger(file, params);
    try {
      const st = ledger.status();
      out(
        `${existed ? `${file} is already a ledger with these parameters (unchanged)` : `initialised ${file}`}: schema v${st.schemaVersion}, head event ${st.head.seq} ${st.head.hash}\nparameters: ${JSON.stringify(st.params)}`,
        st,
      );
    } finally {
      ledger.close();
    }
    return 0;
  }

  if (sub === 'demo') {
    if (existsSync(file) && !values.force) {
      console.error(`pinpoint ledger demo: ${file} already exists (use --force to overwrite)`);
      return 1;
    }
    const r = await createDemoLedger(file, {
      synthetic: values.synthetic === true,
      force: values.force === true,
      transcripts: realDemoTranscripts,
    });
    const ledger = openLedger(file, { readonly: true });
    try {
      const st = ledger.status();
      out(
        [
          `wrote demo ledger ${file}: ${st.head.seq} events, ${st.accounts} accounts, ${Object.values(st.tasks).reduce((a, b) => a + b, 0)} tasks, ${st.disputes.settled} settled disputes (${
            r.transcripts === 'real'
              ? 'real referee transcripts from the attack library'
              : 'SYNTHETIC transcripts'
          })`,
          ...(r.note ? [r.note] : []),
          `head ${st.head.hash}`,
        ].join('\n'),
        { ...st, transcripts: r.transcripts, note: r.note },
      );
    } finally {
      ledger.close();
    }
    return 0;
  }

  if (sub === 'submit' || sub === 'key' || sub === 'commit' || sub === 'reveal') {
    const w = openLedger(file);
    try {
      return write(sub, w, extra, values, out);
    } finally {
      w.close();
    }
  }

  const ledger: SqliteLedger = openLedger(file, { readonly: true });
  try {
    switch (sub) {
      case 'copies': {
        const rows = ledger.copies();
        out(
          rows.length === 0
            ? 'no copies caught'
            : table(
                ['event', 'task', 'copier', 'sealed in', 'original', 'revealed in', 'slashed', 'to original'],
                rows.map((c) => [
                  c.seq,
                  c.task,
                  c.copier,
                  c.commitSeq === null ? 'submit' : `event ${c.commitSeq}`,
                  `${c.original.account} (${c.original.task})`,
                  c.original.seq,
                  c.slashed,
                  c.victimShare,
                ]),
              ),
          rows,
        );
        return 0;
      }
      case 'status': {
        const st = ledger.status();
        const t = st.totals;
        out(
          [
            `ledger ${file} (schema v${st.schemaVersion})`,
            `head      event ${st.head.seq}  ${st.head.hash}`,
            `supply    minted ${t.minted} = balances ${t.balances} + locked ${t.locked} + escrow ${t.escrow} + treasury ${t.treasury}${
              t.balances + t.locked + t.escrow + t.treasury === t.minted ? '' : '  ← INVARIANT BROKEN'
            }`,
            `accounts  ${st.accounts}`,
            `tasks     ${
              Object.entries(st.tasks)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'none'
            }`,
            `disputes  open ${st.disputes.open}, settled ${st.disputes.settled}`,
            `params    ${PARAM_FLAGS.map(([k, f]) => `${f} ${st.params[k]}`).join(', ')}`,
          ].join('\n'),
          st,
        );
        return 0;
      }
      case 'accounts': {
        const rows = ledger.accounts();
        out(
          table(
            ['account', 'name', 'balance', 'locked'],
            rows.map((a) => [a.id, a.name, a.balance, a.locked]),
          ),
          rows,
        );
        return 0;
      }
      case 'events': {
        const limit = num('limit', values.limit);
        const evs = ledger.events({ task: values.task, account: values.account, kind: values.kind, limit });
        out(
          table(
            ['seq', 'at', 'kind', 'task', 'details', 'hash'],
            evs.map((e) => [e.seq, e.at, e.kind, e.task ?? '', describe(e), e.hash.slice(0, 12)]),
          ),
          evs,
        );
        return 0;
      }
      case 'verify': {
        const r = ledger.verify(values.anchor ? { anchor: values.anchor } : {});
        const lines = [
          `${r.ok ? 'OK' : 'FAILED'}  ${file}: ${r.events} events, integrity ${r.integrity}`,
          `head ${r.head}`,
        ];
        if (r.firstBadEvent)
          lines.push(`first bad event: ${r.firstBadEvent.seq}: ${r.firstBadEvent.problem}`);
        for (const p of r.tableProblems) lines.push(`table: ${p}`);
        if (r.anchor) {
          lines.push(
            r.anchor.seq === null
              ? `anchor ${r.anchor.hash} is NOT in the verified chain: the history was rewritten (or the anchor belongs to another ledger)`
              : `anchor found at event ${r.anchor.seq}: events 1..${r.anchor.seq} are the ones published`,
          );
        }
        if (r.totals) {
          const t = r.totals;
          lines.push(
            `supply minted ${t.minted} = balances ${t.balances} + locked ${t.locked} + escrow ${t.escrow} + treasury ${t.treasury}`,
          );
        }
        out(lines.join('\n'), r);
        return r.ok ? 0 : 1;
      }
      case 'dispute': {
        const id = num('<id>', extra);
        if (id === undefined) throw new Error('usage: pinpoint ledger dispute <db> <id>');
        const rec = ledger.dispute(id);
        if (!rec) throw new Error(`${file}: no dispute #${id}`);
        const t = rec.transcript as { rounds?: unknown[]; synthetic?: boolean } | null;
        out(
          [
            `dispute #${rec.id} on task ${rec.task}: solver ${rec.solver} vs challenger ${rec.challenger} — ${rec.state}`,
            rec.verdict
              ? `verdict: ${rec.verdict.loser} lost at step ${rec.verdict.step ?? '-'}, op ${rec.verdict.op ?? '-'} (${rec.verdict.reason})`
              : 'verdict: pending',
            t
              ? `transcript: ${t.rounds?.length ?? 0} rounds, digest ${rec.transcriptDigest}${t.synthetic ? ' (SYNTHETIC)' : ''}`
              : 'transcript: none',
            `events: ${rec.events.map((e) => `${e.seq} ${e.kind}`).join(', ')}`,
          ].join('\n'),
          rec,
        );
        return 0;
      }
      case 'snapshot': {
        const seq = num('<seq>', extra);
        if (seq === undefined) throw new Error('usage: pinpoint ledger snapshot <db> <seq>');
        const s = ledger.snapshotAt(seq);
        const t = s.totals;
        out(
          [
            `after event ${s.seq}: minted ${t.minted}, balances ${t.balances}, locked ${t.locked}, escrow ${t.escrow}, treasury ${t.treasury}`,
            table(
              ['account', 'balance'],
              s.accounts.map((a) => [a.id, a.balance]),
            ),
          ].join('\n'),
          s,
        );
        return 0;
      }
    }
    return 2;
  } finally {
    ledger.close();
  }
}

type Values = Record<string, string | boolean | undefined>;

function str(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new Error(`--${name} is required`);
  return v;
}

function loadBundle(file: string | undefined): LoadedBundle {
  if (!file) throw new Error('missing <proof> (a .pinproof bundle written by `pinpoint train`)');
  // readBundleFile checks the Ed25519 signature: the signer below is the key that really signed the run.
  return readBundleFile(file);
}

function loadKey(values: Values): SolverKey {
  const opt = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  const key = readKeyOption(opt(values.key), opt(values['key-seed']));
  if (!key) throw new Error('--key <file> or --key-seed <phrase> is required');
  return key;
}

/** What `commit` writes and `reveal` reads: the opening of the seal (private until the reveal). */
interface SealFile {
  format: 'pinpoint.ledger.seal';
  version: 1;
  task: string;
  solver: string;
  runCommitment: string;
  salt: string;
  sealed: string;
  event: number;
}

function readSeal(file: string): SealFile {
  let o: Partial<SealFile>;
  try {
    o = JSON.parse(readFileSync(file, 'utf8')) as Partial<SealFile>;
  } catch (err) {
    throw new Error(`cannot read seal file ${file}: ${(err as Error).message}`);
  }
  if (
    o.format !== 'pinpoint.ledger.seal' ||
    typeof o.salt !== 'string' ||
    typeof o.runCommitment !== 'string'
  )
    throw new Error(`${file}: not a seal file written by \`pinpoint ledger commit\``);
  return o as SealFile;
}

function moveLines(e: LedgerEvent): string[] {
  return e.payload.changes.flatMap((c) =>
    c.op === 'move'
      ? [`  ${pocket(c.move.from)} → ${pocket(c.move.to)}  ${c.move.amount}  (${c.move.reason})`]
      : [],
  );
}

function write(
  sub: 'submit' | 'key' | 'commit' | 'reveal',
  l: SqliteLedger,
  arg: string | undefined,
  values: Values,
  out: (human: string, data: unknown) => void,
): number {
  const evLine = (e: LedgerEvent) => `event ${e.seq} ${e.kind} (${e.hash.slice(0, 16)}…)`;
  if (sub === 'submit') {
    if (!arg) throw new Error('usage: pinpoint ledger submit <db> <action.json|->');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(arg === '-' ? 0 : arg, 'utf8'));
    } catch (err) {
      throw new Error(
        `cannot read the action JSON from ${arg === '-' ? 'stdin' : arg}: ${(err as Error).message}`,
      );
    }
    const actions = (Array.isArray(parsed) ? parsed : [parsed]) as Action[];
    const events = l.submitAll(actions);
    out(events.map((e) => [evLine(e), ...moveLines(e)].join('\n')).join('\n'), events);
    return 0;
  }
  if (sub === 'key') {
    const account = str(values, 'account');
    const key = loadKey(values);
    const e = l.submit(keyBindingAction(account, key));
    out(`bound key ${toHex(key.publicKey)} to ${account} in ${evLine(e)}`, e);
    return 0;
  }
  const bundle = loadBundle(arg);
  const task = str(values, 'task');
  const solver = str(values, 'solver');
  const sealFile = typeof values.seal === 'string' ? values.seal : `${arg}.seal.json`;
  const m = bundle.manifest;
  if (sub === 'commit') {
    const cr = commitRevealActions(m, task, solver);
    const e = l.submit(cr.commit);
    const seal: SealFile = {
      format: 'pinpoint.ledger.seal',
      version: 1,
      task,
      solver,
      runCommitment: m.runCommitment,
      salt: cr.salt,
      sealed: cr.commit.sealed,
      event: e.seq,
    };
    writeFileSync(sealFile, `${JSON.stringify(seal, null, 1)}\n`, { mode: 0o600 });
    out(
      `sealed ${solver}'s run commitment for ${task} in ${evLine(e)}: ${cr.commit.sealed}\nsalt written to ${sealFile} (keep it private until \`pinpoint ledger reveal\`)`,
      { event: e, sealFile },
    );
    return 0;
  }
  const seal = readSeal(sealFile);
  if (seal.runCommitment !== m.runCommitment || seal.task !== task || seal.solver !== solver)
    throw new Error(
      `${sealFile} was written for task ${seal.task}, solver ${seal.solver}, run ${seal.runCommitment.slice(0, 16)}…; this reveal is for task ${task}, solver ${solver}, run ${m.runCommitment.slice(0, 16)}…`,
    );
  const cr = commitRevealActions(m, task, solver, seal.salt);
  const e = l.submit(cr.reveal);
  const copy = e.payload.changes.find((c) => c.op === 'copy.record');
  if (copy?.op === 'copy.record') {
    const x = copy.copy;
    out(
      [
        `COPY: ${solver} sealed its commitment in event ${x.commitSeq} after ${x.original.account} revealed the same run (task ${x.original.task}, event ${x.original.seq}); ${evLine(e)} slashed ${x.slashed}:`,
        ...moveLines(e),
      ].join('\n'),
      { copy: x, event: e },
    );
    return 3;
  }
  out(
    `revealed: task ${task} proved by ${solver} (run ${m.runCommitment.slice(0, 16)}…, signed by ${m.solver.publicKey.slice(0, 16)}…) in ${evLine(e)}`,
    e,
  );
  return 0;
}
