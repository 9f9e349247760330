/**
 * Synthetic, clearly-labelled data for the standalone component playground, the component tests and
 * the layout benchmark: an MLP training step's tape shape (forward, VJPs, adam updates) with real
 * SHA-256 digests of made-up content. The app itself never shows this; it shows core/* data.
 */
import { digestJson } from '../../../core/hash/digest.ts';
import type { NodePhase, TraceNode } from '../../shared/api-views.ts';

/** A tape like an MLP step with `layers` linear layers of `width` units and a batch of 8. */
export function syntheticTrace(layers: number, width = 16, seed = 'demo'): TraceNode[] {
  const t: TraceNode[] = [];
  const add = (op: string, inputs: number[], phase: NodePhase, shape: number[], label?: string): number => {
    const id = t.length;
    t.push({
      id,
      op,
      phase,
      inputs,
      shape,
      digest: digestJson('pinpoint.playground', [seed, id, op]),
      ...(label ? { label } : {}),
    });
    return id;
  };
  const batch = 8;
  const x = add('leaf', [], 'leaf', [batch, width], 'x');
  const y = add('leaf', [], 'leaf', [batch], 'y');
  const params: { id: number; shape: number[] }[] = [];
  const fw: { op: number; ins: number[] }[] = [];
  let h = x;
  for (let l = 0; l < layers; l++) {
    const W = add('leaf', [], 'leaf', [width, width], `l${l}.W`);
    const b = add('leaf', [], 'leaf', [width], `l${l}.b`);
    params.push({ id: W, shape: [width, width] }, { id: b, shape: [width] });
    const m = add('matmul', [h, W], 'forward', [batch, width]);
    const a = add('add_bias', [m, b], 'forward', [batch, width]);
    fw.push({ op: m, ins: [h, W] }, { op: a, ins: [m, b] });
    if (l < layers - 1) {
      h = add('relu', [a], 'forward', [batch, width]);
      fw.push({ op: h, ins: [a] });
    } else h = a;
  }
  const loss = add('cross_entropy', [h, y], 'forward', []);
  let g = add('ones_like', [loss], 'backward', []);
  g = add('cross_entropy.vjp0', [h, y, g], 'backward', [batch, width]);
  const grads = new Map<number, number>();
  for (let k = fw.length - 1; k >= 0; k--) {
    const f = fw[k];
    for (let j = 0; j < f.ins.length; j++) {
      const leafIn = t[f.ins[j]];
      if (leafIn.op === 'leaf' && !leafIn.label?.includes('.')) continue; // no gradient for x
      grads.set(f.ins[j], add(`${t[f.op].op}.vjp${j}`, [...f.ins, g], 'backward', [...leafIn.shape]));
    }
    g = grads.get(f.ins[0]) ?? g;
  }
  for (const p of params) {
    const gp = grads.get(p.id) as number;
    const m0 = add('leaf', [], 'leaf', p.shape, `${t[p.id].label}.m`);
    const v0 = add('leaf', [], 'leaf', p.shape, `${t[p.id].label}.v`);
    const m = add('adam.m', [m0, gp], 'optimizer', p.shape);
    const v = add('adam.v', [v0, gp], 'optimizer', p.shape);
    add('adam.param', [p.id, m, v], 'optimizer', p.shape);
  }
  return t;
}

/** Smallest synthetic trace with at least `n` nodes. */
export function syntheticTraceOfSize(n: number): TraceNode[] {
  let layers = 1;
  while (syntheticTrace(layers).length < n) layers++;
  return syntheticTrace(layers);
}

/** The same trace with the digests of nodes ≥ `from` changed (a tampered party's trace). */
export function tamperTrace(nodes: readonly TraceNode[], from: number): TraceNode[] {
  return nodes.map((n) =>
    n.id >= from && n.phase !== 'leaf'
      ? { ...n, digest: digestJson('pinpoint.playground.tampered', n.digest) }
      : n,
  );
}

/** Deterministic pseudo-random tensor values (xorshift) for the inspector playground. */
export function syntheticValues(count: number, seed = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const u = s / 2 ** 32;
    out.push(Math.fround((u - 0.5) * 2 * Math.sin(i / 7)));
  }
  return out;
}
