/**
 * Loads and validates a proof bundle. Every check names the file and where the problem is (header,
 * manifest JSON path, step, field, checkpoint, tensor, section); nothing in a bundle is trusted before
 * it is checked, and bad bytes never surface as a raw TypeError (the fuzz test flips and truncates).
 *
 * Checks, in order: header (magic, version, lengths) → manifest JSON is canonical → manifest structure
 * → task spec and task digest → step chain (indices, stateBefore = previous stateAfter) → run
 * commitment → payload sections (bounds, tiling, digests) → checkpoints (tensor digests, state root,
 * matching step record) → op digests (per-step Merkle roots = opRoot) → Ed25519 signature.
 * openBundle reads through a ByteSource and defers the payload's byte checks to first use (or to
 * checkPayload); readBundle, for bytes in memory, does all of them at once (docs/PROOF_FORMAT.md
 * "Random access").
 */
import { canonicalJson, digestStream, tensorDigestsOf } from '../hash/digest.ts';
import { type Digest, isDigest, toHex } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';
import type { Tensor } from '../repops/tensor.ts';
import { STEP_METRIC_FIELDS, type StepMetricField, type StepMetrics } from '../train/metrics.ts';
import { stepDigest } from '../train/record.ts';
import { stateDigest, type TrainState } from '../train/state.ts';
import { parseTask, TaskError, type TaskSpec, taskDigest, tensorDigestScheme } from '../train/task.ts';
import { initialState, prepareTask } from '../train/train.ts';
import { type CheckpointStore, CheckpointStoreError, stateFileData } from './checkpoint-store.ts';
import {
  type CheckpointEntry,
  checkpointStorage,
  HEADER_BYTES,
  type Manifest,
  PROOF_FORMAT,
  PROOF_MAGIC,
  PROOF_VERSIONS_READ,
  ProofError,
  type SectionRef,
} from './format.ts';
import { verifyClaim } from './sign.ts';
import { type ByteSource, memorySource } from './source.ts';
import { SECTION_DOMAIN, sectionDigest } from './write.ts';

export interface LoadedBundle {
  readonly file: string;
  readonly manifest: Manifest;
  /** Byte size of the bundle file. */
  readonly size: number;
  /** Steps whose full state `checkpoint` returns (ascending; v1: the last one is task.steps). */
  readonly checkpointSteps: readonly number[];
  /** Those of them whose state comes from the checkpoint store (ReadOptions.checkpointStore). */
  readonly checkpointStoreSteps: readonly number[];
  /**
   * The full state before step `step` (throws ProofError where there is none: `checkpointSteps` lists
   * them — v1: every checkpoint; v2: step 0, derived from the task, and the sparse full copies).
   */
  checkpoint(step: number): TrainState;
  /** The parameters after the last step (the trained model; final metrics are computed from them). */
  finalParams(): Tensor[];
  /**
   * Per-step metrics (learning rate, norms, batch accuracy), step 0 first, read and checked against the
   * section digest on first use; null for a bundle written before the step-metrics section existed.
   */
  stepMetrics(): readonly StepMetrics[] | null;
  /** Trace mode: the op digests of step t in tape order (checked against its opRoot); null in fast mode. */
  opDigests(step: number): Digest[] | null;
  /**
   * Reads every payload section once, in order, and checks it against its digests (checkpoint tensors,
   * each step's op digests against its opRoot, section digests); memory stays at one section at a time.
   * Loading with readBundle has done this already.
   */
  checkPayload(onProgress?: (doneBytes: number, totalBytes: number) => void): void;
}

export interface ReadOptions {
  /** RepOps version this build implements; a bundle made under another version is rejected. */
  readonly repops?: string;
  /**
   * The task the caller expects the bundle to prove (e.g. the posted task instance, with its nonce).
   * Its `dataset.digest` may be absent (filled from the bundle; replay regenerates and checks the data).
   * A bundle of any other task — including the same task under another nonce — is rejected.
   */
  readonly expectTask?: TaskSpec;
  /**
   * Full states kept beside the bundle (checkpoint-store.ts): the commitment-only checkpoints whose state
   * the store holds become full ones (`checkpointSteps`), each checked against its commitment when read.
   */
  readonly checkpointStore?: CheckpointStore;
}

