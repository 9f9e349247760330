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
  /**
   * Digest i = SHA-256(prefixes[i] ‖ bytes of datas[i]) into out[32i, 32i + 32), hashed 16 messages at a time
   * in AVX-512 lanes (native/sha256-lanes.c). `tail`: busy lanes at or under which the rest finish one at a
   * time with SHA-NI (0: lanes only); `canonicalNaNs`: hash the data's binary32 NaNs as 0x7fc00000 (as
   * canonicalBytes does; the data are not written; lengths in whole words). false, with nothing computed,
   * below AVX-512: use node:crypto then.
   */
  sha256Many(
    prefixes: readonly (ArrayBufferView | ArrayBuffer)[],
    datas: readonly (ArrayBufferView | ArrayBuffer)[],
    out: Uint8Array,
    options?: { tail?: number; canonicalNaNs?: boolean },
  ): boolean;
  /**
   * Hash i = BLAKE3(prefixes[i] ‖ bytes of datas[i]) (hash mode, 32 bytes) into out[32i, 32i + 32)
   * (native/blake3.c: 16 chunks or parents at a time in AVX-512 lanes, 8 in AVX2 ones, else portable C). `canonicalNaNs` as
   * for sha256Many. Always true. Tests and benchmarks; the digest queue calls the same kernel (native/blake3.c blake3_messages).
   */
  blake3Many(
    prefixes: readonly (ArrayBufferView | ArrayBuffer)[],
    datas: readonly (ArrayBufferView | ArrayBuffer)[],
    out: Uint8Array,
    options?: { canonicalNaNs?: boolean },
  ): boolean;
}

export function loadNativeKernels(path: string): NativeAddon {
  const addon = createRequire(path)(path) as NativeAddon;
  installNativeKernels(addon);
  return addon;
}
