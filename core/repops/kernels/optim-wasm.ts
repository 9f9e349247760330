/**
 * WebAssembly-SIMD versions of the Adam updates, clip.apply and sumsq (kernels/as/optim.ts). Each returns
 * null when kernels cannot run; the op then runs its JavaScript specification (ops/optim.ts), which
 * gives the same bits (test/repops/kernels-binary.property.test.ts).
 */
import { OPTIM_WASM_BASE64 } from './optim-wasm-bytes.ts';
import { kernelCall, type Workspace } from './wasm-runtime.ts';

interface OptimKernels {
  adamM(pm: number, pg: number, po: number, n: number, b1: number, c: number): void;
  adamV(pv: number, pg: number, po: number, n: number, b2: number, c: number): void;
  adamParam(
    pp: number,
    pm: number,
    pv: number,
    po: number,
    n: number,
    lr: number,
    eps: number,
    lrwd: number,
    wd: number,
    bc1: number,
    bc2: number,
  ): void;
  scale(pg: number, po: number, n: number, c: number): void;
  sumsq(pg: number, n: number): number;
}

const ready = () => kernelCall<OptimKernels>('optim', OPTIM_WASM_BASE64);

/** out = b1 × m + c × g (adam.m), or null. */
export function wasmAdamM(m: Float32Array, g: Float32Array, b1: number, c: number): Float32Array | null {
  const r = ready();
  if (!r) return null;
  const [k, ws] = r;
  const n = m.length;
  const pm = ws.put(m);
  const pg = ws.put(g);
  const po = ws.alloc(n);
  k.adamM(pm, pg, po, n, b1, c);
  return ws.take(po, n);
}

/** out = b2 × v + c × (g × g) (adam.v), or null. */
export function wasmAdamV(v: Float32Array, g: Float32Array, b2: number, c: number): Float32Array | null {
  const r = ready();
  if (!r) return null;
  const [k, ws] = r;
  const n = v.length;
  const pv = ws.put(v);
  const pg = ws.put(g);
  const po = ws.alloc(n);
  k.adamV(pv, pg, po, n, b2, c);
  return ws.take(po, n);
}

/** adam.param with the binary32 hyperparameters already derived, or null. */
export function wasmAdamParam(
  p: Float32Array,
  m: Float32Array,
  v: Float32Array,
  h: { lr: number; eps: number; lrwd: number; wd: number; bc1: number; bc2: number },
): Float32Array | null {
  const r = ready();
  if (!r) return null;
  const [k, ws] = r;
  const n = p.length;
  const pp = ws.put(p);
  const pm = ws.put(m);
  const pv = ws.put(v);
  const po = ws.alloc(n);
  k.adamParam(pp, pm, pv, po, n, h.lr, h.eps, h.lrwd, h.wd !== 0 ? 1 : 0, h.bc1, h.bc2);
  return ws.take(po, n);
}

/** out = g × c (clip.apply), or null. */
export function wasmScale(g: Float32Array, c: number): Float32Array | null {
  const r = ready();
  if (!r) return null;
  const [k, ws] = r;
  const pg = ws.put(g);
  const po = ws.alloc(g.length);
  k.scale(pg, po, g.length, c);
  return ws.take(po, g.length);
}

/** laneSum of g[i] × g[i] (sumsq), or null. */
export function wasmSumsq(g: Float32Array): number | null {
  const r = ready();
  if (!r) return null;
  const [k, ws] = r;
  return k.sumsq(ws.put(g), g.length);
}
