/**
 * The native transpose hook (native/layout.c, installed by core/platform/node-native-load.ts): out = x
 * permuted by `perm`, any rank ≤ 8, every value copied as its bit pattern — the same data movement as
 * ops/layout.ts transposeData's JavaScript loops, so the same bits (test/repops-math/native-layout.test.ts).
 * transposeData prefers it to the WebAssembly 2-D kernel and the JavaScript loops. Off whenever the kernels
 * are (setWasmKernelsEnabled(false) runs the spec).
 */
import { nativeSlot } from './wasm-runtime.ts';

export type NativeTranspose = (
  x: Float32Array,
  out: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
) => void;

/** The native kernel's largest rank (native/layout.c MAX_RANK); higher ranks take the JS loops. */
export const NATIVE_MAX_RANK = 8;

const transpose = nativeSlot<NativeTranspose>();
export const setNativeTranspose = transpose.set;
/** The installed kernel when kernels are on, else null. */
export const nativeTranspose = transpose.get;
