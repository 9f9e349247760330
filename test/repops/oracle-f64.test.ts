/**
 * Oracle 1: float64. Each op's forward is compared with an independent float64 re-implementation
 * (ref64.ts), and each VJP with central finite differences of that float64 forward.
 * Tolerances (binary32 arithmetic against exact-ish float64):
 *   forward   |y − y64| ≤ 2e-5·|y64| + 2e-6·max(1, ‖y64‖∞)
 *   gradient  |g − fd|  ≤ 1e-3·|fd|  + 1e-4·max(1, ‖fd‖∞)      (fd: h = 1e-6·max(1, |x|), float64)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InputSpec, makeInput, STEP_CASES } from '../../core/repops/golden/cases.ts';
import {
  type Attrs,
  apply,
  backward,
  checkTape,
  createTape,
  getOp,
  type LeafOptions,
  leaf,
  type Tensor,
  tensor,
  type Var,
} from '../../core/repops/index.ts';
import { randomNormal } from '../../core/repops/prng.ts';
import { REF, type T64 } from './ref64.ts';

interface Case {
  op: string;
  inputs: InputSpec[];
  attrs?: Attrs;
  /** Indices of differentiable inputs (default: all). */
  diff?: number[];
}
const N = (...shape: number[]): InputSpec => ({ shape, dist: 'normal' });
const P = (...shape: number[]): InputSpec => ({ shape, dist: 'uniform', lo: 0.5, hi: 3 });
const I = (max: number, ...shape: number[]): InputSpec => ({ shape, dist: 'int', max });

const CASES: Case[] = [
  { op: 'add', inputs: [N(2, 3, 4), N(4)] },
  { op: 'add', inputs: [N(3, 1), N(1, 4)] },
  { op: 'sub', inputs: [N(2, 3), N(3)] },
  { op: 'mul', inputs: [N(4, 1, 5), N(3, 5)] },
  { op: 'div', inputs: [N(3, 4), P(4)] },
  { op: 'neg', inputs: [N(7)] },
  { op: 'relu', inputs: [N(4, 6)] },
  { op: 'gelu', inputs: [{ shape: [30], dist: 'normal', scale: 2.5 }] },
  { op: 'tanh', inputs: [{ shape: [30], dist: 'normal', scale: 2 }] },
  { op: 'sigmoid', inputs: [{ shape: [30], dist: 'normal', scale: 3 }] },
  { op: 'exp', inputs: [{ shape: [30], dist: 'normal', scale: 2 }] },
  { op: 'log', inputs: [P(30)] },
  { op: 'reshape', inputs: [N(2, 3, 4)], attrs: { shape: [4, -1] } },
  { op: 'transpose', inputs: [N(2, 3, 4)], attrs: { perm: [2, 0, 1] } },
  { op: 'slice', inputs: [N(4, 5)], attrs: { starts: [1, 2], ends: [3, 5] } },
  { op: 'concat', inputs: [N(2, 1, 3), N(2, 4, 3)], attrs: { axis: 1 } },
  { op: 'broadcast_to', inputs: [N(3, 1)], attrs: { shape: [2, 3, 4] } },
  { op: 'sum_to', inputs: [N(2, 3, 4)], attrs: { shape: [3, 1] } },
  { op: 'sum', inputs: [N(3, 5, 7)], attrs: { axes: [1], keepdims: true } },
  { op: 'sum', inputs: [N(3, 5, 7)] },
  { op: 'mean', inputs: [N(3, 5, 7)], attrs: { axes: [0, 2] } },
  { op: 'matmul', inputs: [N(5, 7), N(7, 4)] },
  { op: 'batch_matmul', inputs: [N(3, 4, 6), N(3, 6, 5)] },
  { op: 'linear', inputs: [N(6, 7), N(7, 3), N(3)] },
  { op: 'softmax', inputs: [{ shape: [3, 6], dist: 'normal', scale: 2 }] },
  { op: 'log_softmax', inputs: [{ shape: [3, 6], dist: 'normal', scale: 2 }] },
  { op: 'softmax_cross_entropy', inputs: [{ shape: [5, 4], dist: 'normal', scale: 2 }, I(4, 5)], diff: [0] },
  { op: 'mse', inputs: [N(3, 5), N(3, 5)] },
  {
    op: 'layer_norm',
    inputs: [{ shape: [4, 6], dist: 'normal', scale: 2 }, N(6), N(6)],
    attrs: { eps: 1e-5 },
  },
  { op: 'embedding', inputs: [N(6, 3), I(6, 2, 4)], diff: [0] },
  { op: 'conv2d', inputs: [N(2, 3, 7, 6), N(4, 3, 3, 3)], attrs: { stride: 2, padding: 1 } },
  { op: 'conv2d', inputs: [N(1, 2, 5, 5), N(3, 2, 2, 2)] },
  { op: 'maxpool2d', inputs: [N(1, 2, 7, 7)], attrs: { kernel: 3, stride: 2 } },
  { op: 'maxpool2d', inputs: [N(2, 2, 4, 6)], attrs: { kernel: 2 } },
  { op: 'dropout', inputs: [N(5, 8)], attrs: { p: 0.25, seed: 5, stream: 2, offset: 3 } },
];

const to64 = (t: Tensor): T64 => ({ shape: [...t.shape], data: Float64Array.from(t.data) });
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

