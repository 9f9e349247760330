/**
 * The backend service: one object that owns the data dir, jobs and handlers, and answers
 * `call(method, args)` with a CallResponse. The Electron IPC handler and the browser-mode HTTP server
 * are both thin transports over it, so they can never disagree about what a method does.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { useNodeRuntime } from '../../../core/node-runtime.ts';
import { PINPOINT_VERSION } from '../../../core/version.ts';
import type { ApiErrorInfo, CallResponse, ServerEvent } from '../../shared/api.ts';
import { createChainFollowHandlers } from './chain-follow.ts';
import { createCompareHandlers } from './compare.ts';
import type { BackendContext } from './context.ts';
import { ensureDemo } from './demo.ts';
import { addRecent } from './files.ts';
import { createJobRunner } from './jobs.ts';
import { createModelHandlers } from './model.ts';
import { createNotebookEngine } from './notebook-engine.ts';
import { BadRequest, createPathGuard, defaultDataDir } from './paths.ts';
import { preludeTypes } from './prelude-types.ts';
import { createShellHandlers } from './shell.ts';
import { createViewsHandlers } from './views.ts';

export interface BackendOptions {
  repoRoot: string;
  dataDir?: string;
  mode: 'electron' | 'browser';
  /** Largest file 'files.import' accepts, in bytes (default 256 MiB or PINPOINT_IMPORT_LIMIT_MB). */
  importLimit?: number;
}

export interface Backend {
  context: BackendContext;
  /** Names of every method served (shell + views). */
  methods: string[];
  call(method: string, args: unknown): Promise<CallResponse>;
  subscribe(listener: (event: ServerEvent) => void): () => void;
  /** Cancels running jobs. */
  close(): Promise<void>;
}

type AnyHandler = (args: unknown) => Promise<unknown>;

export async function createBackend(opts: BackendOptions): Promise<Backend> {
  // The backend reads proofs of corpus tasks (nanogpt-char) and hashes megabytes per step: it needs the Node
  // adapters whichever entry point created it (the CLI installs them too; tests and embedders may not).
  useNodeRuntime();
  const repoRoot = resolve(opts.repoRoot);
  const dataDir = resolve(opts.dataDir ?? defaultDataDir());
  await mkdir(dataDir, { recursive: true });
  const listeners = new Set<(event: ServerEvent) => void>();
  const emit = (event: ServerEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        console.error('pinpoint: event listener failed:', err);
      }
    }
  };
  const guard = createPathGuard([join(repoRoot, 'notebooks'), dataDir]);
  const demo = await ensureDemo(dataDir);
  const engine = createNotebookEngine();
  const context: BackendContext = {
    repoRoot,
    dataDir,
    demo: { notebook: demo.notebook, proof: demo.proof, ledger: demo.ledger },
    resolvePath: (p) => guard.resolve(p),
    resolveWritePath: (p) => guard.resolveWrite(p),
    allowPath: (p) => guard.allow(p),
    jobs: createJobRunner(emit),
    emit,
  };
  // The editor's type definitions take seconds to generate when core changed: start now, in the background.
  preludeTypes(repoRoot).catch((err) =>
    emit({ type: 'log', level: 'warn', message: `notebook types unavailable: ${(err as Error).message}` }),
  );
  const handlers = new Map<string, AnyHandler>();
  let methods: string[] = [];
  const shell = createShellHandlers(context, {
    engine,
    info: () => ({
      version: PINPOINT_VERSION,
      mode: opts.mode,
      dataDir,
      repoRoot,
      firstRun: demo.firstRun,
      demo: {
        notebook: demo.notebook,
        proof: demo.proof,
        ledger: demo.ledger,
        notes: [...demo.notes, `notebook engine: ${engine.name}`],
      },
    }),
    methods: () => methods,
    importLimit: opts.importLimit,
  });
  const viewsApi = createViewsHandlers(context);
  // Compare any two proofs (issue 15); its disputes join the Dispute view's list.
  const compare = createCompareHandlers(context, viewsApi);
  const views = {
    ...viewsApi,
    ...compare.withCompareDisputes(viewsApi),
    ...compare.handlers,
    ...createChainFollowHandlers(context),
  } as unknown as Record<string, unknown>;
  const model = createModelHandlers(context) as unknown as Record<string, unknown>;
  // Reserved for the Electron main process (the server requires its admin token for 'admin.*').
  const admin: Record<string, AnyHandler> = {
    async 'admin.openPath'(args) {
      const path = (args as { path?: unknown }).path;
      if (typeof path !== 'string' || !path)
        throw new BadRequest('admin.openPath: "path" must be a file path');
      const abs = resolve(path);
      guard.allow(abs);
      await addRecent(dataDir, abs);
      emit({ type: 'open', path: abs });
      return { path: abs };
    },
    // A path the user picked in the native Save dialog: writable from now on (Save As there).
    async 'admin.allowPath'(args) {
      const path = (args as { path?: unknown }).path;
      if (typeof path !== 'string' || !path)
        throw new BadRequest('admin.allowPath: "path" must be a file path');
      const abs = resolve(path);
      guard.allow(abs);
      return { path: abs };
    },
  };
  for (const [name, fn] of [
    ...Object.entries(views),
    ...Object.entries(model),
    ...Object.entries(shell),
    ...Object.entries(admin),
  ]) {
    if (typeof fn === 'function') handlers.set(name, fn as AnyHandler);
  }
  methods = [...handlers.keys()].filter((m) => !m.startsWith('admin.')).sort();

  return {
    context,
    methods,
    async call(method, args) {
      const handler = typeof method === 'string' ? handlers.get(method) : undefined;
      if (!handler)
        return {
          ok: false,
          error: { code: 'unknown-method', message: `unknown API method "${String(method)}"` },
        };
      try {
        return { ok: true, result: await handler(args ?? {}) };
      } catch (err) {
        return { ok: false, error: toErrorInfo(method, err) };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      for (const job of context.jobs.list()) if (job.state === 'running') context.jobs.cancel(job.id);
      await engine.close();
      listeners.clear();
    },
  };
}

/** Turns any thrown value into the wire error; caller mistakes keep their message, bugs say where. */
export function toErrorInfo(method: string, err: unknown): ApiErrorInfo {
  if (err instanceof BadRequest)
    return { code: err.code, message: err.message, file: err.file, line: err.line };
  const e = err as { message?: unknown; code?: unknown; file?: unknown; line?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.code === 'string' && e.code === 'ENOENT') return { code: 'not-found', message };
  return {
    code: typeof e?.code === 'string' ? e.code : 'internal',
    message: `${method}: ${message}`,
    ...(typeof e?.file === 'string' ? { file: e.file } : {}),
    ...(typeof e?.line === 'number' ? { line: e.line } : {}),
  };
}
