/**
 * The RepOps matmul kernel: C = A·B for row-major A[m,k], B[k,n] (binary32).
 *
 * Reduction order (spec/transcendentals.md "Matmul kernel"): for every (i, j),
 *   acc = +0; for p = 0 … k−1 ascending: acc = fround(acc + fround(A[i,p]·B[p,j])); C[i,j] = acc.
 * One binary32 rounding for each product and each addition, no fused multiply-add. Because every output
 * element is an independent sequential chain, any kernel may vectorise or register-block over i and j
 * (the WebAssembly-SIMD kernel does: f32x4.mul then f32x4.add across 4 adjacent j) and still produce
 * identical bits. Note: k = 0 gives +0 everywhere.
 */
import { RepOpsError } from '../tensor.ts';
import { matmulWasmInto, wasmSimdAvailable } from './matmul-wasm.ts';

const fround = Math.fround;

function check(a: Float32Array, b: Float32Array, m: number, k: number, n: number, out?: Float32Array): void {
  for (const [name, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RepOpsError('matmulKernel', `${name} must be a non-negative integer, got ${v}`);
  }
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) {
    throw new RepOpsError('matmulKernel', 'A and B must be Float32Array');
  }
  if (a.length !== m * k) throw new RepOpsError('matmulKernel', `A has ${a.length} values, expected m·k = ${m}·${k}`);
  if (b.length !== k * n) throw new RepOpsError('matmulKernel', `B has ${b.length} values, expected k·n = ${k}·${n}`);
  if (out !== undefined && (!(out instanceof Float32Array) || out.length !== m * n)) {
    throw new RepOpsError('matmulKernel', `out must be a Float32Array of m·n = ${m * n} values`);
  }
}

/** Straightforward reference of the order above (used by tests as the bitwise oracle). */
export function matmulReference(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  check(a, b, m, k, n);
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc = fround(acc + fround(a[i * k + p] * b[p * n + j]));
      c[i * n + j] = acc;
    }
  }
  return c;
}

/**
 * JS kernel: i-p-j loop order with a row of accumulators held in the output row (a Float32Array, so
 * each store rounds to binary32 — the same bits as the reference, much better memory locality).
 */
export function matmulKernelJs(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): Float32Array {
  check(a, b, m, k, n, out);
  const c = out ?? new Float32Array(m * n);
  c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * k;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += fround(av * b[bp + j]);
    }
  }
  return c;
}

export type MatmulBackend = 'auto' | 'js' | 'wasm';
let backend: MatmulBackend = 'auto';

/**
 * Chooses the implementation behind matmulKernel. All backends produce identical bits (tested), so
 * this is purely a speed knob: 'auto' uses WebAssembly SIMD when available for problems above a few
 * thousand multiply-adds, 'js' forces the JS kernel, 'wasm' forces WebAssembly (falls back to JS only
 * where WebAssembly SIMD does not exist).
 */
export function setMatmulBackend(b: MatmulBackend): void {
  if (b !== 'auto' && b !== 'js' && b !== 'wasm') throw new RepOpsError('setMatmulBackend', `unknown backend ${String(b)}`);
  backend = b;
}

export function getMatmulBackend(): MatmulBackend {
  return backend;
}

/** WebAssembly-SIMD kernel (same order, same bits); JS kernel where WebAssembly SIMD is missing. */
export function matmulKernelWasm(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): Float32Array {
  check(a, b, m, k, n, out);
  const c = out ?? new Float32Array(m * n);
  return matmulWasmInto(a, b, m, k, n, c) ?? matmulKernelJs(a, b, m, k, n, c);
}

const WASM_MIN_WORK = 4096;

/** The kernel RepOps ops call (order above; backend chosen by setMatmulBackend). */
export function matmulKernel(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  out?: Float32Array,
): Float32Array {
  if (backend === 'js') return matmulKernelJs(a, b, m, k, n, out);
  if (backend === 'wasm' || (m * k * n >= WASM_MIN_WORK && n >= 4 && wasmSimdAvailable())) {
    return matmulKernelWasm(a, b, m, k, n, out);
  }
  return matmulKernelJs(a, b, m, k, n, out);
}