/** Why a manifest's task is not `expected` (null if it is): compares task digests, names nonce mismatches. */
export function taskMismatch(m: Pick<Manifest, 'task' | 'taskDigest'>, expected: TaskSpec): string | null {
  const resolved: TaskSpec =
    expected.dataset.digest === undefined && m.task.dataset.digest !== undefined
      ? { ...expected, dataset: { ...expected.dataset, digest: m.task.dataset.digest } }
      : expected;
  const want = taskDigest(resolved);
  if (want === m.taskDigest) return null;
  const short = (n: string | undefined) => (n === undefined ? 'none' : `${n.slice(0, 16)}…`);
  const why =
    m.task.nonce !== expected.nonce
      ? `a different task instance (nonce ${short(m.task.nonce)}, expected ${short(expected.nonce)})`
      : 'a different task';
  return `task digest mismatch: the bundle proves ${m.taskDigest.slice(0, 16)}…, expected ${want.slice(0, 16)}… — ${why}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Loads a bundle held in memory and checks everything, payload included (the bytes are already here).
 * For a file on disk prefer openBundle over a file source: it reads a section when it is needed.
 */
export function readBundle(bytes: Uint8Array, file = 'proof', options: ReadOptions = {}): LoadedBundle {
  const b = openBundle(memorySource(bytes), file, options);
  b.checkPayload();
  return b;
}

/** Full states kept decoded at once (each is a whole model + optimizer state). */
const STATE_CACHE = 2;

/**
 * Opens a bundle for random access. Checked now: header, manifest (canonical JSON, structure, task,
 * step chain, run commitment), the payload's section table against the file size, every checkpoint's
 * commitment against the step records, and the signature — everything the manifest alone decides.
 * Payload bytes are read and checked against their digests when first used (a checkpoint's tensors,
 * one step's op digests), or all of them, one section at a time, by checkPayload().
 */
export function openBundle(src: ByteSource, file = 'proof', options: ReadOptions = {}): LoadedBundle {
  const fail = (where: string, problem: string, step?: number): never => {
    throw new ProofError(file, where, problem, step);
  };
  const size = src.size;
  if (size < HEADER_BYTES)
    fail('header', `file is ${size} bytes, shorter than the ${HEADER_BYTES}-byte header (truncated?)`);
  const head = src.read(0, HEADER_BYTES);
  let magic = '';
  for (let i = 0; i < 8; i++) magic += String.fromCharCode(head[i]);
  if (magic !== PROOF_MAGIC)
    fail('header', `not a Pinpoint proof bundle (magic ${JSON.stringify(magic)}, expected "${PROOF_MAGIC}")`);
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = dv.getUint32(8, true);
  if (!PROOF_VERSIONS_READ.includes(version))
    fail(
      'header',
      `unsupported proof format version ${version} (this build reads versions ${PROOF_VERSIONS_READ.join(', ')}; re-create the bundle with \`pinpoint train\` of this build)`,
    );
  const mlen = dv.getUint32(12, true);
  if (HEADER_BYTES + mlen > size) {
    fail('header', `manifest length ${mlen} runs past the end of the ${size}-byte file (truncated?)`);
  }
  let text = '';
  let raw: unknown;
  try {
    text = decoder.decode(src.read(HEADER_BYTES, mlen));
    raw = JSON.parse(text);
  } catch (err) {
    fail('manifest', `not valid UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const m = checkManifestShape(raw, fail);
  if (m.version !== version) fail('manifest $.version', `is ${m.version}, the header says ${version}`);
  let canonical = '';
  try {
    canonical = canonicalJson(raw);
  } catch (err) {
    fail('manifest', String(err instanceof Error ? err.message : err));
  }
  if (canonical !== text)
    fail('manifest', 'JSON is not in canonical form (sorted keys, no whitespace): it was edited');

  // Task.
  try {
    parseTask(m.task, `${file} $.task`);
  } catch (err) {
    if (err instanceof TaskError) fail('manifest $.task', err.message);
    throw err;
  }
  if (taskDigest(m.task) !== m.taskDigest)
    fail('manifest $.taskDigest', 'does not match the digest of $.task');
  if (options.expectTask !== undefined) {
    const why = taskMismatch(m, options.expectTask);
    if (why !== null) fail('manifest $.taskDigest', why);
  }
  if (m.repops !== m.task.repops)
    fail('manifest $.repops', `"${m.repops}" differs from the task's "${m.task.repops}"`);
  if (options.repops !== undefined && m.repops !== options.repops) {
    fail(
      'manifest $.repops',
      `bundle was made with RepOps "${m.repops}", this build implements "${options.repops}"`,
    );
  }
  if (m.task.dataset.digest === undefined)
    fail('manifest $.task.dataset.digest', 'missing (a bundle must commit to its data)');

  // Steps.
  const T = m.task.steps;
  if (m.steps.length !== T)
    fail('manifest $.steps', `has ${m.steps.length} records, the task has ${T} steps`);
  for (let t = 0; t < T; t++) {
    const r = m.steps[t];
    if (r.step !== t) fail(`step ${t}`, `field step is ${r.step}, expected ${t}`, t);
    if (t > 0 && r.stateBefore !== m.steps[t - 1].stateAfter) {
      fail(`step ${t}`, `field stateBefore does not match step ${t - 1} stateAfter (broken state chain)`, t);
    }
    const traced = r.opRoot !== undefined || r.opCount !== undefined;
    if (m.mode === 'trace' && (r.opRoot === undefined || r.opCount === undefined))
      fail(`step ${t}`, 'trace-mode record lacks opRoot/opCount', t);
    if (m.mode === 'fast' && traced) fail(`step ${t}`, 'fast-mode record has opRoot/opCount', t);
  }
  const stepDigests = m.steps.map(stepDigest);
  if (merkleRoot(stepDigests) !== m.runCommitment) {
    fail(
      'manifest $.runCommitment',
      'does not match the Merkle root of the step records (a step record was altered)',
    );
  }

  // Payload sections must tile the payload exactly, in manifest order.
  const payloadStart = HEADER_BYTES + mlen;
  const payloadLen = size - payloadStart;
  const sections: [string, SectionRef][] = [];
  for (const c of m.checkpoints) if (c.section) sections.push([`checkpoint ${c.step}`, c.section]);
  if (m.opDigests) sections.push(['op digests', m.opDigests]);
  if (m.stepMetrics) sections.push(['step metrics', m.stepMetrics.section]);
  let expectOffset = 0;
  for (const [name, s] of sections) {
    if (s.offset !== expectOffset) fail(`${name} section`, `offset ${s.offset}, expected ${expectOffset}`);
    if (s.offset + s.length > payloadLen)
      fail(`${name} section`, `runs past the end of the file (payload is ${payloadLen} bytes; truncated?)`);
    expectOffset += s.length;
  }
  if (expectOffset !== payloadLen) fail('payload', `${payloadLen - expectOffset} unexpected trailing bytes`);
  const readSection = (s: SectionRef, from = 0, length = s.length) =>
    src.read(payloadStart + s.offset + from, length);

  // Checkpoint commitments (the manifest alone); their tensors are read when asked for.
  const layout = m.stateLayout;
  const expectSteps: number[] = [];
  for (let s = 0; s < T; s += m.task.checkpointEvery) expectSteps.push(s);
  expectSteps.push(T);
  const gotSteps = m.checkpoints.map((c) => c.step);
  if (canonicalJson(gotSteps) !== canonicalJson(expectSteps)) {
    fail(
      'manifest $.checkpoints',
      `checkpoint steps [${gotSteps.join(', ')}] differ from the expected [${expectSteps.join(', ')}]`,
    );
  }
  const nParams = layout.filter((e) => e.kind === 'param').length;
  const bytesOf = (entries: typeof layout) =>
    entries.reduce((n, e) => n + 4 * e.shape.reduce((a, b) => a * b, 1), 0);
  const fullEvery = m.version === 1 ? undefined : m.task.fullCheckpointEvery;
  if (m.version === 2 && fullEvery === undefined)
    fail('manifest $.version', 'version 2 (sparse checkpoints) needs $.task.fullCheckpointEvery');
  if (m.version === 1 && m.task.fullCheckpointEvery !== undefined)
    fail('manifest $.version', 'a task with fullCheckpointEvery is written as version 2');
  /** Checkpoints whose section holds tensors, and how many (all of them, or the parameters). */
  const stored = new Map<number, { entry: CheckpointEntry; count: number }>();
  for (const c of m.checkpoints) {
    const kind = checkpointStorage(c.step, T, fullEvery);
    const where = `checkpoint ${c.step}`;
    if (m.version === 2 && c.stored !== kind)
      fail(where, `stores ${JSON.stringify(c.stored)}, the task's checkpoint policy says "${kind}"`, c.step);
    if ((kind === 'none') !== (c.section === undefined))
      fail(
        where,
        kind === 'none' ? 'a commitment-only checkpoint has a data section' : 'data section missing',
        c.step,
      );
    if (c.tensors.length !== layout.length)
      fail(where, `lists ${c.tensors.length} tensor digests, the layout has ${layout.length}`, c.step);
    if (merkleRoot(c.tensors) !== c.state)
      fail(where, 'field state is not the Merkle root of its tensor digests', c.step);
    const recorded = c.step < T ? m.steps[c.step].stateBefore : m.steps[T - 1].stateAfter;
    const field = c.step < T ? `step ${c.step} stateBefore` : `step ${T - 1} stateAfter`;
    if (c.state !== recorded) fail(where, `state digest does not match ${field}`, c.step);
    if (!c.section) continue;
    const count = kind === 'params' ? nParams : layout.length;
    const need = bytesOf(layout.slice(0, count));
    if (c.section.length !== need)
      fail(where, `section is ${c.section.length} bytes, the stored tensors need ${need}`, c.step);
    stored.set(c.step, { entry: c, count });
  }
  /** The first `count` layout tensors from their bytes, each checked against checkpoint c's digest. */
  function checkedTensors(
    c: CheckpointEntry,
    buf: Uint8Array,
    count: number,
    bad: (p: string) => never,
  ): Tensor[] {
    const tensors: Tensor[] = [];
    let at = 0;
    for (let i = 0; i < count; i++) {
      const e = layout[i];
      const n = e.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      new Uint8Array(data.buffer).set(buf.subarray(at, at + 4 * n));
      at += 4 * n;
      tensors.push({ shape: [...e.shape], data });
    }
    tensorDigestsOf(tensors, tensorDigestScheme(m.task)).forEach((d, i) => {
      if (d !== c.tensors[i])
        bad(`tensor ${i} "${layout[i].name}" does not match its digest (an element was altered)`);
    });
    return tensors;
  }
  /** Reads a checkpoint's section and checks every tensor and the section digest; returns the tensors. */
  function loadCheckpoint(step: number): Tensor[] {
    const { entry: c, count } = stored.get(step) as { entry: CheckpointEntry; count: number };
    const buf = readSection(c.section as SectionRef);
    const tensors = checkedTensors(c, buf, count, (p) => fail(`checkpoint ${c.step}`, p, c.step));
    if (sectionDigest(buf) !== (c.section as SectionRef).digest)
      fail(`checkpoint ${c.step}`, 'section digest mismatch', c.step);
    return tensors;
  }
  // Commitment-only checkpoints the store holds a state for (every one but the last: nothing follows it).
  const store = options.checkpointStore;
  const fromStore = new Map<number, CheckpointEntry>();
  if (store)
    for (const c of m.checkpoints)
      if (
        c.step < T &&
        !stored.has(c.step) &&
        !(c.step === 0 && fullEvery !== undefined) &&
        store.has(c.state)
      )
        fromStore.set(c.step, c);
  /** A state from the store, checked against the bundle's commitment (errors name the store's file). */
  function loadFromStore(c: CheckpointEntry): Tensor[] {
    const inFile = (store as CheckpointStore).fileOf(c.state);
    const bad = (problem: string): never => {
      throw new CheckpointStoreError(inFile, c.step, problem);
    };
    const bytes = (store as CheckpointStore).read(c.state);
    if (!bytes) return bad('the file has gone');
    const data = stateFileData(bytes, bytesOf(layout));
    if ('problem' in data) return bad(data.problem);
    return checkedTensors(c, data, layout.length, (p) => bad(`${p}: not the state the bundle commits to`));
  }
  // Full states: stored ones, and in v2 the initial state, derived from the task when first asked for.
  const fullStored = [...stored.entries()].filter(([, v]) => v.count === layout.length).map(([step]) => step);
  const fullSteps = (fullEvery === undefined ? expectSteps : [0, ...fullStored, ...fromStore.keys()]).sort(
    (a, b) => a - b,
  );

  // Op digests (trace mode): the section's size now, each step's digests against its opRoot when read.
  const opOffsets: number[] = [];
  if (m.mode === 'trace') {
    if (!m.opDigests) fail('manifest $.opDigests', 'missing in a trace-mode bundle');
    const s = m.opDigests as SectionRef;
    let total = 0;
    for (const r of m.steps) {
      opOffsets.push(total);
      total += r.opCount as number;
    }
    if (s.length !== 32 * total)
      fail('op digests section', `is ${s.length} bytes, the step records need ${32 * total}`);
  } else if (m.opDigests) {
    fail('manifest $.opDigests', 'present in a fast-mode bundle');
  }
  /** Step t's op digests, read and checked against its opRoot (with the raw bytes, for streaming). */
  function readStepOps(t: number): { bytes: Uint8Array; digests: Digest[] } {
    const n = m.steps[t].opCount as number;
    const bytes = readSection(m.opDigests as SectionRef, 32 * opOffsets[t], 32 * n);
    const digests = opsOf(bytes, 0, n);
    if (merkleRoot(digests) !== m.steps[t].opRoot)
      fail(`step ${t}`, 'op digests do not match field opRoot (an op digest was altered)', t);
    return { bytes, digests };
  }

  // Step metrics: the columns and the section's size now, the values (against the digest) when read.
  if (m.stepMetrics) {
    const { fields, section } = m.stepMetrics;
    // Every column in the fixed order; accuracy may be absent (a task without labels).
    const allowed = [STEP_METRIC_FIELDS, STEP_METRIC_FIELDS.filter((k) => k !== 'accuracy')];
    if (!allowed.some((w) => canonicalJson(w) === canonicalJson(fields)))
      fail(
        'manifest $.stepMetrics.fields',
        `[${fields.join(', ')}] must be ${STEP_METRIC_FIELDS.join(', ')} in this order (accuracy may be absent)`,
      );
    if (section.length !== 4 * T * fields.length)
      fail(
        'step metrics section',
        `is ${section.length} bytes, ${T} steps × ${fields.length} metrics need ${4 * T * fields.length}`,
      );
  }
  let metricRows: StepMetrics[] | null = null;
  /** Reads the step-metrics section once, checks its digest, decodes one row per step. */
  function loadStepMetrics(): StepMetrics[] | null {
    if (!m.stepMetrics) return null;
    if (metricRows) return metricRows;
    const { fields, section } = m.stepMetrics;
    const buf = readSection(section);
    if (sectionDigest(buf) !== section.digest)
      fail('step metrics section', 'section digest mismatch (a step metric was altered)');
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const rows: StepMetrics[] = [];
    for (let t = 0, at = 0; t < T; t++) {
      const v: Partial<Record<StepMetricField, number>> = {};
      for (const k of fields) {
        v[k] = dv.getFloat32(at, true);
        at += 4;
      }
      rows.push({
        lr: v.lr as number,
        gradNorm: v.gradNorm as number,
        updateNorm: v.updateNorm as number,
        weightNorm: v.weightNorm as number,
        accuracy: v.accuracy ?? null,
      });
    }
    metricRows = rows;
    return rows;
  }

  const { signature, ...unsigned } = m;
  if (!verifyClaim(unsigned, signature, m.solver.publicKey)) {
    fail('manifest $.signature', 'Ed25519 signature does not verify against $.solver.publicKey');
  }

  // Decoded full states, most recently used last (a few: each is a whole model + optimizer state).
  const states = new Map<number, TrainState>();
  const remember = (step: number, st: TrainState) => {
    states.delete(step);
    states.set(step, st);
    while (states.size > STATE_CACHE) states.delete(states.keys().next().value as number);
  };
  const copy = (ts: readonly Tensor[]) => ts.map((t) => ({ shape: [...t.shape], data: t.data.slice() }));
  let payloadChecked = false;

  return {
    file,
    manifest: m,
    size,
    checkpointSteps: fullSteps,
    checkpointStoreSteps: [...fromStore.keys()].sort((a, b) => a - b),
    checkpoint(step: number): TrainState {
      let st = states.get(step);
      if (!st && step === 0 && fullEvery !== undefined) {
        st = initialState(prepareTask(m.task));
        if (stateDigest(st, tensorDigestScheme(m.task)) !== m.steps[0].stateBefore)
          throw new ProofError(
            file,
            'checkpoint 0',
            "the task's seeded initial state is not step 0's stateBefore",
            0,
          );
      }
      if (!st && fullStored.includes(step)) st = { layout, tensors: loadCheckpoint(step) };
      const fromFile = fromStore.get(step);
      if (!st && fromFile) st = { layout, tensors: loadFromStore(fromFile) };
      if (!st)
        throw new ProofError(
          file,
          `checkpoint ${step}`,
          `no full checkpoint at step ${step} (have ${fullSteps.join(', ')})`,
          step,
        );
      remember(step, st);
      return { layout: st.layout, tensors: copy(st.tensors) };
    },
    finalParams(): Tensor[] {
      return loadCheckpoint(T).slice(0, nParams);
    },
    stepMetrics(): readonly StepMetrics[] | null {
      return loadStepMetrics();
    },
    opDigests(step: number): Digest[] | null {
      if (m.mode !== 'trace' || !m.opDigests) return null;
      if (!Number.isInteger(step) || step < 0 || step >= T)
        throw new ProofError(file, `step ${step}`, `no such step (0..${T - 1})`);
      return readStepOps(step).digests;
    },
    checkPayload(onProgress?: (done: number, total: number) => void): void {
      if (payloadChecked) return;
      const total = payloadLen;
      let done = 0;
      for (const step of stored.keys()) {
        loadCheckpoint(step);
        done += (stored.get(step) as { entry: CheckpointEntry }).entry.section?.length ?? 0;
        onProgress?.(done, total);
      }
      if (m.opDigests) {
        // Step by step (bounded memory), every step against its opRoot and the whole against the digest.
        const h = digestStream(SECTION_DOMAIN);
        for (let t = 0; t < T; t++) {
          const { bytes } = readStepOps(t);
          h.update(bytes);
          done += bytes.length;
          onProgress?.(done, total);
        }
        if (h.digest() !== m.opDigests.digest) fail('op digests section', 'section digest mismatch');
      }
      if (m.stepMetrics) {
        loadStepMetrics();
        done += m.stepMetrics.section.length;
        onProgress?.(done, total);
      }
      payloadChecked = true;
    },
  };
}

function opsOf(buf: Uint8Array, first: number, count: number): Digest[] {
  const out: Digest[] = [];
  for (let i = 0; i < count; i++) out.push(toHex(buf.subarray(32 * (first + i), 32 * (first + i + 1))));
  return out;
}

type Fail = (where: string, problem: string, step?: number) => never;

/** Structural check of the manifest (types, required fields, digest syntax), naming the JSON path. */
function checkManifestShape(raw: unknown, fail: Fail): Manifest {
  const at = (path: string, problem: string): never => fail(`manifest ${path}`, problem);
  const obj = (
    v: unknown,
    path: string,
    keys: readonly string[],
    optional: readonly string[] = [],
  ): Record<string, unknown> => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) at(path, 'expected an object');
    const o = v as Record<string, unknown>;
    for (const k of keys) if (!(k in o)) at(`${path}.${k}`, 'missing');
    for (const k of Object.keys(o))
      if (!keys.includes(k) && !optional.includes(k)) at(`${path}.${k}`, 'unknown field');
    return o;
  };
  const digest = (v: unknown, path: string) => {
    if (!isDigest(v)) at(path, 'expected a digest (64 lowercase hex characters)');
  };
  const nat = (v: unknown, path: string) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      at(path, 'expected a non-negative integer');
  };
  const arr = (v: unknown, path: string): unknown[] => {
    if (!Array.isArray(v)) at(path, 'expected an array');
    return v as unknown[];
  };
  const section = (v: unknown, path: string) => {
    const s = obj(v, path, ['offset', 'length', 'digest']);
    nat(s.offset, `${path}.offset`);
    nat(s.length, `${path}.length`);
    digest(s.digest, `${path}.digest`);
  };
  const m = obj(
    raw,
    '$',
    [
      'format',
      'version',
      'repops',
      'task',
      'taskDigest',
      'mode',
      'stateLayout',
      'steps',
      'runCommitment',
      'checkpoints',
      'metrics',
      'solver',
      'signature',
    ],
    ['opDigests', 'stepMetrics'],
  );
  if (m.format !== PROOF_FORMAT) at('$.format', `expected "${PROOF_FORMAT}"`);
  if (!PROOF_VERSIONS_READ.includes(m.version as number))
    at(
      '$.version',
      `unsupported version ${JSON.stringify(m.version)} (this build reads ${PROOF_VERSIONS_READ.join(', ')})`,
    );
  if (typeof m.repops !== 'string') at('$.repops', 'expected a string');
  digest(m.taskDigest, '$.taskDigest');
  if (m.mode !== 'fast' && m.mode !== 'trace') at('$.mode', 'expected "fast" or "trace"');
  arr(m.stateLayout, '$.stateLayout').forEach((e, i) => {
    const p = `$.stateLayout[${i}]`;
    const o = obj(e, p, ['name', 'kind', 'shape']);
    if (typeof o.name !== 'string') at(`${p}.name`, 'expected a string');
    if (o.kind !== 'param' && o.kind !== 'state') at(`${p}.kind`, 'expected "param" or "state"');
    const shape = arr(o.shape, `${p}.shape`);
    for (const [j, d] of shape.entries()) nat(d, `${p}.shape[${j}]`);
    if (shape.reduce((a: number, b) => a * (b as number), 1) > 1 << 28) at(`${p}.shape`, 'tensor too large');
  });
  arr(m.steps, '$.steps').forEach((e, i) => {
    const p = `$.steps[${i}]`;
    const o = obj(e, p, ['step', 'stateBefore', 'stateAfter', 'batchDigest', 'loss'], ['opRoot', 'opCount']);
    nat(o.step, `${p}.step`);
    digest(o.stateBefore, `${p}.stateBefore`);
    digest(o.stateAfter, `${p}.stateAfter`);
    digest(o.batchDigest, `${p}.batchDigest`);
    if (typeof o.loss !== 'number' || Math.fround(o.loss) !== o.loss)
      at(`${p}.loss`, 'expected a binary32 number');
    if (o.opRoot !== undefined) digest(o.opRoot, `${p}.opRoot`);
    if (o.opCount !== undefined) nat(o.opCount, `${p}.opCount`);
  });
  digest(m.runCommitment, '$.runCommitment');
  arr(m.checkpoints, '$.checkpoints').forEach((e, i) => {
    const p = `$.checkpoints[${i}]`;
    const o =
      m.version === 1
        ? obj(e, p, ['step', 'state', 'tensors', 'section'])
        : obj(e, p, ['step', 'state', 'tensors', 'stored'], ['section']);
    nat(o.step, `${p}.step`);
    digest(o.state, `${p}.state`);
    for (const [j, d] of arr(o.tensors, `${p}.tensors`).entries()) digest(d, `${p}.tensors[${j}]`);
    if (o.section !== undefined) section(o.section, `${p}.section`);
    if (m.version === 2 && o.stored !== 'full' && o.stored !== 'params' && o.stored !== 'none')
      at(`${p}.stored`, 'expected "full", "params" or "none"');
  });
  if (m.opDigests !== undefined) section(m.opDigests, '$.opDigests');
  if (m.stepMetrics !== undefined) {
    const sm = obj(m.stepMetrics, '$.stepMetrics', ['fields', 'section']);
    for (const [j, k] of arr(sm.fields, '$.stepMetrics.fields').entries())
      if (typeof k !== 'string') at(`$.stepMetrics.fields[${j}]`, 'expected a string');
    section(sm.section, '$.stepMetrics.section');
  }
  const metrics = obj(m.metrics, '$.metrics', ['loss', 'accuracy']);
  if (typeof metrics.loss !== 'number') at('$.metrics.loss', 'expected a number');
  if (typeof metrics.accuracy !== 'number') at('$.metrics.accuracy', 'expected a number');
  const solver = obj(m.solver, '$.solver', ['publicKey']);
  if (typeof solver.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(solver.publicKey))
    at('$.solver.publicKey', 'expected 64 hex characters');
  if (typeof m.signature !== 'string' || !/^[0-9a-f]{128}$/.test(m.signature))
    at('$.signature', 'expected 128 hex characters');
  if (m.task === null || typeof m.task !== 'object') at('$.task', 'expected an object');
  return m as unknown as Manifest;
}
