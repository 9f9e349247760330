/**
 * Uploads a dropped file's bytes to the backend ('files.import') in 1 MiB chunks, reporting progress.
 * Browser mode has no path for a dropped file, so this is how a proof, notebook or model gets into
 * the data folder. Plain DOM-free code (Blob + btoa), so the tests drive it in Node against the real
 * backend.
 */
import type { ImportChunk, ImportChunkResult } from '../../shared/api.ts';

export const CHUNK_BYTES = 1024 * 1024;

export type ImportDone = Extract<ImportChunkResult, { done: true }>;

export interface UploadOptions {
  chunkBytes?: number;
  onProgress?(received: number, size: number): void;
  signal?: AbortSignal;
}

export async function uploadFile(
  call: (args: ImportChunk) => Promise<ImportChunkResult>,
  file: Blob & { name: string },
  opts: UploadOptions = {},
): Promise<ImportDone> {
  const chunk = opts.chunkBytes ?? CHUNK_BYTES;
  let offset = 0;
  let uploadId: string | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw new Error(`${file.name}: import cancelled`);
    const bytes = new Uint8Array(await file.slice(offset, offset + chunk).arrayBuffer());
    const r = await call({ name: file.name, size: file.size, offset, data: toBase64(bytes), uploadId });
    opts.onProgress?.(r.received, r.size);
    if (r.done) return r;
    if (r.received <= offset) throw new Error(`${file.name}: the upload made no progress at byte ${offset}`);
    uploadId = r.uploadId;
    offset = r.received;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  // String.fromCharCode takes its arguments on the stack: convert in slices.
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x8000, bytes.length)));
  return btoa(s);
}
