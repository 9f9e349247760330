/**
 * The runtime the AssemblyScript kernels (kernels/as/*.ts → *-wasm-bytes.ts) run in: one linear memory
 * imported by every kernel module, and a per-call workspace in it. Ops are synchronous and never
 * re-entered while a kernel runs, so a bump allocator reset at the start of each op call is enough:
 *   const ws = workspace(); if (!ws) return jsSpec(...);
 *   const pa = ws.put(a.data); const pc = ws.alloc(n); k.kernel(pa, pc, n); return ws.take(pc, n);
 * Anything that cannot run WebAssembly SIMD (old engines, a browser refusing a synchronous compile)
 * gets null and the op runs its JavaScript specification, which gives the same bits (tested).
 */
import { decodeBase64 } from '../../hash/base64.ts';
import { overwrittenBuffer } from '../buffers.ts';

// Lives in core/hash, which also instantiates a module (the portable BLAKE3) and must not import core/repops.
export { decodeBase64 };

type KernelExports = Record<string, (...args: number[]) => number | undefined>;

let memory: WebAssembly.Memory | null | undefined;
const modules = new Map<string, KernelExports | null>();
let disabled = false;

function sharedMemory(): WebAssembly.Memory | null {
  if (memory !== undefined) return memory;
  memory = null;
  try {
    if (typeof WebAssembly !== 'undefined') memory = new WebAssembly.Memory({ initial: 16, maximum: 32768 });
  } catch {
    memory = null;
  }
  return memory;
}

/**
 * The exports of kernel module `name` (instantiated once against the shared memory), or null where
 * WebAssembly SIMD is unavailable or kernels are disabled (`setWasmKernelsEnabled(false)`).
 */
export function kernelModule(name: string, base64: string): KernelExports | null {
  if (disabled) return null;
  const cached = modules.get(name);
  if (cached !== undefined) return cached;
  let exp: KernelExports | null = null;
  try {
    const mem = sharedMemory();
    const bytes = decodeBase64(base64);
    if (mem && WebAssembly.validate(bytes)) {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: mem, abort } });
      exp = inst.exports as unknown as KernelExports;
    }
  } catch {
    exp = null;
  }
  modules.set(name, exp);
  return exp;
}

function abort(): never {
  throw new Error('wasm kernel aborted');
}

/** Turns the WebAssembly kernels off (tests compare them with the JavaScript specification this way). */
export function setWasmKernelsEnabled(on: boolean): void {
  disabled = !on;
}

export function wasmKernelsEnabled(): boolean {
  return !disabled;
}

/**
 * A slot for a native kernel a platform adapter installs (kernels/native-install.ts). It reads null while
 * the kernels are off, so setWasmKernelsEnabled(false) leaves the JavaScript specification alone.
 */
export function nativeSlot<T>(): {
  set(kernel: T | null): void;
  get(): T | null;
  /** Calls use with the kernel and returns true, or returns false (none installed, or kernels off). */
  run(use: (kernel: T) => void): boolean;
} {
  let kernel: T | null = null;
  const get = () => (disabled ? null : kernel);
  return {
    set: (k) => {
      kernel = k;
    },
    get,
    run: (use) => {
      const k = get();
      if (k === null) return false;
      use(k);
      return true;
    },
  };
}

/** A bump allocator over the shared memory; pointers are byte offsets, 16-byte aligned. */
export interface Workspace {
  /** Reserve n floats (contents undefined); returns the byte offset. */
  alloc(n: number): number;
  /** Copy src into the workspace; returns its byte offset. */
  put(src: Float32Array): number;
  /** A Float32Array view of n floats at ptr (valid until the next alloc/put, which may grow memory). */
  view(ptr: number, n: number): Float32Array;
  /** A fresh Float32Array copied from n floats at ptr. */
  take(ptr: number, n: number): Float32Array;
  /** Copies n floats at ptr into out[at…at+n) (bytes: NaN payloads kept). */
  takeInto(ptr: number, n: number, out: Float32Array, at: number): void;
}

let top = 0;
const ws: Workspace = {
  alloc(n) {
    const ptr = top;
    top = (top + n * 4 + 15) & ~15;
    const mem = memory as WebAssembly.Memory;
    const have = mem.buffer.byteLength;
    if (top > have) mem.grow(Math.ceil((top - have) / 65536));
    return ptr;
  },
  // Copies go through byte views: V8 copies Float32Array → Float32Array between a wasm memory and an
  // ordinary buffer element by element (~10× slower than the byte memcpy), and bytes keep NaN payloads.
  put(src) {
    const ptr = ws.alloc(src.length);
    const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    new Uint8Array((memory as WebAssembly.Memory).buffer, ptr, src.byteLength).set(bytes);
    return ptr;
  },
  view(ptr, n) {
    return new Float32Array((memory as WebAssembly.Memory).buffer, ptr, n);
  },
  take(ptr, n) {
    const out = overwrittenBuffer(n);
    ws.takeInto(ptr, n, out, 0);
    return out;
  },
  takeInto(ptr, n, out, at) {
    new Uint8Array(out.buffer, out.byteOffset + 4 * at, 4 * n).set(
      new Uint8Array((memory as WebAssembly.Memory).buffer, ptr, 4 * n),
    );
  },
};

/**
 * The workspace, emptied, for one op call — or null when kernels cannot run (then use the JS spec).
 * Byte 0…15 stay reserved so no valid pointer is 0.
 */
export function workspace(): Workspace | null {
  if (disabled || !sharedMemory()) return null;
  top = 16;
  return ws;
}

/**
 * Kernel module `name`'s exports typed as T and the emptied workspace, for one op call — or null when
 * kernels cannot run (then the op runs its JavaScript specification).
 */
export function kernelCall<T>(name: string, base64: string): [T, Workspace] | null {
  const k = kernelModule(name, base64) as unknown as T | null;
  const w = k && workspace();
  return k && w ? [k, w] : null;
}
