/**
 * `pinpoint inspect <proof> [--step t] [--json]`
 * Without --step: what the bundle claims (task, data, model, commitments, checkpoints, loss curve).
 * With --step t: the step record, its Merkle membership proof in the run commitment, the batch, and the
 * step's tape replayed from the nearest checkpoint — every op with its digest and whether it matches
 * the committed one (trace mode), and its step metrics (learning rate, norms, batch accuracy) recomputed.
 */
import { parseArgs } from 'node:util';
import { merkleProof, verifyMerkleProof } from '../../core/hash/merkle.ts';
import { CheckpointStoreError } from '../../core/proof/checkpoint-store.ts';
import { ProofError } from '../../core/proof/format.ts';
import { directoryCheckpointStore } from '../../core/proof/node-checkpoint-store.ts';
import type { LoadedBundle } from '../../core/proof/read.ts';
import { metricsMismatch, type StepMetrics } from '../../core/train/metrics.ts';
import { ensureModelKind } from '../../core/train/models.ts';
import { stepDigest } from '../../core/train/record.ts';
import { microBatchCount, tensorDigestScheme } from '../../core/train/task.ts';
import { prepareTask, RunReplayer } from '../../core/train/train.ts';
import { oneProofArg } from '../args.ts';
import { openBundleFile } from '../files.ts';

/** One line: learning rate, the three norms and the batch accuracy of a step. */
export function formatStepMetrics(s: StepMetrics): string {
  // 6 significant digits: readable; --json has the exact binary32 values.
  const g = (v: number) => String(Number(v.toPrecision(6)));
  return [
    `lr ${g(s.lr)}`,
    `grad norm ${g(s.gradNorm)}`,
    `update norm ${g(s.updateNorm)}`,
    `weight norm ${g(s.weightNorm)}`,
    ...(s.accuracy === null ? [] : [`batch accuracy ${(100 * s.accuracy).toFixed(1)} %`]),
  ].join(', ');
}

export const summary = 'show what a proof bundle claims, or one step with its ops';

const HELP = `usage: pinpoint inspect <proof.pinproof> [--step t] [--checkpoint-store dir] [--json]

  --step <t>                 replay step t from the nearest full checkpoint and show its record and ops
  --checkpoint-store <dir>   full states written by train --checkpoint-store: replay from the nearest
                             checkpoint instead (each state checked against the bundle first)
  --json                     print as JSON`;

const SPARK = '▁▂▃▄▅▆▇█';

function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  let s = '';
  for (let i = 0; i < width; i++) {
    const a = Math.floor((i * values.length) / width);
    const b = Math.max(a + 1, Math.floor(((i + 1) * values.length) / width));
    const v = values.slice(a, b).reduce((x, y) => x + y, 0) / (b - a);
    s += SPARK[hi > lo ? Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8)) : 0];
  }
  return s;
}

function overview(b: LoadedBundle) {
  const m = b.manifest;
  const losses = m.steps.map((r) => r.loss);
  return {
    file: b.file,
    bytes: b.size,
    format: `${m.format} v${m.version}`,
    repops: m.repops,
    task: m.task.name,
    taskDigest: m.taskDigest,
    dataset: { id: m.task.dataset.id, digest: m.task.dataset.digest },
    model: m.task.model,
    optimizer: m.task.optimizer,
    mode: m.mode,
    steps: m.task.steps,
    batchSize: m.task.batchSize,
    microBatches: microBatchCount(m.task),
    seed: m.task.seed,
    nonce: m.task.nonce ?? null,
    tensorDigest: tensorDigestScheme(m.task),
    parameters: m.stateLayout
      .filter((e) => e.kind === 'param')
      .reduce((n, e) => n + e.shape.reduce((a, c) => a * c, 1), 0),
    stateTensors: m.stateLayout.length,
    checkpoints: b.checkpointSteps,
    runCommitment: m.runCommitment,
    solver: m.solver.publicKey,
    signature: 'valid (Ed25519 over the claim digest)',
    loss: { first: losses[0], min: Math.min(...losses), last: losses[losses.length - 1] },
    metrics: m.metrics,
    opsPerStep: m.mode === 'trace' ? m.steps[0].opCount : null,
  };
}

