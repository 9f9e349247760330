/**
 * Native elementwise kernels installed by a platform adapter (core/platform/node-native-load.ts):
 * broadcast + − × ÷ (native/binary.c) and the Adam / clip updates (native/optim.c). Each output element is
 * the spec's own chain of binary32 operations, so they give the bits of the JavaScript ops
 * (test/repops-math/native-binary.test.ts, native-optim.test.ts) while reading the operands in place — no
 * copy into WebAssembly memory. Off whenever the kernels are (setWasmKernelsEnabled(false) runs the spec).
 */
import { wasmKernelsEnabled } from './wasm-runtime.ts';

/** out = a ∘ b over `shape`, operand strides per output axis (0 where broadcast); kind 0 + 1 − 2 × 3 ÷. */
export type NativeBinary = (
  kind: number,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  shape: readonly number[],
  sa: readonly number[],
  sb: readonly number[],
) => void;

/** Below this many elements a JavaScript loop beats the call into the native addon. */
export const MIN_NATIVE_ELEMENTS = 64;

let native: NativeBinary | null = null;

export function setNativeBinary(f: NativeBinary | null): void {
  native = f;
}

/** The installed kernel when kernels are on, else null. */
export function nativeBinary(): NativeBinary | null {
  return native !== null && wasmKernelsEnabled() ? native : null;
}

/** Adam / clip updates of ops/optim.ts (native/optim.c documents `which` and h0…h5). */
export type NativeAdam = (
  which: 0 | 1 | 2 | 3,
  x: Float32Array,
  g: Float32Array,
  y: Float32Array,
  out: Float32Array,
  h0: number,
  h1: number,
  h2: number,
  h3: number,
  h4: number,
  h5: number,
) => void;

let adam: NativeAdam | null = null;

export function setNativeAdam(f: NativeAdam | null): void {
  adam = f;
}

export function nativeAdam(): NativeAdam | null {
  return adam !== null && wasmKernelsEnabled() ? adam : null;
}
