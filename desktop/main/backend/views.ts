/**
 * Backend of the visual debugger views (issue 8), over core/*: proof bundles (core/proof), step
 * replay with full tapes (core/train RunReplayer), dispute transcripts (core/ledger disputes table and
 * a live referee run from core/dispute) and ledger snapshots/events (core/ledger SQLite store).
 *
 * Demo data when the user opened nothing (the demo proof, its tampered copy and the demo ledger):
 * views-demo.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { syntheticTask } from '../../../core/dispute/synthetic.ts';
import { parseTranscript, type Transcript } from '../../../core/dispute/transcript.ts';
import { canonicalJson, tensorDigest, tensorDigestsOf } from '../../../core/hash/digest.ts';
import { merkleRoot } from '../../../core/hash/merkle.ts';
import { eventHash, GENESIS_PREV } from '../../../core/ledger/chain.ts';
import { openLedger, type SqliteLedger } from '../../../core/ledger/node-store.ts';
import type { LedgerEvent, Pocket } from '../../../core/ledger/types.ts';
import { type FileSource, openFileSource } from '../../../core/platform/node-file-source.ts';
import { directoryCheckpointStore, siblingStoreDir } from '../../../core/proof/node-checkpoint-store.ts';
import { type LoadedBundle, openBundle } from '../../../core/proof/read.ts';
import { STEP_METRIC_FIELDS } from '../../../core/train/metrics.ts';
import type { StepResult, TrainContext } from '../../../core/train/step.ts';
import { microBatchCount, tensorDigestScheme } from '../../../core/train/task.ts';
import { perturbNode, prepareTask, RunReplayer } from '../../../core/train/train.ts';
import { fiatShamirSteps } from '../../../core/verify/sampling.ts';
import type {
  DisputeEntry,
  DisputeReplay,
  LedgerEventRow,
  LedgerEvents,
  LedgerIdentity,
  LedgerMove,
  LedgerSnapshot,
  NodePhase,
  ProofSummary,
  RunStepResult,
  StepTrace,
  TensorData,
  TraceNode,
  ViewsApi,
} from '../../shared/api-views.ts';
import type { BackendContext } from './context.ts';
import { createDemoData, DEMO_TAMPER_STEP } from './views-demo.ts';
import { ViewsError } from './views-error.ts';

/** Verifier samples marked on the timeline (the default of `pinpoint verify`). */
const SAMPLES = 8;

// ---------------------------------------------------------------------------------------------- proofs

interface OpenProof {
  path: string;
  /** The file's size and mtime when opened: a rewritten file is opened again, not read half-stale. */
  stamp: string;
  source: FileSource;
  bundle: LoadedBundle;
  ctx: TrainContext;
  replayer: RunReplayer;
  steps: Map<number, { result: StepResult; ms: number }>;
  /** The checkpoint store beside the file in use ('' when there is none). */
  storeDir: string;
}

function stepCount(p: OpenProof): number {
  return p.bundle.manifest.steps.length;
}

function replayerFor(
  ctx: TrainContext,
  bundle: LoadedBundle,
  tamper?: ReturnType<typeof perturbNode>,
): RunReplayer {
  return new RunReplayer(ctx, bundle.checkpointSteps, (s) => bundle.checkpoint(s), tamper);
}

function phaseOf(p: string): NodePhase {
  return p === 'leaf' || p === 'forward' || p === 'backward' || p === 'optimizer' ? p : 'forward';
}

/** A step's public structure (ops, phases, inputs, shapes, labels): its trace without the digests. */
export function publicGraph(nodes: readonly TraceNode[]): NonNullable<DisputeReplay['graph']> {
  return nodes.map((n) => ({
    id: n.id,
    op: n.op,
    phase: n.phase,
    inputs: n.inputs,
    shape: n.shape,
    ...(n.label ? { label: n.label } : {}),
  }));
}

function traceOf(p: OpenProof, step: number, result: StepResult, ms: number): StepTrace {
  const nodes = result.nodes ?? [];
  const digests =
    result.opDigests ??
    tensorDigestsOf(
      nodes.map((n) => n.out),
      tensorDigestScheme(p.bundle.manifest.task),
    );
  const rec = p.bundle.manifest.steps[step];
  return {
    path: p.path,
    step,
    nodes: nodes.map((n, i) => ({
      id: n.id,
      op: n.op,
      phase: phaseOf(n.phase),
      inputs: [...n.inputs],
      shape: [...n.out.shape],
      digest: digests[i],
      ...(n.label
        ? { label: n.label }
        : n.op === 'leaf' && typeof n.attrs.name === 'string'
          ? { label: n.attrs.name }
          : {}),
    })),
    opRoot: merkleRoot(digests),
    recordedOpRoot: rec.opRoot ?? null,
    stateAfter: result.record.stateAfter,
    recordedStateAfter: rec.stateAfter,
    loss: result.record.loss,
    ms,
  };
}

