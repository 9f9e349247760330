/**
 * Ad-hoc timings of RepOps ops and a full MLP training step (figures in docs/REPOPS.md).
 *   node --import tsx test/repops/measure-ops.ts
 */
import {
  adamStep,
  backward,
  createTape,
  getOp,
  leaf,
  ops,
  randomNormal,
  tensor,
} from '../../core/repops/index.ts';

function time(name: string, reps: number, f: () => void) {
  f();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  const ms = (performance.now() - t0) / reps;
  console.log(name.padEnd(40), ms.toFixed(3), 'ms');
  return ms;
}
const B = 64;
const x = tensor([B, 784], randomNormal(1, 0, B * 784));
const y = tensor(
  [B],
  Float32Array.from({ length: B }, (_, i) => i % 10),
);
const P = [
  tensor(
    [784, 128],
    randomNormal(1, 1, 784 * 128).map((v) => v * 0.05),
  ),
  tensor([128]),
  tensor(
    [128, 10],
    randomNormal(1, 2, 1280).map((v) => v * 0.1),
  ),
  tensor([10]),
];
const m = P.map((p) => tensor(p.shape));
const v = P.map((p) => tensor(p.shape));
let fwd = 0;
time('MLP 784-128-10 b64 fwd+bwd+adam step', 20, () => {
  const t = createTape();
  const xs = leaf(t, x, { kind: 'data', name: 'x' });
  const ys = leaf(t, y, { kind: 'target', name: 'y' });
  const p = P.map((q, i) => leaf(t, q, { kind: 'param', name: `p${i}` }));
  const loss = ops.softmaxCrossEntropy(ops.linear(ops.relu(ops.linear(xs, p[0], p[1])), p[2], p[3]), ys);
  const g = backward(t, loss);
  adamStep(
    p,
    p.map((q) => g.get(q.id)!),
    m.map((q) => leaf(t, q, { kind: 'state', name: 'm' })),
    v.map((q) => leaf(t, q, { kind: 'state', name: 'v' })),
    { lr: 1e-3, step: 1 },
  );
  fwd = t.nodes.reduce(
    (s, n) =>
      s +
      (n.op === 'leaf'
        ? 0
        : getOp(n.op).flops(
            n.inputs.map((i) => t.nodes[i].out.shape),
            n.attrs,
          )),
    0,
  );
});
console.log('flops/step', fwd);
const big = tensor([256, 1024], randomNormal(2, 0, 256 * 1024));
const row = tensor([1024], randomNormal(2, 1, 1024));
time('add [256,1024]+[1024]', 50, () => getOp('add').forward([big, row], {}));
time('sum axes[1] [256,1024]', 50, () => getOp('sum').forward([big], { axes: [1] }));
time('sum axes[0] [256,1024]', 50, () => getOp('sum').forward([big], { axes: [0] }));
time('softmax [256,1024]', 20, () => getOp('softmax').forward([big], {}));
time('layer_norm [256,1024]', 20, () => getOp('layer_norm').forward([big, row, row], {}));
time('gelu [256,1024]', 20, () => getOp('gelu').forward([big], {}));
time('relu [256,1024]', 50, () => getOp('relu').forward([big], {}));
const img = tensor([8, 16, 32, 32], randomNormal(3, 0, 8 * 16 * 1024));
const k = tensor([32, 16, 3, 3], randomNormal(3, 1, 32 * 16 * 9));
const ms = time('conv2d [8,16,32,32]*[32,16,3,3] p1', 5, () =>
  getOp('conv2d').forward([img, k], { padding: 1 }),
);
console.log(
  'conv GFLOP/s',
  (getOp('conv2d').flops([img.shape, k.shape], { padding: 1 }) / ms / 1e6).toFixed(2),
);
const gy = tensor([8, 32, 32, 32], randomNormal(3, 2, 8 * 32 * 1024));
time('conv2d.vjp0 (dx)', 5, () =>
  getOp('conv2d.vjp0').forward([gy, k], { padding: 1, stride: 1, shape: [8, 16, 32, 32] }),
);
time('conv2d.vjp1 (dW)', 5, () =>
  getOp('conv2d.vjp1').forward([gy, img], { padding: 1, stride: 1, shape: [32, 16, 3, 3] }),
);
time('maxpool2d [8,16,32,32] k2', 20, () => getOp('maxpool2d').forward([img], { kernel: 2 }));
const a = tensor([512, 512], randomNormal(4, 0, 512 * 512));
const mm = time('matmul 512', 3, () => getOp('matmul').forward([a, a], {}));
console.log('matmul GFLOP/s', ((2 * 512 ** 3) / mm / 1e6).toFixed(2));
