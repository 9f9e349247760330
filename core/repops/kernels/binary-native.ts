/**
 * A native broadcast binary kernel installed by a platform adapter (core/platform/node-native-load.ts:
 * native/binary.c). Each output element is one binary32 + − × ÷, so it gives the bits of ops/binary.ts's
 * JavaScript walk (test/repops-math/native-binary.test.ts) while reading the operands in place — no
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

let native: NativeBinary | null = null;

export function setNativeBinary(f: NativeBinary | null): void {
  native = f;
}

/** The installed kernel when kernels are on, else null. */
export function nativeBinary(): NativeBinary | null {
  return native !== null && wasmKernelsEnabled() ? native : null;
}
