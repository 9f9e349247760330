/**
 * The bundled model families, written as RepOps op sequences on a tape (so every forward value, every
 * VJP and every update is a registered op node the referee can recompute):
 *  - MLP: linear → activation → … → linear.
 *  - CNN: [conv3×3 (pad 1) → ReLU → maxpool 2×2] per block → flatten → linear → ReLU → linear.
 *  - Transformer (decoder-only, char-level, pre-LN): token + learned position embedding, per layer
 *    x += Wo·concat_h(softmax(mask + (x Wq_h)(x Wk_h)ᵀ/√d_h)(x Wv_h)), x += W2·GELU(W1·LN(x)), final LN,
 *    linear head. All B sequences of a batch are one [B·T, D] matrix; attention uses one [B·T, B·T]
 *    score matrix per head with a block-diagonal causal mask (−1e9 off-block and above the diagonal), so
 *    only 2-D matmul is needed.
 * Initialisation: weights N(0, 1)·std from Philox stream INIT_STREAM + parameter index (std = √(2/fan_in)
 * for ReLU layers, √(1/fan_in) otherwise, 0.02 for embeddings), biases and LN beta 0, LN gamma 1.
 */
import { randomNormal, type Seed } from '../repops/prng.ts';
import { apply, leaf, type Tape, type Var, withLabel } from '../repops/tape.ts';
import type { Tensor } from '../repops/tensor.ts';
import type { Dataset } from './datasets.ts';
import type { StateEntry } from './state.ts';
import type { CnnSpec, MlpSpec, ModelSpec, TransformerSpec } from './task.ts';

export const INIT_STREAM = 0x696e0000; // "in" << 16 | parameter index

export interface ParamSpec extends StateEntry {
  readonly kind: 'param';
  /** 'normal' with std, a constant fill, or given values (imported models). */
  readonly init: { readonly normal: number } | { readonly fill: number } | { readonly values: Float32Array };
}

export interface Model {
  readonly params: readonly ParamSpec[];
  /** Shape of the batch input leaf and of the (flattened) target leaf for batch size b. */
  inputShape(b: number): number[];
  targetShape(b: number): number[];
  /** Records the forward pass; returns logits [rows, classes] (rows = target count). */
  forward(tape: Tape, params: readonly Var[], x: Var): Var;
}

export class ModelError extends Error {
  constructor(message: string) {
    super(`model: ${message}`);
    this.name = 'ModelError';
  }
}

export function initParams(model: Model, seed: Seed): Tensor[] {
  return model.params.map((p, i) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if ('fill' in p.init) {
      data = new Float32Array(n).fill(p.init.fill);
    } else if ('values' in p.init) {
      if (p.init.values.length !== n)
        throw new ModelError(
          `parameter "${p.name}" has ${p.init.values.length} initial values, shape needs ${n}`,
        );
      data = p.init.values.slice();
    } else {
      const std = Math.fround(p.init.normal);
      data = randomNormal(seed, INIT_STREAM + i, n);
      for (let j = 0; j < n; j++) data[j] = Math.fround(data[j] * std);
    }
    return { shape: [...p.shape], data };
  });
}

const W = (name: string, shape: number[], std: number): ParamSpec => ({
  name,
  kind: 'param',
  shape,
  init: { normal: std },
});
const C = (name: string, shape: number[], fill: number): ParamSpec => ({
  name,
  kind: 'param',
  shape,
  init: { fill },
});

function constLeaf(tape: Tape, name: string, t: Tensor): Var {
  return leaf(tape, t, { kind: 'const', name, requiresGrad: false });
}

/** Builds a model of a kind defined outside core/train (e.g. 'onnx' by core/onnx/train-model.ts). */
export type ModelBuilder = (spec: ModelSpec, data: Dataset) => Model;
const BUILDERS = new Map<string, ModelBuilder>();

export function registerModelBuilder(kind: string, build: ModelBuilder): void {
  BUILDERS.set(kind, build);
}

export function hasModelBuilder(kind: string): boolean {
  return BUILDERS.has(kind);
}

