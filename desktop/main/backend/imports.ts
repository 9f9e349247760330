/**
 * Files dropped on the window in browser mode. The page has no path for a dropped file, so it uploads
 * the bytes ('files.import', in chunks so big models show progress and no request nears the server's
 * body limit) into `<data>/imports/`. Nothing is kept until the whole file has arrived and passed the
 * same checks the views apply when they open it: the type is sniffed from the content (PINPROOF
 * header, ONNX protobuf, UTF-8 notebook text) and must agree with the extension; then the file is
 * fully parsed (proof bundle validation, ONNX decoding, notebook format). Every error names the
 * dropped file.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { appendFile, copyFile, link, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { OnnxError } from '../../../core/onnx/model.ts';
import { readOnnx } from '../../../core/onnx/read.ts';
import { PROOF_MAGIC, ProofError } from '../../../core/proof/format.ts';
import { readBundle } from '../../../core/proof/read.ts';
import type { ImportChunk, ImportChunkResult, ImportKind } from '../../shared/api.ts';
import type { BackendContext } from './context.ts';
import { addRecent } from './files.ts';
import type { NotebookEngine } from './notebook-engine.ts';
import { BadRequest } from './paths.ts';

/** Default largest import (ONNX models are the big ones); `PINPOINT_IMPORT_LIMIT_MB` overrides it. */
export const DEFAULT_IMPORT_LIMIT = 256 * 1024 * 1024;
/** Largest chunk accepted per call (the renderer sends 1 MiB; base64 keeps requests < 32 MB). */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;
/** Uploads with no chunk for this long are abandoned (their partial file is deleted). */
const STALE_MS = 10 * 60 * 1000;
/** Uploads in flight at once (a guard against a page filling the disk with partial files). */
const MAX_OPEN_UPLOADS = 8;

export const IMPORT_DIR = 'imports';

const EXT: Record<ImportKind, string> = { proof: '.pinproof', notebook: '.md', onnx: '.onnx' };
const VIEW: Record<ImportKind, string> = { proof: 'proof', notebook: 'notebook', onnx: 'model' };
/** Extensions that name a kind; any other extension (or none) lets the content decide. */
const KIND_OF_EXT: Record<string, ImportKind> = Object.fromEntries(
  (Object.entries(EXT) as [ImportKind, string][]).map(([kind, ext]) => [ext, kind]),
);

export interface ImportOptions {
  engine: NotebookEngine;
  /** Largest file accepted, in bytes. */
  maxBytes?: number;
}

interface Upload {
  id: string;
  name: string;
  size: number;
  received: number;
  part: string;
  lastSeen: number;
}

export function importLimit(): number {
  const mb = Number(process.env.PINPOINT_IMPORT_LIMIT_MB);
  return Number.isFinite(mb) && mb > 0 ? Math.floor(mb * 1024 * 1024) : DEFAULT_IMPORT_LIMIT;
}

/** The dropped name without folders or characters that do not belong in a file name. */
export function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[^A-Za-z0-9._ -]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  return clean.slice(-120) || 'dropped-file';
}

/**
 * What the bytes are, judged by content first and checked against the extension; throws a
 * BadRequest naming the file when they are no Pinpoint file or do not match their name.
 */
export function sniffKind(bytes: Uint8Array, name: string): ImportKind {
  const ext = extname(name).toLowerCase();
  const byExt = KIND_OF_EXT[ext];
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 8));
  const content: ImportKind | null =
    head === PROOF_MAGIC ? 'proof' : looksLikeOnnx(bytes) ? 'onnx' : looksLikeText(bytes) ? 'notebook' : null;
  if (byExt && content && byExt !== content)
    throw new BadRequest(
      `${name}: not ${byExt === 'notebook' ? 'a notebook' : describe(byExt)}: the name ends in ${ext} but the content is ${describe(content)}${
        content === 'notebook' ? '' : `; rename it to ${EXT[content]}`
      }`,
      { code: 'bad-import', file: name },
    );
  if (byExt) return byExt; // e.g. a binary .pinproof without its header: the parser explains.
  if (content === 'proof' || content === 'onnx') return content;
  throw new BadRequest(
    `${name}: not a file Pinpoint can import — drop a proof bundle (.pinproof), a notebook (.md) or an ONNX model (.onnx)${
      bytes.length === 0
        ? ' (the file is empty)'
        : content === 'notebook'
          ? ' (text files must end in .md)'
          : ''
    }`,
    { code: 'bad-import', file: name },
  );
}

