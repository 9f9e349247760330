/**
 * Writes a proof bundle (format v1, see format.ts). Pure: the same inputs give the same bytes, so two
 * honest runs of a task with the same key produce byte-identical files.
 */
import { canonicalBytes, canonicalJson, digestBytes, tensorDigestsOf } from '../hash/digest.ts';
import { type Digest, toHex, utf8 } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';
import type { Tensor } from '../repops/tensor.ts';
import { STEP_METRIC_FIELDS, type StepMetricField, type StepMetrics } from '../train/metrics.ts';
import { runCommitment, type StepRecord } from '../train/record.ts';
import type { StateEntry } from '../train/state.ts';
import { type TaskSpec, taskDigest, tensorDigestScheme } from '../train/task.ts';
import {
  type CheckpointEntry,
  checkpointStorage,
  HEADER_BYTES,
  type Manifest,
  PROOF_FORMAT,
  PROOF_MAGIC,
  PROOF_VERSION,
  type SectionRef,
  type StepMetricsRef,
  type TraceMode,
  type UnsignedManifest,
} from './format.ts';
import { type SolverKey, signClaim } from './sign.ts';

export interface BundleInput {
  readonly task: TaskSpec;
  readonly repops: string;
  readonly mode: TraceMode;
  readonly stateLayout: readonly StateEntry[];
  readonly steps: readonly StepRecord[];
  /** Full states at checkpoint steps, ascending. */
  readonly checkpoints: readonly { readonly step: number; readonly tensors: readonly Tensor[] }[];
  /**
   * Checkpoints given by their tensor digests only (a trainer that did not keep their states): each must
   * be one the task's policy stores as a commitment (`stored: "none"`).
   */
  readonly commitments?: readonly { readonly step: number; readonly digests: readonly Digest[] }[];
  /** Trace mode: op digests of every step, packed (core/hash/hex.ts packDigests: 32 × steps[t].opCount bytes). */
  readonly opDigests?: readonly Uint8Array[];
  readonly metrics: { readonly loss: number; readonly accuracy: number };
  /** Per-step metrics (one per step record); omitted → no step-metrics section (the pre-section bytes). */
  readonly stepMetrics?: readonly StepMetrics[];
}

/** Domain tag of a payload section's digest (readers that stream a section hash under it too). */
export const SECTION_DOMAIN = 'pinpoint.section.v1';

export function sectionDigest(bytes: Uint8Array): Digest {
  return digestBytes(SECTION_DOMAIN, bytes);
}

/** Builds the manifest and payload, signs the claim, returns the file bytes. */
export function writeBundle(input: BundleInput, key: SolverKey): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const addSection = (bytes: Uint8Array): SectionRef => {
    const ref = { offset, length: bytes.length, digest: sectionDigest(bytes) };
    chunks.push(bytes);
    offset += bytes.length;
    return ref;
  };
  const fullEvery = input.task.fullCheckpointEvery;
  const nParams = input.stateLayout.filter((e) => e.kind === 'param').length;
  const all = [
    ...input.checkpoints,
    ...(input.commitments ?? []).map((c) => ({ step: c.step, digests: c.digests })),
  ].sort((a, b) => a.step - b.step);
  const checkpoints: CheckpointEntry[] = all.map((c) => {
    const tensors =
      'digests' in c ? [...c.digests] : tensorDigestsOf(c.tensors, tensorDigestScheme(input.task));
    const entry = { step: c.step, state: merkleRoot(tensors), tensors };
    const stored = checkpointStorage(c.step, input.task.steps, fullEvery);
    if (stored === 'none') return { ...entry, stored };
    if ('digests' in c)
      throw new Error(
        `writeBundle: checkpoint ${c.step} is stored "${stored}" but only its digests were given`,
      );
    const parts = (stored === 'params' ? c.tensors.slice(0, nParams) : c.tensors).map((t) =>
      canonicalBytes(t.data),
    );
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    // v1 entries carry no `stored` field (byte-identical to bundles written before v2 existed).
    return fullEvery === undefined
      ? { ...entry, section: addSection(bytes) }
      : { ...entry, section: addSection(bytes), stored };
  });
  let opDigests: SectionRef | undefined;
  if (input.mode === 'trace') {
    if (!input.opDigests) throw new Error('writeBundle: trace mode needs op digests');
    const bytes = new Uint8Array(input.opDigests.reduce((n, d) => n + d.length, 0));
    let at = 0;
    for (const step of input.opDigests) {
      bytes.set(step, at);
      at += step.length;
    }
    opDigests = addSection(bytes);
  }
  let stepMetrics: StepMetricsRef | undefined;
  if (input.stepMetrics) {
    if (input.stepMetrics.length !== input.steps.length)
      throw new Error(
        `writeBundle: ${input.stepMetrics.length} step metrics for ${input.steps.length} step records`,
      );
    const fields = STEP_METRIC_FIELDS.filter(
      (k) => k !== 'accuracy' || input.stepMetrics?.every((s) => s.accuracy !== null),
    );
    stepMetrics = { fields, section: addSection(encodeStepMetrics(input.stepMetrics, fields)) };
  }
  const unsigned: UnsignedManifest = {
    format: PROOF_FORMAT,
    version: fullEvery === undefined ? 1 : PROOF_VERSION,
    repops: input.repops,
    task: input.task,
    taskDigest: taskDigest(input.task),
    mode: input.mode,
    stateLayout: input.stateLayout,
    steps: input.steps,
    runCommitment: runCommitment(input.steps),
    checkpoints,
    ...(opDigests ? { opDigests } : {}),
    ...(stepMetrics ? { stepMetrics } : {}),
    metrics: input.metrics,
    solver: { publicKey: toHex(key.publicKey) },
  };
  const manifest: Manifest = { ...unsigned, signature: signClaim(unsigned, key) };
  const json = utf8(canonicalJson(manifest));
  const out = new Uint8Array(HEADER_BYTES + json.length + offset);
  out.set(utf8(PROOF_MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, unsigned.version, true);
  dv.setUint32(12, json.length, true);
  out.set(json, HEADER_BYTES);
  let at = HEADER_BYTES + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Step-metrics section bytes: one row per step, the `fields` columns as little-endian binary32. */
export function encodeStepMetrics(
  rows: readonly StepMetrics[],
  fields: readonly StepMetricField[],
): Uint8Array {
  const out = new Uint8Array(4 * rows.length * fields.length);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const r of rows) {
    for (const k of fields) {
      dv.setFloat32(at, r[k] ?? Number.NaN, true);
      at += 4;
    }
  }
  return out;
}
