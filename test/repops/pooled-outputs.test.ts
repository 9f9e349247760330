/**
 * Ops whose output comes from the buffer pool without a zero fill (overwrittenBuffer) must write every
 * element: run each with the pool primed with garbage — NaN-filled buffers, then 1234.5-filled ones, of the
 * output's length — and the two outputs must agree bit for bit with each other and with the same op run
 * with kernels off (the JavaScript spec), for the native/WebAssembly kernels this process has and for the
 * JavaScript ones. A kernel that skipped an element would show the garbage.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { releaseTemporary } from '../../core/repops/buffers.ts';
import { getOp } from '../../core/repops/index.ts';
import { setWasmKernelsEnabled } from '../../core/repops/kernels/wasm-runtime.ts';
import { randomNormal } from '../../core/repops/prng.ts';
import { type Tensor, tensor } from '../../core/repops/tensor.ts';
import { canonicalBits } from '../helpers/binary32.ts';
import { atLevel, NATIVE_LEVELS, nativeKernel, nativeSkip } from '../helpers/native.ts';

after(() => setWasmKernelsEnabled(true));

const rows = 96;
const d = 40; // not a multiple of 16: vector kernels have tails
const c = 37;
const x = tensor([rows, d], randomNormal(1, 0, rows * d));
const g = tensor([rows, d], randomNormal(2, 0, rows * d));
const gamma = tensor([d], randomNormal(3, 0, d));
const beta = tensor([d], randomNormal(4, 0, d));
const logits = tensor([rows, c], randomNormal(5, 0, rows * c));
const targets = tensor(
  [rows],
  Float32Array.from({ length: rows }, (_, i) => (i * 5) % c),
);
const table = tensor([50, d], randomNormal(6, 0, 50 * d));
const ids = tensor(
  [rows],
  Float32Array.from({ length: rows }, (_, i) => (i * 7) % 50),
);

const cases: [string, Tensor[], Record<string, number>][] = [
  ['layer_norm', [x, gamma, beta], { eps: 1e-5 }],
  ['layer_norm.vjp0', [g, x, gamma], { eps: 1e-5 }],
  ['layer_norm.vjp1', [g, x], { eps: 1e-5 }], // its [rows, d] product is a pooled temporary
  ['embedding', [table, ids], {}],
  ['softmax_cross_entropy.vjp0', [tensor([], [1]), logits, targets], {}],
  ['softmax', [x], {}],
  ['gelu', [x], {}],
];

/** The op's output after priming the pool with four `fill`-valued buffers of each length it may take. */
function withGarbage(op: string, inputs: Tensor[], attrs: Record<string, number>, fill: number): number[] {
  for (const n of [rows * d, rows * c])
    for (let k = 0; k < 4; k++) releaseTemporary(new Float32Array(n).fill(fill));
  return canonicalBits(getOp(op).forward(inputs, attrs).data);
}

function checkAll(kernels: boolean): void {
  for (const [op, inputs, attrs] of cases) {
    setWasmKernelsEnabled(false);
    const spec = canonicalBits(getOp(op).forward(inputs, attrs).data);
    setWasmKernelsEnabled(kernels);
    try {
      const a = withGarbage(op, inputs, attrs, Number.NaN);
      const b = withGarbage(op, inputs, attrs, 1234.5);
      assert.deepEqual(a, b, `${op}: an element keeps what the pool held`);
      assert.deepEqual(a, spec, `${op}: differs from the JavaScript spec`);
    } finally {
      setWasmKernelsEnabled(true);
    }
  }
}

test('every element of a pooled output is written: kernels off (JavaScript)', () => checkAll(false));
test(`every element of a pooled output is written: kernels on (${nativeKernel ?? 'WebAssembly'})`, () =>
  checkAll(true));
for (const level of NATIVE_LEVELS)
  test(`every element of a pooled output is written: native ${level}`, { skip: nativeSkip }, (t) =>
    atLevel(level, t, () => checkAll(true)),
  );
