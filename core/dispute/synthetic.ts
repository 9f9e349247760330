/**
 * A synthetic training task for property tests and benchmarks: tiny vectors, a seeded random step graph
 * (forward ops, a loss, gradient ops, a momentum-SGD update) and its own small op table, so the dispute
 * machinery is exercised end to end — real tensors, real digests, real one-op recomputation — in
 * microseconds per step and independently of the RepOps library.
 *
 * One deliberate oddity: a `fold` op mixes every op output of the step into an accumulator state slot with
 * a bijection on the low 30 bits. Float arithmetic can absorb a one-ulp tamper (x + 1000 rounds it away),
 * and then the tamperer's state re-joins the honest one and there is nothing to dispute. The accumulator
 * makes every tamper persist in the state forever, so "a tamper at (t, i) is pinpointed at exactly (t, i)"
 * is a sharp, always-applicable property.
 */
import { digestJson } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import type { Attrs } from '../repops/registry.ts';
import type { Tensor } from '../repops/tensor.ts';
import type { FlopsFn } from './cost.ts';
import type { DisputeTask } from './task.ts';
import type { GraphNode, StateSlot, StepGraph } from './types.ts';

const f = Math.fround;

/** mulberry32-style counter hash on 32-bit integer ops (deterministic everywhere). */
export function hash32(a: number, b: number, c = 0): number {
  let x =
    Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^
    Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^
    Math.imul(c + 0x27d4eb2f, 0x165667b1);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  x = Math.imul(x, 0x297a2d39);
  x ^= x >>> 15;
  return x >>> 0;
}

/** Uniform binary32 in [-1, 1) from a 32-bit word (exact: 24-bit mantissa). */
export function unitFloat(u: number): number {
  return ((u >>> 8) / 16_777_216) * 2 - 1;
}

function vec(shape: readonly number[], data: Float32Array): Tensor {
  return { shape: [...shape], data };
}

function need(op: string, inputs: readonly Tensor[], n: number): void {
  if (inputs.length !== n) throw new Error(`synthetic op ${op}: needs ${n} inputs, got ${inputs.length}`);
  for (const x of inputs)
    if (x.data.length !== inputs[0].data.length && op !== 'concat' && op !== 'fold') {
      throw new Error(
        `synthetic op ${op}: input sizes differ (${inputs.map((t) => t.data.length).join(' vs ')})`,
      );
    }
}

function num(attrs: Attrs, k: string): number {
  const v = attrs[k];
  if (typeof v !== 'number') throw new Error(`synthetic op: attr ${k} must be a number`);
  return v;
}

