/**
 * The RepOps transcendentals: the JavaScript specification (math.ts) next to the WebAssembly kernels
 * (kernels/as/transcendental.ts) on the same 256 K inputs in the same run — ns per element (best of 7
 * after warm-up) and the ratio. Inputs: activations in [−8, 8] (log: their absolute values). Then GELU
 * and its VJP on pre-activation-like inputs (≈ normal, σ = 1), where the f32x4 GELU kernels run nearly
 * every vector four lanes at a time (a vector with a lane at |x| ≥ 4√2 runs the scalar kernel), and the
 * native kernels (native/transcendental.c, AVX-512 or AVX2 lanes, in place) when the addon is built.
 */
import { useNodeNative } from '../core/platform/node-native.ts';
import { nativeGeluRange, nativeGeluVjpRange } from '../core/repops/kernels/transcendental-native.ts';
import {
  UNARY_SPEC,
  type UnaryKind,
  wasmGeluVjpRange,
  wasmUnaryRange,
} from '../core/repops/kernels/transcendental-wasm.ts';
import { erfc32, exp32, gelu32 } from '../core/repops/math.ts';

const SPEC = UNARY_SPEC;

export default async function (): Promise<void> {
  const n = 1 << 18;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((Math.sin(i * 12.9898) * 43758.5453) % 1) * 8;
  const out = new Float32Array(n);
  console.log('function  JS spec ns/elem  WASM ns/elem  speed-up');
  for (const [kind, fn] of Object.entries(SPEC) as [UnaryKind, (x: number) => number][]) {
    const xi = kind === 'log' ? x.map(Math.abs) : x;
    let js = Number.POSITIVE_INFINITY;
    let wasm = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 7; r++) {
      let t0 = performance.now();
      for (let i = 0; i < n; i++) out[i] = fn(xi[i]);
      js = Math.min(js, performance.now() - t0);
      t0 = performance.now();
      if (!wasmUnaryRange(kind, xi, out, 0, n)) throw new Error('WebAssembly kernels unavailable');
      wasm = Math.min(wasm, performance.now() - t0);
    }
    const ns = (ms: number) => ((ms * 1e6) / n).toFixed(1).padStart(8);
    console.log(`${kind.padEnd(8)}  ${ns(js)}         ${ns(wasm)}      ${(js / wasm).toFixed(1)}×`);
  }
  const normal = new Float32Array(n);
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // sum of three uniforms: ≈ normal, σ = 1 (deterministic: fract(sin) hashes)
    const u = (k: number) => Math.abs((Math.sin(i * 12.9898 + k * 78.233) * 43758.5453) % 1);
    normal[i] = (u(0) + u(1) + u(2) - 1.5) * 2;
    g[i] = u(3) - 0.5;
  }
  const f = Math.fround;
  const INV_SQRT2 = f(Math.SQRT1_2);
  const INV_SQRT_2PI = f(0.3989422804014327);
  const rows: [string, () => void, () => boolean, () => boolean][] = [
    [
      'gelu σ=1',
      () => {
        for (let i = 0; i < n; i++) out[i] = gelu32(normal[i]);
      },
      () => wasmUnaryRange('gelu', normal, out, 0, n),
      () => nativeGeluRange(normal, out, 0, n),
    ],
    [
      'gelu.vjp0 σ=1',
      () => {
        for (let i = 0; i < n; i++) {
          const v = normal[i];
          const a = f(0.5 * erfc32(-f(v * INV_SQRT2)));
          const p = f(exp32(f(f(v * v) * -0.5)) * INV_SQRT_2PI);
          out[i] = g[i] * f(a + f(v * p));
        }
      },
      () => wasmGeluVjpRange(g, normal, out, 0, n),
      () => nativeGeluVjpRange(g, normal, out, 0, n),
    ],
  ];
  const native = useNodeNative();
  console.log(
    `\n${n} values   JS spec ns/elem  WASM ns/elem  speed-up   native (${native ?? 'not built'}) ns/elem  vs WASM`,
  );
  for (const [name, jsRun, wasmRun, nativeRun] of rows) {
    let js = Number.POSITIVE_INFINITY;
    let wasm = Number.POSITIVE_INFINITY;
    let nat = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 7; r++) {
      let t0 = performance.now();
      jsRun();
      js = Math.min(js, performance.now() - t0);
      t0 = performance.now();
      if (!wasmRun()) throw new Error('WebAssembly kernels unavailable');
      wasm = Math.min(wasm, performance.now() - t0);
      t0 = performance.now();
      if (native !== null && nativeRun()) nat = Math.min(nat, performance.now() - t0);
    }
    const ns = (ms: number) => ((ms * 1e6) / n).toFixed(1).padStart(8);
    const nativeCols = native === null ? '' : `          ${ns(nat)}            ${(wasm / nat).toFixed(1)}×`;
    console.log(`${name.padEnd(14)}  ${ns(js)}    ${ns(wasm)}      ${(js / wasm).toFixed(1)}×${nativeCols}`);
  }
}
