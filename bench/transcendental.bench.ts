/**
 * The RepOps transcendentals: the JavaScript specification (math.ts) next to the WebAssembly kernels
 * (kernels/as/transcendental.ts) on the same 256 K inputs in the same run — ns per element (best of 7
 * after warm-up) and the ratio. Inputs: activations in [−8, 8] (log: their absolute values).
 */
import { type UnaryKind, wasmUnaryRange } from '../core/repops/kernels/transcendental-wasm.ts';
import { erf32, erfc32, exp32, gelu32, log32, sigmoid32, tanh32 } from '../core/repops/math.ts';

const SPEC: Record<UnaryKind, (x: number) => number> = {
  exp: exp32,
  log: log32,
  tanh: tanh32,
  sigmoid: sigmoid32,
  gelu: gelu32,
  erf: erf32,
  erfc: erfc32,
};

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
}
