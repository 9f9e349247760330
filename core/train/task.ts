/**
 * Task spec: everything a solver needs to train and a verifier needs to replay — model, dataset (id,
 * options, digest), optimizer, schedule, seed and the RepOps spec version. A task is plain JSON; the
 * parser checks every field and names the file and the JSON path of the first problem, so a typo in a
 * task file never surfaces as a TypeError deep inside the trainer.
 */
import { digestJson } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { isDigest } from '../hash/hex.ts';
import { TENSOR_DIGEST_SCHEMES, type TensorDigestScheme } from '../hash/tensor-scheme.ts';

export const TASK_FORMAT = 'pinpoint.task/1';

export type DatasetId = 'spirals' | 'blobs' | 'iris' | 'digits' | 'chars' | 'kjv';
export const DATASET_IDS: readonly DatasetId[] = ['spirals', 'blobs', 'iris', 'digits', 'chars', 'kjv'];

export interface DatasetSpec {
  readonly id: DatasetId;
  /** Generator options (see core/train/datasets.ts for each id); all optional with documented defaults. */
  readonly options: Readonly<Record<string, number>>;
  /** tensor-level digest of the generated data; checked when present, filled in by the trainer. */
  readonly digest?: Digest;
}

export interface MlpSpec {
  readonly kind: 'mlp';
  readonly hidden: readonly number[];
  readonly activation: 'relu' | 'tanh' | 'gelu';
}
export interface CnnSpec {
  readonly kind: 'cnn';
  /** Output channels of each conv(3×3, pad 1) + ReLU + maxpool(2) block. */
  readonly channels: readonly number[];
  readonly hidden: number;
}
export interface TransformerSpec {
  readonly kind: 'transformer';
  readonly context: number;
  readonly dModel: number;
  readonly heads: number;
  readonly layers: number;
  readonly ffn: number;
  /**
   * 'block-mask' (default, the original layout): per-head Q/K/V matrices and one [B·T, B·T] score
   * matrix per head with a block-diagonal causal mask. 'per-sequence': whole-layer Wq/Wk/Wv [D, D]
   * and causal attention per sequence with batch_matmul over [B·H, T, d_h] (nanoGPT's layout; B× less
   * attention work).
   */
  readonly attention?: 'block-mask' | 'per-sequence';
}
/** An imported ONNX graph (core/onnx/train-model.ts builds it; see `ensureModelKind`). */
export interface OnnxSpec {
  readonly kind: 'onnx';
  /** The .onnx file, base64-encoded (so the task digest covers architecture and initial weights). */
  readonly onnx: string;
  readonly source?: string;
}
export type ModelSpec = MlpSpec | CnnSpec | TransformerSpec | OnnxSpec;

export interface OptimizerSpec {
  readonly kind: 'sgd' | 'momentum' | 'adam' | 'adamw';
  readonly lr: number;
  readonly momentum?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  /** Global-norm gradient clipping threshold (absent = no clipping). */
  readonly clipNorm?: number;
}

export interface TaskSpec {
  readonly format: typeof TASK_FORMAT;
  readonly name: string;
  readonly description?: string;
  readonly repops: string;
  readonly seed: number;
  /**
   * Optional per-instance nonce (64 lowercase hex). When present it is mixed into every seed the run
   * derives (data order, initialisation; see core/train/seed.ts), so two instances of one task give
   * different runs and a proof of one does not verify for the other. Absent = exactly the old behaviour.
   */
  readonly nonce?: string;
  readonly dataset: DatasetSpec;
  readonly model: ModelSpec;
  readonly optimizer: OptimizerSpec;
  readonly steps: number;
  readonly batchSize: number;
  /** A checkpoint is committed before every step t with t % checkpointEvery === 0, and after the last. */
  readonly checkpointEvery: number;
  /**
   * Sparse checkpoints (proof format v2): only checkpoints at multiples of this many steps keep the full
   * state; the others are commitments (tensor digests); step 0 is derived from the task; the final one
   * keeps the parameters. Absent: every checkpoint stores the full state (format v1). A multiple of
   * checkpointEvery.
   */
  readonly fullCheckpointEvery?: number;
  /**
   * The hash of every tensor digest of this task's runs (core/hash/tensor-scheme.ts): "sha256" (also when
   * absent: every task before it existed) or "blake3", which makes trace mode cheaper. Part of the task,
   * so trainer, verifier and referee cannot disagree about it.
   */
  readonly tensorDigest?: TensorDigestScheme;
  /**
   * Gradient accumulation: each step's batch is cut into this many equal micro-batches (consecutive
   * slices of the batch, in order), each gets its own forward, loss and backward on the step's tape, and
   * the gradients (and losses) are summed in micro-batch order and scaled by 1 / microBatches before the
   * optimizer. Worker threads may compute micro-batches concurrently (`--threads`): the tape, and so every
   * bit, is the same for any thread count. Absent = 1 (one forward and backward over the whole batch, no
   * accumulation nodes: every task before it existed). A divisor of batchSize.
   */
  readonly microBatches?: number;
}

