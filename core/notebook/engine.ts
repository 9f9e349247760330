/**
 * The notebook engine: compiles cells, runs them in order in one kernel (shared scope), enforces the
 * per-cell time limit and cancel by terminating the kernel, maps errors back to cell lines, and
 * collects typed outputs. Transport-agnostic: the kernel and the compiler are injected (Node:
 * node-kernel.ts + node-compile.ts; the app: a Web Worker kernel).
 */
import { PINPOINT_VERSION } from '../version.ts';
import { type CodeCell, codeCells, type Notebook, type Permission } from './format.ts';
import {
  type CellError,
  type CellResult,
  type NotebookResult,
  type Output,
  validateOutput,
} from './outputs.ts';
import type { CellCompiler, Kernel, KernelFactory, RawError } from './protocol.ts';
import { decodeMappings, originalLine } from './sourcemap.ts';

export const DEFAULT_CELL_TIMEOUT_MS = 60_000;
export const MAX_OUTPUTS_PER_CELL = 5_000;
export const MAX_OUTPUT_CHARS_PER_CELL = 32_000_000;

export type RunEvent =
  | { type: 'cell-start'; id: string; index: number; total: number }
  | { type: 'output'; id: string; output: Output }
  | { type: 'cell-end'; result: CellResult; index: number; total: number };

