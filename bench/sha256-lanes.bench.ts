/**
 * The digest worker's hashing, before and after the multi-buffer SHA-256 (native/sha256-lanes.c): one
 * nanoGPT step's op outputs (the sizes of tasks/nanogpt-char.json's forward ops, 674 tensors, 152 MB)
 * hashed as tensor digests (a 36-byte prefix each) by node:crypto after the native NaN pass, as the worker
 * did, and by one sha256Many call with canonicalNaNs, alternating in the same run; median wall time and
 * thread CPU time (this VM's cores are shared: CPU time is the steadier figure). Then a single 6 MB
 * message, where sha256Many finishes on SHA-NI (its tail) and should match node:crypto. Needs the addon
 * at AVX-512.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { nativeAddonPath, useNodeNative } from '../core/platform/node-native.ts';
import { loadNativeKernels } from '../core/platform/node-native-load.ts';
import { compareSides } from './compare-sides.ts';

// Byte length × count of one step's forward op outputs (measured with a hook on every op's forward).
const STEP_SIZES: [number, number][] = [
  [1572864, 16],
  [786432, 32],
  [393216, 216],
  [262144, 40],
  [224256, 2],
  [65536, 80],
  [37376, 10],
  [32768, 5],
  [2048, 20],
  [512, 130],
  [292, 5],
  [4, 118],
];

export default async function (): Promise<void> {
  if (useNodeNative() === null) {
    console.log('sha256-lanes: native addon not built');
    return;
  }
  const addon = loadNativeKernels(nativeAddonPath() as string);
  if (!addon.sha256Many([], [], new Uint8Array(0))) {
    console.log(`sha256-lanes: sha256Many needs AVX-512 (kernel in use: ${addon.kernel()})`);
    return;
  }
  const datas = STEP_SIZES.flatMap(([size, count]) =>
    Array.from({ length: count }, () => new Float32Array(randomFillSync(new Uint8Array(size)).buffer)),
  );
  const prefixes = datas.map(() => randomFillSync(new Uint8Array(36)));
  const out = new Uint8Array(32 * datas.length);
  const total = datas.reduce((a, d) => a + d.byteLength, 0);
  const crypto = (ds: Float32Array[]) =>
    ds.map((d, i) => createHash('sha256').update(prefixes[i]).update(new Uint8Array(d.buffer)).digest('hex'));
  compareSides(
    `one step's op outputs (${datas.length} tensors)`,
    total,
    [
      {
        name: 'NaN pass + node:crypto (before)',
        run: () => {
          for (const d of datas) addon.nanCanonicalize(d);
          return crypto(datas);
        },
      },
      {
        name: 'sha256Many, canonicalNaNs (after)',
        run: () => addon.sha256Many(prefixes, datas, out, { canonicalNaNs: true }),
      },
    ],
    10,
  );
  const big = [new Float32Array(randomFillSync(new Uint8Array(6 << 20)).buffer)];
  const one = new Uint8Array(32);
  compareSides(
    'one 6 MB message',
    big[0].byteLength,
    [
      { name: 'node:crypto', run: () => crypto(big) },
      { name: 'sha256Many (SHA-NI tail)', run: () => addon.sha256Many([prefixes[0]], big, one) },
      {
        name: 'sha256Many, lanes only (tail 0)',
        run: () => addon.sha256Many([prefixes[0]], big, one, { tail: 0 }),
      },
    ],
    10,
  );
}