/** The task's micro-batch count (absent = 1). */
export function microBatchCount(task: Pick<TaskSpec, 'microBatches'>): number {
  return task.microBatches ?? 1;
}

/** The task's tensor-digest scheme (absent = "sha256"). */
export function tensorDigestScheme(task: Pick<TaskSpec, 'tensorDigest'>): TensorDigestScheme {
  return task.tensorDigest ?? 'sha256';
}

/** A task-file problem: names the file, the JSON path and what is wrong. */
export class TaskError extends Error {
  readonly file: string;
  readonly path: string;
  constructor(file: string, path: string, problem: string) {
    super(`${file}: ${path}: ${problem}`);
    this.name = 'TaskError';
    this.file = file;
    this.path = path;
  }
}

type Obj = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

class Reader {
  constructor(readonly file: string) {}
  fail(path: string, problem: string): never {
    throw new TaskError(this.file, path, problem);
  }
  obj(v: unknown, path: string, allowed: readonly string[]): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      this.fail(path, `expected an object, got ${describe(v)}`);
    for (const k of Object.keys(v as Obj)) {
      if (!allowed.includes(k)) this.fail(`${path}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`);
    }
    return v as Obj;
  }
  str(o: Obj, key: string, path: string, optional = false): string | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.length === 0)
      this.fail(`${path}.${key}`, `expected a non-empty string, got ${describe(v)}`);
    return v;
  }
  oneOf<T extends string>(o: Obj, key: string, path: string, options: readonly T[], dflt?: T): T {
    const v = o[key];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'string' || !options.includes(v as T)) {
      this.fail(
        `${path}.${key}`,
        `expected one of ${options.map((x) => `"${x}"`).join(', ')}, got ${describe(v)}`,
      );
    }
    return v as T;
  }
  int(o: Obj, key: string, path: string, min: number, max: number, dflt?: number): number {
    const v = o[key];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(`${path}.${key}`, `expected an integer in ${min}..${max}, got ${describe(v)}`);
    }
    return v;
  }
  num(o: Obj, key: string, path: string, min: number, max: number, optional = false): number | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      this.fail(`${path}.${key}`, `expected a number in [${min}, ${max}], got ${describe(v)}`);
    }
    return v;
  }
  intList(o: Obj, key: string, path: string, min: number, max: number, minLen: number): number[] {
    const v = o[key];
    if (!Array.isArray(v) || v.length < minLen)
      this.fail(`${path}.${key}`, `expected an array of at least ${minLen} integer(s), got ${describe(v)}`);
    return v.map((x, i) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
        this.fail(`${path}.${key}[${i}]`, `expected an integer in ${min}..${max}, got ${describe(x)}`);
      }
      return x;
    });
  }
}

