/**
 * Messages between the notebook engine (host) and a kernel (the isolated worker running cell code).
 * Transport-agnostic: the Node kernel carries them over worker_threads, the app over a Web Worker.
 * Outputs travel as JSON text produced inside the sandbox, so no object crosses realms.
 */
import type { Permission } from './format.ts';

export type HostMessage =
  | { type: 'init'; prelude: string; permissions: Permission[] }
  | { type: 'run'; id: string; code: string };

export interface RawError {
  name: string;
  message: string;
  stack?: string;
}

export type KernelMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: RawError }
  | { type: 'output'; id: string; json: string }
  | { type: 'done'; id: string; ok: true }
  | { type: 'done'; id: string; ok: false; error: RawError };

/** A running kernel: runs compiled cells one at a time in one shared scope. */
export interface Kernel {
  /** Runs compiled JavaScript; `onOutput` gets each displayed output's JSON as it is produced. */
  run(
    id: string,
    code: string,
    onOutput: (json: string) => void,
  ): Promise<{ ok: true } | { ok: false; error: RawError }>;
  /** Stops the kernel at once (even inside an infinite loop). */
  terminate(): Promise<void>;
}

export type KernelFactory = (permissions: Permission[]) => Promise<Kernel>;

/** Compiled cell: JavaScript for the kernel + a source map (v3 JSON) back to the cell's TypeScript. */
export type CompileResult =
  | { ok: true; code: string; map: string }
  | { ok: false; message: string; line: number; column: number };

export type CellCompiler = (source: string, cellId: string) => Promise<CompileResult>;
