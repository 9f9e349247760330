/**
 * Digests of the math-layer outputs that the golden op cases only sample: each transcendental over
 * 65 536 inputs spread across the binary32 range, the Philox streams, and the JS and WebAssembly
 * matmul kernels on an odd-shaped product. Browser-safe (no node:*): computed in Node and in Chromium.
 */
import { digestBytes } from '../../core/hash/digest.ts';
import { matmulKernelJs, matmulKernelWasm } from '../../core/repops/kernels/matmul.ts';
import { wasmSimdAvailable } from '../../core/repops/kernels/matmul-wasm.ts';
import { erf32, erfc32, exp32, gelu32, log32, sigmoid32, tanh32 } from '../../core/repops/math.ts';
import { randomNormal, randomUint32, randomUniform } from '../../core/repops/prng.ts';

/** Little-endian bytes with every NaN written as 0x7fc00000 (NaN payloads are not part of the spec). */
function bytes(x: Float32Array | Uint32Array): Uint8Array {
  const out = new Uint8Array(x.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) {
    if (x instanceof Float32Array) {
      if (Number.isNaN(x[i])) dv.setUint32(4 * i, 0x7fc00000, true);
      else dv.setFloat32(4 * i, x[i], true);
    } else dv.setUint32(4 * i, x[i], true);
  }
  return out;
}

export function computeExtraDigests(): Record<string, string> {
  const inputs = new Float32Array(
    new Uint32Array(65536).map((_, i) => Math.imul(i, 0x9e3779b1) >>> 0).buffer,
  );
  const out: Record<string, string> = {};
  const fns = { exp32, log32, tanh32, sigmoid32, erf32, erfc32, gelu32 };
  for (const [name, fn] of Object.entries(fns)) {
    const y = new Float32Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) y[i] = fn(inputs[i]);
    out[name] = digestBytes('pinpoint.test.math', bytes(y));
  }
  out.randomUint32 = digestBytes('pinpoint.test.prng', bytes(randomUint32([7, 9], 3, 4099, 5)));
  out.randomUniform = digestBytes('pinpoint.test.prng', bytes(randomUniform(11, 1, 4099)));
  out.randomNormal = digestBytes('pinpoint.test.prng', bytes(randomNormal(11, 2, 4099)));
  const [m, k, n] = [37, 53, 29];
  const a = randomNormal(3, 0, m * k);
  const b = randomNormal(3, 1, k * n);
  out.matmulJs = digestBytes('pinpoint.test.matmul', bytes(matmulKernelJs(a, b, m, k, n)));
  out.matmulWasm = digestBytes('pinpoint.test.matmul', bytes(matmulKernelWasm(a, b, m, k, n)));
  out.wasmSimd = String(wasmSimdAvailable());
  return out;
}
