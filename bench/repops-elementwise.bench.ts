/**
 * `npm run bench repops`: the elementwise, broadcast, sum-back, optimizer and transpose ops at the
 * nanoGPT-char shapes (batch 12, context 64, d 128, ffn 512, 4 heads), WebAssembly-SIMD kernels next to
 * the JavaScript specification (kernels disabled) in the same run; outputs are the same bits (tested in
 * test/repops/kernels-binary.property.test.ts). Transpose: the tiled/strided copy next to the per-element
 * odometer it replaced.
 */
import { getOp } from '../core/repops/index.ts';
import { setWasmKernelsEnabled } from '../core/repops/kernels/wasm-runtime.ts';
import { transposeData } from '../core/repops/ops/layout.ts';
import type { Attrs } from '../core/repops/registry.ts';
import { tensor } from '../core/repops/tensor.ts';

const numel = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const data = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 2 + 0.01);

/** Median µs per call of f over ~0.25 s. */
function time(f: () => unknown): number {
  for (let i = 0; i < 3; i++) f();
  const runs: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < 250 || runs.length < 5) {
    const t = performance.now();
    f();
    runs.push((performance.now() - t) * 1000);
  }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1];
}

const CASES: [string, number[][], Attrs][] = [
  [
    'add',
    [
      [12, 64, 128],
      [12, 64, 128],
    ],
    {},
  ],
  ['add', [[768, 128], [128]], {}],
  [
    'add',
    [
      [12, 4, 64, 64],
      [64, 64],
    ],
    {},
  ],
  [
    'mul',
    [
      [768, 512],
      [768, 512],
    ],
    {},
  ],
  [
    'div',
    [
      [12, 4, 64, 64],
      [12, 4, 64, 1],
    ],
    {},
  ],
  ['add.vjp1', [[768, 128]], { shape: [128] }],
  ['add.vjp1', [[12, 64, 128]], { shape: [128] }],
  ['mul.vjp1', [[768, 128], [128]], { shape: [128] }],
  [
    'adam.m',
    [
      [512, 128],
      [512, 128],
    ],
    { beta1: 0.9 },
  ],
  [
    'adam.v',
    [
      [512, 128],
      [512, 128],
    ],
    { beta2: 0.99 },
  ],
  [
    'adam.param',
    [
      [512, 128],
      [512, 128],
      [512, 128],
    ],
    { lr: 0.001, step: 7, weightDecay: 0.1 },
  ],
  ['sumsq', [[512, 128]], {}],
  ['clip.apply', [[512, 128], []], {}],
];

function oldTranspose(x: Float32Array, shape: number[], perm: number[]): Float32Array {
  const r = shape.length;
  const out = new Float32Array(x.length);
  const xs = shape.map((_, i) => numel(shape.slice(i + 1)));
  const outShape = perm.map((p) => shape[p]);
  const st = perm.map((p) => xs[p]);
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = x[off];
    for (let k = r - 1; k >= 0; k--) {
      idx[k]++;
      off += st[k];
      if (idx[k] < outShape[k]) break;
      off -= st[k] * outShape[k];
      idx[k] = 0;
    }
  }
  return out;
}

export default async function bench(): Promise<void> {
  console.log('op             shapes                              JS spec µs   WASM µs   JS/WASM');
  for (const [op, shapes, attrs] of CASES) {
    const ins = shapes.map((s) => tensor(s, s.length ? data(numel(s)) : [0.5]));
    const def = getOp(op);
    setWasmKernelsEnabled(false);
    const js = time(() => def.forward(ins, attrs));
    setWasmKernelsEnabled(true);
    const wasm = time(() => def.forward(ins, attrs));
    console.log(
      `${op.padEnd(14)} ${JSON.stringify(shapes).padEnd(36)} ${js.toFixed(0).padStart(9)} ${wasm.toFixed(0).padStart(9)} ${(js / wasm).toFixed(2).padStart(8)}×`,
    );
  }
  console.log('transpose      shape / perm                        old µs       new µs    old/new');
  for (const [shape, perm] of [
    [
      [768, 128],
      [1, 0],
    ],
    [
      [512, 128],
      [1, 0],
    ],
    [
      [12, 64, 4, 32],
      [0, 2, 1, 3],
    ],
    [
      [12, 4, 64, 32],
      [0, 1, 3, 2],
    ],
  ] as [number[], number[]][]) {
    const x = data(numel(shape));
    const old = time(() => oldTranspose(x, shape, perm));
    const now = time(() => transposeData(x, shape, perm));
    console.log(
      `${'transpose'.padEnd(14)} ${JSON.stringify([shape, perm]).padEnd(36)} ${old.toFixed(0).padStart(9)} ${now.toFixed(0).padStart(9)} ${(old / now).toFixed(2).padStart(8)}×`,
    );
  }
}
