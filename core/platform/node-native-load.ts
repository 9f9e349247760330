/**
 * Loads the native addon from a path into this thread and installs each kernel behind its hook (core/platform/node-native.ts finds and
 * checks it; pool workers get the path from their caller). No import.meta: workers bundle this as CommonJS.
 */
import { createRequire } from 'node:module';
import { type NativeNaNs, setNativeNaNs } from '../hash/digest.ts';
import { type NativeTranspose, setNativeTranspose } from '../repops/kernels/layout.ts';
import {
  type NativeColumnSums,
  type NativeMatmul,
  type NativeMatmulBatch,
  setNativeColumnSums,
  setNativeMatmul,
  setNativeMatmulBatch,
} from '../repops/kernels/matmul.ts';
import {
  type NativeAdam,
  type NativeBinary,
  setNativeAdam,
  setNativeBinary,
} from '../repops/kernels/native-elementwise.ts';
import { type NativeGelu, setNativeGelu } from '../repops/kernels/transcendental-native.ts';

export interface NativeAddon extends NativeNaNs, NativeGelu {
  matmul: NativeMatmul;
  columnSums: NativeColumnSums;
  matmulBatch: NativeMatmulBatch;
  transpose: NativeTranspose;
  binary: NativeBinary;
  adam: NativeAdam;
  kernel(): string;
  /** Use that vector width if this CPU has it (tests run every path); returns the kernel in use. */
  select(name: 'avx512' | 'avx2' | 'c'): string;
}

export function loadNativeKernels(path: string): NativeAddon {
  const addon = createRequire(path)(path) as NativeAddon;
  setNativeMatmul(addon.matmul);
  setNativeColumnSums(addon.columnSums);
  setNativeMatmulBatch(addon.matmulBatch);
  setNativeTranspose(addon.transpose);
  setNativeNaNs(addon);
  setNativeBinary(addon.binary);
  setNativeAdam(addon.adam);
  setNativeGelu({ gelu: addon.gelu, geluVjp: addon.geluVjp });
  return addon;
}