function stepView(b: LoadedBundle, t: number) {
  const m = b.manifest;
  if (!Number.isInteger(t) || t < 0 || t >= m.task.steps)
    throw new Error(`--step must be in 0..${m.task.steps - 1}, got ${t}`);
  const rec = m.steps[t];
  const digests = m.steps.map(stepDigest);
  const proof = merkleProof(digests, t);
  const ctx = prepareTask(m.task);
  const rep = new RunReplayer(ctx, b.checkpointSteps, (s) => b.checkpoint(s));
  const stepMetrics = b.stepMetrics();
  const r = rep.step(t, 'trace', { metrics: stepMetrics !== null });
  const committed = b.opDigests(t);
  const nodes = (r.nodes ?? []).map((n, i) => ({
    id: n.id,
    phase: n.phase,
    op: n.op,
    label: n.label ?? (n.op === 'leaf' ? String(n.attrs.name) : ''),
    inputs: n.inputs,
    shape: n.out.shape,
    digest: r.opDigests?.[i] ?? '',
    matches: committed ? committed[i] === r.opDigests?.[i] : null,
  }));
  return {
    step: t,
    record: rec,
    stepDigest: digests[t],
    membership: { proof, valid: verifyMerkleProof(digests[t], proof, m.runCommitment) },
    batch: [...r.batch],
    replay: {
      fromCheckpoint: Math.max(...b.checkpointSteps.filter((c) => c <= t)),
      stateAfterMatches: r.record.stateAfter === rec.stateAfter,
      lossMatches: Object.is(r.record.loss, rec.loss),
      metricsMatch: stepMetrics && r.metrics ? metricsMismatch(r.metrics, stepMetrics[t]) === null : null,
    },
    /** Committed step metrics (null: a bundle written before the step-metrics section). */
    metrics: stepMetrics ? stepMetrics[t] : null,
    ops: nodes,
  };
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      step: { type: 'string' },
      'checkpoint-store': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const arg = oneProofArg('inspect', positionals);
  if (!arg.ok) {
    console.error(arg.message);
    return 2;
  }
  const file = arg.file;
  let bundle: LoadedBundle;
  try {
    const storeDir = values['checkpoint-store'];
    bundle = openBundleFile(file, {
      repops: undefined, // inspect shows bundles of any RepOps version
      ...(storeDir !== undefined ? { checkpointStore: directoryCheckpointStore(storeDir) } : {}),
    });
  } catch (err) {
    if (err instanceof ProofError || /^cannot read |^checkpoint store /.test((err as Error).message)) {
      console.error(`pinpoint inspect: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  }
  if (values.step !== undefined) {
    await ensureModelKind(bundle.manifest.task.model.kind);
    if (!/^\d+$/.test(values.step)) throw new Error(`--step must be a step number, got "${values.step}"`);
    let v: ReturnType<typeof stepView>;
    try {
      v = stepView(bundle, Number(values.step));
    } catch (err) {
      if (!(err instanceof CheckpointStoreError)) throw err;
      console.error(
        `pinpoint inspect: ${err.message} (inspect without --checkpoint-store, or fix the store)`,
      );
      return 1;
    }
    if (values.json) {
      console.log(JSON.stringify(v, null, 2));
      return 0;
    }
    const r = v.record;
    const lines = [
      `step ${v.step} of ${bundle.manifest.task.steps} — ${bundle.manifest.task.name}`,
      `stateBefore ${r.stateBefore}`,
      `stateAfter  ${r.stateAfter}`,
      `batch       ${r.batchDigest}  [${v.batch.slice(0, 12).join(', ')}${v.batch.length > 12 ? ', …' : ''}]`,
      `loss        ${r.loss}`,
      v.metrics
        ? `metrics     ${formatStepMetrics(v.metrics)}`
        : 'metrics     (none: bundle written before step metrics were recorded)',
      ...(r.opRoot ? [`opRoot      ${r.opRoot} (${r.opCount} ops)`] : []),
      `step digest ${v.stepDigest}; membership proof (${v.membership.proof.siblings.length} siblings) ${v.membership.valid ? 'valid' : 'INVALID'}`,
      `replay      from checkpoint ${v.replay.fromCheckpoint}: stateAfter ${v.replay.stateAfterMatches ? 'matches' : 'DIFFERS'}, loss ${v.replay.lossMatches ? 'matches' : 'DIFFERS'}${v.replay.metricsMatch === null ? '' : `, metrics ${v.replay.metricsMatch ? 'match' : 'DIFFER'}`}`,
      '',
      `  id  phase      op                          label                          shape          digest`,
    ];
    for (const n of v.ops) {
      const mark = n.matches === null ? ' ' : n.matches ? '=' : '≠';
      lines.push(
        `${mark}${String(n.id).padStart(4)}  ${n.phase.padEnd(9)}  ${n.op.padEnd(26)}  ${n.label.slice(0, 29).padEnd(29)}  ${`[${n.shape.join(',')}]`.padEnd(13)}  ${n.digest.slice(0, 16)}`,
      );
    }
    console.log(lines.join('\n'));
    return 0;
  }
  const o = overview(bundle);
  if (values.json) {
    console.log(
      JSON.stringify(
        { ...o, lossCurve: bundle.manifest.steps.map((r) => r.loss), stepMetrics: bundle.stepMetrics() },
        null,
        2,
      ),
    );
    return 0;
  }
  const m = bundle.manifest;
  const sm = bundle.stepMetrics();
  const curve = (label: string, vs: readonly number[], fmt: (v: number) => string) =>
    `${label.padEnd(11)} ${sparkline(vs)}  ${fmt(vs[0])} → ${fmt(vs[vs.length - 1])}`;
  const extra = sm
    ? [
        curve(
          'grad norm',
          sm.map((r) => r.gradNorm),
          (v) => v.toPrecision(4),
        ),
        curve(
          'update norm',
          sm.map((r) => r.updateNorm),
          (v) => v.toPrecision(4),
        ),
        curve(
          'weight norm',
          sm.map((r) => r.weightNorm),
          (v) => v.toPrecision(4),
        ),
        ...(sm.every((r) => r.accuracy !== null)
          ? [
              curve(
                'batch acc',
                sm.map((r) => r.accuracy as number),
                (v) => `${(100 * v).toFixed(1)} %`,
              ),
            ]
          : []),
      ]
    : ['step metrics none (bundle written before they were recorded): loss only'];
  console.log(
    [
      `${o.file} — ${o.format}, ${o.bytes} bytes, ${o.repops}`,
      `task        ${o.task} (${o.taskDigest.slice(0, 16)}…), seed ${o.seed}${o.nonce ? `, nonce ${o.nonce.slice(0, 16)}…` : ''}`,
      `dataset     ${o.dataset.id} (${String(o.dataset.digest).slice(0, 16)}…)`,
      `model       ${JSON.stringify(o.model)} — ${o.parameters} parameters, ${o.stateTensors} state tensors`,
      `optimizer   ${JSON.stringify(o.optimizer)}`,
      `run         ${o.steps} steps × batch ${o.batchSize}${o.microBatches > 1 ? ` (${o.microBatches} micro-batches of ${o.batchSize / o.microBatches})` : ''}, ${o.mode} mode${o.opsPerStep ? ` (${o.opsPerStep} ops/step)` : ''}`,
      `checkpoints ${o.checkpoints.join(', ')}`,
      `commitment  ${o.runCommitment} (tensor digests ${o.tensorDigest === 'blake3' ? 'BLAKE3' : 'SHA-256'})`,
      `solver      ${o.solver} — signature ${o.signature}`,
      `loss        ${sparkline(m.steps.map((r) => r.loss))}  ${o.loss.first.toFixed(4)} → ${o.loss.last.toFixed(4)} (min ${o.loss.min.toFixed(4)})`,
      ...extra,
      `final model loss ${o.metrics.loss.toFixed(4)}, accuracy ${(100 * o.metrics.accuracy).toFixed(1)} %`,
    ].join('\n'),
  );
  return 0;
}
