/**
 * Where the app keeps its files and which paths the renderer may touch. The renderer is treated as
 * untrusted input (a page could be compromised): every path it sends must resolve under the repo's
 * notebooks/, the user data dir, or a file the user explicitly opened (dialog, drag-and-drop, CLI).
 */
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export function defaultDataDir(): string {
  return process.env.PINPOINT_HOME ? resolve(process.env.PINPOINT_HOME) : join(homedir(), '.pinpoint');
}

export function createPathGuard(roots: string[]) {
  const rootList = roots.map((r) => resolve(r));
  const allowed = new Set<string>();
  const under = (path: string, root: string) => {
    const rel = relative(root, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
  };
  return {
    allow(path: string) {
      allowed.add(resolve(path));
    },
    resolve(path: string): string {
      if (typeof path !== 'string' || path.length === 0)
        throw new BadRequest('expected a file path (a non-empty string)');
      if (path.includes('\0')) throw new BadRequest(`path contains a NUL byte: ${JSON.stringify(path)}`);
      const abs = resolve(rootList[0] ?? '.', path);
      if (allowed.has(abs) || rootList.some((root) => under(abs, root))) return abs;
      throw new BadRequest(
        `${path}: outside the folders the app may open (${rootList.join(', ')}); open it with File › Open first`,
      );
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
