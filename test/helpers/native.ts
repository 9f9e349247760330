/**
 * The native addon in tests: whether it is installed here (tests skip, saying why, where `npm install`
 * could not build it) and running a test body at each vector level the CPU has.
 */
import { selectNativeKernel, useNodeNative } from '../../core/platform/node-native.ts';

export const NATIVE_LEVELS = ['avx512', 'avx2', 'c'] as const;
export type NativeLevel = (typeof NATIVE_LEVELS)[number];

/** The level in use ("avx512" or "avx2"), or null where the addon is not installed. */
export const nativeKernel = useNodeNative();

/** node:test's skip option for tests of the addon. */
export const nativeSkip: string | false =
  nativeKernel === null
    ? 'native addon not built (npm install builds it with node-gyp and a C compiler)'
    : false;

/** Runs body with that vector level selected (then back to the default), or skips when this CPU lacks it. */
export function atLevel(level: NativeLevel, t: { skip(msg: string): void }, body: () => void): void {
  const restore = () => selectNativeKernel(nativeKernel as 'avx512' | 'avx2');
  if (selectNativeKernel(level) !== level) {
    restore();
    t.skip(`this CPU has no ${level}`);
    return;
  }
  try {
    body();
  } finally {
    restore();
  }
}