/** Validates a parsed task JSON value; `file` names the source in errors. Returns a normalised copy. */
export function parseTask(value: unknown, file = 'task'): TaskSpec {
  const r = new Reader(file);
  const o = r.obj(value, '$', [
    'format',
    'name',
    'description',
    'repops',
    'seed',
    'nonce',
    'dataset',
    'model',
    'optimizer',
    'steps',
    'batchSize',
    'checkpointEvery',
    'fullCheckpointEvery',
    'tensorDigest',
    'microBatches',
  ]);
  if (o.format !== TASK_FORMAT) r.fail('$.format', `expected "${TASK_FORMAT}", got ${describe(o.format)}`);
  const name = r.str(o, 'name', '$') as string;
  const description = r.str(o, 'description', '$', true);
  const repops = r.str(o, 'repops', '$') as string;
  const seed = r.int(o, 'seed', '$', 0, 0xffffffff);
  if (o.nonce !== undefined && !isNonce(o.nonce))
    r.fail('$.nonce', `expected 64 lowercase hex characters (32 bytes), got ${describe(o.nonce)}`);
  const nonce = o.nonce as string | undefined;

  const d = r.obj(o.dataset, '$.dataset', ['id', 'options', 'digest']);
  const id = r.oneOf(d, 'id', '$.dataset', DATASET_IDS);
  const options: Record<string, number> = {};
  if (d.options !== undefined) {
    const opts = r.obj(d.options, '$.dataset.options', Object.keys((d.options ?? {}) as Obj));
    for (const k of Object.keys(opts).sort())
      options[k] = r.num(opts, k, '$.dataset.options', -1e9, 1e9) as number;
  }
  if (d.digest !== undefined && !isDigest(d.digest))
    r.fail('$.dataset.digest', `expected 64 lowercase hex characters, got ${describe(d.digest)}`);
  const dataset: DatasetSpec =
    d.digest === undefined ? { id, options } : { id, options, digest: d.digest as Digest };

  const model = parseModel(r, o.model);
  const optimizer = parseOptimizer(r, o.optimizer);
  const steps = r.int(o, 'steps', '$', 1, 10_000_000);
  const batchSize = r.int(o, 'batchSize', '$', 1, 1 << 20);
  const checkpointEvery = r.int(o, 'checkpointEvery', '$', 1, 10_000_000);
  const fullCheckpointEvery =
    o.fullCheckpointEvery === undefined ? undefined : r.int(o, 'fullCheckpointEvery', '$', 1, 10_000_000);
  if (fullCheckpointEvery !== undefined && fullCheckpointEvery % checkpointEvery !== 0)
    r.fail(
      '$.fullCheckpointEvery',
      `${fullCheckpointEvery} is not a multiple of checkpointEvery ${checkpointEvery}`,
    );
  const tensorDigest =
    o.tensorDigest === undefined ? undefined : r.oneOf(o, 'tensorDigest', '$', TENSOR_DIGEST_SCHEMES);
  const microBatches = o.microBatches === undefined ? undefined : r.int(o, 'microBatches', '$', 1, batchSize);
  if (microBatches !== undefined && batchSize % microBatches !== 0)
    r.fail('$.microBatches', `${microBatches} does not divide batchSize ${batchSize}`);
  const task: TaskSpec = {
    format: TASK_FORMAT,
    name,
    ...(description ? { description } : {}),
    repops,
    seed,
    // Only when given: a task without a nonce must stay byte-identical (task digest, golden runs).
    ...(nonce !== undefined ? { nonce } : {}),
    dataset,
    model,
    optimizer,
    steps,
    batchSize,
    checkpointEvery,
    // Only when given: tasks without it keep their digest and format-v1 bundles.
    ...(fullCheckpointEvery !== undefined ? { fullCheckpointEvery } : {}),
    // Only when given: tasks without it keep their digest (and their SHA-256 tensor digests).
    ...(tensorDigest !== undefined ? { tensorDigest } : {}),
    // Only when given: tasks without it keep their digest (and their tapes).
    ...(microBatches !== undefined ? { microBatches } : {}),
  };
  return task;
}

