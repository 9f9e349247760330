/**
 * `pinpoint network demo`: the whole protocol at network scale on this machine. Starts the local EVM
 * and the parties as processes, posts one task per solver, lets the solvers train (some cheat), the
 * verifiers recompute and challenge, the referee settle; then prints who cheated and who was caught,
 * balances, gas per action and per dispute, and the on-chain conservation check.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { taskKey } from '../../core/chain/game.ts';
import { syncLedger, verifyAgainstChain } from '../../core/chain/node-sync.ts';
import { hash32 } from '../../core/dispute/synthetic.ts';
import { type GasRecord, LocalNetwork, type PartyProcess, summarizeGas } from './network.ts';
import type { TaskSpec } from './party-node.ts';

export interface DemoOptions {
  solvers: number;
  verifiers: number;
  cheatRate: number;
  seed: string;
  steps: number;
  /** A bundled RepOps training task (tasks/<name>.json) instead of the synthetic dispute tasks. */
  repops?: string;
  outDir: string;
  log: (line: string) => void;
}

export interface TaskOutcome {
  task: string;
  solver: string;
  verifier: string;
  cheated: { step: number; op: number } | null;
  outcome: 'paid' | 'caught' | 'false-challenge' | 'both-lose' | 'unsettled';
  step: number | null;
  settledBy: 'finalize' | 'verdict' | 'deadline' | null;
  disputeGas: bigint;
  disputeRounds: number;
  disputeMs: number | null;
  transcript: string | null;
}

