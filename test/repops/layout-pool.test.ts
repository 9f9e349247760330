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
