/**
 * Node adapter: a proof bundle file as a ByteSource read with positioned reads on one open descriptor,
 * so a 1 000-step bundle is never in memory whole. The descriptor closes with close() or at exit.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A ByteSource (core/proof/source.ts; same shape, not imported: platform sits below proof) that closes. */
export interface FileSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  readonly bytesRead: number;
  close(): void;
}

/** Opens `path` for reading; throws the fs error (the caller names the file in its message). */
export function openFileSource(path: string): FileSource {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let bytesRead = 0;
  let open = true;
  return {
    size,
    read(offset, length) {
      if (!open) throw new Error(`${path}: read after close`);
      const out = new Uint8Array(length);
      let at = 0;
      while (at < length) {
        const n = readSync(fd, out, at, length - at, offset + at);
        if (n === 0) throw new Error(`${path}: file shrank while reading (${offset + at} of ${size} bytes)`);
        at += n;
      }
      bytesRead += length;
      return out;
    },
    get bytesRead() {
      return bytesRead;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