export interface DemoResult {
  tasks: TaskOutcome[];
  gas: ReturnType<typeof summarizeGas>;
  balances: { name: string; address: Address; deposited: bigint; after: bigint }[];
  treasury: bigint;
  conservation: Awaited<ReturnType<LocalNetwork['conservation']>>;
  violations: string[];
  wallMs: number;
  transcriptFile: string;
  ledgerFile: string;
  mirrorOk: boolean;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const t0 = Date.now();
  mkdirSync(o.outDir, { recursive: true });
  const net = await LocalNetwork.start({
    seed: o.seed,
    outDir: o.outDir,
    deadlineMs: 10_000,
    params: { roundSeconds: 20 },
  });
  try {
    o.log(`chain: in-process EVM (Hardhat EDR) at ${net.rpc.url}, game ${net.address}`);
    const spawns: Promise<PartyProcess>[] = [net.spawn('referee', 'referee')];
    for (let i = 0; i < o.solvers; i++)
      spawns.push(
        net.spawn('solver', `solver-${i + 1}`, ['--cheat-rate', String(o.cheatRate), '--seed', o.seed]),
      );
    for (let i = 0; i < o.verifiers; i++) spawns.push(net.spawn('verifier', `verifier-${i + 1}`));
    const parties = await Promise.all(spawns);
    const referee = parties[0];
    const solvers = parties.slice(1, 1 + o.solvers);
    const verifiers = parties.slice(1 + o.solvers);
    o.log(
      `parties: 1 referee, ${solvers.length} solvers, ${verifiers.length} verifiers (separate processes, ${((Date.now() - t0) / 1000).toFixed(1)} s to start)`,
    );

    const specs: TaskSpec[] = solvers.map((_, i) => ({
      task: `${o.seed}-task-${i + 1}`,
      seed: hash32(i + 1, o.seed.length, 77) % 100_000,
      steps: o.steps,
      ...(o.repops ? { repops: o.repops } : {}),
    }));
    if (o.repops)
      o.log(`tasks: RepOps training task ${o.repops} (tasks/${o.repops}.json), ${o.steps} steps each`);
    for (const s of specs) await net.post(s, 200n);
    const solved = await Promise.all(solvers.map((p, i) => net.solve(p, specs[i])));
    const checks = await Promise.all(
      specs.map((s, i) => net.check(verifiers[i % verifiers.length], solvers[i], referee, s)),
    );
    for (const s of specs) {
      const t = await net.game.task(taskKey(s.task));
      if (t.state === 'verified') await net.game.finalize(net.submitter, taskKey(s.task));
    }

    const log = await net.gasLog();
    const tasks: TaskOutcome[] = [];
    for (const [i, s] of specs.entries()) {
      const id = taskKey(s.task);
      const t = await net.game.task(id);
      const check = checks[i] as {
        outcome: string;
        referee?: {
          body: { verdict: { step: number | null }; settledBy: 'verdict' | 'deadline'; ms: number };
        };
      };
      const dispute = log.filter(
        (g) => g.task === id && ['openDispute', 'commitRound', 'settle', 'claimTimeout'].includes(g.action),
      );
      const outcome =
        t.state !== 'settled'
          ? 'unsettled'
          : t.loser === 'none'
            ? 'paid'
            : t.loser === 'solver'
              ? 'caught'
              : t.loser === 'challenger'
                ? 'false-challenge'
                : 'both-lose';
      tasks.push({
        task: s.task,
        solver: solvers[i].name,
        verifier: verifiers[i % verifiers.length].name,
        cheated: solved[i].cheated,
        outcome,
        step: check.referee?.body.verdict.step ?? null,
        settledBy: check.referee ? check.referee.body.settledBy : t.state === 'settled' ? 'finalize' : null,
        disputeGas: dispute.reduce((a, g) => a + g.gas, 0n),
        disputeRounds: t.round,
        disputeMs: check.referee?.body.ms ?? null,
        transcript: check.referee ? join(o.outDir, `${s.task}.transcript.json`) : null,
      });
    }
    const violations: string[] = [];
    for (const t of tasks) {
      if (t.cheated && t.outcome !== 'caught')
        violations.push(`${t.task}: ${t.solver} cheated but the outcome is ${t.outcome}`);
      if (!t.cheated && t.outcome !== 'paid')
        violations.push(`${t.task}: honest ${t.solver} ended ${t.outcome}`);
      if (t.cheated && t.step !== t.cheated.step)
        violations.push(`${t.task}: cheat at step ${t.cheated.step}, verdict at step ${t.step}`);
    }
    const conservation = await net.conservation();
    if (!conservation.ok) violations.push(...conservation.problems.map((p) => `conservation: ${p}`));
    const deposits = new Map<string, bigint>();
    for (const g of log.filter((x: GasRecord) => x.action === 'deposit'))
      deposits.set(g.from.toLowerCase(), (deposits.get(g.from.toLowerCase()) ?? 0n) + g.value);
    const named = [
      { name: 'submitter', address: net.submitter.address },
      ...parties.filter((p) => p.role !== 'referee').map((p) => ({ name: p.name, address: p.hello.address })),
    ];
    const balances = [];
    for (const n of named)
      balances.push({
        ...n,
        deposited: deposits.get(n.address.toLowerCase()) ?? 0n,
        after: await net.game.balanceOf(n.address),
      });
    const treasury = await net.game.read<bigint>('treasury');
    const transcriptFile = join(o.outDir, 'network-transcript.json');
    const disputes: Record<string, unknown> = {};
    for (const t of tasks)
      if (t.transcript) disputes[t.task] = JSON.parse(readFileSync(t.transcript, 'utf8'));
    const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
    writeFileSync(
      transcriptFile,
      JSON.stringify(
        {
          format: 'pinpoint.network-transcript',
          version: 1,
          chain: { rpc: net.rpc.url, chainId: net.chain.chainId, game: net.address },
          parties: parties.map((p) => ({
            role: p.role,
            name: p.name,
            address: p.hello.address,
            ed25519: p.hello.ed25519,
          })),
          tasks,
          gas: log,
          balances,
          treasury,
          conservation,
          disputes,
        },
        big,
        1,
      ),
    );
    // The SQLite ledger as the local index of the chain: mirrored with the referee's transcripts, so the
    // app's Ledger and Dispute views replay the network's settlements; then checked against the chain.
    const ledgerFile = join(o.outDir, 'ledger.db');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${ledgerFile}${suffix}`, { force: true });
    await syncLedger(ledgerFile, net.rpc.url, net.address, o.outDir);
    const mirror = await verifyAgainstChain(ledgerFile, net.rpc.url, net.address);
    if (!mirror.ok) violations.push(...mirror.problems.map((p) => `ledger mirror: ${p}`));
    return {
      tasks,
      gas: summarizeGas(log),
      balances,
      treasury,
      conservation,
      violations,
      wallMs: Date.now() - t0,
      transcriptFile,
      ledgerFile,
      mirrorOk: mirror.ok,
    };
  } finally {
    await net.close();
  }
}

export function printDemo(r: DemoResult, log: (s: string) => void): void {
  log(
    '\ntask                      solver       cheated (step/op)  verifier     outcome          step  settled by  rounds  dispute gas  ms',
  );
  for (const t of r.tasks) {
    log(
      `${t.task.padEnd(25)} ${t.solver.padEnd(12)} ${(t.cheated ? `yes ${t.cheated.step}/${t.cheated.op}` : 'no').padEnd(18)} ${t.verifier.padEnd(12)} ${t.outcome.padEnd(16)} ${String(t.step ?? '–').padStart(4)}  ${(t.settledBy ?? '–').padEnd(10)}  ${String(t.disputeRounds).padStart(6)}  ${(t.disputeGas ? t.disputeGas.toString() : '–').padStart(11)}  ${t.disputeMs ?? '–'}`,
    );
  }
  const cheaters = r.tasks.filter((t) => t.cheated);
  log(
    `\ncheated: ${cheaters.map((t) => t.solver).join(', ') || 'nobody'}; caught: ${
      cheaters
        .filter((t) => t.outcome === 'caught')
        .map((t) => t.solver)
        .join(', ') || 'nobody'
    }`,
  );
  log('\naccount       deposited  balance after  net');
  for (const b of r.balances)
    log(
      `${b.name.padEnd(12)} ${b.deposited.toString().padStart(10)} ${b.after.toString().padStart(14)}  ${(b.after - b.deposited >= 0n ? '+' : '') + (b.after - b.deposited).toString()}`,
    );
  log(`treasury     ${r.treasury}`);
  log('\ngas per action        count      mean       min       max');
  for (const g of r.gas)
    log(
      `${g.action.padEnd(18)} ${String(g.count).padStart(8)} ${(g.total / BigInt(g.count)).toString().padStart(9)} ${g.min.toString().padStart(9)} ${g.max.toString().padStart(9)}`,
    );
  const disputes = r.tasks.filter((t) => t.disputeGas > 0n);
  if (disputes.length)
    log(
      `gas per dispute (open + rounds + settlement): ${disputes.map((t) => t.disputeGas.toString()).join(', ')}`,
    );
  const c = r.conservation;
  log(
    `\nconservation: ${c.ok ? 'OK' : 'VIOLATED'} — contract holds ${c.contractWei} wei = balances ${c.totalBalances} + locked ${c.totalLocked} + escrow ${c.totalEscrow} + treasury ${c.treasury}${c.ok ? '' : `; ${c.problems.join('; ')}`}`,
  );
  log(
    `ledger mirror: ${r.ledgerFile} ${r.mirrorOk ? 'matches the chain' : 'DIFFERS from the chain'} (pinpoint ledger verify ${r.ledgerFile}; open it in the app)`,
  );
  for (const v of r.violations) log(`VIOLATION ${v}`);
  log(
    `transcript: ${r.transcriptFile} (dispute transcripts open in the app's Dispute view); wall time ${(r.wallMs / 1000).toFixed(1)} s`,
  );
}

export type { Hex };
