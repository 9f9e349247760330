/**
 * The committed WebAssembly kernel modules (core/repops/kernels/*-wasm-bytes.ts) are exactly what their
 * AssemblyScript sources compile to with the pinned compiler and flags (scripts/build-wasm.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bytesModulePath, bytesModuleSource, compileKernel, kernelNames } from '../../scripts/build-wasm.ts';

for (const name of kernelNames()) {
  test(`kernels/${name}-wasm-bytes.ts matches kernels/as/${name}.ts`, () => {
    const committed = readFileSync(bytesModulePath(name), 'utf8');
    assert.equal(
      committed,
      bytesModuleSource(name, compileKernel(name)),
      `run scripts/build-wasm.ts ${name}`,
    );
  });
}
