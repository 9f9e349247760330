/**
 * One party of the network as a process (`pinpoint node solver|verifier|referee`): an HTTP/JSON server
 * speaking core/network/protocol.ts, with its own Ed25519 message key and its own secp256k1 chain
 * account, acting on the PinpointGame contract over RPC. docs/NETWORK.md describes the messages.
 */
import type { Server } from 'node:http';
import { type Account, type Hex, recoverMessageAddress } from 'viem';
import {
  type Artifact,
  accountFromSeed,
  GameClient,
  proofSeal,
  signRound,
  taskKey,
} from '../../core/chain/game.ts';
import { compileContracts } from '../../core/chain/node-compile.ts';
import { executeRun, type RunTrace } from '../../core/dispute/execute.ts';
import { TraceParty } from '../../core/dispute/party.ts';
import { stepRecordDigest } from '../../core/dispute/record.ts';
import { type DisputeResult, runDispute } from '../../core/dispute/referee.ts';
import { refereeConfig } from '../../core/dispute/task.ts';
import { newSalt } from '../../core/ledger/seal.ts';
import { checkTranscript } from '../../core/ledger/transcript.ts';
import {
  type Ed25519Key,
  ed25519FromSeed,
  open,
  ProtocolError,
  ReplayGuard,
  seal,
} from '../../core/network/protocol.ts';
import {
  type AnswerBody,
  type AskBody,
  answerAsk,
  answerDigest,
  RemoteParty,
} from '../../core/network/remote-party.ts';
import { attackHooksAlterOp } from './cheat.ts';
import { getJson, postJson, serveJson } from './http.ts';
import { disputeTaskFor, type NetworkTaskSpec, TASK_NAME } from './tasks.ts';

export type Role = 'solver' | 'verifier' | 'referee';

export interface NodeOptions {
  role: Role;
  name: string;
  rpc: string;
  game: Hex;
  keySeed: string;
  port?: number;
  /** Solvers: probability in [0, 1] that a task is solved dishonestly (one op altered), from `seed`. */
  cheatRate?: number;
  seed?: string;
  /** Referee: per-answer deadline (ms). */
  deadlineMs?: number;
  /** Only messages from this key may post tasks / checks (the submitter); unset = any signed sender. */
  submitterKey?: string;
  /** Parties: only this key may ask dispute questions; unset = any signed sender. */
  refereeKey?: string;
  /** Referee: where dispute transcripts are written. */
  outDir?: string;
  /** Called on notable events (the CLI prints them as JSON lines). */
  log?: (event: Record<string, unknown>) => void;
}

export type TaskSpec = NetworkTaskSpec;

export interface Hello {
  role: Role;
  name: string;
  address: Hex;
  ed25519: string;
  /** secp256k1 signature of `pinpoint.net.bind.v1\0<ed25519>` by `address`: the message key is the account's. */
  binding: Hex;
}

export interface RunningNode {
  url: string;
  hello: Hello;
  server: Server;
  close(): Promise<void>;
}

const bindingMessage = (ed: string) => `pinpoint.net.bind.v1\0${ed}`;

/** Checks a party's hello: signed by its Ed25519 key, which its chain account endorsed. */
export async function checkHello(raw: unknown): Promise<Hello> {
  const e = open<Hello>(raw, { kind: 'hello' });
  const h = e.body;
  if (h.ed25519 !== e.from) throw new ProtocolError('sender', 'hello names another key than its signer');
  const who = await recoverMessageAddress({ message: bindingMessage(h.ed25519), signature: h.binding });
  if (who.toLowerCase() !== h.address.toLowerCase())
    throw new ProtocolError('signature', `key binding signed by ${who}, not by ${h.address}`);
  return h;
}

