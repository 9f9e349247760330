/**
 * Layout ops that write every element of their output (transpose, slice, concat, broadcast_to) take pooled
 * buffers without the zero fill (transpose's WASM path: only the buffer it returns); slice.vjp0, whose
 * output is mostly padding, keeps the fill. Checked by handing
 * the pool a buffer of stale values before each op: the output must be the one computed into a fresh array
 * (the op with the pool empty), and must have used the stale buffer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recycleBuffers } from '../../core/repops/buffers.ts';
import '../../core/repops/ops/all.ts';
import { transposeData } from '../../core/repops/ops/layout.ts';
import { type Attrs, getOp } from '../../core/repops/registry.ts';
import type { Tensor } from '../../core/repops/tensor.ts';

const t = (shape: number[], salt: number): Tensor => ({
  shape,
  data: Float32Array.from(
    { length: shape.reduce((p, d) => p * d, 1) },
    (_, i) => ((i * 37 + salt) % 101) - 50,
  ),
});

const CASES: [string, Tensor[], Attrs][] = [
  ['transpose', [t([12, 16, 8], 1)], { perm: [2, 0, 1] }],
  ['slice', [t([40, 60], 2)], { starts: [3, 5], ends: [38, 55] }],
  ['concat', [t([32, 20], 3), t([32, 17], 4)], { axis: 1 }],
  ['broadcast_to', [t([1, 48], 5)], { shape: [40, 48] }],
  ['slice.vjp0', [t([35, 50], 6)], { shape: [40, 60], starts: [3, 5] }],
];

test('layout ops give the same output from a stale pooled buffer as from a fresh one', () => {
  try {
    for (const [name, ins, attrs] of CASES) {
      recycleBuffers([]);
      const fresh = getOp(name).forward(ins, attrs).data;
      const stale = new Float32Array(fresh.length).fill(777.25);
      recycleBuffers([stale]);
      const got = getOp(name).forward(ins, attrs).data;
      assert.equal(got.buffer, stale.buffer, `${name}: the pooled buffer was used`);
      assert.deepEqual(Array.from(got), Array.from(fresh), name);
    }
  } finally {
    recycleBuffers([]);
  }
});

test('transposeData into a caller scratch (the temporaries of the matmul VJPs): same values, the scratch returned', () => {
  for (const [shape, perm] of [
    [
      [24, 40],
      [1, 0],
    ], // WebAssembly 2-D kernel
    [
      [6, 8, 5, 4],
      [0, 2, 1, 3],
    ], // JavaScript runs
    [
      [3, 4],
      [1, 0],
    ], // small: JavaScript tiles
  ] as [number[], number[]][]) {
    const x = t(shape, 9).data;
    const want = Array.from(transposeData(x, shape, perm));
    const scratch = new Float32Array(x.length + 5).fill(777.25);
    const into = scratch.subarray(2, 2 + x.length);
    const got = transposeData(x, shape, perm, into);
    assert.equal(got, into);
    assert.deepEqual(Array.from(got), want, `${shape} ${perm}`);
    assert.deepEqual([scratch[0], scratch[1], scratch[x.length + 2]], [777.25, 777.25, 777.25]);
  }
});
