/**
 * Native elementwise kernels installed by a platform adapter (core/platform/node-native-load.ts):
 * broadcast + − × ÷ (native/binary.c) and the Adam / clip updates (native/optim.c). Each output element is
 * the spec's own chain of binary32 operations, so they give the bits of the JavaScript ops
 * (test/repops-math/native-binary.test.ts, native-optim.test.ts) while reading the operands in place — no
 * copy into WebAssembly memory. Off whenever the kernels are (setWasmKernelsEnabled(false) runs the spec).
 */
import { nativeSlot } from './wasm-runtime.ts';

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

const binary = nativeSlot<NativeBinary>();
export const setNativeBinary = binary.set;
/** The installed kernel when kernels are on, else null. */
export const nativeBinary = binary.get;

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

const adam = nativeSlot<NativeAdam>();
export const setNativeAdam = adam.set;
export const nativeAdam = adam.get;
