/**
 * Small reference models built with RepOps and exported to ONNX: the project's own test fixtures
 * (no model can be downloaded here). Weights come from the Philox PRNG, so the bytes are reproducible.
 */
import { createTape, leaf, ops, randomUniform, type Tape, tensor, type Var } from '../repops/index.ts';
import { exportOnnx } from './export.ts';
import type { OnnxModel } from './model.ts';

function param(tape: Tape, name: string, shape: number[], scale: number, stream: number): Var {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = randomUniform(2024, stream, n);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.fround((u[i] * 2 - 1) * scale);
  return leaf(tape, tensor(shape, data), { kind: 'param', name });
}

const data = (tape: Tape, name: string, shape: number[]): Var =>
  leaf(tape, tensor(shape), { kind: 'data', name });

/** 4 → 16 → 16 → 3 MLP with ReLU and GELU, softmax output. */
export function mlpFixture(): OnnxModel {
  const tape = createTape();
  const x = data(tape, 'x', [2, 4]);
  let h = ops.relu(
    ops.linear(x, param(tape, 'fc1.weight', [4, 16], 0.5, 1), param(tape, 'fc1.bias', [16], 0.1, 2), 'fc1'),
  );
  h = ops.gelu(
    ops.linear(h, param(tape, 'fc2.weight', [16, 16], 0.25, 3), param(tape, 'fc2.bias', [16], 0.1, 4), 'fc2'),
  );
  const logits = ops.linear(
    h,
    param(tape, 'fc3.weight', [16, 3], 0.25, 5),
    param(tape, 'fc3.bias', [3], 0.1, 6),
    'fc3',
  );
  ops.softmax(logits, 'probs');
  return exportOnnx(tape, { name: 'mlp', batchDim: 'batch' });
}

/** conv3×3(pad 1) → ReLU → maxpool 2 → flatten → linear, on 1×8×8 images. */
export function cnnFixture(): OnnxModel {
  const tape = createTape();
  const x = data(tape, 'image', [2, 1, 8, 8]);
  const c = ops.conv2d(
    x,
    param(tape, 'conv.weight', [4, 1, 3, 3], 0.4, 11),
    param(tape, 'conv.bias', [4], 0.1, 12),
    { padding: 1 },
    'conv',
  );
  const p = ops.maxPool2d(ops.relu(c), { kernel: 2 }, 'pool');
  const flat = ops.reshape(p, [2, 4 * 4 * 4], 'flatten');
  ops.linear(flat, param(tape, 'fc.weight', [64, 5], 0.2, 13), param(tape, 'fc.bias', [5], 0.1, 14), 'fc');
  return exportOnnx(tape, { name: 'cnn' });
}

/** One pre-LN transformer block over token ids: embedding, LN, single-head attention, GELU MLP, head. */
export function transformerFixture(V = 11, T = 6, D = 8): OnnxModel {
  const tape = createTape();
  const ids = data(tape, 'ids', [T]);
  const emb = ops.embedding(param(tape, 'tok.weight', [V, D], 0.5, 21), ids, 'embed');
  const ln = ops.layerNorm(
    emb,
    param(tape, 'ln1.gamma', [D], 0.2, 22),
    param(tape, 'ln1.beta', [D], 0.1, 23),
    1e-5,
    'ln1',
  );
  const q = ops.matmul(ln, param(tape, 'attn.wq', [D, D], 0.3, 24), 'q');
  const k = ops.matmul(ln, param(tape, 'attn.wk', [D, D], 0.3, 25), 'k');
  const v = ops.matmul(ln, param(tape, 'attn.wv', [D, D], 0.3, 26), 'v');
  const scores = ops.mul(
    ops.matmul(q, ops.transpose(k, [1, 0], 'kT'), 'qk'),
    leaf(tape, tensor([1], [1 / Math.sqrt(D)]), { kind: 'const', name: 'scale' }),
  );
  const att = ops.matmul(ops.softmax(scores, 'attn'), v, 'av');
  const x1 = ops.add(emb, ops.matmul(att, param(tape, 'attn.wo', [D, D], 0.3, 27), 'o'), 'res1');
  const ff = ops.gelu(
    ops.linear(x1, param(tape, 'ff.w1', [D, 16], 0.3, 28), param(tape, 'ff.b1', [16], 0.1, 29), 'ff1'),
  );
  const x2 = ops.add(
    x1,
    ops.linear(ff, param(tape, 'ff.w2', [16, D], 0.3, 30), param(tape, 'ff.b2', [D], 0.1, 31), 'ff2'),
    'res2',
  );
  ops.logSoftmax(ops.matmul(x2, param(tape, 'head.weight', [D, V], 0.3, 32), 'head'), 'logprobs');
  return exportOnnx(tape, { name: 'transformer-block' });
}

export const FIXTURES: Readonly<Record<string, () => OnnxModel>> = {
  mlp: mlpFixture,
  cnn: cnnFixture,
  'transformer-block': transformerFixture,
};
