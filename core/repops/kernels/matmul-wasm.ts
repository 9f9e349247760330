/**
 * WebAssembly-SIMD matmul with the kernel order of matmul.ts (bitwise equal to the JS kernel; tested).
 * A and B are copied into the module's memory as they are (no packing: the tiles take strides, and an A
 * given as its transpose is read in place), the tile functions of matmul-wasm-gen.ts compute 4×8, 1×8,
 * 4×4 and 1×4 blocks of C, and the last n mod 4 columns are computed in JS in the same order. Instantiated synchronously (the module is
 * < 1 KB, under browsers' 4 KB main-thread limit for synchronous compilation).
 */
import { MATMUL_WASM_BASE64 } from './matmul-wasm-bytes.ts';
import { decodeBase64 } from './wasm-runtime.ts';

type Tile = (
  ap: number,
  bp: number,
  cp: number,
  k: number,
  ldc: number,
  sar: number,
  sac: number,
  ldb: number,
) => void;

interface Tiles {
  mem: WebAssembly.Memory;
  t48: Tile;
  t18: Tile;
  t44: Tile;
  t14: Tile;
}

let tiles: Tiles | null | undefined;

/** The tile module, or null where WebAssembly SIMD is unavailable. */
function load(): Tiles | null {
  if (tiles !== undefined) return tiles;
  tiles = null;
  try {
    if (typeof WebAssembly === 'undefined') return null;
    const bytes = decodeBase64(MATMUL_WASM_BASE64);
    if (!WebAssembly.validate(bytes)) return null;
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const e = inst.exports as Record<string, unknown>;
    tiles = {
      mem: e.mem as WebAssembly.Memory,
      t48: e.tile_4_8 as Tiles['t48'],
      t18: e.tile_1_8 as Tiles['t18'],
      t44: e.tile_4_4 as Tiles['t44'],
      t14: e.tile_1_4 as Tiles['t14'],
    };
  } catch {
    tiles = null;
  }
  return tiles;
}

export function wasmSimdAvailable(): boolean {
  return load() !== null;
}

const align16 = (x: number) => (x + 15) & ~15;

/**
 * Where A's elements are: `transposed` false — `a` is A, row-major [m, k]; true — `a` is X = Aᵀ
 * row-major [k, ld] and A's row i is X's column `col0 + i` (so matmul.vjp1's Aᵀ·g needs no transposed
 * copy, and a row range of it is a column range of X).
 */
export interface ALayout {
  readonly transposed: boolean;
  readonly ld: number;
  readonly col0: number;
}

/**
 * C = A·B via the WebAssembly tiles. Inputs are assumed validated by the caller (matmul.ts). Returns
 * null when WebAssembly SIMD is unavailable or the problem does not fit in a 32-bit memory.
 */
export function matmulWasmInto(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  c: Float32Array,
  layout?: ALayout,
): Float32Array | null {
  const t = load();
  if (t === null) return null;
  const n8 = n - (n % 8);
  const n4 = n - (n % 4);
  const m4 = m - (m % 4);
  const aT = layout?.transposed === true;
  const aLen = aT ? k * (layout as ALayout).ld : m * k;
  const aOff = 0;
  const bOff = align16(aOff + aLen * 4);
  const cOff = align16(bOff + k * n * 4);
  const need = cOff + m * n * 4;
  if (need > 2 ** 31) return null;
  const have = t.mem.buffer.byteLength;
  if (need > have) t.mem.grow(Math.ceil((need - have) / 65536));
  const f = new Float32Array(t.mem.buffer);
  f.set(aT ? a.subarray(0, aLen) : a.subarray(0, m * k), aOff >> 2);
  f.set(b.subarray(0, k * n), bOff >> 2);
  // A[i, p] at aBase + i·sar + p·sac (bytes).
  const sar = aT ? 4 : 4 * k;
  const sac = aT ? 4 * (layout as ALayout).ld : 4;
  const aBase = aOff + (aT ? 4 * (layout as ALayout).col0 : 0);
  const ldb = 4 * n;

  const ldc = n * 4;
  for (let i = 0; i < m; ) {
    const four = i < m4;
    const ap = aBase + i * sar;
    const crow = cOff + i * ldc;
    for (let j = 0; j < n8; j += 8)
      (four ? t.t48 : t.t18)(ap, bOff + j * 4, crow + j * 4, k, ldc, sar, sac, ldb);
    if (n4 > n8) (four ? t.t44 : t.t14)(ap, bOff + n8 * 4, crow + n8 * 4, k, ldc, sar, sac, ldb);
    i += four ? 4 : 1;
  }
  c.set(new Float32Array(t.mem.buffer, cOff, m * n));

  // Last n mod 4 columns: the same sequential order in JS.
  if (n4 < n) {
    const a0 = aBase >> 2;
    const ar = sar >> 2;
    const ac = sac >> 2;
    for (let i = 0; i < m; i++) {
      for (let j = n4; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++)
          acc = Math.fround(acc + Math.fround(f[a0 + i * ar + p * ac] * b[p * n + j]));
        c[i * n + j] = acc;
      }
    }
  }
  return c;
}
