/**
 * The one API contract between the renderer and the backend, shared by both transports: Electron IPC
 * (preload → ipcMain) and browser mode (HTTP POST /api/call + Server-Sent Events /api/events).
 *
 * The contract is a *method map* `{ 'name': (args) => Promise<result> }`. Transports never list the
 * methods: they forward `{ method, args }` and return `{ ok, result | error }`, so adding a method is
 * a change to this type and to a backend handler only. Arguments and results must be JSON-safe.
 */
import type { CompareApi } from './api-compare.ts';
import type { ModelApi } from './api-model.ts';
import type { RecoveryApi } from './api-recovery.ts';
import type { ChainFollowApi, ViewsApi } from './api-views.ts';

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
  /** Opens a file in its view; `compare`: a second proof to compare it with (two proofs dropped at once). */
  | { type: 'open'; path: string; compare?: string }
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
  /**
   * Saves the notebook under a new path (a `.md` file the path guard allows: under the repo or the data
   * folder, or picked in the native dialog). Refuses an existing file unless `overwrite` (error code
   * 'exists'); adds the new path to Recent files. `doc.path` is the notebook's current path.
   */
  'notebook.saveAs': (args: { path: string; doc: NotebookDoc; overwrite?: boolean }) => Promise<SaveAsResult>;
  /**
   * Imports a file dropped in browser mode (no path there: the bytes are uploaded) into
   * `<data>/imports/`: a proof bundle, a notebook (.md) or an ONNX model. Chunked: the first call
   * (offset 0) declares the total `size` (refused above `ImportChunkResult.limit` before any byte is
   * stored) and gets an `uploadId`; later calls pass it with the next `offset`. The call carrying the
   * last byte checks the file — type sniffed from its content and name, fully parsed — and answers
   * where it was stored and which view opens it. Errors name the dropped file.
   */
  'files.import': (args: ImportChunk) => Promise<ImportChunkResult>;
  /** Creates `<data>/notebooks/untitled-<n>.md` (the first free n) from a starter template. */
  'notebook.create': (args: Record<string, never>) => Promise<{ path: string }>;
  /**
   * Runs the notebook as shown (its current cells) from a fresh kernel, headless, exactly as
   * `pinpoint run --html` does, and writes the self-contained HTML report to `<data>/reports/<name>.html`.
   * Answers where, the report itself (browser mode offers it as a download) and whether every cell passed.
   */
  'notebook.exportHtml': (args: { path: string; doc: NotebookDoc }) => Promise<{
    path: string;
    bytes: number;
    ok: boolean;
    html: string;
  }>;
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

export interface SaveAsResult {
  path: string;
  bytes: number;
  /** Recent files after adding this one. */
  recent: string[];
}

/** One chunk of an upload (see 'files.import'). */
export interface ImportChunk {
  /** The dropped file's name (folders are ignored). */
  name: string;
  /** Total size in bytes. */
  size: number;
  /** Byte offset of this chunk; chunks arrive in order. */
  offset: number;
  /** The chunk's bytes, base64. */
  data: string;
  /** From the first chunk's reply; required when offset > 0. */
  uploadId?: string;
}

/** What a dropped file is, and the view that opens it. */
export type ImportKind = 'proof' | 'notebook' | 'onnx';

export type ImportChunkResult =
  | { done: false; uploadId: string; received: number; size: number; limit: number }
  | {
      done: true;
      uploadId: string;
      received: number;
      size: number;
      limit: number;
      /** Where the file was stored (under `<data>/imports/`). */
      path: string;
      kind: ImportKind;
      /** View id that shows it: 'proof', 'notebook' or 'model'. */
      view: string;
      /** True when an identical file was already imported (no new copy). */
      reused: boolean;
    };

/**
 * Methods served by the Electron main process itself (native dialogs), never by the backend: browser
 * mode answers them with 'unknown-method', and the renderer uses its in-app dialogs instead.
 */
export interface ElectronApi {
  /** The native Save dialog; the chosen path is allowed for writing. `path` null = cancelled. */
  'dialog.saveAs': (args: { defaultPath?: string; kind: 'notebook' }) => Promise<{
    path: string | null;
    /** The native dialog already asked about replacing an existing file at `path`. */
    overwriteConfirmed: boolean;
  }>;
}

/**
 * The full contract: the shell's methods merged with the views' (api-views.ts), the Model view's
 * (api-model.ts), notebook recovery (api-recovery.ts) and the Electron main process's dialogs.
 */
export type PinpointApi = ShellApi &
  ViewsApi &
  ChainFollowApi &
  ModelApi &
  CompareApi &
  ElectronApi &
  RecoveryApi;
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
/**
 * Preload → main: paths of files the user dropped on the window. The preload reads them with
 * webUtils.getPathForFile, which only knows files that came from the OS (a page-made File has no
 * path), so a compromised page cannot use this channel to open files of its choosing.
 */
export const IPC_DROP = 'pinpoint:drop';