// --------------------------------------------------------------------------------------------- ledger

function pocketLabel(p: Pocket, stakeOwner: ReadonlyMap<number, string>): string {
  if ('balance' in p) return p.balance;
  if ('stake' in p) return `stake:${p.stake}@${stakeOwner.get(p.stake) ?? '?'}`;
  if ('escrow' in p) return `escrow:${p.escrow}`;
  if ('treasury' in p) return 'treasury';
  return 'mint';
}

function summarize(e: LedgerEvent): string {
  const a = e.payload.action as unknown as Record<string, unknown>;
  const moved = e.payload.changes.reduce((s, c) => s + (c.op === 'move' ? c.move.amount : 0), 0);
  const who = ['account', 'submitter', 'solver', 'verifier', 'challenger', 'from']
    .map((k) => a[k])
    .filter((v) => typeof v === 'string');
  const verdict = a.verdict as { loser?: string } | undefined;
  const parts = [String(a.type ?? e.kind)];
  if (who.length) parts.push(who.join(' → '));
  if (typeof a.bounty === 'number') parts.push(`bounty ${a.bounty}`);
  if (typeof a.amount === 'number') parts.push(`${a.amount}`);
  if (typeof a.dispute === 'number') parts.push(`dispute ${a.dispute}`);
  if (verdict?.loser) parts.push(`loser: ${verdict.loser}`);
  if (moved && typeof a.amount !== 'number') parts.push(`moves ${moved}`);
  for (const c of e.payload.changes)
    if (c.op === 'copy.record')
      parts.push(`✗ copy of ${c.copy.original.account}'s run (revealed #${c.copy.original.seq})`);
  return parts.join(' · ');
}

// -------------------------------------------------------------------------------------------- handlers

