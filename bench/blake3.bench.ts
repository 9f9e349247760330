/**
 * BLAKE3 against SHA-256 on what tensor digests hash: every op output of one real nanoGPT trace step
 * (tasks/nanogpt-char.json, one fast step kept on its tape: each non-leaf node's output as a tensor-digest
 * message, prefix ‖ data with NaNs canonical), hashed by (a) sha256Many with canonicalNaNs — the digest path
 * of "sha256" tasks — and (b) blake3Many with canonicalNaNs (native/blake3.c, that of "blake3" tasks),
 * alternating in the same run; median wall and thread CPU time, GB/s and the ratio. Then one 6 MB message
 * (one tensor's chunks fill the lanes). Next to them the portable path (core/hash/blake3-portable.ts, one
 * call per message) on WebAssembly SIMD and on plain JavaScript — what browsers and Node without the addon
 * run; it runs without the addon too (then alone): blake3Parts of the bytes as given, and the tensor-digest
 * message with canonical NaNs two ways, digest.ts canonicalBytes then blake3Parts, or blake3CanonicalF32
 * (NaNs fixed in the hasher's copy, what tensorDigest uses). Nothing here changes a digest. The native
 * sides need the addon (sha256Many at AVX-512).
 */
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  blake3CanonicalF32,
  blake3Parts,
  type PortableBlake3Path,
  setPortableBlake3Path,
} from '../core/hash/blake3-portable.ts';
import { canonicalBytes, type NativeNaNs, setNativeNaNs } from '../core/hash/digest.ts';
import { nativeAddonPath, useNodeNative } from '../core/platform/node-native.ts';
import { loadNativeKernels } from '../core/platform/node-native-load.ts';
import { runStep } from '../core/train/step.ts';
import { parseTask } from '../core/train/task.ts';
import { initialState, prepareTask } from '../core/train/train.ts';
import { compareSides, type Side } from './compare-sides.ts';

const TASK = join(dirname(fileURLToPath(import.meta.url)), '../tasks/nanogpt-char.json');
const TENSOR_TAG = Buffer.from('pinpoint.tensor.v1\u0000', 'utf8');

/** A tensor digest's prefix (core/hash/digest.ts tensorDigest): tag, dtype f32, rank, dims. */
function tensorPrefix(shape: readonly number[]): Uint8Array {
  const head = Buffer.alloc(5 + 4 * shape.length);
  head.writeUInt8(1, 0);
  head.writeUInt32LE(shape.length, 1);
  shape.forEach((d, i) => {
    head.writeUInt32LE(d, 5 + 4 * i);
  });
  return new Uint8Array(Buffer.concat([TENSOR_TAG, head]));
}

type PortableWay = 'blake3Parts' | 'canonicalBytes + blake3Parts' | 'blake3CanonicalF32';
/** The addon's NaN pass, if loaded: off while a portable side runs (its canonicalBytes is then the JS loop). */
let addonNaNs: NativeNaNs | null = null;

/** Every message (prefix, data) hashed one way on one portable path. */
function portableSide(
  way: PortableWay,
  path: PortableBlake3Path,
  prefixes: Uint8Array[],
  datas: Float32Array[],
): Side {
  const bytes = datas.map((d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  const one: (i: number) => unknown =
    way === 'blake3Parts'
      ? (i) => blake3Parts([prefixes[i], bytes[i]])
      : way === 'blake3CanonicalF32'
        ? (i) => blake3CanonicalF32([prefixes[i]], datas[i])
        : (i) => blake3Parts([prefixes[i], canonicalBytes(datas[i])]);
  return {
    name: `${way} (${path})`,
    run: () => {
      setPortableBlake3Path(path);
      setNativeNaNs(null);
      for (let i = 0; i < bytes.length; i++) one(i);
      setNativeNaNs(addonNaNs);
      setPortableBlake3Path('auto');
    },
  };
}

export default async function (): Promise<void> {
  let addon = useNodeNative() === null ? null : loadNativeKernels(nativeAddonPath() as string);
  if (addon === null) console.log('blake3: native addon not built: the portable path only');
  else if (!addon.sha256Many([], [], new Uint8Array(0))) {
    console.log(`blake3: the native sides need AVX-512 for sha256Many (kernel in use: ${addon.kernel()})`);
    addon = null;
  }
  const ctx = prepareTask(parseTask(JSON.parse(readFileSync(TASK, 'utf8')), TASK));
  const step = runStep(ctx, initialState(ctx), 0, { mode: 'fast', metrics: false, keepTape: true });
  const nodes = (step.nodes ?? []).filter((n) => n.op !== 'leaf');
  const datas = nodes.map((n) => n.out.data);
  const prefixes = nodes.map((n) => tensorPrefix(n.out.shape));
  const out = new Uint8Array(32 * datas.length);
  const total = datas.reduce((a, d, i) => a + d.byteLength + prefixes[i].byteLength, 0);
  const sizes = datas.map((d) => d.byteLength).sort((a, b) => a - b);
  console.log(
    `one nanoGPT step's op outputs: ${datas.length} tensors, ${sizes[0]} B … ${sizes[sizes.length - 1]} B ` +
      `(median ${sizes[sizes.length >> 1]} B)`,
  );
  const native = addon;
  if (native) addonNaNs = { nanFind: native.nanFind, nanCanonicalize: native.nanCanonicalize };
  const portable = (p: Uint8Array[], d: Float32Array[]) => [
    portableSide('blake3Parts', 'wasm', p, d),
    portableSide('blake3Parts', 'js', p, d),
  ];
  compareSides(
    'tensor-digest messages (native sides with canonicalNaNs)',
    total,
    [
      ...(native
        ? [
            {
              name: 'sha256Many',
              run: () => native.sha256Many(prefixes, datas, out, { canonicalNaNs: true }),
            },
            {
              name: 'blake3Many',
              run: () => native.blake3Many(prefixes, datas, out, { canonicalNaNs: true }),
            },
          ]
        : []),
      ...portable(prefixes, datas),
      portableSide('canonicalBytes + blake3Parts', 'wasm', prefixes, datas),
      portableSide('blake3CanonicalF32', 'wasm', prefixes, datas),
      portableSide('canonicalBytes + blake3Parts', 'js', prefixes, datas),
      portableSide('blake3CanonicalF32', 'js', prefixes, datas),
    ],
    15,
  );
  const big = [new Float32Array(randomFillSync(new Uint8Array(6 << 20)).buffer)];
  const one = new Uint8Array(32);
  compareSides(
    'one 6 MB message',
    big[0].byteLength,
    [
      ...(native
        ? [
            { name: 'sha256Many (SHA-NI tail)', run: () => native.sha256Many([prefixes[0]], big, one) },
            { name: 'blake3Many', run: () => native.blake3Many([prefixes[0]], big, one) },
          ]
        : []),
      ...portable([prefixes[0]], big),
    ],
    15,
  );
}
