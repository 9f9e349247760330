/**
 * The one API contract between the renderer and the backend, shared by both transports: Electron IPC
 * (preload → ipcMain) and browser mode (HTTP POST /api/call + Server-Sent Events /api/events).
 *
 * The contract is a *method map* `{ 'name': (args) => Promise<result> }`. Transports never list the
 * methods: they forward `{ method, args }` and return `{ ok, result | error }`, so adding a method is
 * a change to this type and to a backend handler only. Arguments and results must be JSON-safe.
 */
import type { ModelApi } from './api-model.ts';
import type { ViewsApi } from './api-views.ts';

/** A JSON-safe value: what crosses either transport. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A background job as the status bar shows it (training, verification, notebook runs…). */
export interface JobInfo {
  id: string;
  kind: string;
  title: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** done/total units and a short label ("cell 3/8"); absent while indeterminate. */
  progress?: { done: number; total: number; label?: string };
  error?: string;
  startedAt: number;
  endedAt?: number;
}

/** A file the app can open, relative to its root (repo `notebooks/` or the user data dir). */
export interface FileEntry {
  /** Path to pass back to the API (absolute). */
  path: string;
  /** Short display name. */
  name: string;
  kind: 'notebook' | 'proof' | 'onnx' | 'ledger' | 'transcript' | 'other';
  size: number;
  mtimeMs: number;
  /** Where it was found: 'notebooks' (repo), 'data' (user data dir), 'recent'. */
  source: string;
}

/** One cell of a notebook as the editor sees it. */
export interface CellDoc {
  id: string;
  kind: 'code' | 'markdown';
  source: string;
}

/** A parsed notebook. `text` is the file as read; the backend round-trips it through core/notebook. */
export interface NotebookDoc {
  path: string;
  title: string;
  meta: Record<string, Json>;
  cells: CellDoc[];
}

/**
 * A typed cell output. The notebook engine (core/notebook/outputs.ts) defines the kinds; the shell
 * treats them as `{ kind, ... }` and looks up a renderer by kind (desktop/renderer/shell/outputs.ts).
 */
export interface CellOutput {
  kind: string;
  [key: string]: Json | undefined;
}

/** Result of running one cell. */
export interface CellResult {
  cellId: string;
  status: 'ok' | 'error' | 'timeout' | 'cancelled';
  outputs: CellOutput[];
  error?: { message: string; line?: number; column?: number };
  durationMs: number;
}

/** Push events from the backend (IPC 'pinpoint:event' or SSE). */
export type ServerEvent =
  | { type: 'job'; job: JobInfo }
  | { type: 'cell'; jobId: string; path: string; cellId: string; state: 'queued' | 'running' }
  | { type: 'cell-output'; jobId: string; path: string; cellId: string; output: CellOutput }
  | { type: 'cell-result'; jobId: string; path: string; result: CellResult }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'open'; path: string }
  /** Runs a palette command by id (Electron menus reuse the renderer's commands). */
  | { type: 'command'; id: string };

export interface PreludeTypes {
  /** Declaration files to add to the editor (`file:///…d.ts` paths). */
  libs: { path: string; content: string }[];
  /** Names in scope in a cell. */
  names: string[];
  /** Where they came from ('core/notebook/prelude.ts' or 'fallback'). */
  source: string;
}

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  dataDir: string;
  repoRoot: string;
  /** Set on the first start, when the demo was just created: the shell opens it. */
  firstRun: boolean;
  demo: { notebook?: string; proof?: string; ledger?: string; notes: string[] };
  /** Method names the backend implements (views hide features whose methods are missing). */
  methods: string[];
}

/** Methods the shell and the notebook view use. */
export interface ShellApi {
  'app.info': (args: Record<string, never>) => Promise<AppInfo>;
  'files.list': (args: { kind?: FileEntry['kind'] }) => Promise<FileEntry[]>;
  'files.readText': (args: { path: string }) => Promise<{ path: string; text: string }>;
  'files.writeText': (args: { path: string; text: string }) => Promise<{ path: string; bytes: number }>;
  'recent.list': (args: Record<string, never>) => Promise<string[]>;
  'recent.add': (args: { path: string }) => Promise<string[]>;
  'notebook.open': (args: { path: string }) => Promise<NotebookDoc>;
  'notebook.save': (args: { path: string; doc: NotebookDoc }) => Promise<{ path: string; bytes: number }>;
  /** Starts a run of the given cells (in order, after the cells before them when `withPrevious`). */
  'notebook.run': (args: {
    path: string;
    doc: NotebookDoc;
    cellIds: string[];
    timeoutMs?: number;
  }) => Promise<{
    jobId: string;
  }>;
  /** Type definitions of the API in scope in cells, for the editor's completion and hover. */
  'notebook.prelude': (args: Record<string, never>) => Promise<PreludeTypes>;
  'jobs.list': (args: Record<string, never>) => Promise<JobInfo[]>;
  'jobs.cancel': (args: { id: string }) => Promise<JobInfo | null>;
  /** Waits until the job ends (or `timeoutMs`), for tests and simple callers. */
  'jobs.wait': (args: { id: string; timeoutMs?: number }) => Promise<JobInfo>;
}

/** The full contract: the shell's methods merged with the views' (api-views.ts) and the Model view's (api-model.ts). */
export type PinpointApi = ShellApi & ViewsApi & ModelApi;
export type MethodName = keyof PinpointApi & string;
export type ArgsOf<M extends MethodName> = Parameters<PinpointApi[M]>[0];
export type ResultOf<M extends MethodName> = Awaited<ReturnType<PinpointApi[M]>>;

/** What either transport returns for one call. */
export type CallResponse = { ok: true; result: unknown } | { ok: false; error: ApiErrorInfo };

export interface ApiErrorInfo {
  message: string;
  /** Machine-readable code: 'bad-request', 'not-found', 'unknown-method', 'internal', … */
  code: string;
  /** File the error is about, when there is one (the shell shows it). */
  file?: string;
  line?: number;
}

/** The renderer's view of the API, whichever transport carries it. */
export interface ApiClient {
  call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  /** Subscribes to push events; returns an unsubscribe function. */
  subscribe(listener: (event: ServerEvent) => void): () => void;
  readonly mode: 'electron' | 'browser';
}

/** An error thrown by `ApiClient.call` carrying the backend's code/file/line. */
export class ApiError extends Error {
  readonly code: string;
  readonly file?: string;
  readonly line?: number;
  constructor(info: ApiErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
    this.file = info.file;
    this.line = info.line;
  }
}

/** What the Electron preload exposes as `window.pinpoint` (contextBridge). */
export interface PreloadBridge {
  call(method: string, args: unknown): Promise<CallResponse>;
  onEvent(listener: (event: ServerEvent) => void): () => void;
}

/** IPC channel names (main ↔ preload). */
export const IPC_CALL = 'pinpoint:call';
export const IPC_EVENT = 'pinpoint:event';
