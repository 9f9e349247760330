/**
 * Generator (run by hand, not a test): rewrites core/repops/kernels/matmul-wasm-bytes.ts from the
 * assembler in core/repops/kernels/matmul-wasm-gen.ts. `node --import tsx test/repops-math/regen-matmul-wasm.ts`
 */
import { writeFileSync } from 'node:fs';
import { bytesModuleSource, matmulWasmBytes } from '../../core/repops/kernels/matmul-wasm-gen.ts';

const target = new URL('../../core/repops/kernels/matmul-wasm-bytes.ts', import.meta.url);
writeFileSync(target, bytesModuleSource(matmulWasmBytes()));
console.log(`wrote ${target.pathname}`);
