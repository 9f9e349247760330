/**
 * Where the app keeps its files and which paths the renderer may touch. The renderer is treated as
 * untrusted input (a page could be compromised): every path it sends must resolve (symlinks followed)
 * under the repo's notebooks/, the user data dir, or a file the user explicitly opened (dialog,
 * drag-and-drop, CLI); it writes only notebook, proof and JSON files.
 */

import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export function defaultDataDir(): string {
  return process.env.PINPOINT_HOME ? resolve(process.env.PINPOINT_HOME) : join(homedir(), '.pinpoint');
}

/** File types the page may write (notebooks; proofs and transcripts it saves). Anything else is read-only. */
export const WRITABLE_EXTENSIONS = ['.md', '.pinproof', '.json'] as const;

/**
 * The longest existing prefix of `abs` with symlinks resolved, plus the rest: a path cannot leave a root
 * through a symlink inside it (notebooks/evil → /etc), even for a file that does not exist yet.
 */
export function realpathLoose(abs: string): string {
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.push(basename(head));
      head = parent;
    }
  }
}

/**
 * The renderer's file access: paths must resolve — symlinks followed — under one of `roots` (the repo's
 * notebooks/ and the data folder) or be a file the user opened (dialog, drop, CLI, Save As); writes
 * additionally need a notebook/proof/JSON extension, so even a compromised page cannot rewrite code.
 */
export function createPathGuard(roots: string[]) {
  const rootList = roots.map((r) => realpathLoose(resolve(r)));
  const allowed = new Set<string>();
  const under = (path: string, root: string) => {
    const rel = relative(root, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
  };
  const check = (path: string): string => {
    if (typeof path !== 'string' || path.length === 0)
      throw new BadRequest('expected a file path (a non-empty string)');
    if (path.includes('\0')) throw new BadRequest(`path contains a NUL byte: ${JSON.stringify(path)}`);
    const abs = resolve(rootList[0] ?? '.', path);
    const real = realpathLoose(abs);
    if (allowed.has(abs) || allowed.has(real) || rootList.some((root) => under(real, root))) return abs;
    throw new BadRequest(
      `${path}: outside the folders the app may open (${rootList.join(', ')}); open it with File › Open first`,
    );
  };
  return {
    allow(path: string) {
      const abs = resolve(path);
      allowed.add(abs);
      allowed.add(realpathLoose(abs));
    },
    resolve: check,
    /** As `resolve`, for a file the page wants to write. */
    resolveWrite(path: string): string {
      const abs = check(path);
      const ext = extname(abs).toLowerCase();
      if (!(WRITABLE_EXTENSIONS as readonly string[]).includes(ext))
        throw new BadRequest(`${abs}: the app writes only ${WRITABLE_EXTENSIONS.join(', ')} files`, {
          file: abs,
        });
      return abs;
    },
  };
}

/** An error caused by the caller's input (reported with code 'bad-request', no stack). */
export class BadRequest extends Error {
  readonly code: string;
  readonly file?: string;
  readonly line?: number;
  constructor(message: string, opts: { code?: string; file?: string; line?: number } = {}) {
    super(message);
    this.name = 'BadRequest';
    this.code = opts.code ?? 'bad-request';
    this.file = opts.file;
    this.line = opts.line;
  }
}