function parseModel(r: Reader, v: unknown): ModelSpec {
  const kindOf = (v as Obj | null)?.kind;
  if (kindOf === 'mlp') {
    const m = r.obj(v, '$.model', ['kind', 'hidden', 'activation']);
    return {
      kind: 'mlp',
      hidden: r.intList(m, 'hidden', '$.model', 1, 4096, 0),
      activation: r.oneOf(m, 'activation', '$.model', ['relu', 'tanh', 'gelu'], 'relu'),
    };
  }
  if (kindOf === 'cnn') {
    const m = r.obj(v, '$.model', ['kind', 'channels', 'hidden']);
    return {
      kind: 'cnn',
      channels: r.intList(m, 'channels', '$.model', 1, 512, 1),
      hidden: r.int(m, 'hidden', '$.model', 1, 4096),
    };
  }
  if (kindOf === 'transformer') {
    const m = r.obj(v, '$.model', ['kind', 'context', 'dModel', 'heads', 'layers', 'ffn', 'attention']);
    const dModel = r.int(m, 'dModel', '$.model', 1, 4096);
    const heads = r.int(m, 'heads', '$.model', 1, 64);
    if (dModel % heads !== 0) r.fail('$.model.heads', `dModel ${dModel} is not divisible by heads ${heads}`);
    const attention = r.str(m, 'attention', '$.model', true);
    if (attention !== undefined && attention !== 'block-mask' && attention !== 'per-sequence')
      r.fail('$.model.attention', `expected "block-mask" or "per-sequence", got ${describe(attention)}`);
    const spec: TransformerSpec = {
      kind: 'transformer',
      context: r.int(m, 'context', '$.model', 1, 4096),
      dModel,
      heads,
      layers: r.int(m, 'layers', '$.model', 1, 64),
      ffn: r.int(m, 'ffn', '$.model', 1, 16384),
    };
    // Absent stays absent, so the task digest of every existing task is unchanged.
    return attention === undefined ? spec : { ...spec, attention: attention as TransformerSpec['attention'] };
  }
  if (kindOf === 'onnx') {
    const m = r.obj(v, '$.model', ['kind', 'onnx', 'source']);
    const onnx = r.str(m, 'onnx', '$.model') as string;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(onnx) || onnx.length % 4 !== 0)
      r.fail('$.model.onnx', 'expected the .onnx file as base64');
    const source = r.str(m, 'source', '$.model', true);
    return source === undefined ? { kind: 'onnx', onnx } : { kind: 'onnx', onnx, source };
  }
  const m = r.obj(v, '$.model', Object.keys((v ?? {}) as Obj));
  return r.fail(
    '$.model.kind',
    `expected one of "mlp", "cnn", "transformer", "onnx", got ${describe(m.kind)}`,
  );
}

function parseOptimizer(r: Reader, v: unknown): OptimizerSpec {
  const o = r.obj(v, '$.optimizer', [
    'kind',
    'lr',
    'momentum',
    'beta1',
    'beta2',
    'eps',
    'weightDecay',
    'clipNorm',
  ]);
  const kind = r.oneOf(o, 'kind', '$.optimizer', ['sgd', 'momentum', 'adam', 'adamw']);
  const p = '$.optimizer';
  const out: { -readonly [K in keyof OptimizerSpec]: OptimizerSpec[K] } = {
    kind,
    lr: r.num(o, 'lr', p, 0, 100) as number,
  };
  if (kind === 'momentum') out.momentum = r.num(o, 'momentum', p, 0, 1, true) ?? 0.9;
  else if (o.momentum !== undefined) r.fail(`${p}.momentum`, `only used by kind "momentum"`);
  if (kind === 'adam' || kind === 'adamw') {
    out.beta1 = r.num(o, 'beta1', p, 0, 1, true) ?? 0.9;
    out.beta2 = r.num(o, 'beta2', p, 0, 1, true) ?? 0.999;
    out.eps = r.num(o, 'eps', p, 0, 1, true) ?? 1e-8;
  } else {
    for (const k of ['beta1', 'beta2', 'eps'])
      if (o[k] !== undefined) r.fail(`${p}.${k}`, `only used by kinds "adam" and "adamw"`);
  }
  const wd = r.num(o, 'weightDecay', p, 0, 10, true);
  if (wd !== undefined && kind !== 'adamw')
    r.fail(`${p}.weightDecay`, 'only used by kind "adamw" (decoupled weight decay)');
  if (kind === 'adamw') out.weightDecay = wd ?? 0.01;
  const clip = r.num(o, 'clipNorm', p, 0, 1e6, true);
  if (clip !== undefined) out.clipNorm = clip;
  return out;
}

/** A task nonce: 32 bytes as 64 lowercase hex characters (one spelling, so the task digest is unique). */
export function isNonce(v: unknown): v is string {
  return isDigest(v);
}

/**
 * The same task with its nonce set (or removed, with `undefined`), re-validated; `file` names the
 * source in errors. Used by `pinpoint train --nonce`.
 */
export function withNonce(task: TaskSpec, nonce: string | undefined, file = 'task'): TaskSpec {
  const { nonce: _old, ...rest } = task;
  return parseTask(nonce === undefined ? rest : { ...rest, nonce }, file);
}

/** Parses task JSON text; syntax errors name the file too. */
export function parseTaskText(text: string, file = 'task'): TaskSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TaskError(file, '$', `invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseTask(value, file);
}

/** Digest of a (resolved) task: canonical JSON under domain "pinpoint.task.v1". */
export function taskDigest(task: TaskSpec): Digest {
  return digestJson('pinpoint.task.v1', task);
}
