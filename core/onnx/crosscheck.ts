/**
 * Cross-check an ONNX model: RepOps (imported) against onnxruntime-web (wasm backend) on the same
 * inputs. RepOps is run twice and must agree with itself bit for bit; onnxruntime is the independent
 * reference, compared within a tolerance (its kernels use a different summation order and FMA).
 */
import * as ort from 'onnxruntime-web';
import { createTape, leaf, randomUniform, type Tensor, tensor } from '../repops/index.ts';
import { importOnnx } from './import.ts';
import { OnnxError, type OnnxModel, type OnnxValueInfo } from './model.ts';
import { readOnnx } from './read.ts';

export interface OutputComparison {
  name: string;
  shape: number[];
  maxAbsError: number;
  maxRelError: number;
  /** RepOps gave identical bits on both runs. */
  repopsBitwiseStable: boolean;
  /** Elements whose bits differ between RepOps and onnxruntime. */
  differingElements: number;
  /** Every element satisfies |repops − ort| ≤ abs + rel·|ort|. */
  withinTolerance: boolean;
}

export interface CrossCheckReport {
  file: string;
  batch: number;
  outputs: OutputComparison[];
  ortThreads: number;
  withinTolerance: boolean;
  tolerance: { abs: number; rel: number };
}

export interface CrossCheckOptions {
  batch?: number;
  seed?: number;
  /** Integer inputs (ids) are drawn from [0, vocab). Defaults to the smallest Gather table in the model. */
  vocab?: number;
  tolerance?: { abs: number; rel: number };
}

let ortConfigured = false;
function configureOrt(): void {
  if (ortConfigured) return;
  // Must be set before the first session: single-threaded keeps Node and CI free of worker threads.
  ort.env.wasm.numThreads = 1;
  ortConfigured = true;
}

function concreteShape(v: OnnxValueInfo, batch: number): number[] {
  return v.shape.map((d) => (typeof d === 'number' && d > 0 ? d : batch));
}

function defaultVocab(m: OnnxModel): number {
  let vocab = Number.POSITIVE_INFINITY;
  for (const n of m.graph.nodes) {
    if (n.opType !== 'Gather') continue;
    const table = m.graph.initializers.find((t) => t.name === n.inputs[0]);
    if (table) vocab = Math.min(vocab, table.dims[0]);
  }
  return Number.isFinite(vocab) ? vocab : 2;
}

/** Deterministic example inputs for a model's graph inputs (uniform [-1, 1), or ids for integer inputs). */
export function exampleInputs(
  m: OnnxModel,
  batch: number,
  seed: number,
  vocab = defaultVocab(m),
): Record<string, Tensor> {
  const inits = new Set(m.graph.initializers.map((t) => t.name));
  const out: Record<string, Tensor> = {};
  m.graph.inputs
    .filter((v) => !inits.has(v.name))
    .forEach((v, i) => {
      const shape = concreteShape(v, batch);
      const n = shape.reduce((a, b) => a * b, 1);
      const u = randomUniform(seed, 0x6f6e0000 + i, n);
      const data = new Float32Array(n);
      for (let j = 0; j < n; j++)
        data[j] = v.dataType === 'float32' ? Math.fround(u[j] * 2 - 1) : Math.floor(u[j] * vocab);
      out[v.name] = tensor(shape, data);
    });
  return out;
}

/** Eager RepOps forward of an imported model. */
export function runRepOps(
  m: OnnxModel,
  inputs: Record<string, Tensor>,
  file = 'model.onnx',
): Record<string, Tensor> {
  const model = importOnnx(m, file);
  const tape = createTape({ record: false });
  const params = model.params.map((p) => leaf(tape, p.tensor, { kind: 'param', name: p.name }));
  const feeds = Object.fromEntries(
    Object.entries(inputs).map(([k, t]) => [k, leaf(tape, t, { kind: 'data', name: k })]),
  );
  const outs = model.forward(params, feeds);
  return Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, v.out]));
}

/** onnxruntime-web (wasm) forward of the same bytes. */
export async function runOrt(
  bytes: Uint8Array,
  m: OnnxModel,
  inputs: Record<string, Tensor>,
): Promise<Record<string, Tensor>> {
  configureOrt();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const v of m.graph.inputs) {
      const t = inputs[v.name];
      if (!t) continue;
      feeds[v.name] =
        v.dataType === 'float32'
          ? new ort.Tensor('float32', t.data, [...t.shape])
          : v.dataType === 'int64'
            ? new ort.Tensor(
                'int64',
                BigInt64Array.from(t.data, (x) => BigInt(x)),
                [...t.shape],
              )
            : new ort.Tensor('int32', Int32Array.from(t.data), [...t.shape]);
    }
    const res = await session.run(feeds);
    const out: Record<string, Tensor> = {};
    for (const o of m.graph.outputs) {
      const r = res[o.name];
      out[o.name] = tensor(r.dims as number[], Float32Array.from(r.data as Float32Array));
    }
    return out;
  } finally {
    await session.release();
  }
}

function compare(
  name: string,
  a: Tensor,
  a2: Tensor,
  ref: Tensor,
  tol: { abs: number; rel: number },
): OutputComparison {
  const bitsA = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length);
  const bitsA2 = new Uint32Array(a2.data.buffer, a2.data.byteOffset, a2.data.length);
  const bitsR = new Uint32Array(ref.data.buffer, ref.data.byteOffset, ref.data.length);
  let maxAbs = 0;
  let maxRel = 0;
  let differing = 0;
  let stable = bitsA.length === bitsA2.length;
  let within = true;
  for (let i = 0; i < a.data.length; i++) {
    if (bitsA[i] !== bitsA2[i]) stable = false;
    if (bitsA[i] !== bitsR[i]) differing++;
    const d = Math.abs(a.data[i] - ref.data[i]);
    if (!(d <= tol.abs + tol.rel * Math.abs(ref.data[i]))) within = false;
    maxAbs = Math.max(maxAbs, d);
    maxRel = Math.max(maxRel, d / Math.max(Math.abs(ref.data[i]), 1e-6));
  }
  return {
    name,
    shape: [...a.shape],
    maxAbsError: maxAbs,
    maxRelError: maxRel,
    repopsBitwiseStable: stable,
    differingElements: differing,
    withinTolerance: within,
  };
}

export async function crossCheckOnnx(
  bytes: Uint8Array,
  file = 'model.onnx',
  options: CrossCheckOptions = {},
): Promise<CrossCheckReport> {
  const m = readOnnx(bytes, file);
  const batch = options.batch ?? 4;
  const tolerance = options.tolerance ?? { abs: 1e-4, rel: 1e-3 };
  const inputs = exampleInputs(m, batch, options.seed ?? 1, options.vocab);
  const first = runRepOps(m, inputs, file);
  const second = runRepOps(m, inputs, file);
  let ref: Record<string, Tensor>;
  try {
    ref = await runOrt(bytes, m, inputs);
  } catch (err) {
    throw new OnnxError(file, `onnxruntime-web could not run the model: ${(err as Error).message}`);
  }
  const outputs = m.graph.outputs.map((o) => {
    const a = first[o.name];
    const r = ref[o.name];
    if (a.data.length !== r.data.length) {
      throw new OnnxError(file, `output "${o.name}": RepOps shape [${a.shape}] vs onnxruntime [${r.shape}]`);
    }
    return compare(o.name, a, second[o.name], r, tolerance);
  });
  const withinTolerance = outputs.every((o) => o.repopsBitwiseStable && o.withinTolerance);
  return { file, batch, outputs, ortThreads: 1, withinTolerance, tolerance };
}
