/**
 * Node adapter: installs the native kernels (native/*.c, built by `npm install` into
 * build/Release/pinpoint_native.node) behind their core/repops/kernels hooks (node-native-load.ts). Same
 * order, same roundings, same bits as the JS and WebAssembly kernels; where the addon was not built (no compiler) or
 * PINPOINT_NATIVE=0, or on a CPU without AVX2, nothing is installed and the WebAssembly kernel runs. Returns
 * the kernel in use ("avx512" or "avx2") or null. With the addon, tensor digests of traced steps are
 * computed on its hashing thread (node-native-digests.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TENSOR_TAG } from '../hash/digest.ts';
import { setMerkleRootBackend } from '../hash/merkle.ts';
import { installNativeKernels } from '../repops/kernels/native-install.ts';
import { setTensorDigestQueue } from './hash.ts';
import { type DigestStats, nativeDigestQueue } from './node-native-digests.ts';
import { loadNativeKernels, type NativeAddon } from './node-native-load.ts';

// Resolved on use: pool workers bundle this module as CommonJS, where import.meta.url does not exist.
const addonPath = () => fileURLToPath(new URL('../../build/Release/pinpoint_native.node', import.meta.url));

let installed: string | null | undefined;
let addon: NativeAddon | null = null;

/** Switches the installed addon to another kernel this CPU has (tests); returns the kernel in use. */
export function selectNativeKernel(name: 'avx512' | 'avx2' | 'c'): string | null {
  return addon ? addon.select(name) : null;
}

/** The addon's path once installed in this thread (worker threads load the same file), else null. */
export function nativeAddonPath(): string | null {
  return installed ? addonPath() : null;
}

/** The native hashing thread's totals (benchmarks), or null without the addon. */
export function nativeDigestStats(): DigestStats | null {
  return installed ? (addon?.digestStats() ?? null) : null;
}

export function useNodeNative(): string | null {
  if (installed !== undefined) return installed;
  installed = null;
  if (process.env.PINPOINT_NATIVE === '0' || !existsSync(addonPath())) return null;
  try {
    addon = loadNativeKernels(addonPath());
    const kernel = addon.kernel();
    // Without AVX2 the addon's plain C loop is slower than WebAssembly SIMD: keep WebAssembly then.
    if (kernel === 'c') throw new Error('no vector unit');
    installed = kernel;
    // Trace digests on the addon's own thread, read in place (replaces node-hash.ts's worker queue).
    setTensorDigestQueue(nativeDigestQueue(addon, TENSOR_TAG));
    const { merkleRoot } = addon;
    setMerkleRootBackend((tag, leaves) => merkleRoot(tag, Buffer.from(leaves.join(''), 'hex')));
  } catch {
    addon = null;
    installNativeKernels(null);
  }
  return installed;
}