export function createViewsHandlers(ctx: BackendContext): ViewsApi {
  const proofs = new Map<string, OpenProof>();
  const ledgers = new Map<string, SqliteLedger>();
  // Demo files when the user opened nothing (views-demo.ts); they read proofs through this module's cache.
  const demo = createDemoData(ctx, (path) => openProof(path).bundle);
  const demoDir = demo.dir;
  const demoDispute = demo.dispute;
  const demoProofPath = demo.proofPath;
  const demoLedgerPath = demo.ledgerPath;

  /**
   * Transcripts of core/attacks' scenarios (the demo ledger's disputes 2 and 3) name core/dispute's
   * seeded synthetic task: rebuild it from its name and, when the rebuilt name matches exactly, return
   * the disputed step's public graph. Anything else: no graph (the player shows the intervals only).
   */
  function syntheticGraph(t: Transcript): DisputeReplay['graph'] {
    const m = /^synthetic\(seed=(\d+),steps=(\d+),/.exec(t.task);
    if (!m || t.verdict.step === null || t.verdict.step === undefined) return null;
    const task = syntheticTask({ seed: Number(m[1]), steps: Number(m[2]) });
    if (task.name !== t.task) return null;
    return task.graph(t.verdict.step).nodes.map((n, i) => ({
      id: i,
      op: n.op,
      phase: phaseOf(n.phase),
      inputs: [...n.inputs],
      shape: [...n.shape],
      ...(n.label ? { label: n.label } : {}),
    }));
  }

  /** The disputed step's public graph, read from the demo proof's replayed trace (same op ids). */
  function demoGraph(proofPath: string, step: number): DisputeReplay['graph'] {
    const p = openProof(proofPath);
    return publicGraph(traceOf(p, step, stepOf(p, checkStep(p, step, 'dispute.load')).result, 0).nodes);
  }

  function openProof(path?: string): OpenProof {
    const file = path ? ctx.resolvePath(path) : demoProofPath();
    let stamp: string;
    let source: FileSource;
    try {
      const st = statSync(file);
      stamp = `${st.size}:${st.mtimeMs}`;
      const cached = proofs.get(file);
      if (cached?.stamp === stamp) return cached;
      cached?.source.close();
      proofs.delete(file);
      source = openFileSource(file);
    } catch (err) {
      throw new ViewsError('proof.load', `cannot read ${file}: ${(err as Error).message}`);
    }
    // Random access: the manifest is checked now, a checkpoint or a step's op digests when first read
    // (a 1 000-step nanoGPT bundle is never in memory whole). A checkpoint store beside it (run.states/
    // for run.pinproof, as `train --checkpoint-store run.states` writes) shortens replays; each state
    // in it is checked against the bundle before use.
    let storeDir = siblingStoreDir(file);
    let bundle: LoadedBundle;
    try {
      bundle = openBundle(
        source,
        file,
        existsSync(storeDir) ? { checkpointStore: directoryCheckpointStore(storeDir) } : {},
      );
      if (!existsSync(storeDir)) storeDir = '';
    } catch (err) {
      source.close();
      throw err;
    }
    const tctx = prepareTask(bundle.manifest.task);
    const p: OpenProof = {
      path: file,
      stamp,
      source,
      bundle,
      ctx: tctx,
      replayer: replayerFor(tctx, bundle),
      steps: new Map(),
      storeDir,
    };
    proofs.set(file, p);
    return p;
  }

  function checkStep(p: OpenProof, step: number, method: string): number {
    if (!Number.isInteger(step) || step < 0 || step >= stepCount(p)) {
      throw new ViewsError(
        method,
        `${basename(p.path)} has steps 0..${stepCount(p) - 1}, not ${JSON.stringify(step)}`,
      );
    }
    return step;
  }

  function stepOf(p: OpenProof, step: number): { result: StepResult; ms: number } {
    const hit = p.steps.get(step);
    if (hit) return hit;
    const t0 = performance.now();
    const result = p.replayer.step(step, 'trace');
    const v = { result, ms: performance.now() - t0 };
    if (p.steps.size > 16) p.steps.delete(p.steps.keys().next().value as number);
    p.steps.set(step, v);
    return v;
  }

  function openStore(path?: string): Promise<SqliteLedger> {
    return (async () => {
      const file = path ? ctx.resolvePath(path) : await demoLedgerPath();
      let s = ledgers.get(file);
      if (!s) {
        s = openLedger(file, { readonly: true });
        ledgers.set(file, s);
      }
      return s;
    })();
  }

  function chainStatus(store: SqliteLedger): Map<number, boolean> {
    const ok = new Map<number, boolean>();
    let prev = GENESIS_PREV;
    for (const e of store.events()) {
      let good = e.prevHash === prev;
      try {
        good = good && eventHash(e) === e.hash;
      } catch {
        good = false;
      }
      ok.set(e.seq, good);
      prev = e.hash;
    }
    return ok;
  }

  return {
    async 'proof.list'() {
      const out: { path: string; name: string }[] = [];
      const seen = new Set<string>();
      const add = (p: string) => {
        if (!seen.has(p)) {
          seen.add(p);
          out.push({ path: p, name: basename(p) });
        }
      };
      add(demoProofPath());
      for (const dir of [demoDir, ctx.dataDir]) {
        if (!existsSync(dir)) continue;
        for (const f of readdirSync(dir)) if (f.endsWith('.pinproof')) add(join(dir, f));
      }
      return out;
    },

    async 'proof.load'({ path }) {
      const p = openProof(path);
      const m = p.bundle.manifest;
      const task = m.task;
      const model = task.model as unknown as Record<string, unknown>;
      const opt = task.optimizer as unknown as Record<string, unknown>;
      const summary: ProofSummary = {
        path: p.path,
        name: basename(p.path),
        taskId: task.name,
        model: `${String(model.kind)}${Array.isArray(model.hidden) ? ` hidden ${model.hidden.join('-')}` : ''} · ${String(opt.kind)} lr ${String(opt.lr)} · batch ${task.batchSize}${microBatchCount(task) > 1 ? ` in ${microBatchCount(task)} micro-batches` : ''}`,
        mode: m.mode,
        repops: m.repops,
        tensorDigest: tensorDigestScheme(m.task),
        runCommitment: m.runCommitment,
        solverKey: m.solver.publicKey,
        steps: m.steps.map((s) => ({
          step: s.step,
          loss: s.loss,
          stateBefore: s.stateBefore,
          stateAfter: s.stateAfter,
          batchDigest: s.batchDigest,
          ...(s.opRoot ? { opRoot: s.opRoot } : {}),
          ...(s.opCount !== undefined ? { opCount: s.opCount } : {}),
        })),
        checkpoints: [...p.bundle.checkpointSteps],
        ...(p.storeDir
          ? { checkpointStore: { dir: p.storeDir, steps: [...p.bundle.checkpointStoreSteps] } }
          : {}),
        samples: fiatShamirSteps(m.runCommitment, m.steps.length, Math.min(SAMPLES, m.steps.length)).sort(
          (a, b) => a - b,
        ),
        metrics: { loss: m.metrics.loss, accuracy: m.metrics.accuracy },
        // Read (and checked against its signed digest) here, on first use: 20 bytes per step.
        stepMetrics: p.bundle.stepMetrics()?.map((r) => ({ ...r })) ?? null,
      };
      return summary;
    },

    async 'proof.trace'({ path, step }) {
      const p = openProof(path);
      const { result, ms } = stepOf(p, checkStep(p, step, 'proof.trace'));
      return traceOf(p, step, result, ms);
    },

    async 'proof.runStep'({ path, step }) {
      const p = openProof(path);
      checkStep(p, step, 'proof.runStep');
      // A fresh replayer: nothing cached, the step is really recomputed from its checkpoint.
      const t0 = performance.now();
      const rep = replayerFor(p.ctx, p.bundle);
      const committed = p.bundle.stepMetrics();
      const r = rep.step(step, 'trace', { metrics: committed !== null });
      const ms = performance.now() - t0;
      const rec = p.bundle.manifest.steps[step];
      const checks: RunStepResult['checks'] = [
        {
          name: 'state before',
          recorded: rec.stateBefore,
          recomputed: r.record.stateBefore,
          match: rec.stateBefore === r.record.stateBefore,
        },
        {
          name: 'batch',
          recorded: rec.batchDigest,
          recomputed: r.record.batchDigest,
          match: rec.batchDigest === r.record.batchDigest,
        },
        {
          name: 'loss',
          recorded: String(rec.loss),
          recomputed: String(r.record.loss),
          match: Object.is(rec.loss, r.record.loss),
        },
        {
          name: 'state after',
          recorded: rec.stateAfter,
          recomputed: r.record.stateAfter,
          match: rec.stateAfter === r.record.stateAfter,
        },
      ];
      if (rec.opRoot)
        checks.push({
          name: `op root (${r.record.opCount} ops)`,
          recorded: rec.opRoot,
          recomputed: r.record.opRoot ?? '',
          match: rec.opRoot === r.record.opRoot,
        });
      // The committed per-step metrics, recomputed from the replayed step (bundles that have them).
      if (committed && r.metrics)
        for (const k of STEP_METRIC_FIELDS) {
          const [was, now] = [committed[step][k], r.metrics[k]];
          checks.push({
            name: `metric ${k}`,
            recorded: String(was),
            recomputed: String(now),
            match: Object.is(was, now),
          });
        }
      return {
        path: p.path,
        step,
        replayed: rep.replayed + 1,
        checks,
        match: checks.every((c) => c.match),
        ms,
      };
    },

    async 'graph.tensor'({ path, step, node, limit }) {
      const p = openProof(path);
      const { result } = stepOf(p, checkStep(p, step, 'graph.tensor'));
      const nodes = result.nodes ?? [];
      const n = nodes[node];
      if (!n)
        throw new ViewsError('graph.tensor', `step ${step} has ops #0..#${nodes.length - 1}, not #${node}`);
      const scheme = tensorDigestScheme(p.bundle.manifest.task);
      const digest = result.opDigests?.[node] ?? tensorDigest(n.out, scheme);
      const cap = Math.max(1, Math.min(limit ?? 4096, 65536));
      const data: TensorData = {
        step,
        node,
        op: n.op,
        shape: [...n.out.shape],
        digest,
        verified: tensorDigest(n.out, scheme) === digest,
        values: Array.from(n.out.data.subarray(0, cap)),
        total: n.out.data.length,
      };
      return data;
    },

    async 'graph.compareTrace'({ path, step, variant }) {
      if (variant !== 'tampered')
        throw new ViewsError(
          'graph.compareTrace',
          `unknown variant ${JSON.stringify(variant)} (expected "tampered")`,
        );
      const p = openProof(path);
      checkStep(p, step, 'graph.compareTrace');
      const honest = stepOf(p, step).result;
      const nodes = honest.nodes ?? [];
      // A cheating solver nudges one op (+1e-3 on element 0): the middle backward op, else the first op.
      const backward = nodes.filter((n) => n.phase === 'backward');
      const target = backward[Math.floor(backward.length / 2)] ?? nodes.find((n) => n.phase !== 'leaf');
      if (!target) throw new ViewsError('graph.compareTrace', `step ${step} has no op to tamper with`);
      const t0 = performance.now();
      const rep = replayerFor(p.ctx, p.bundle, perturbNode(step, target.id, 0, 1e-3));
      const r = rep.step(step, 'trace');
      return traceOf(p, step, r, performance.now() - t0);
    },

    async 'dispute.list'() {
      const out: DisputeEntry[] = [];
      const store = await openStore();
      for (const d of store.disputes()) {
        if (d.state !== 'settled') continue;
        out.push({
          id: `ledger:${d.id}`,
          title: `Ledger dispute ${d.id}: ${d.challenger} vs ${d.solver} on ${d.task}`,
          source: 'ledger',
          task: d.task,
          outcome: d.verdict
            ? d.verdict.loser === 'both'
              ? 'both lose'
              : `${d.verdict.loser} loses`
            : 'open',
        });
      }
      const dir = join(ctx.dataDir, 'disputes');
      if (existsSync(dir)) {
        for (const f of readdirSync(dir)
          .filter((x) => x.endsWith('.json'))
          .sort()) {
          out.push({
            id: `file:${join(dir, f)}`,
            title: f,
            source: 'file',
            task: '',
            outcome: 'transcript file',
          });
        }
      }
      out.push({
        id: 'demo:live',
        title: `Referee run: demo proof vs a copy tampered at step ${DEMO_TAMPER_STEP}`,
        source: 'demo',
        task: openProof(demoProofPath()).bundle.manifest.task.name,
        outcome: 'computed now',
      });
      return out;
    },

    async 'dispute.load'({ id }) {
      const key = id ?? 'ledger:1';
      if (key === 'demo:live') {
        const { transcript, proofPath } = await demoDispute();
        const replay: DisputeReplay = {
          id: key,
          title: `Referee run: ${basename(proofPath)} vs a tampered copy`,
          transcript,
          graph: demoGraph(proofPath, transcript.verdict.step ?? 0),
          ledgerDispute: null,
          ledgerPath: null,
          proofPath,
        };
        return replay;
      }
      if (key.startsWith('file:')) {
        const file = ctx.resolvePath(key.slice(5));
        const transcript = parseTranscript(readFileSync(file, 'utf8'), file);
        return {
          id: key,
          title: basename(file),
          transcript,
          graph: null,
          ledgerDispute: null,
          ledgerPath: null,
        };
      }
      const m = /^ledger:(\d+)$/.exec(key);
      if (!m)
        throw new ViewsError(
          'dispute.load',
          `unknown dispute id ${JSON.stringify(key)} (expected ledger:<n>, file:<path> or demo:live)`,
        );
      const store = await openStore();
      const d = store.dispute(Number(m[1]));
      if (!d) throw new ViewsError('dispute.load', `the ledger has no dispute ${m[1]}`);
      if (!d.transcript)
        throw new ViewsError('dispute.load', `dispute ${m[1]} has no transcript yet (not settled)`);
      const transcript = parseTranscript(JSON.stringify(d.transcript), `${store.file} dispute ${m[1]}`);
      // The caught-cheater demo dispute carries the demo dispute: its step graph is the demo proof's.
      let graph: DisputeReplay['graph'] = null;
      const demo = await demoDispute();
      const isDemo = canonicalJson(transcript.rounds) === canonicalJson(demo.transcript.rounds);
      if (isDemo) graph = demoGraph(demo.proofPath, transcript.verdict.step ?? 0);
      else graph = syntheticGraph(transcript);
      return {
        id: key,
        title: `Ledger dispute ${d.id}`,
        transcript,
        graph,
        ledgerDispute: d.id,
        ledgerPath: store.file,
        ...(isDemo ? { proofPath: demo.proofPath } : {}),
      };
    },

    async 'ledger.snapshot'({ path, at }) {
      const store = await openStore(path);
      const head = store.head().seq;
      const seq = at === undefined ? head : at;
      if (!Number.isInteger(seq) || seq < 0 || seq > head)
        throw new ViewsError(
          'ledger.snapshot',
          `${store.file} has events 1..${head}, not ${JSON.stringify(at)}`,
        );
      const names = new Map(store.accounts().map((a) => [a.id, a.name]));
      const settleSeq = new Map<number, number>();
      for (const e of store.events({ kind: 'dispute.settle' })) {
        const a = e.payload.action as { dispute?: number };
        if (typeof a.dispute === 'number') settleSeq.set(a.dispute, e.seq);
      }
      if (seq === 0) {
        return {
          path: store.file,
          at: 0,
          lastSeq: head,
          accounts: [],
          tasks: [],
          escrow: 0,
          treasury: 0,
          minted: 0,
          invariantOk: true,
          disputes: [],
        };
      }
      const s = store.snapshotAt(seq);
      const staked = new Map<string, number>();
      for (const st of s.stakes) staked.set(st.account, (staked.get(st.account) ?? 0) + st.locked);
      const t = s.totals;
      const snap: LedgerSnapshot = {
        path: store.file,
        at: seq,
        lastSeq: head,
        accounts: s.accounts.map((a) => ({
          id: a.id,
          name: names.get(a.id) ?? a.name,
          balance: a.balance,
          staked: staked.get(a.id) ?? 0,
        })),
        tasks: s.tasks.map((x) => ({
          id: x.id,
          state: x.state,
          submitter: x.submitter,
          solver: x.solver,
          bounty: x.bounty,
          escrow: x.escrow,
        })),
        escrow: t.escrow,
        treasury: t.treasury,
        minted: t.minted,
        invariantOk: t.minted === t.balances + t.locked + t.escrow + t.treasury,
        disputes: s.disputes.map((d) => ({
          id: d.id,
          task: d.task,
          solver: d.solver,
          challenger: d.challenger,
          state: d.state,
          loser: d.verdict?.loser ?? null,
          settleSeq: d.state === 'settled' ? (settleSeq.get(d.id) ?? null) : null,
        })),
      };
      return snap;
    },

    async 'ledger.events'({ path, task, account }) {
      const store = await openStore(path);
      const chain = chainStatus(store);
      const stakeOwner = new Map(store.stakes().map((s) => [s.id, s.account]));
      const rows: LedgerEventRow[] = store
        .events({ ...(task ? { task } : {}), ...(account ? { account } : {}) })
        .map((e) => {
          const moves: LedgerMove[] = [];
          const accounts = new Set<string>();
          for (const c of e.payload.changes) {
            if (c.op !== 'move') continue;
            const from = pocketLabel(c.move.from, stakeOwner);
            const to = pocketLabel(c.move.to, stakeOwner);
            moves.push({ from, to, amount: c.move.amount, reason: c.move.reason });
            for (const p of [c.move.from, c.move.to]) if ('balance' in p) accounts.add(p.balance);
          }
          return {
            seq: e.seq,
            kind: e.kind,
            at: e.at,
            task: e.task,
            accounts: [...accounts].sort(),
            summary: summarize(e),
            moves,
            hash: e.hash,
            prevHash: e.prevHash,
            chainOk: chain.get(e.seq) ?? false,
          };
        });
      let firstBad: number | null = null;
      for (const [seq, ok] of chain) if (!ok && firstBad === null) firstBad = seq;
      const res: LedgerEvents = {
        path: store.file,
        events: rows,
        chain: {
          ok: firstBad === null,
          checked: chain.size,
          firstBad,
          detail:
            firstBad === null
              ? `all ${chain.size} event hashes recompute and link`
              : `event ${firstBad} does not recompute or link to its predecessor`,
        },
      };
      return res;
    },

    async 'ledger.identity'({ path }) {
      const store = await openStore(path);
      const res: LedgerIdentity = {
        path: store.file,
        keys: store.keys().map((k) => ({ account: k.account, publicKey: k.publicKey, seq: k.seq })),
        commitments: store.commitments().map((c) => ({
          id: c.id,
          task: c.task,
          solver: c.solver,
          sealed: c.sealed,
          status: c.status,
          sealSeq: c.seq,
          closedSeq: c.closedSeq,
        })),
        copies: store.copies().map((c) => ({
          id: c.id,
          task: c.task,
          copier: c.copier,
          runCommitment: c.runCommitment,
          commitSeq: c.commitSeq,
          original: { ...c.original },
          slashed: c.slashed,
          victimShare: c.victimShare,
          seq: c.seq,
        })),
      };
      return res;
    },
  };
}