/** Parses the whole file as `kind`; throws a BadRequest naming the file and the problem. */
export function checkImport(bytes: Uint8Array, name: string, kind: ImportKind, engine: NotebookEngine): void {
  try {
    if (kind === 'proof') readBundle(bytes, name);
    else if (kind === 'onnx') readOnnx(bytes, name);
    else {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw new BadRequest(`${name}: not a notebook: the file is not UTF-8 text`, {
          code: 'bad-import',
          file: name,
        });
      }
      if (text.includes('\0'))
        throw new BadRequest(`${name}: not a notebook: the file contains NUL bytes (binary data?)`, {
          code: 'bad-import',
          file: name,
        });
      engine.parse(text, name);
    }
  } catch (err) {
    if (err instanceof BadRequest) {
      const file = err.file?.endsWith(name) ? name : (err.file ?? name);
      const message = err.message.includes(name) ? err.message : `${name}: ${err.message}`;
      throw new BadRequest(message, {
        code: err.code === 'bad-request' ? 'bad-import' : err.code,
        file,
        line: err.line,
      });
    }
    if (err instanceof ProofError || err instanceof OnnxError)
      throw new BadRequest(
        kind === 'proof'
          ? err.message.replace(`${name}: `, `${name}: not a valid proof bundle: `)
          : err.message.replace(`${name}: `, `${name}: not a valid ONNX model: `),
        { code: 'bad-import', file: name },
      );
    throw err;
  }
}

