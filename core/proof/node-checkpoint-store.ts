/**
 * Node adapter: a checkpoint store on disk (core/proof/checkpoint-store.ts), a directory of
 * `<state digest>.pinstate` files. `train --checkpoint-store` writes one per commitment-only checkpoint;
 * `verify`, `inspect` and the app replay from them (each checked against the bundle before use).
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '../hash/hex.ts';
import type { Tensor } from '../repops/tensor.ts';
import { type CheckpointStore, encodeStateFile, stateFileName } from './checkpoint-store.ts';

/** Where the app looks for a bundle's store when none is named: `run.pinproof` → `run.states/`. */
export function siblingStoreDir(proofPath: string): string {
  return `${proofPath.replace(/\.pinproof$/, '')}.states`;
}

/** The store in `dir`, which must be an existing directory. */
export function directoryCheckpointStore(dir: string): CheckpointStore {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    throw new Error(
      `checkpoint store ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`,
    );
  }
  if (!isDir) throw new Error(`checkpoint store ${dir}: not a directory`);
  const fileOf = (state: Digest) => join(dir, stateFileName(state));
  return {
    name: dir,
    fileOf,
    has: (state) => existsSync(fileOf(state)),
    read(state) {
      try {
        return readFileSync(fileOf(state));
      } catch {
        return null;
      }
    },
  };
}

/**
 * A writer of state files into `dir` (created now if needed): each state goes under its digest, written
 * whole under a temporary name and renamed, so a crash never leaves a torn file; a file already there
 * under that name is kept (the name is its content's digest). `written` counts what it wrote.
 */
export function checkpointStoreWriter(dir: string): {
  write(state: Digest, tensors: readonly Tensor[]): void;
  readonly written: { files: number; bytes: number; kept: number };
} {
  // Checked now, so a run does not train for an hour and then fail at its first checkpoint.
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new Error(`checkpoint store ${dir}: ${(err as Error).message}`);
  }
  const written = { files: 0, bytes: 0, kept: 0 };
  return {
    written,
    write(state, tensors) {
      const file = join(dir, stateFileName(state));
      if (existsSync(file)) {
        written.kept++;
        return;
      }
      const data = encodeStateFile(tensors);
      const tmp = `${file}.tmp-${process.pid}`;
      try {
        writeFileSync(tmp, data);
        renameSync(tmp, file);
      } catch (err) {
        throw new Error(
          `checkpoint store ${dir}: cannot write ${stateFileName(state)}: ${(err as Error).message}`,
        );
      }
      written.files++;
      written.bytes += data.length;
    },
  };
}

/** Writes each state to `dir` (checkpointStoreWriter); returns how many files and bytes were written. */
export function writeCheckpointStore(
  dir: string,
  states: readonly { readonly state: Digest; readonly tensors: readonly Tensor[] }[],
): { files: number; bytes: number } {
  const w = checkpointStoreWriter(dir);
  for (const { state, tensors } of states) w.write(state, tensors);
  return { files: w.written.files, bytes: w.written.bytes };
}