/**
 * Loads the module that builds model kind `kind` when it lives outside core/train (so plain MLP/CNN/
 * transformer runs never pay for the ONNX reader). Call before `prepareTask` on tasks of such kinds.
 */
export async function ensureModelKind(kind: string): Promise<void> {
  if (kind !== 'onnx' || BUILDERS.has('onnx')) return;
  const mod = await import('../onnx/train-model.ts');
  // Typed call (no cast): the compiler checks core/onnx's restated Dataset/Model shapes against ours.
  if (!BUILDERS.has('onnx'))
    registerModelBuilder('onnx', (spec, data) =>
      mod.onnxTrainModel(spec as Parameters<typeof mod.onnxTrainModel>[0], data),
    );
}

export function buildModel(spec: ModelSpec, data: Dataset): Model {
  switch (spec.kind) {
    case 'mlp':
      return mlp(spec, data);
    case 'cnn':
      return cnn(spec, data);
    case 'transformer':
      return transformer(spec, data);
    default: {
      const build = BUILDERS.get(spec.kind);
      if (!build)
        throw new ModelError(
          `model kind "${spec.kind}" is not loaded: call ensureModelKind("${spec.kind}") first`,
        );
      return build(spec, data);
    }
  }
}

function mlp(spec: MlpSpec, data: Dataset): Model {
  if (data.kind !== 'classes')
    throw new ModelError(`mlp needs a classification dataset, "${data.id}" is ${data.kind}`);
  const input = data.inputShape.reduce((a, b) => a * b, 1);
  const dims = [input, ...spec.hidden, data.classes];
  const params: ParamSpec[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const last = l + 2 === dims.length;
    const std = Math.sqrt((spec.activation === 'relu' && !last ? 2 : 1) / dims[l]);
    params.push(W(`fc${l + 1}.weight`, [dims[l], dims[l + 1]], std), C(`fc${l + 1}.bias`, [dims[l + 1]], 0));
  }
  return {
    params,
    inputShape: (b) => [b, input],
    targetShape: (b) => [b],
    forward(tape, p, x) {
      let h = x;
      for (let l = 0; l + 1 < dims.length; l++) {
        h = withLabel(tape, `fc${l + 1}`, () => apply('linear', [h, p[2 * l], p[2 * l + 1]]));
        if (l + 2 < dims.length) h = apply(spec.activation, [h], {}, `act${l + 1}`);
      }
      return h;
    },
  };
}

function cnn(spec: CnnSpec, data: Dataset): Model {
  if (data.kind !== 'classes' || data.inputShape.length !== 3) {
    throw new ModelError(
      `cnn needs an image classification dataset [C, H, W], "${data.id}" has input [${data.inputShape.join(', ')}]`,
    );
  }
  let [c, h, w] = data.inputShape;
  const params: ParamSpec[] = [];
  spec.channels.forEach((out, i) => {
    params.push(
      W(`conv${i + 1}.weight`, [out, c, 3, 3], Math.sqrt(2 / (c * 9))),
      C(`conv${i + 1}.bias`, [out, 1, 1], 0),
    );
    if (h < 2 || w < 2) throw new ModelError(`cnn: block ${i + 1} would pool a ${h}×${w} map`);
    c = out;
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  });
  const flat = c * h * w;
  params.push(W('fc1.weight', [flat, spec.hidden], Math.sqrt(2 / flat)), C('fc1.bias', [spec.hidden], 0));
  params.push(
    W('fc2.weight', [spec.hidden, data.classes], Math.sqrt(1 / spec.hidden)),
    C('fc2.bias', [data.classes], 0),
  );
  const nb = spec.channels.length;
  return {
    params,
    inputShape: (b) => [b, ...data.inputShape],
    targetShape: (b) => [b],
    forward(tape, p, x) {
      let a = x;
      for (let i = 0; i < nb; i++) {
        a = withLabel(tape, `conv${i + 1}`, () => {
          // conv2d has no bias input: the bias is an [O, 1, 1] parameter added with broadcasting.
          const y = apply('add', [apply('conv2d', [a, p[2 * i]], { stride: 1, padding: 1 }), p[2 * i + 1]]);
          return apply('maxpool2d', [apply('relu', [y])], { kernel: 2, stride: 2 });
        });
      }
      const b = a.out.shape[0];
      a = apply('reshape', [a], { shape: [b, flat] }, 'flatten');
      a = withLabel(tape, 'fc1', () => apply('relu', [apply('linear', [a, p[2 * nb], p[2 * nb + 1]])]));
      return withLabel(tape, 'fc2', () => apply('linear', [a, p[2 * nb + 2], p[2 * nb + 3]]));
    },
  };
}

