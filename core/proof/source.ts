/**
 * Where a proof bundle's bytes come from. The reader asks for byte ranges, so a bundle on disk is read
 * a section at a time (core/platform/node-file-source.ts) instead of whole; in memory it is a view.
 * Synchronous on purpose: every consumer of bundles runs in Node (CLI, the app's backend), where a
 * positioned read on an open file is cheap, and a synchronous LoadedBundle keeps replay code simple.
 */
export interface ByteSource {
  readonly size: number;
  /** Bytes [offset, offset + length); the range is within size (the reader checks first). */
  read(offset: number, length: number): Uint8Array;
  /** Total bytes handed out so far (how much of the file a reader actually touched). */
  readonly bytesRead: number;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  let bytesRead = 0;
  return {
    size: bytes.length,
    read(offset, length) {
      bytesRead += length;
      return bytes.subarray(offset, offset + length);
    },
    get bytesRead() {
      return bytesRead;
    },
  };
}
