/**
 * Loads the native addon from a path into this thread and installs each kernel behind its hook (core/platform/node-native.ts finds and
 * checks it; pool workers get the path from their caller). No import.meta: workers bundle this as CommonJS.
 */
import { createRequire } from 'node:module';
import { installNativeKernels, type NativeKernels } from '../repops/kernels/native-install.ts';
import type { NativeDigests } from './node-native-digests.ts';

export interface NativeAddon extends NativeKernels, NativeDigests {
  kernel(): string;
  /** Use that vector width if this CPU has it (tests run every path); returns the kernel in use. */
  select(name: 'avx512' | 'avx2' | 'c'): string;
}

export function loadNativeKernels(path: string): NativeAddon {
  const addon = createRequire(path)(path) as NativeAddon;
  installNativeKernels(addon);
  return addon;
}
