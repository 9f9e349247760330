/**
 * What a backend handler module receives: paths, the job runner and the event bus. The shell's
 * handlers (shell.ts) and the views' handlers (views.ts, issue 8) are both built from it.
 */
import type { JobInfo, ServerEvent } from '../../shared/api.ts';

export interface JobControl {
  /** Aborted when the user cancels the job. */
  signal: AbortSignal;
  /** Updates the status bar's progress for this job. */
  progress(done: number, total: number, label?: string): void;
}

export interface JobRunner {
  /** Starts `work` in the background and returns at once; errors become a 'failed' job. */
  start(kind: string, title: string, work: (job: JobControl) => Promise<void>): JobInfo;
  get(id: string): JobInfo | undefined;
  list(): JobInfo[];
  cancel(id: string): JobInfo | null;
  wait(id: string, timeoutMs?: number): Promise<JobInfo>;
}

export interface BackendContext {
  /** Repository root (holds notebooks/). */
  repoRoot: string;
  /** User data dir ($PINPOINT_HOME or ~/.pinpoint): demo ledger, demo proof, recent files. */
  dataDir: string;
  /** Demo artefacts created on first start (paths; absent when their module is not available). */
  demo: { notebook?: string; proof?: string; ledger?: string };
  /**
   * Resolves a path the renderer sent and checks it lies under an allowed root (repo, data dir or
   * a file the user opened explicitly); throws a clear error otherwise.
   */
  resolvePath(path: string): string;
  /** As resolvePath, for a write: also refuses file types other than notebooks, proofs and JSON. */
  resolveWritePath(path: string): string;
  /** Marks a path the user picked (dialog, drag-and-drop) as allowed. */
  allowPath(path: string): void;
  jobs: JobRunner;
  emit(event: ServerEvent): void;
}

/** A handler map: method name → async function of the JSON args. */
export type Handlers = Record<string, (args: never) => Promise<unknown>>;
