/**
 * The native layer_norm row kernels (native/nn.c + nn-lanes.h: plain C, AVX2 and AVX-512 lanes, kernels/as/norm.ts's
 * operations in the same order, so the same bits — test/repops-math/native-nn.test.ts), installed by a platform
 * adapter (core/repops/kernels/native-install.ts) behind this hook. They read and write the caller's arrays in
 * place. Used while kernels are enabled; ops/nn.ts's range kernels fall back to WebAssembly, then JS.
 */
import { nativeSlot } from './wasm-runtime.ts';

export interface NativeNorm {
  /** layer_norm rows [from, to) of length d. */
  layerNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    out: Float32Array,
    from: number,
    to: number,
    d: number,
    eps: number,
  ): void;
  /** layer_norm.vjp0 (dx) rows. */
  layerNormVjp0(
    g: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    out: Float32Array,
    from: number,
    to: number,
    d: number,
    eps: number,
  ): void;
  /** layer_norm.vjp1.rows: prod = xh × g. */
  layerNormVjp1Rows(
    x: Float32Array,
    g: Float32Array,
    prod: Float32Array,
    from: number,
    to: number,
    d: number,
    eps: number,
  ): void;
}

const norm = nativeSlot<NativeNorm>();
export const setNativeNorm = norm.set;
/** The installed kernels when kernels are on, else null. */
export const nativeNorm = norm.get;
