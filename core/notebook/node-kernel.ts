/**
 * Node kernel: a worker_threads Worker running node-sandbox.ts, with resource limits and an empty
 * environment. `terminate()` stops it even inside an infinite loop (the engine's time limit and cancel).
 */
import { Worker } from 'node:worker_threads';
import type { Permission } from './format.ts';
import { preludeBundle, sandboxWorkerBundle } from './node-compile.ts';
import type { HostMessage, Kernel, KernelFactory, KernelMessage, RawError } from './protocol.ts';

export interface NodeKernelOptions {
  /** V8 old-generation heap limit of the worker (MiB). */
  maxHeapMb?: number;
}

export function nodeKernelFactory(opts: NodeKernelOptions = {}): KernelFactory {
  return async (permissions: Permission[]) => startNodeKernel(permissions, opts);
}

export async function startNodeKernel(
  permissions: Permission[],
  opts: NodeKernelOptions = {},
): Promise<Kernel> {
  const [code, prelude] = await Promise.all([sandboxWorkerBundle(), preludeBundle()]);
  const worker = new Worker(code, {
    eval: true,
    env: {},
    argv: [],
    execArgv: [],
    stdout: false,
    stderr: false,
    resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 1024, maxYoungGenerationSizeMb: 64 },
  });
  worker.unref();
  let dead: RawError | null = null;
  let pending: {
    id: string;
    onOutput: (json: string) => void;
    resolve: (r: { ok: true } | { ok: false; error: RawError }) => void;
  } | null = null;
  const fail = (error: RawError) => {
    dead ??= error;
    if (pending) {
      const p = pending;
      pending = null;
      p.resolve({ ok: false, error });
    }
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (msg: KernelMessage) => {
      if (msg.type === 'ready') resolve();
      else if (msg.type === 'init-error')
        reject(new Error(`notebook kernel failed to start: ${msg.error.message}`));
      else if (msg.type === 'output' && pending && msg.id === pending.id) pending.onOutput(msg.json);
      else if (msg.type === 'done' && pending && msg.id === pending.id) {
        const p = pending;
        pending = null;
        p.resolve(msg.ok ? { ok: true } : { ok: false, error: msg.error });
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const error = {
        name: oom ? 'OutOfMemory' : err.name,
        message: oom
          ? `the cell exceeded the kernel's memory limit (${opts.maxHeapMb ?? 1024} MiB heap)`
          : err.message,
      };
      fail(error);
      reject(new Error(error.message));
    });
    worker.on('exit', (code) => {
      fail({ name: 'KernelExit', message: `the notebook kernel exited (code ${code})` });
      reject(new Error(`notebook kernel exited during start-up (code ${code})`));
    });
  });
  const post = (m: HostMessage) => worker.postMessage(m);
  post({ type: 'init', prelude, permissions });
  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return {
    run(id, js, onOutput) {
      if (dead) return Promise.resolve({ ok: false, error: dead });
      if (pending) return Promise.reject(new Error(`kernel busy with cell ${pending.id}`));
      return new Promise((resolve) => {
        pending = { id, onOutput, resolve };
        post({ type: 'run', id, code: js });
      });
    },
    async terminate() {
      dead ??= { name: 'KernelTerminated', message: 'the kernel was terminated' };
      await worker.terminate();
    },
  };
}
