/**
 * A checkpoint store: full training states kept beside a proof bundle, one file per state, named by the
 * state digest the bundle commits to (docs/PROOF_FORMAT.md "Checkpoint stores").
 *
 * A bundle keeps full states only every `fullCheckpointEvery` steps (sparse copies keep it small), so a
 * verifier replays a sampled step from the nearest full copy below it: on a real-size run with the
 * bundled defaults that is most of the run, and verifying costs as much as training. As in Verde and
 * proof-of-learning, the solver keeps the other checkpoints' states and hands them out on request; here
 * they are files in a directory the verifier is pointed at. Nothing in the store is trusted: a state is
 * used only once every tensor's digest equals the bundle's commitment at that checkpoint, so a store can
 * make replays shorter but never change what verification decides.
 *
 * File: the ASCII line `pinpoint-state/1\n`, then the state's tensors in layout order, binary32 little-endian
 * (the bundle's checkpoint section encoding).
 */
import type { Digest } from '../hash/hex.ts';
import type { Tensor } from '../repops/tensor.ts';

export const STATE_FILE_MAGIC = 'pinpoint-state/1\n';
export const STATE_FILE_SUFFIX = '.pinstate';

/** Where a reader finds states by their digest (core stays free of file APIs: node-checkpoint-store.ts). */
export interface CheckpointStore {
  /** The store as a user names it (a directory), for messages. */
  readonly name: string;
  /** Whether the store holds a file for this state digest (its contents are checked when read). */
  has(state: Digest): boolean;
  /** That file's bytes, or null when it is absent. */
  read(state: Digest): Uint8Array | null;
  /** The file's name, for errors about it. */
  fileOf(state: Digest): string;
}

/**
 * A store file that cannot stand for its checkpoint (absent, malformed, or not the committed state). Not a
 * ProofError: the bundle is not at fault, and a verifier has not judged it.
 */
export class CheckpointStoreError extends Error {
  constructor(
    readonly file: string,
    readonly step: number,
    problem: string,
  ) {
    super(`checkpoint store file ${file} (checkpoint ${step}): ${problem}`);
    this.name = 'CheckpointStoreError';
  }
}

/** The store without some states: as if their files were absent (replays then start further back). */
export function storeWithout(store: CheckpointStore, states: ReadonlySet<Digest>): CheckpointStore {
  return {
    name: store.name,
    has: (state) => !states.has(state) && store.has(state),
    read: (state) => (states.has(state) ? null : store.read(state)),
    fileOf: (state) => store.fileOf(state),
  };
}

/** The file name of a state in a store. */
export function stateFileName(state: Digest): string {
  return `${state}${STATE_FILE_SUFFIX}`;
}

/** A state file's bytes: the magic line, then each tensor's data. */
export function encodeStateFile(tensors: readonly Tensor[]): Uint8Array {
  const magic = new TextEncoder().encode(STATE_FILE_MAGIC);
  const out = new Uint8Array(magic.length + tensors.reduce((n, t) => n + t.data.byteLength, 0));
  out.set(magic, 0);
  let at = magic.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * The data bytes of a state file whose tensors need `dataBytes` bytes in all, or why it is not one
 * (`problem`): the caller names the file and checks the tensors against their commitment.
 */
export function stateFileData(bytes: Uint8Array, dataBytes: number): Uint8Array | { problem: string } {
  const magic = STATE_FILE_MAGIC;
  let head = '';
  for (let i = 0; i < Math.min(magic.length, bytes.length); i++) head += String.fromCharCode(bytes[i]);
  if (head !== magic)
    return { problem: `not a Pinpoint state file (expected it to start with ${JSON.stringify(magic)})` };
  if (bytes.length - magic.length !== dataBytes)
    return {
      problem: `holds ${bytes.length - magic.length} bytes of tensors, the state layout needs ${dataBytes} (truncated?)`,
    };
  return bytes.subarray(magic.length);
}
