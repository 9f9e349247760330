/**
 * WebAssembly-SIMD 2-D transpose (kernels/as/layout.ts): the same data movement as ops/layout.ts
 * transposeData, bit patterns copied as integers. Null when kernels cannot run (then the JS loop runs).
 */
import { LAYOUT_WASM_BASE64 } from './layout-wasm-bytes.ts';
import { kernelCall } from './wasm-runtime.ts';

interface LayoutKernels {
  transposeBatch(px: number, po: number, batch: number, rows: number, cols: number): void;
}

/** x [batch, rows, cols] → [batch, cols, rows] (into `out` when given), or null. */
export function wasmTransposeBatch(
  x: Float32Array,
  batch: number,
  rows: number,
  cols: number,
  out?: Float32Array,
): Float32Array | null {
  const r = kernelCall<LayoutKernels>('layout', LAYOUT_WASM_BASE64);
  if (!r) return null;
  const [k, ws] = r;
  const px = ws.put(x);
  const po = ws.alloc(x.length);
  k.transposeBatch(px, po, batch, rows, cols);
  if (out === undefined) return ws.take(po, x.length);
  ws.takeInto(po, x.length, out, 0);
  return out;
}