for (const [ci, k] of CASES.entries()) {
  const name = `${k.op} ${k.inputs.map((s) => `[${s.shape}]`).join(' ')} ${JSON.stringify(k.attrs ?? {})}`;
  test(`float64 oracle: ${name}`, () => {
    const attrs = k.attrs ?? {};
    const xs = k.inputs.map((s, i) => makeInput(`oracle.${ci}`, i, s));
    const ref = REF[k.op];
    assert.ok(ref, `no float64 reference for ${k.op}`);

    // Forward.
    const y = getOp(k.op).forward(xs, attrs);
    const y64 = ref(xs.map(to64), attrs);
    assert.deepEqual(y.shape, y64.shape);
    const fscale = Math.max(1, maxAbs(y64.data));
    for (let i = 0; i < y.data.length; i++) {
      const err = Math.abs(y.data[i] - y64.data[i]);
      assert.ok(
        err <= 2e-5 * Math.abs(y64.data[i]) + 2e-6 * fscale,
        `${k.op} forward [${i}]: ${y.data[i]} vs ${y64.data[i]}`,
      );
    }

    // VJP against central differences of the float64 forward, for a random cotangent r.
    const r = tensor(y.shape, randomNormal(77, ci, y.data.length));
    const diff = k.diff ?? xs.map((_, i) => i);
    const tape = createTape();
    const vars = xs.map((x, i) =>
      leaf(tape, x, { kind: diff.includes(i) ? 'param' : 'data', name: `x${i}` }),
    );
    const out = apply(k.op, vars, attrs);
    const g = leaf(tape, r, { kind: 'const', name: 'r' });
    const grads = getOp(k.op).vjp!({
      inputs: vars,
      out,
      grad: g,
      attrs,
      needs: vars.map((v) => v.requiresGrad),
    });
    assert.deepEqual(checkTape(tape.nodes), [], `${k.op}: referee invariant on the VJP nodes`);
    const L = (ins: T64[]) => ref(ins, attrs).data.reduce((s, v, i) => s + v * r.data[i], 0);
    for (const j of diff) {
      const gj = grads[j];
      assert.ok(gj, `${k.op}: no gradient for input ${j}`);
      const base = xs.map(to64);
      const fd = new Float64Array(xs[j].data.length);
      for (let e = 0; e < fd.length; e++) {
        const x0 = base[j].data[e];
        const h = 1e-6 * Math.max(1, Math.abs(x0));
        base[j].data[e] = x0 + h;
        const lp = L(base);
        base[j].data[e] = x0 - h;
        const lm = L(base);
        base[j].data[e] = x0;
        fd[e] = (lp - lm) / (2 * h);
      }
      const gscale = Math.max(1, maxAbs(fd));
      for (let e = 0; e < fd.length; e++) {
        const err = Math.abs(gj.out.data[e] - fd[e]);
        assert.ok(
          err <= 1e-3 * Math.abs(fd[e]) + 1e-4 * gscale,
          `${k.op} d/dx${j}[${e}]: ${gj.out.data[e]} vs fd ${fd[e]}`,
        );
      }
    }
  });
}

test('float64 oracle covers every differentiable forward op', () => {
  const covered = new Set(CASES.map((k) => k.op));
  const forwardOps = Object.keys(REF);
  for (const op of forwardOps) assert.ok(covered.has(op), op);
  for (const op of covered) assert.ok(getOp(op).vjp, `${op} has a VJP`);
});

/**
 * End-to-end backward: replay the forward part of each golden training step, run `backward`, and compare
 * every parameter gradient with central differences of the same graph interpreted in float64 (REF per op).
 * This checks accumulation order, broadcasting gradients and VJP wiring across whole models.
 */
for (const s of STEP_CASES) {
  test(`float64 oracle, whole-model gradients: ${s.name}`, () => {
    const src = s.build().nodes;
    const lossId = src.filter((n) => n.phase === 'forward').at(-1)!.id;
    const tape = createTape();
    const vars: Var[] = [];
    for (const n of src.slice(0, lossId + 1)) {
      if (n.phase === 'leaf') {
        vars[n.id] = leaf(tape, n.out, n.attrs as unknown as LeafOptions);
      } else if (n.phase === 'forward') {
        vars[n.id] = apply(
          n.op,
          n.inputs.map((i) => vars[i]),
          n.attrs,
        );
      }
    }
    const grads = backward(tape, vars[lossId]);
    const leaves = src.filter((n) => n.phase === 'leaf' && n.id <= lossId);
    const eval64 = (vals: Map<number, T64>): number => {
      const v = new Map(vals);
      for (const n of src.slice(0, lossId + 1)) {
        if (n.phase !== 'forward') continue;
        v.set(
          n.id,
          REF[n.op](
            n.inputs.map((i) => v.get(i)!),
            n.attrs,
          ),
        );
      }
      return v.get(lossId)!.data[0];
    };
    const base = new Map(leaves.map((n) => [n.id, to64(n.out)]));
    let checked = 0;
    for (const [id, g] of grads) {
      const x = base.get(id)!;
      const fd = new Float64Array(x.data.length);
      for (let e = 0; e < fd.length; e++) {
        const x0 = x.data[e];
        const h = 1e-6 * Math.max(1, Math.abs(x0));
        x.data[e] = x0 + h;
        const lp = eval64(base);
        x.data[e] = x0 - h;
        const lm = eval64(base);
        x.data[e] = x0;
        fd[e] = (lp - lm) / (2 * h);
      }
      const scale = Math.max(1, maxAbs(fd));
      for (let e = 0; e < fd.length; e++) {
        const err = Math.abs(g.out.data[e] - fd[e]);
        assert.ok(
          err <= 1e-3 * Math.abs(fd[e]) + 1e-4 * scale,
          `${s.name} leaf ${id}[${e}]: ${g.out.data[e]} vs fd ${fd[e]}`,
        );
      }
      checked += fd.length;
    }
    assert.ok(checked > 50, `only ${checked} gradient elements checked`);
    assert.deepEqual(checkTape(tape.nodes), []);
  });
}
