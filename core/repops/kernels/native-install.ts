/**
 * The one list of native kernel hooks: a platform adapter hands over an object with the native addon's
 * functions (core/platform/node-native-load.ts in Node; the certify bundle's native engine, which requires
 * the addon itself) and each goes behind the hook of the kernels module that owns its op. null removes them all.
 */
import { type NativeNaNs, setNativeNaNs } from '../../hash/digest.ts';
import { setNativeKernelsInPlace } from '../parallel.ts';
import { type NativeColumnSums, setNativeColumnSums } from '../reduce.ts';
import { type NativeTranspose, setNativeTranspose } from './layout.ts';
import {
  type NativeMatmul,
  type NativeMatmulBatch,
  setNativeMatmul,
  setNativeMatmulBatch,
} from './matmul.ts';
import { type NativeAdam, type NativeBinary, setNativeAdam, setNativeBinary } from './native-elementwise.ts';
import { type NativeNorm, setNativeNorm } from './norm-native.ts';
import {
  type NativeCrossEntropy,
  type NativeGelu,
  type NativeSoftmax,
  setNativeCrossEntropy,
  setNativeGelu,
  setNativeSoftmax,
} from './transcendental-native.ts';

export interface NativeKernels extends NativeGelu, NativeSoftmax, NativeCrossEntropy, NativeNorm, NativeNaNs {
  matmul: NativeMatmul;
  matmulBatch: NativeMatmulBatch;
  columnSums: NativeColumnSums;
  transpose: NativeTranspose;
  binary: NativeBinary;
  adam: NativeAdam;
}

export function installNativeKernels(k: NativeKernels | null): void {
  setNativeKernelsInPlace(k !== null);
  setNativeMatmul(k ? k.matmul : null);
  setNativeMatmulBatch(k ? k.matmulBatch : null);
  setNativeColumnSums(k ? k.columnSums : null);
  setNativeTranspose(k ? k.transpose : null);
  setNativeNaNs(k ? { nanFind: k.nanFind, nanCanonicalize: k.nanCanonicalize } : null);
  setNativeBinary(k ? k.binary : null);
  setNativeAdam(k ? k.adam : null);
  setNativeGelu(k ? { gelu: k.gelu, geluVjp: k.geluVjp } : null);
  setNativeSoftmax(k ? { softmaxRows: k.softmaxRows, softmaxVjpRows: k.softmaxVjpRows } : null);
  // An addon built before these kernels existed lacks them: the JavaScript rows run then.
  setNativeCrossEntropy(
    k && typeof k.crossEntropyRows === 'function'
      ? { crossEntropyRows: k.crossEntropyRows, crossEntropyVjpRows: k.crossEntropyVjpRows }
      : null,
  );
  setNativeNorm(
    k
      ? { layerNorm: k.layerNorm, layerNormVjp0: k.layerNormVjp0, layerNormVjp1Rows: k.layerNormVjp1Rows }
      : null,
  );
}