export function createImportHandlers(ctx: BackendContext, opts: ImportOptions) {
  const limit = opts.maxBytes ?? importLimit();
  const dir = join(ctx.dataDir, IMPORT_DIR);
  const uploads = new Map<string, Upload>();

  const drop = async (u: Upload) => {
    uploads.delete(u.id);
    await rm(u.part, { force: true });
  };
  const dropStale = async () => {
    const now = Date.now();
    for (const u of [...uploads.values()]) if (now - u.lastSeen > STALE_MS) await drop(u);
    // Partial files of a backend that stopped mid-upload.
    const live = new Set([...uploads.values()].map((u) => u.part));
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      const part = join(dir, f);
      if (!/^\.upload-[0-9a-f]+\.part$/.test(f) || live.has(part)) continue;
      const s = await stat(part).catch(() => null);
      if (s && now - s.mtimeMs > STALE_MS) await rm(part, { force: true });
    }
  };

  const begin = async (name: string, size: number): Promise<Upload> => {
    if (!Number.isSafeInteger(size) || size < 0)
      throw new BadRequest(`${name}: "size" must be the file's byte count`, { file: name });
    if (size > limit)
      throw new BadRequest(
        `${name}: ${mib(size)} is larger than the import limit of ${mib(limit)} (set PINPOINT_IMPORT_LIMIT_MB to raise it)`,
        { code: 'too-large', file: name },
      );
    await dropStale();
    if (uploads.size >= MAX_OPEN_UPLOADS)
      throw new BadRequest(`${name}: too many imports in progress; wait for them to finish`, { file: name });
    await mkdir(dir, { recursive: true });
    const id = randomBytes(12).toString('hex');
    // A dot-file: the data folder's listing skips it while it is incomplete.
    const u: Upload = {
      id,
      name,
      size,
      received: 0,
      part: join(dir, `.upload-${id}.part`),
      lastSeen: Date.now(),
    };
    uploads.set(id, u);
    return u;
  };

  /** Moves the checked upload to imports/<name>, reusing an identical earlier import. */
  const place = async (u: Upload, bytes: Uint8Array, kind: ImportKind) => {
    let base = safeName(u.name);
    if (extname(base).toLowerCase() !== EXT[kind]) base += EXT[kind];
    const stem = base.slice(0, base.length - EXT[kind].length);
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${stem}-${n}${EXT[kind]}`;
      const path = join(dir, candidate);
      if (await claim(u.part, path)) return { path, reused: false };
      const s = await stat(path).catch(() => null);
      if (s?.isFile() && s.size === bytes.length && Buffer.from(await readFile(path)).equals(bytes)) {
        await rm(u.part, { force: true });
        return { path, reused: true };
      }
    }
  };

  return {
    async 'files.import'(args: ImportChunk): Promise<ImportChunkResult> {
      if (!args || typeof args !== 'object')
        throw new BadRequest('files.import: expected { name, size, offset, data }');
      const { size, offset, data, uploadId } = args;
      if (typeof args.name !== 'string' || args.name.trim() === '')
        throw new BadRequest('files.import: "name" must be the dropped file\'s name');
      const name = safeName(args.name);
      if (typeof data !== 'string')
        throw new BadRequest(`${name}: "data" must be a base64 string`, { file: name });
      if (!Number.isSafeInteger(offset) || offset < 0)
        throw new BadRequest(`${name}: "offset" must be a byte offset`, { file: name });
      let u: Upload;
      if (offset === 0 && uploadId === undefined) u = await begin(name, size);
      else {
        const found = typeof uploadId === 'string' ? uploads.get(uploadId) : undefined;
        if (!found)
          throw new BadRequest(
            `${name}: no import in progress with id ${JSON.stringify(uploadId)} (expired or finished?)`,
            {
              code: 'not-found',
              file: name,
            },
          );
        u = found;
      }
      try {
        if (offset !== u.received)
          throw new BadRequest(
            `${name}: chunk at byte ${offset}, expected byte ${u.received} (chunks go in order)`,
            {
              file: name,
            },
          );
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data))
          throw new BadRequest(`${name}: chunk at byte ${offset} is not base64`, { file: name });
        const chunk = Buffer.from(data, 'base64');
        if (chunk.length > MAX_CHUNK_BYTES)
          throw new BadRequest(`${name}: chunk of ${chunk.length} bytes exceeds ${MAX_CHUNK_BYTES}`, {
            file: name,
          });
        if (u.received + chunk.length > u.size)
          throw new BadRequest(`${name}: more bytes than the declared size ${u.size}`, { file: name });
        if (chunk.length === 0 && u.received < u.size)
          throw new BadRequest(`${name}: empty chunk at byte ${offset} of ${u.size}`, { file: name });
        await appendFile(u.part, chunk);
        u.received += chunk.length;
        u.lastSeen = Date.now();
        const progress = { uploadId: u.id, received: u.received, size: u.size, limit };
        if (u.received < u.size) return { done: false, ...progress };
        // Complete: check it as the view that opens it would, then keep it.
        uploads.delete(u.id);
        const bytes = new Uint8Array(await readFile(u.part));
        const kind = sniffKind(bytes, u.name);
        checkImport(bytes, u.name, kind, opts.engine);
        const { path, reused } = await place(u, bytes, kind);
        await addRecent(ctx.dataDir, path);
        return { done: true, ...progress, path, kind, view: VIEW[kind], reused };
      } catch (err) {
        await drop(u);
        throw err;
      }
    },
  };
}

/**
 * Moves `part` to `path` unless `path` exists (false then). Unlike rename, link() and an exclusive copy
 * never replace a file, so two imports of one name at once cannot overwrite each other.
 */
async function claim(part: string, path: string): Promise<boolean> {
  const exists = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST';
  try {
    await link(part, path);
  } catch (err) {
    if (exists(err)) return false;
    // A file system without hard links: copy, failing if the name was taken meanwhile.
    try {
      await copyFile(part, path, constants.COPYFILE_EXCL);
    } catch (err2) {
      if (exists(err2)) return false;
      throw err2;
    }
  }
  await rm(part, { force: true });
  return true;
}

function looksLikeOnnx(bytes: Uint8Array): boolean {
  // A ModelProto starts with a small varint field (ir_version = field 1, tag 0x08) or, from some
  // exporters, opset_import / producer_name (length-delimited fields 8 and 2: tags 0x42, 0x12).
  if (bytes.length < 2) return false;
  if (bytes[0] === 0x08) return bytes[1] > 0 && bytes[1] < 0x20;
  return false;
}

function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0 || (b < 0x09 && b !== 0x1b)) return false;
  }
  return true;
}

function describe(kind: ImportKind): string {
  return kind === 'proof' ? 'a proof bundle' : kind === 'onnx' ? 'an ONNX model' : 'text';
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`;
}
