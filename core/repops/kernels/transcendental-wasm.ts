/**
 * WebAssembly versions of the RepOps transcendentals (kernels/as/transcendental.ts: math.ts's operations
 * in the same order, so the same bits — test/repops/transcendental-wasm.test.ts sweeps the binary32
 * space). Each function writes out[from…to) and returns false when kernels cannot run; the op then runs
 * its JavaScript specification.
 */
import { erf32, erfc32, exp32, gelu32, log32, sigmoid32, tanh32 } from '../math.ts';
import { TRANSCENDENTAL_WASM_BASE64 } from './transcendental-wasm-bytes.ts';
import { kernelCall, type Workspace } from './wasm-runtime.ts';

/** The kernels' function codes (kernels/as/transcendental.ts unaryArray). */
export const UNARY_KIND = { exp: 0, log: 1, tanh: 2, sigmoid: 3, gelu: 4, erf: 5, erfc: 6 } as const;
export type UnaryKind = keyof typeof UNARY_KIND;

/** Each kind's JavaScript specification (math.ts): what its kernel must equal bit for bit. */
export const UNARY_SPEC: Readonly<Record<UnaryKind, (x: number) => number>> = {
  exp: exp32,
  log: log32,
  tanh: tanh32,
  sigmoid: sigmoid32,
  gelu: gelu32,
  erf: erf32,
  erfc: erfc32,
};

interface TranscendentalKernels {
  unaryArray(kind: number, px: number, po: number, n: number): void;
  geluVjp(pg: number, px: number, po: number, n: number): void;
  expShift(px: number, po: number, n: number, m: number): void;
  softmaxRows(px: number, po: number, rows: number, n: number): void;
  softmaxVjpRows(pg: number, py: number, po: number, rows: number, n: number): void;
}

const ready = () => kernelCall<TranscendentalKernels>('transcendental', TRANSCENDENTAL_WASM_BASE64);

/** out[i] = fn(x[i]) for from ≤ i < to, or false. */
export function wasmUnaryRange(
  kind: UnaryKind,
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
): boolean {
  const r = ready();
  if (!r) return false;
  const [k, ws] = r;
  const px = ws.put(x.subarray(from, to));
  const po = ws.alloc(to - from);
  k.unaryArray(UNARY_KIND[kind], px, po, to - from);
  ws.takeInto(po, to - from, out, from);
  return true;
}

/** gelu.vjp0 over out[from…to), or false. */
export function wasmGeluVjpRange(
  g: Float32Array,
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
): boolean {
  const r = ready();
  if (!r) return false;
  const [k, ws] = r;
  const pg = ws.put(g.subarray(from, to));
  const px = ws.put(x.subarray(from, to));
  const po = ws.alloc(to - from);
  k.geluVjp(pg, px, po, to - from);
  ws.takeInto(po, to - from, out, from);
  return true;
}

/** out[0…n) = exp32(x[off + i] − m) (one softmax row), or false. */
export function wasmExpShift(x: Float32Array, off: number, n: number, m: number, out: Float32Array): boolean {
  const r = ready();
  if (!r) return false;
  const [k, ws] = r;
  const px = ws.put(x.subarray(off, off + n));
  const po = ws.alloc(n);
  k.expShift(px, po, n, m);
  ws.takeInto(po, n, out, 0);
  return true;
}

/** softmax rows [from, to) of length n (ops/nn.ts's row kernel), or false. */
export function wasmSoftmaxRows(
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  n: number,
): boolean {
  const r = ready();
  if (!r) return false;
  const [k, ws] = r;
  const px = ws.put(x.subarray(from * n, to * n));
  const po = ws.alloc((to - from) * n);
  k.softmaxRows(px, po, to - from, n);
  ws.takeInto(po, (to - from) * n, out, from * n);
  return true;
}

/** softmax.vjp0 rows [from, to) of length n, or false. */
export function wasmSoftmaxVjpRows(
  g: Float32Array,
  y: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  n: number,
): boolean {
  const r = ready();
  if (!r) return false;
  const [k, ws] = r;
  const pg = ws.put(g.subarray(from * n, to * n));
  const py = ws.put(y.subarray(from * n, to * n));
  const po = ws.alloc((to - from) * n);
  k.softmaxVjpRows(pg, py, po, to - from, n);
  ws.takeInto(po, (to - from) * n, out, from * n);
  return true;
}
