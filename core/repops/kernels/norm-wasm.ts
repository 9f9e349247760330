/**
 * WebAssembly-SIMD layer norm and its VJPs (kernels/as/norm.ts: ops/nn.ts's row kernels, the same binary32
 * operations in the same order, so the same bits — test/repops/norm-wasm.test.ts). Each function computes
 * rows [from, to) of its output and returns false when kernels cannot run; the op then runs its
 * JavaScript specification.
 */
import { NORM_WASM_BASE64 } from './norm-wasm-bytes.ts';
import { kernelCall, type Workspace } from './wasm-runtime.ts';

interface NormKernels {
  layerNorm(
    px: number,
    pgamma: number,
    pbeta: number,
    po: number,
    rows: number,
    d: number,
    eps: number,
  ): void;
  layerNormVjp0(
    pg: number,
    px: number,
    pgamma: number,
    po: number,
    rows: number,
    d: number,
    eps: number,
    pws: number,
  ): void;
  layerNormVjp1Rows(px: number, pg: number, pprod: number, rows: number, d: number, eps: number): void;
}

const ready = () => kernelCall<NormKernels>('norm', NORM_WASM_BASE64);

/** Rows [from, to) (row length d) of x as a workspace copy. */
const putRows = (ws: Workspace, x: Float32Array, from: number, to: number, d: number) =>
  ws.put(x.subarray(from * d, to * d));

/** layer_norm rows [from, to), or false. */
export function wasmLayerNormRows(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  d: number,
  eps: number,
): boolean {
  const r = ready();
  if (!r) return false;
  const [k, ws] = r;
  const px = putRows(ws, x, from, to, d);
  const pgamma = ws.put(gamma);
  const pbeta = ws.put(beta);
  const po = ws.alloc((to - from) * d);
  k.layerNorm(px, pgamma, pbeta, po, to - from, d, eps);
  ws.takeInto(po, (to - from) * d, out, from * d);
  return true;
}

/** layer_norm.vjp0 (dx) rows [from, to), or false. */
export function wasmLayerNormVjp0Rows(
  g: Float32Array,
  x: Float32Array,
  gamma: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  d: number,
  eps: number,
): boolean {
  const r = ready();
  if (!r) return false;
  const [k, ws] = r;
  const pg = putRows(ws, g, from, to, d);
  const px = putRows(ws, x, from, to, d);
  const pgamma = ws.put(gamma);
  const po = ws.alloc((to - from) * d);
  const pws = ws.alloc(3 * d);
  k.layerNormVjp0(pg, px, pgamma, po, to - from, d, eps, pws);
  ws.takeInto(po, (to - from) * d, out, from * d);
  return true;
}

/** layer_norm.vjp1's products xh × g, rows [from, to), or false. */
export function wasmLayerNormVjp1Rows(
  x: Float32Array,
  g: Float32Array,
  prod: Float32Array,
  from: number,
  to: number,
  d: number,
  eps: number,
): boolean {
  const r = ready();
  if (!r) return false;
  const [k, ws] = r;
  const px = putRows(ws, x, from, to, d);
  const pg = putRows(ws, g, from, to, d);
  const po = ws.alloc((to - from) * d);
  k.layerNormVjp1Rows(px, pg, po, to - from, d, eps);
  ws.takeInto(po, (to - from) * d, prod, from * d);
  return true;
}
