/**
 * WebAssembly-SIMD matmul with the kernel order of matmul.ts (bitwise equal to the JS kernel; tested).
 * A is packed into 4-row panels (p-major), B into 8-column panels plus one 4-column panel (p-major),
 * the tile functions of matmul-wasm-gen.ts compute 4×8, 1×8, 4×4 and 1×4 blocks of C, and the last
 * n mod 4 columns are computed in JS in the same order. Instantiated synchronously (the module is
 * < 1 KB, under browsers' 4 KB main-thread limit for synchronous compilation).
 */
import { MATMUL_WASM_BASE64 } from './matmul-wasm-bytes.ts';
import { decodeBase64 } from './wasm-runtime.ts';

interface Tiles {
  mem: WebAssembly.Memory;
  t48: (ap: number, bp: number, cp: number, k: number, ldc: number) => void;
  t18: (ap: number, bp: number, cp: number, k: number, ldc: number) => void;
  t44: (ap: number, bp: number, cp: number, k: number, ldc: number) => void;
  t14: (ap: number, bp: number, cp: number, k: number, ldc: number) => void;
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
): Float32Array | null {
  const t = load();
  if (t === null) return null;
  const n8 = n - (n % 8);
  const n4 = n - (n % 4);
  const m4 = m - (m % 4);
  const aOff = 0;
  const bOff = align16(aOff + m * k * 4);
  const cOff = align16(bOff + k * n4 * 4);
  const need = cOff + m * n * 4;
  if (need > 2 ** 31) return null;
  const have = t.mem.buffer.byteLength;
  if (need > have) t.mem.grow(Math.ceil((need - have) / 65536));
  const f = new Float32Array(t.mem.buffer);

  // Pack A: rows [0, m4) in 4-row panels, p-major; remaining rows plain.
  let w = aOff >> 2;
  for (let i = 0; i < m4; i += 4) {
    const r0 = i * k;
    for (let p = 0; p < k; p++) {
      f[w] = a[r0 + p];
      f[w + 1] = a[r0 + k + p];
      f[w + 2] = a[r0 + 2 * k + p];
      f[w + 3] = a[r0 + 3 * k + p];
      w += 4;
    }
  }
  f.set(a.subarray(m4 * k, m * k), w);

  // Pack B: 8-column panels over [0, n8), then one 4-column panel over [n8, n4).
  w = bOff >> 2;
  for (let j = 0; j < n8; j += 8) {
    for (let p = 0; p < k; p++) {
      const s = p * n + j;
      for (let c8 = 0; c8 < 8; c8++) f[w + c8] = b[s + c8];
      w += 8;
    }
  }
  if (n4 > n8) {
    for (let p = 0; p < k; p++) {
      const s = p * n + n8;
      f[w] = b[s];
      f[w + 1] = b[s + 1];
      f[w + 2] = b[s + 2];
      f[w + 3] = b[s + 3];
      w += 4;
    }
  }

  const ldc = n * 4;
  for (let i = 0; i < m; ) {
    const four = i < m4;
    const ap = aOff + i * k * 4;
    const crow = cOff + i * ldc;
    for (let j = 0; j < n8; j += 8) (four ? t.t48 : t.t18)(ap, bOff + j * k * 4, crow + j * 4, k, ldc);
    if (n4 > n8) (four ? t.t44 : t.t14)(ap, bOff + n8 * k * 4, crow + n8 * 4, k, ldc);
    i += four ? 4 : 1;
  }
  c.set(new Float32Array(t.mem.buffer, cOff, m * n));

  // Last n mod 4 columns: the same sequential order in JS.
  for (let i = 0; i < m; i++) {
    for (let j = n4; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc = Math.fround(acc + Math.fround(a[i * k + p] * b[p * n + j]));
      c[i * n + j] = acc;
    }
  }
  return c;
}
