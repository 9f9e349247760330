/**
 * Backend methods that keep unsaved notebook edits safe (issue 15, "never lose work"): the notebook
 * view autosaves its edited document to a recovery file in the data folder, one per notebook path, and
 * offers it back the next time that notebook opens. Saving the notebook deletes its recovery file.
 */
import type { NotebookDoc } from './api.ts';

/** What a recovery file holds: the notebook's path, when the edits were autosaved, the edited document. */
export interface RecoveredEdits {
  /** The notebook file the edits belong to (absolute). */
  path: string;
  /** Epoch milliseconds of the autosave. */
  savedAt: number;
  doc: NotebookDoc;
}

export interface RecoveryApi {
  /** Autosaves the edited document of the notebook at `path` (replacing its previous recovery file). */
  'notebook.recovery.write': (args: { path: string; doc: NotebookDoc }) => Promise<{
    savedAt: number;
    bytes: number;
  }>;
  /** The autosaved edits of the notebook at `path`, or null when there are none. */
  'notebook.recovery.read': (args: { path: string }) => Promise<RecoveredEdits | null>;
  /** Deletes the recovery file of the notebook at `path` (the user chose Discard). */
  'notebook.recovery.discard': (args: { path: string }) => Promise<{ deleted: boolean }>;
}