function clampF(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

type Kernel = (inputs: readonly Tensor[], attrs: Attrs) => Tensor;
const map2 =
  (op: string, fn: (a: number, b: number, attrs: Attrs) => number): Kernel =>
  (inputs, attrs) => {
    need(op, inputs, 2);
    const [a, b] = inputs;
    const out = new Float32Array(a.data.length);
    for (let k = 0; k < out.length; k++) out[k] = fn(a.data[k], b.data[k], attrs);
    return vec(a.shape, out);
  };
const map1 =
  (op: string, fn: (a: number, attrs: Attrs) => number): Kernel =>
  (inputs, attrs) => {
    need(op, inputs, 1);
    const out = new Float32Array(inputs[0].data.length);
    for (let k = 0; k < out.length; k++) out[k] = fn(inputs[0].data[k], attrs);
    return vec(inputs[0].shape, out);
  };

/** The synthetic op table: name → [kernel, FLOPs per output element]. */
export const SYNTHETIC_OPS: Readonly<Record<string, readonly [Kernel, number]>> = {
  add: [map2('add', (a, b) => f(a + b)), 1],
  sub: [map2('sub', (a, b) => f(a - b)), 1],
  /** Product clamped to [-8, 8] so random graphs never overflow. */
  mulc: [map2('mulc', (a, b) => clampF(f(a * b), -8, 8)), 2],
  scale: [map1('scale', (a, at) => f(f(num(at, 'c')) * a)), 1],
  clamp: [map1('clamp', (a, at) => clampF(a, num(at, 'lo'), num(at, 'hi'))), 1],
  /** Momentum: m' = 0.9·m + 0.1·clamp(g, −1, 1). */
  'sgdm.m': [map2('sgdm.m', (m, g) => f(f(f(0.9) * m) + f(f(0.1) * clampF(g, -1, 1)))), 4],
  /** Update with decay: w' = 0.999·w − lr·u. */
  'sgd.param': [map2('sgd.param', (w, u, at) => f(f(f(0.999) * w) - f(f(num(at, 'lr')) * u))), 3],
  sqdiff: [
    (inputs) => {
      need('sqdiff', inputs, 2);
      let s = 0;
      for (let k = 0; k < inputs[0].data.length; k++) {
        const d = f(inputs[0].data[k] - inputs[1].data[k]);
        s = f(s + f(d * d));
      }
      return vec([1], Float32Array.of(s));
    },
    3,
  ],
  concat: [
    (inputs) => {
      let n = 0;
      for (const x of inputs) n += x.data.length;
      const out = new Float32Array(n);
      let o = 0;
      for (const x of inputs) {
        out.set(x.data, o);
        o += x.data.length;
      }
      return vec([n], out);
    },
    0,
  ],
  /** acc'[k] = float((bits(acc[k]) ⊕ low30(bits(x[k]))) · 0x9E3779B1 mod 2^30): a bijection in each argument. */
  fold: [
    (inputs) => {
      need('fold', inputs, 2);
      const [acc, x] = inputs;
      if (acc.data.length !== x.data.length)
        throw new Error(`synthetic op fold: sizes ${acc.data.length} vs ${x.data.length}`);
      const a = new Uint32Array(acc.data.buffer, acc.data.byteOffset, acc.data.length);
      const b = new Uint32Array(x.data.buffer, x.data.byteOffset, x.data.length);
      const out = new Uint32Array(a.length);
      for (let k = 0; k < a.length; k++)
        out[k] = Math.imul((a[k] ^ b[k]) & 0x3fffffff, 0x9e3779b1) & 0x3fffffff;
      return vec(acc.shape, new Float32Array(out.buffer));
    },
    1,
  ],
};

export function syntheticRecompute(op: string, attrs: Attrs, inputs: readonly Tensor[]): Tensor {
  const def = SYNTHETIC_OPS[op];
  if (!def) throw new Error(`synthetic op ${op}: unknown`);
  return def[0](inputs, attrs);
}

export const syntheticFlops: FlopsFn = (op, _attrs, shapes) => {
  const def = SYNTHETIC_OPS[op];
  if (!def) return 0;
  const n = shapes.length ? shapes[0].reduce((a, b) => a * b, 1) : 0;
  return def[1] * n;
};

export interface SyntheticOptions {
  readonly seed: number;
  readonly steps: number;
  /** Vector width (default 4). */
  readonly width?: number;
  /** Number of random forward ops (default 6). */
  readonly forwardOps?: number;
  readonly lr?: number;
}

/** Builds the (step-independent) graph of a synthetic task. */
function buildGraph(seed: number, D: number, K: number, lr: number): { graph: StepGraph; loss: number } {
  const nodes: GraphNode[] = [];
  const shape = [D];
  const leaf = (kind: string, name: string, s: readonly number[] = shape): number => {
    nodes.push({ op: 'leaf', inputs: [], attrs: { kind, name }, phase: 'leaf', shape: s, label: name });
    return nodes.length - 1;
  };
  const op = (
    name: string,
    inputs: number[],
    attrs: Attrs,
    phase: GraphNode['phase'],
    label: string,
    s: readonly number[] = shape,
  ): number => {
    nodes.push({ op: name, inputs, attrs, phase, shape: s, label });
    return nodes.length - 1;
  };
  const w = leaf('param', 'w');
  const b = leaf('param', 'b');
  const m = leaf('state', 'm');
  // acc's width is known only after the graph is built; patched below.
  const acc = leaf('state', 'acc', [0]);
  const x = leaf('data', 'x');
  const y = leaf('target', 'y');
  const pool = [w, b, x];
  let h = op('add', [op('mulc', [w, x], {}, 'forward', 'wx'), b], {}, 'forward', 'h0');
  pool.push(h);
  const kinds = ['add', 'sub', 'mulc', 'scale', 'clamp'] as const;
  for (let k = 0; k < K; k++) {
    const r = hash32(seed, 1000 + k);
    const kind = kinds[r % kinds.length];
    const a = pool[hash32(seed, 2000 + k) % pool.length];
    const c = pool[hash32(seed, 3000 + k) % pool.length];
    if (kind === 'scale')
      h = op('scale', [a], { c: f(0.5 + (hash32(seed, 4000 + k) % 1000) / 2000) }, 'forward', `f${k}`);
    else if (kind === 'clamp') h = op('clamp', [a], { lo: -2, hi: 2 }, 'forward', `f${k}`);
    else h = op(kind, [a, c], {}, 'forward', `f${k}`);
    pool.push(h);
  }
  h = op('add', [h, pool[pool.length - 2]], {}, 'forward', 'out');
  const loss = op('sqdiff', [h, y], {}, 'forward', 'loss', [1]);
  const g = op('sub', [h, y], {}, 'backward', 'dL/dout');
  const gw = op('mulc', [g, x], {}, 'backward', 'dL/dw');
  const gb = op('clamp', [g], { lo: -1, hi: 1 }, 'backward', 'dL/db');
  const m2 = op('sgdm.m', [m, gw], {}, 'optimizer', 'm');
  const w2 = op('sgd.param', [w, m2], { lr }, 'optimizer', 'w');
  const b2 = op('sgd.param', [b, gb], { lr }, 'optimizer', 'b');
  const all: number[] = [];
  for (let i = 0; i < nodes.length; i++) if (nodes[i].op !== 'leaf') all.push(i);
  const width = all.reduce((s, i) => s + nodes[i].shape.reduce((p, q) => p * q, 1), 0);
  const cat = op('concat', all, {}, 'optimizer', 'trace', [width]);
  nodes[acc] = { ...nodes[acc], shape: [width] };
  const acc2 = op('fold', [acc, cat], {}, 'optimizer', 'acc', [width]);
  const slots: StateSlot[] = [
    { name: 'w', leaf: w, out: w2 },
    { name: 'b', leaf: b, out: b2 },
    { name: 'm', leaf: m, out: m2 },
    { name: 'acc', leaf: acc, out: acc2 },
  ];
  return { graph: { nodes, slots }, loss };
}

/** A seeded synthetic task: same graph every step, data (x, y) from the seed and the step. */
export function syntheticTask(options: SyntheticOptions): DisputeTask {
  const { seed, steps } = options;
  const D = options.width ?? 4;
  const K = options.forwardOps ?? 6;
  const lr = f(options.lr ?? 0.05);
  const { graph, loss } = buildGraph(seed, D, K, lr);
  const accWidth = graph.nodes[graph.slots[3].leaf].shape[0];
  const randVec = (n: number, a: number, b: number): Float32Array => {
    const out = new Float32Array(n);
    for (let k = 0; k < n; k++) out[k] = unitFloat(hash32(seed ^ a, b, k));
    return out;
  };
  return {
    name: `synthetic(seed=${seed},steps=${steps},width=${D},ops=${graph.nodes.length})`,
    steps,
    // Synthetic tasks have no task file; their tensors hash as every task's did before schemes existed.
    scheme: 'sha256',
    slotNames: graph.slots.map((s) => s.name),
    initialState: () => [
      vec([D], randVec(D, 11, 0)),
      vec([D], randVec(D, 12, 0)),
      vec([D], new Float32Array(D)),
      vec([accWidth], new Float32Array(accWidth)),
    ],
    graph: () => graph,
    dataLeaf: (step, index) => {
      const name = graph.nodes[index]?.attrs.name;
      if (name === 'x') return vec([D], randVec(D, 21, step));
      if (name === 'y') return vec([D], randVec(D, 22, step));
      throw new Error(`synthetic task: node ${index} is not a data leaf`);
    },
    batchDigest: (step): Digest => digestJson('pinpoint.synthetic.batch.v1', { seed, step }),
    recompute: syntheticRecompute,
    flops: syntheticFlops,
    lossNode: () => loss,
  };
}
