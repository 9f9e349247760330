/**
 * An imported ONNX graph as a trainable Pinpoint model. The task embeds the .onnx bytes (base64), so
 * the task digest — and with it the proof's run commitment — covers the exact architecture and
 * initial weights, and a verifier needs nothing but the proof bundle.
 */
import type { Tape, Var } from '../repops/index.ts';
import { importOnnx } from './import.ts';
import { OnnxError } from './model.ts';
import { readOnnx } from './read.ts';

// The shapes core/train's Dataset, ParamSpec and Model have, restated here so core/onnx does not import
// core/train (core/train loads this module for kind 'onnx'; test/core-imports.test.ts forbids the cycle).
// core/train registers onnxTrainModel as a ModelBuilder, so the compiler checks they still match.
interface DatasetView {
  readonly id: string;
  readonly kind: 'classes' | 'tokens';
  readonly inputShape: readonly number[];
  readonly classes: number;
}
interface ParamSpec {
  readonly name: string;
  readonly kind: 'param';
  readonly shape: readonly number[];
  readonly init: { readonly normal: number } | { readonly fill: number } | { readonly values: Float32Array };
}
interface Model {
  readonly params: readonly ParamSpec[];
  inputShape(b: number): number[];
  targetShape(b: number): number[];
  forward(tape: Tape, params: readonly Var[], x: Var): Var;
}

export interface OnnxModelSpec {
  readonly kind: 'onnx';
  /** The .onnx file, base64-encoded. */
  readonly onnx: string;
  /** Where it came from (informational). */
  readonly source?: string;
}

export function decodeBase64(b64: string, where: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0)
    throw new OnnxError(where, 'model.onnx is not valid base64');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The model's single graph input takes a batch of examples ([b, ...inputShape] for class datasets,
 * [b·T] token ids for token datasets); its single output must be logits [rows, classes].
 */
export function onnxTrainModel(spec: OnnxModelSpec, data: DatasetView): Model {
  const where = spec.source ?? 'task model.onnx';
  const imported = importOnnx(readOnnx(decodeBase64(spec.onnx, where), where), where);
  if (imported.inputs.length !== 1) {
    throw new OnnxError(
      where,
      `a trainable ONNX model needs exactly one graph input, found ${imported.inputs.length}`,
    );
  }
  if (imported.outputs.length !== 1) {
    throw new OnnxError(
      where,
      `a trainable ONNX model needs exactly one graph output (logits), found ${imported.outputs.length}`,
    );
  }
  const input = imported.inputs[0];
  const fixed = input.shape.slice(1).filter((d): d is number => typeof d === 'number');
  const example = data.kind === 'tokens' ? [] : [...data.inputShape];
  if (data.kind === 'classes' && fixed.join(',') !== example.join(',')) {
    throw new OnnxError(
      where,
      `input "${input.name}" has per-example shape [${fixed}] but dataset "${data.id}" gives [${example}]`,
    );
  }
  const out = imported.outputs[0].shape;
  const classes = out[out.length - 1];
  if (typeof classes === 'number' && classes !== data.classes) {
    throw new OnnxError(where, `output has ${classes} classes but dataset "${data.id}" has ${data.classes}`);
  }
  const params: ParamSpec[] = imported.params.map((p) => ({
    name: p.name,
    kind: 'param',
    shape: [...p.tensor.shape],
    init: { values: p.tensor.data },
  }));
  const T = data.inputShape[0];
  return {
    params,
    inputShape: (b) => (data.kind === 'tokens' ? [b * T] : [b, ...data.inputShape]),
    targetShape: (b) => (data.kind === 'tokens' ? [b * T] : [b]),
    forward(_tape: Tape, p: readonly Var[], x: Var): Var {
      return Object.values(imported.forward(p, { [input.name]: x }))[0];
    },
  };
}
