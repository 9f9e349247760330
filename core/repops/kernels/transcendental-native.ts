/**
 * The native GELU kernels (native/transcendental.c: AVX-512 / AVX2 lanes, math.ts's operations in the same
 * order, so the same bits — test/repops-math/native-gelu.test.ts), installed by a platform adapter
 * (core/platform/node-native-load.ts) behind this hook. They read and write the caller's arrays in place
 * (no copy into WebAssembly memory). Used while kernels are enabled (setWasmKernelsEnabled(false) leaves
 * the JavaScript specification alone, as the tests compare with it); the ops fall back to WebAssembly, then JS.
 */
import { nativeSlot } from './wasm-runtime.ts';

export interface NativeGelu {
  /** out[i] = gelu32(x[i]) for from ≤ i < to. */
  gelu(x: Float32Array, out: Float32Array, from: number, to: number): void;
  /** out[i] = the gelu.vjp0 spec of (g[i], x[i]) for from ≤ i < to. */
  geluVjp(g: Float32Array, x: Float32Array, out: Float32Array, from: number, to: number): void;
}

const gelu = nativeSlot<NativeGelu>();
export const setNativeGelu = gelu.set;

/** gelu over out[from…to) natively, or false (not installed, or kernels turned off). */
export function nativeGeluRange(x: Float32Array, out: Float32Array, from: number, to: number): boolean {
  const native = gelu.get();
  if (native === null) return false;
  native.gelu(x, out, from, to);
  return true;
}

/** gelu.vjp0 over out[from…to) natively, or false. */
export function nativeGeluVjpRange(
  g: Float32Array,
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
): boolean {
  const native = gelu.get();
  if (native === null) return false;
  native.geluVjp(g, x, out, from, to);
  return true;
}

/** softmax / softmax.vjp0 rows (native/transcendental.c + softmax-lanes.h): rows [from, to) of length n. */
export interface NativeSoftmax {
  softmaxRows(x: Float32Array, out: Float32Array, from: number, to: number, n: number): void;
  softmaxVjpRows(
    g: Float32Array,
    y: Float32Array,
    out: Float32Array,
    from: number,
    to: number,
    n: number,
  ): void;
}

const softmaxSlot = nativeSlot<NativeSoftmax>();
export const setNativeSoftmax = softmaxSlot.set;

/** softmax rows [from, to) natively, or false (not installed, or kernels turned off). */
export function nativeSoftmaxRows(
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  n: number,
): boolean {
  return softmaxSlot.run((k) => k.softmaxRows(x, out, from, to, n));
}

/** softmax.vjp0 rows [from, to) natively, or false. */
export function nativeSoftmaxVjpRows(
  g: Float32Array,
  y: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  n: number,
): boolean {
  return softmaxSlot.run((k) => k.softmaxVjpRows(g, y, out, from, to, n));
}

/**
 * softmax_cross_entropy rows (native/transcendental.c + cross-entropy-lanes.h): logits x[·, c], targets t
 * (class indices stored as float32, checked by the addon too). Rows [from, to): losses[r] (forward) or the
 * gradient rows of softmax_cross_entropy.vjp0 scaled by `scale`.
 */
export interface NativeCrossEntropy {
  crossEntropyRows(
    x: Float32Array,
    t: Float32Array,
    losses: Float32Array,
    from: number,
    to: number,
    c: number,
  ): void;
  crossEntropyVjpRows(
    x: Float32Array,
    t: Float32Array,
    out: Float32Array,
    from: number,
    to: number,
    c: number,
    scale: number,
  ): void;
}

const crossEntropySlot = nativeSlot<NativeCrossEntropy>();
export const setNativeCrossEntropy = crossEntropySlot.set;

/** softmax_cross_entropy losses of rows [from, to) natively, or false (not installed, or kernels off). */
export function nativeCrossEntropyRows(
  x: Float32Array,
  t: Float32Array,
  losses: Float32Array,
  from: number,
  to: number,
  c: number,
): boolean {
  return crossEntropySlot.run((k) => k.crossEntropyRows(x, t, losses, from, to, c));
}

/** softmax_cross_entropy.vjp0 rows [from, to) natively, or false. */
export function nativeCrossEntropyVjpRows(
  x: Float32Array,
  t: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  c: number,
  scale: number,
): boolean {
  return crossEntropySlot.run((k) => k.crossEntropyVjpRows(x, t, out, from, to, c, scale));
}
