/**
 * Node entry point of the notebook engine: reads a notebook file, runs it with the worker_threads
 * kernel and esbuild compiler.
 */
import { readFile } from 'node:fs/promises';
import { type EngineOptions, runNotebook } from './engine.ts';
import { type Notebook, parseNotebook } from './format.ts';
import { compileCell } from './node-compile.ts';
import { nodeKernelFactory } from './node-kernel.ts';
import type { NotebookResult } from './outputs.ts';

export type NodeRunOptions = Omit<EngineOptions, 'kernelFactory' | 'compile'> &
  Partial<Pick<EngineOptions, 'kernelFactory' | 'compile'>>;

export async function loadNotebookFile(path: string): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(
      `${path}: cannot read notebook (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parseNotebook(text, path);
}

export function runNotebookNode(nb: Notebook, opts: NodeRunOptions = {}): Promise<NotebookResult> {
  return runNotebook(nb, { kernelFactory: nodeKernelFactory(), compile: compileCell, ...opts });
}

export async function runNotebookFile(
  path: string,
  opts: NodeRunOptions = {},
): Promise<{ notebook: Notebook; result: NotebookResult }> {
  const notebook = await loadNotebookFile(path);
  return { notebook, result: await runNotebookNode(notebook, opts) };
}