export interface EngineOptions {
  kernelFactory: KernelFactory;
  compile: CellCompiler;
  /** Per-cell time limit; default: the notebook's `timeout` front matter, else 60 s. */
  timeoutMs?: number;
  onEvent?: (e: RunEvent) => void;
  signal?: AbortSignal;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Maps `cell-<id>.js:L:C` positions in a stack to the cell's own line numbers. */
function locate(cell: CodeCell, raw: RawError, map: string): CellError {
  const err: CellError = { name: raw.name || 'Error', message: raw.message };
  const stack = raw.stack ?? '';
  let decoded: ReturnType<typeof decodeMappings> | null = null;
  try {
    decoded = decodeMappings((JSON.parse(map) as { mappings: string }).mappings);
  } catch {
    decoded = null;
  }
  const file = `cell-${cell.id}.js`;
  const re = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)(?::(\\d+))?`, 'g');
  const frames: string[] = [];
  for (const m of stack.matchAll(re)) {
    const line = decoded ? originalLine(decoded, Number(m[1]), Number(m[2] ?? 1) - 1) : null;
    if (line === null) continue;
    if (err.cellLine === undefined) {
      err.cellLine = line;
      err.fileLine = cell.line + line;
    }
    frames.push(`    at cell ${cell.id} line ${line}`);
  }
  if (frames.length) err.stack = `${err.name}: ${err.message}\n${frames.join('\n')}`;
  return err;
}

/** Human-readable one-line description of a failed cell. */
export function describeCellError(file: string, id: string, e: CellError): string {
  const where =
    e.cellLine !== undefined ? `cell ${id} line ${e.cellLine} (${file}:${e.fileLine})` : `cell ${id}`;
  return `${where}: ${e.name}: ${e.message}`;
}

/**
 * A live kernel for one notebook: runs cells one at a time in a shared scope. After a timeout or
 * cancel the kernel is terminated and the next run starts a fresh one (earlier variables are gone).
 */
export class NotebookSession {
  private kernel: Kernel | null = null;
  private starting: Promise<Kernel> | null = null;
  private running: { cancel: () => void } | null = null;
  constructor(
    private readonly permissions: Permission[],
    private readonly opts: EngineOptions,
  ) {}

  private async getKernel(): Promise<Kernel> {
    if (this.kernel) return this.kernel;
    this.starting ??= this.opts.kernelFactory(this.permissions);
    try {
      this.kernel = await this.starting;
    } finally {
      this.starting = null;
    }
    return this.kernel;
  }

  /** Terminates the kernel; the next runCell starts a fresh one. */
  async restart(): Promise<void> {
    const k = this.kernel;
    this.kernel = null;
    if (k) await k.terminate();
  }

  /** Stops the running cell (its result is 'cancelled') and the kernel with it. */
  cancel(): void {
    this.running?.cancel();
  }

  async close(): Promise<void> {
    await this.restart();
  }

  async runCell(
    cell: CodeCell,
    timeoutMs: number,
    onOutput: (o: Output) => void = () => {},
  ): Promise<CellResult> {
    const t0 = now();
    const outputs: Output[] = [];
    const done = (status: CellResult['status'], error?: CellError): CellResult => {
      const r: CellResult = { id: cell.id, status, outputs, ms: Math.round(now() - t0) };
      if (error) r.error = error;
      return r;
    };
    let stop: 'timeout' | 'cancelled' | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let halt: (why: 'timeout' | 'cancelled') => void = () => {};
    const stopped = new Promise<'stopped'>((resolve) => {
      halt = (why) => {
        if (stop) return;
        stop = why;
        void this.restart();
        resolve('stopped');
      };
      this.running = { cancel: () => halt('cancelled') };
    });
    const compiled = await this.opts.compile(cell.source, cell.id);
    if (stop === 'cancelled') {
      clearTimeout(timer);
      this.running = null;
      return done('cancelled', { name: 'Cancelled', message: `cell ${cell.id} was cancelled` });
    }
    if (!compiled.ok) {
      clearTimeout(timer);
      this.running = null;
      return done('error', {
        name: 'CompileError',
        message: compiled.message,
        cellLine: compiled.line,
        fileLine: cell.line + compiled.line,
      });
    }
    let kernel: Kernel;
    try {
      kernel = await this.getKernel();
    } catch (err) {
      clearTimeout(timer);
      this.running = null;
      return done('error', { name: 'KernelError', message: (err as Error).message });
    }
    let bytes = 0;
    let dropped = 0;
    const push = (json: string) => {
      // A cell printing in a loop must not exhaust the host: cap the outputs kept per cell.
      bytes += json.length;
      if (outputs.length >= MAX_OUTPUTS_PER_CELL || bytes > MAX_OUTPUT_CHARS_PER_CELL) {
        if (dropped++ === 0) {
          const note: Output = {
            kind: 'text',
            stream: 'stderr',
            text: `output limit reached (${MAX_OUTPUTS_PER_CELL} outputs or ${MAX_OUTPUT_CHARS_PER_CELL / 1e6} MB per cell): further outputs of cell ${cell.id} are dropped`,
          };
          outputs.push(note);
          onOutput(note);
        }
        return;
      }
      let o: Output;
      try {
        o = validateOutput(JSON.parse(json));
      } catch (err) {
        o = { kind: 'text', stream: 'stderr', text: (err as Error).message };
      }
      outputs.push(o);
      onOutput(o);
    };
    if (stop === 'cancelled') {
      this.running = null;
      return done('cancelled', { name: 'Cancelled', message: `cell ${cell.id} was cancelled` });
    }
    // The limit covers the cell's execution only (not compilation or kernel start-up).
    timer = setTimeout(() => halt('timeout'), timeoutMs);
    try {
      const r = await Promise.race([kernel.run(cell.id, compiled.code, push), stopped]);
      if (stop === 'timeout') {
        return done('timeout', {
          name: 'TimeoutError',
          message: `cell ${cell.id} exceeded its time limit of ${timeoutMs} ms and was stopped; the kernel was restarted (variables of earlier cells are gone)`,
        });
      }
      if (stop === 'cancelled')
        return done('cancelled', {
          name: 'Cancelled',
          message: `cell ${cell.id} was cancelled; the kernel was restarted`,
        });
      if (r === 'stopped') throw new Error('unreachable');
      if (r.ok) return done('ok');
      return done('error', locate(cell, r.error, compiled.map));
    } finally {
      clearTimeout(timer);
      this.running = null;
    }
  }
}

/** Runs every code cell in order; after a failed cell the rest are reported as skipped. */
export async function runNotebook(nb: Notebook, opts: EngineOptions): Promise<NotebookResult> {
  const t0 = now();
  const startedAt = new Date().toISOString();
  const cells = codeCells(nb);
  const timeoutMs = opts.timeoutMs ?? nb.meta.timeout ?? DEFAULT_CELL_TIMEOUT_MS;
  const session = new NotebookSession(nb.meta.permissions, opts);
  const onAbort = () => session.cancel();
  opts.signal?.addEventListener('abort', onAbort);
  const results: CellResult[] = [];
  try {
    let failed = false;
    for (const [index, cell] of cells.entries()) {
      if (failed || opts.signal?.aborted) {
        const r: CellResult = { id: cell.id, status: 'skipped', outputs: [], ms: 0 };
        results.push(r);
        opts.onEvent?.({ type: 'cell-end', result: r, index, total: cells.length });
        continue;
      }
      opts.onEvent?.({ type: 'cell-start', id: cell.id, index, total: cells.length });
      const r = await session.runCell(cell, timeoutMs, (output) =>
        opts.onEvent?.({ type: 'output', id: cell.id, output }),
      );
      results.push(r);
      opts.onEvent?.({ type: 'cell-end', result: r, index, total: cells.length });
      if (r.status !== 'ok') failed = true;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await session.close();
  }
  let passed = 0;
  let failedAssertions = 0;
  for (const r of results)
    for (const o of r.outputs) if (o.kind === 'assertion') o.ok ? passed++ : failedAssertions++;
  return {
    file: nb.file,
    title: nb.meta.title,
    ok: results.every((r) => r.status === 'ok') && failedAssertions === 0,
    cells: results,
    startedAt,
    ms: Math.round(now() - t0),
    assertions: { passed, failed: failedAssertions },
    pinpointVersion: PINPOINT_VERSION,
  };
}