function checkSpec(b: unknown): TaskSpec {
  const s = b as TaskSpec;
  if (
    !s ||
    typeof s.task !== 'string' ||
    s.task.length > 200 ||
    !Number.isSafeInteger(s.seed) ||
    !Number.isSafeInteger(s.steps) ||
    s.steps < 1 ||
    s.steps > 100_000 ||
    (s.repops !== undefined && (typeof s.repops !== 'string' || !TASK_NAME.test(s.repops)))
  )
    throw new ProtocolError(
      'malformed',
      'task spec needs { task: string, seed: integer, steps: 1..100000, repops?: bundled task name }',
    );
  return s;
}

export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const log = o.log ?? (() => {});
  const key: Ed25519Key = ed25519FromSeed(o.keySeed);
  const account: Account = accountFromSeed(o.keySeed);
  const artifact: Artifact = compileContracts().contracts.PinpointGame;
  const game = await GameClient.connect(o.rpc, o.game, artifact);
  const chainId = game.chain.id;
  const guard = new ReplayGuard();
  const traces = new Map<string, { trace: RunTrace; cheat: { step: number; op: number } | null }>();
  const rounds = new Map<string, number>();
  let outSeq = 0;
  if (!account.signMessage) throw new Error('account cannot sign');
  const hello: Hello = {
    role: o.role,
    name: o.name,
    address: account.address,
    ed25519: key.publicKey,
    binding: await account.signMessage({ message: bindingMessage(key.publicKey) }),
  };

  const ensureDeposit = async (need: bigint) => {
    const has = await game.balanceOf(account.address);
    if (has < need) await game.deposit(account, need - has);
  };

  const honest = (s: TaskSpec) => executeRun(disputeTaskFor(s), { mode: 'trace' });

  const routes: Record<string, (b: unknown) => Promise<unknown>> = {
    'GET /v1/hello': async () => seal(key, 'hello', 0, 'hello', hello),
  };

  if (o.role === 'solver' || o.role === 'verifier') {
    routes['POST /v1/ask'] = async (raw) => {
      const e = open<AskBody>(raw, { kind: 'ask', expectFrom: o.refereeKey });
      guard.check(e);
      const held = traces.get(e.dispute);
      if (!held) throw new ProtocolError('malformed', `no run held for task ${e.dispute}`);
      const result = await answerAsk(new TraceParty(o.name, held.trace), e.body);
      const round = rounds.get(e.dispute) ?? 0;
      rounds.set(e.dispute, round + 1);
      const digest = answerDigest(result);
      const sig = await signRound(account, chainId, o.game, taskKey(e.dispute), round, digest);
      log({ event: 'answer', task: e.dispute, seq: e.seq, method: e.body.method, round });
      return seal<AnswerBody>(key, e.dispute, e.seq, 'answer', {
        method: e.body.method,
        result,
        chain: { round, digest, sig },
      });
    };
  }

  if (o.role === 'solver') {
    routes['POST /v1/task'] = async (raw) => {
      const e = open<TaskSpec>(raw, { kind: 'task', expectFrom: o.submitterKey });
      guard.check(e);
      const spec = checkSpec(e.body);
      const task = disputeTaskFor(spec);
      const cheat = attackHooksAlterOp(task, spec, o.seed ?? o.keySeed, o.cheatRate ?? 0);
      const trace = executeRun(task, { mode: 'trace', hooks: cheat?.hooks ?? {} });
      traces.set(spec.task, { trace, cheat: cheat?.at ?? null });
      const id = taskKey(spec.task);
      await ensureDeposit(await game.read<bigint>('solverStake'));
      await game.claimTask(account, id);
      // Commit-reveal (docs/NETWORK.md): seal as soon as the run ends, then open the seal; the contract
      // slashes a reveal of a run root someone else revealed before this seal (a copy).
      const runRoot: Hex = `0x${trace.root}`;
      const salt: Hex = `0x${newSalt()}`;
      await game.commitProof(account, id, proofSeal(id, account.address, runRoot, salt));
      await game.revealProof(account, id, runRoot, salt);
      log({ event: 'proved', task: spec.task, cheated: cheat?.at ?? null });
      return seal(key, spec.task, e.seq, 'task.done', { runRoot: trace.root, cheated: cheat?.at ?? null });
    };
  }

  if (o.role === 'verifier') {
    routes['POST /v1/check'] = async (raw) => {
      const e = open<TaskSpec & { solverUrl: string; refereeUrl: string }>(raw, {
        kind: 'check',
        expectFrom: o.submitterKey,
      });
      guard.check(e);
      const spec = checkSpec(e.body);
      const trace = honest(spec);
      traces.set(spec.task, { trace, cheat: null });
      const id = taskKey(spec.task);
      const onChain = await game.task(id);
      if (onChain.runRoot === `0x${trace.root}`) {
        await game.verifyTask(account, id);
        log({ event: 'verified', task: spec.task });
        return seal(key, spec.task, e.seq, 'check.done', { outcome: 'verified' });
      }
      await ensureDeposit(await game.read<bigint>('challengerStake'));
      await game.openDispute(account, id, `0x${trace.root}`);
      log({ event: 'challenged', task: spec.task });
      const req = seal(key, spec.task, outSeq++, 'dispute', {
        ...spec,
        solverUrl: e.body.solverUrl,
        challengerUrl: url,
      });
      const verdict = await postJson(`${e.body.refereeUrl}/v1/dispute`, req, 120_000);
      return seal(key, spec.task, e.seq, 'check.done', { outcome: 'disputed', referee: verdict });
    };
  }

  if (o.role === 'referee') {
    const deadlineMs = o.deadlineMs ?? 2000;
    routes['POST /v1/dispute'] = async (raw) => {
      const e = open<TaskSpec & { solverUrl: string; challengerUrl: string }>(raw, { kind: 'dispute' });
      guard.check(e);
      const spec = checkSpec(e.body);
      const id = taskKey(spec.task);
      const t = await game.task(id);
      if (t.state !== 'disputed')
        throw new ProtocolError('malformed', `task ${spec.task} is ${t.state}, not disputed`);
      const [sh, ch] = await Promise.all([
        getJson(`${e.body.solverUrl}/v1/hello`, deadlineMs).then(checkHello),
        getJson(`${e.body.challengerUrl}/v1/hello`, deadlineMs).then(checkHello),
      ]);
      if (
        sh.address.toLowerCase() !== t.solver.toLowerCase() ||
        ch.address.toLowerCase() !== t.challenger.toLowerCase()
      )
        throw new ProtocolError(
          'sender',
          'the parties at these URLs are not the solver and challenger on chain',
        );
      const started = Date.now();
      // On-chain rounds: each party's k-th answer is its round k; commit them in pairs, in order.
      const pending: Record<'solver' | 'challenger', AnswerBody['chain'][]> = { solver: [], challenger: [] };
      let relaying = Promise.resolve();
      const relay = (role: 'solver' | 'challenger', a: AnswerBody) => {
        pending[role].push(a.chain);
        relaying = relaying.then(async () => {
          while (pending.solver.length > 0 && pending.challenger.length > 0) {
            const s = pending.solver.shift();
            const c = pending.challenger.shift();
            if (s) await game.commitRound(account, id, s.round, s.digest, s.sig);
            if (c) await game.commitRound(account, id, c.round, c.digest, c.sig);
          }
        });
        return relaying;
      };
      const mk = (role: 'solver' | 'challenger', url: string, h: Hello) =>
        new RemoteParty(role, url, h.ed25519, key, spec.task, postJson, deadlineMs + 1000, (_p, a) =>
          relay(role, a),
        );
      const solver = mk('solver', e.body.solverUrl, sh);
      const challenger = mk('challenger', e.body.challengerUrl, ch);
      const task = disputeTaskFor(spec);
      const result: DisputeResult = await runDispute(solver, challenger, {
        ...refereeConfig(task, 'trace', deadlineMs),
      });
      await relaying.catch(() => undefined);
      const transcript = result.transcript;
      const transcriptDigest = checkTranscript(JSON.parse(JSON.stringify(transcript)), result.verdict);
      // Before a deadline decides: a party that answered a round its opponent never answered gets that
      // answer on chain, so the chain's rule (the silent party loses) sees who was silent.
      const flush = async () => {
        const round = (await game.task(id)).round;
        for (const role of ['solver', 'challenger'] as const) {
          const head = pending[role][0];
          if (head && head.round === round)
            await game.commitRound(account, id, head.round, head.digest, head.sig);
        }
      };
      const settled = await settleOnChain(
        game,
        account,
        id,
        t,
        result,
        transcriptDigest,
        { solver, challenger },
        flush,
      );
      log({ event: 'settled', task: spec.task, loser: result.verdict.loser, by: settled.by });
      if (o.outDir) {
        const { writeFileSync, mkdirSync } = await import('node:fs');
        mkdirSync(o.outDir, { recursive: true });
        writeFileSync(`${o.outDir}/${spec.task}.transcript.json`, JSON.stringify(transcript, null, 1));
      }
      return seal(key, spec.task, e.seq, 'verdict', {
        verdict: result.verdict,
        transcriptDigest,
        settledBy: settled.by,
        chainLoser: settled.loser,
        ms: Date.now() - started,
      });
    };
  }

  const { server, url } = await serveJson(routes, o.port ?? 0);
  return {
    url,
    hello,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Puts the referee's verdict on chain. With both parties' openings of the disputed step the contract
 * checks Merkle membership itself (`settle`); if a party cannot open it (it went silent), the verdict is
 * left to the chain's own deadline rule (`claimTimeout` once the round deadline has passed).
 */
async function settleOnChain(
  game: GameClient,
  referee: Account,
  id: Hex,
  t: Awaited<ReturnType<GameClient['task']>>,
  r: DisputeResult,
  transcript: string,
  parties: { solver: RemoteParty; challenger: RemoteParty },
  flush: () => Promise<void>,
): Promise<{ by: 'verdict' | 'deadline'; loser: string }> {
  const v = r.verdict;
  const tx = `0x${transcript}` as Hex;
  try {
    if (t.runRoot === t.challengerRoot) {
      await game.settle(referee, id, {
        loser: v.loser,
        step: 0,
        transcript: tx,
        solverLeaf: tx,
        solverPath: [],
        challengerLeaf: tx,
        challengerPath: [],
      });
      return { by: 'verdict', loser: v.loser };
    }
    // Even after an off-chain timeout a slow but live party can still open the step: the verdict is then
    // settled with the contract's Merkle check. Only a party that cannot open it leaves it to the deadline.
    if (v.step !== null) {
      const [so, co] = await Promise.all([
        parties.solver.openStep(v.step),
        parties.challenger.openStep(v.step),
      ]);
      await game.settle(referee, id, {
        loser: v.loser,
        step: v.step,
        transcript: tx,
        solverLeaf: `0x${stepRecordDigest(so.record)}`,
        solverPath: so.proof.siblings.map((s) => `0x${s}` as Hex),
        challengerLeaf: `0x${stepRecordDigest(co.record)}`,
        challengerPath: co.proof.siblings.map((s) => `0x${s}` as Hex),
      });
      return { by: 'verdict', loser: v.loser };
    }
  } catch {
    // a party could not open the step (or the verdict cannot be proven on chain): the deadline decides
  }
  await flush();
  // Wall clock, not the last block's timestamp: an idle chain mines no blocks, and claimTimeout's own
  // block carries the current time.
  for (let i = 0; i < 600; i++) {
    const cur = await game.task(id);
    if (cur.state !== 'disputed') return { by: 'deadline', loser: cur.loser };
    if (BigInt(Math.floor(Date.now() / 1000)) > cur.deadline) {
      try {
        await game.claimTimeout(referee, id);
        break;
      } catch (err) {
        if (!String((err as Error).message).includes('Deadline')) throw err;
      }
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return { by: 'deadline', loser: (await game.task(id)).loser };
}