function transformer(spec: TransformerSpec, data: Dataset): Model {
  if (data.kind !== 'tokens')
    throw new ModelError(`transformer needs a token dataset, "${data.id}" is ${data.kind}`);
  const T = data.inputShape[0];
  if (T !== spec.context)
    throw new ModelError(`transformer context ${spec.context} differs from the dataset context ${T}`);
  const { dModel: D, heads: H, layers: L, ffn: F } = spec;
  const V = data.classes;
  const dh = D / H;
  // 'per-sequence' (nanoGPT's layout): whole-layer Wq/Wk/Wv; 'block-mask' (default): per-head matrices.
  const perSeq = spec.attention === 'per-sequence';
  const attnParams = (p: string): ParamSpec[] =>
    perSeq
      ? ['q', 'k', 'v'].map((m) => W(`${p}.attn.w${m}`, [D, D], Math.sqrt(1 / D)))
      : Array.from({ length: H }, (_, h) =>
          ['q', 'k', 'v'].map((m) => W(`${p}.head${h}.w${m}`, [D, dh], Math.sqrt(1 / D))),
        ).flat();
  const params: ParamSpec[] = [W('tok.embedding', [V, D], 0.02), W('pos.embedding', [T, D], 0.02)];
  for (let l = 0; l < L; l++) {
    const p = `layer${l}`;
    params.push(C(`${p}.ln1.gamma`, [D], 1), C(`${p}.ln1.beta`, [D], 0));
    params.push(...attnParams(p));
    params.push(W(`${p}.attn.wo`, [D, D], Math.sqrt(1 / D) / Math.sqrt(2 * L)), C(`${p}.attn.bo`, [D], 0));
    params.push(C(`${p}.ln2.gamma`, [D], 1), C(`${p}.ln2.beta`, [D], 0));
    params.push(W(`${p}.mlp.w1`, [D, F], Math.sqrt(2 / D)), C(`${p}.mlp.b1`, [F], 0));
    params.push(W(`${p}.mlp.w2`, [F, D], Math.sqrt(1 / F) / Math.sqrt(2 * L)), C(`${p}.mlp.b2`, [D], 0));
  }
  params.push(
    C('lnf.gamma', [D], 1),
    C('lnf.beta', [D], 0),
    W('head.weight', [D, V], Math.sqrt(1 / D)),
    C('head.bias', [V], 0),
  );
  const nAttn = perSeq ? 3 : 3 * H;
  const perLayer = 2 + nAttn + 2 + 2 + 4;
  const scale = Math.fround(1 / Math.sqrt(dh));
  return {
    params,
    inputShape: (b) => [b * T],
    targetShape: (b) => [b * T],
    forward(tape, p, ids) {
      const n = ids.out.shape[0];
      const B = n / T;
      const pos = new Float32Array(n);
      for (let i = 0; i < n; i++) pos[i] = i % T;
      // Block mask: one [B·T, B·T] matrix (−1e9 off-block and above the diagonal); per sequence: [T, T].
      const side = perSeq ? T : n;
      const mask = new Float32Array(side * side);
      for (let i = 0; i < side; i++) {
        for (let j = 0; j < side; j++)
          mask[i * side + j] = Math.floor(i / T) === Math.floor(j / T) && j <= i ? 0 : -1e9;
      }
      const posIds = constLeaf(tape, 'positions', { shape: [n], data: pos });
      const maskV = constLeaf(tape, 'causal_mask', { shape: [side, side], data: mask });
      const scaleV = constLeaf(tape, 'attn_scale', { shape: [1], data: Float32Array.of(scale) });
      // [B·T, D] → [B·H, T, d_h] (kT: [B·H, d_h, T]) and back.
      const heads = (v: Var, perm: number[], last: [number, number]) =>
        apply('reshape', [apply('transpose', [apply('reshape', [v], { shape: [B, T, H, dh] })], { perm })], {
          shape: [B * H, ...last],
        });
      const merge = (v: Var) =>
        apply(
          'reshape',
          [apply('transpose', [apply('reshape', [v], { shape: [B, H, T, dh] })], { perm: [0, 2, 1, 3] })],
          { shape: [n, D] },
        );
      const attendPerSequence = (a: Var, w: (k: number) => Var) =>
        withLabel(tape, 'attn', () => {
          const qh = heads(apply('matmul', [a, w(0)], {}, 'q'), [0, 2, 1, 3], [T, dh]);
          const kt = heads(apply('matmul', [a, w(1)], {}, 'k'), [0, 2, 3, 1], [dh, T]);
          const vh = heads(apply('matmul', [a, w(2)], {}, 'v'), [0, 2, 1, 3], [T, dh]);
          const s = apply('batch_matmul', [qh, kt], {}, 'scores');
          const sm = apply('add', [apply('mul', [s, scaleV]), maskV], {}, 'masked');
          return merge(apply('batch_matmul', [apply('softmax', [sm], { axis: -1 }), vh], {}, 'attend'));
        });
      const attendBlockMask = (a: Var, w: (k: number) => Var) => {
        const outs: Var[] = [];
        for (let h = 0; h < H; h++) {
          outs.push(
            withLabel(tape, `head${h}`, () => {
              const qh = apply('matmul', [a, w(3 * h)], {}, 'q');
              const kh = apply('matmul', [a, w(1 + 3 * h)], {}, 'k');
              const vh = apply('matmul', [a, w(2 + 3 * h)], {}, 'v');
              const s = apply('matmul', [qh, apply('transpose', [kh], { perm: [1, 0] })], {}, 'scores');
              const sm = apply('add', [apply('mul', [s, scaleV]), maskV], {}, 'masked');
              return apply('matmul', [apply('softmax', [sm], { axis: -1 }), vh], {}, 'attend');
            }),
          );
        }
        return H === 1 ? outs[0] : apply('concat', outs, { axis: 1 });
      };
      let x = withLabel(tape, 'embed', () =>
        apply('add', [apply('embedding', [p[0], ids]), apply('embedding', [p[1], posIds])]),
      );
      for (let l = 0; l < L; l++) {
        const q = (k: number) => p[2 + l * perLayer + k];
        x = withLabel(tape, `layer${l}`, () => {
          const a = apply('layer_norm', [x, q(0), q(1)], {}, 'ln1');
          const att = (perSeq ? attendPerSequence : attendBlockMask)(a, (k) => q(2 + k));
          const r = 2 + nAttn; // wo, bo, ln2 γ/β, w1, b1, w2, b2
          const x1 = apply('add', [x, apply('linear', [att, q(r), q(r + 1)], {}, 'proj')], {}, 'resid1');
          const m = apply('layer_norm', [x1, q(r + 2), q(r + 3)], {}, 'ln2');
          const f = apply('gelu', [apply('linear', [m, q(r + 4), q(r + 5)], {}, 'fc1')]);
          return apply('add', [x1, apply('linear', [f, q(r + 6), q(r + 7)], {}, 'fc2')], {}, 'resid2');
        });
      }
      const k = 2 + L * perLayer;
      return withLabel(tape, 'head', () =>
        apply('linear', [apply('layer_norm', [x, p[k], p[k + 1]], {}, 'lnf'), p[k + 2], p[k + 3]]),
      );
    },
  };
}
