/**
 * The notebook file format (docs/NOTEBOOKS.md): Markdown with YAML front matter, prose, and fenced
 * TypeScript code cells carrying a stable id (```ts {id=c1}). Parsing partitions the file into front
 * matter + blocks that each keep their exact text, so `serialiseNotebook(parseNotebook(s)) === s` for
 * every accepted input, byte for byte. Outputs are never part of the source.
 */
import { parseDocument, stringify } from 'yaml';

export type Permission = 'fs' | 'net';
export const PERMISSIONS: readonly Permission[] = ['fs', 'net'];

export interface FrontMatter {
  title: string;
  author?: string;
  /** Pinpoint version the notebook was written for. */
  pinpoint?: string;
  /** RepOps spec version the notebook's digests were produced under. */
  repops?: string;
  /** Capabilities granted to cell code. Default: none (no fs, no network, no process). */
  permissions: Permission[];
  /** Per-cell time limit in milliseconds (the runner's --timeout overrides it). */
  timeout?: number;
  description?: string;
  tags?: string[];
}

export interface ProseBlock {
  kind: 'prose';
  /** Exact Markdown text, line endings included. */
  text: string;
}

export interface CodeCell {
  kind: 'code';
  id: string;
  /** `ts` or `typescript`. */
  lang: string;
  /** The fence characters as written (``` or ~~~, three or more). */
  fence: string;
  /** Everything after the fence on the opening line, e.g. `ts {id=c1}`. */
  info: string;
  /** Cell source: the exact text between the fence lines (every line with its line ending). */
  source: string;
  /** Closing fence line as written (without its line ending); empty when the file ends inside the fence is an error, so never empty. */
  close: string;
  /** Line ending after the opening fence. */
  eol: string;
  /** 1-based line of the opening fence in the file (for error messages). */
  line: number;
}

export type Block = ProseBlock | CodeCell;

export interface Notebook {
  /** File name used in error messages. */
  file: string;
  /** Exact front matter text including both `---` lines and the newline after the closing one. */
  frontMatterText: string;
  meta: FrontMatter;
  blocks: Block[];
}

/** A malformed notebook: names the file and the 1-based line. */
export class NotebookFormatError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'NotebookFormatError';
    this.file = file;
    this.line = line;
  }
}

export const CELL_ID_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const CODE_LANGS = new Set(['ts', 'typescript']);
const META_KEYS = new Set([
  'title',
  'author',
  'pinpoint',
  'repops',
  'permissions',
  'timeout',
  'description',
  'tags',
]);

interface Line {
  text: string; // without line ending
  eol: string; // '\n', '\r\n' or '' (last line without newline)
  start: number; // offset in the file
}

function splitLines(src: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < src.length) {
    const nl = src.indexOf('\n', start);
    if (nl < 0) {
      lines.push({ text: src.slice(start), eol: '', start });
      break;
    }
    const cr = nl > start && src[nl - 1] === '\r';
    lines.push({ text: src.slice(start, cr ? nl - 1 : nl), eol: cr ? '\r\n' : '\n', start });
    start = nl + 1;
  }
  return lines;
}

const FENCE_RE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

interface FenceOpen {
  indent: string;
  fence: string;
  info: string;
}

function fenceOpen(text: string): FenceOpen | null {
  const m = FENCE_RE.exec(text);
  if (!m) return null;
  // CommonMark: a backtick fence's info string may not contain backticks.
  if (m[2][0] === '`' && m[3].includes('`')) return null;
  return { indent: m[1], fence: m[2], info: m[3] };
}

function closesFence(text: string, fence: string): boolean {
  const m = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(text);
  return !!m && m[1][0] === fence[0] && m[1].length >= fence.length;
}

/** Parses `ts {id=c1}` → { lang, id } (id null when absent). Throws a message (no line) on malformed attrs. */
export function parseInfo(info: string): { lang: string; id: string | null } {
  const trimmed = info.trim();
  const m = /^(\S*?)\s*(\{.*\})?\s*$/.exec(trimmed);
  if (!m) return { lang: trimmed.split(/\s+/)[0] ?? '', id: null };
  const lang = m[1];
  if (!m[2]) return { lang, id: null };
  const body = m[2].slice(1, -1).trim();
  let id: string | null = null;
  for (const part of body.split(/\s+/).filter(Boolean)) {
    const kv = /^([A-Za-z][\w-]*)=(?:"([^"]*)"|(\S+))$/.exec(part);
    if (!kv) throw new Error(`malformed cell attribute "${part}" (expected key=value, e.g. {id=c1})`);
    if (kv[1] === 'id') id = kv[2] ?? kv[3];
  }
  return { lang, id };
}

function parseFrontMatter(file: string, yamlText: string, firstLine: number): FrontMatter {
  const doc = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = firstLine + (e.linePos?.[0]?.line ?? 1) - 1;
    throw new NotebookFormatError(
      file,
      line,
      `front matter is not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const at = (msg: string) => new NotebookFormatError(file, firstLine, `front matter: ${msg}`);
  let data: unknown;
  try {
    // Parsing succeeds on some documents that cannot become values (an alias to a missing anchor, `*x`).
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new NotebookFormatError(
      file,
      firstLine,
      `front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw at('must be a YAML mapping (key: value lines)');
  const rec = data as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (!META_KEYS.has(key) && !key.startsWith('x-')) {
      throw at(`unknown key "${key}" (allowed: ${[...META_KEYS].join(', ')}, or x-* for extensions)`);
    }
  }
  const str = (key: string): string | undefined => {
    const v = rec[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw at(`"${key}" must be a string`);
    return String(v);
  };
  const title = str('title');
  if (!title?.trim()) throw at('"title" is required');
  const meta: FrontMatter = { title, permissions: [] };
  for (const key of ['author', 'pinpoint', 'repops', 'description'] as const) {
    const v = str(key);
    if (v !== undefined) meta[key] = v;
  }
  const perms = rec.permissions;
  if (perms !== undefined && perms !== null) {
    if (!Array.isArray(perms)) throw at(`"permissions" must be a list, e.g. [fs, net] (default: none)`);
    for (const p of perms) {
      if (!PERMISSIONS.includes(p as Permission)) {
        throw at(`unknown permission ${JSON.stringify(p)} (allowed: ${PERMISSIONS.join(', ')})`);
      }
      if (!meta.permissions.includes(p as Permission)) meta.permissions.push(p as Permission);
    }
  }
  if (rec.timeout !== undefined && rec.timeout !== null) {
    const t = rec.timeout;
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0)
      throw at('"timeout" must be a positive number of milliseconds');
    meta.timeout = t;
  }
  if (rec.tags !== undefined && rec.tags !== null) {
    if (!Array.isArray(rec.tags) || !rec.tags.every((t) => typeof t === 'string'))
      throw at('"tags" must be a list of strings');
    meta.tags = rec.tags as string[];
  }
  return meta;
}

/** Parses a notebook. Throws NotebookFormatError (file:line: problem) on malformed input. */
export function parseNotebook(source: string, file = '<notebook>'): Notebook {
  if (typeof source !== 'string') throw new NotebookFormatError(file, 1, 'notebook source must be text');
  const lines = splitLines(source);
  let i = 0;
  let frontMatterText = '';
  if (lines.length === 0 || lines[0].text.replace(/^\uFEFF/, '') !== '---') {
    throw new NotebookFormatError(
      file,
      1,
      'a notebook starts with YAML front matter: a "---" line, "title: …", then "---"',
    );
  }
  let end = -1;
  for (let j = 1; j < lines.length; j++) {
    if (lines[j].text === '---' || lines[j].text === '...') {
      end = j;
      break;
    }
  }
  if (end < 0) throw new NotebookFormatError(file, 1, 'front matter is not closed (missing a "---" line)');
  const yamlStart = lines[1]?.start ?? source.length;
  const yamlText = source.slice(yamlStart, lines[end].start);
  const meta = parseFrontMatter(file, yamlText, 2);
  const fmEnd = lines[end].start + lines[end].text.length + lines[end].eol.length;
  frontMatterText = source.slice(0, fmEnd);
  i = end + 1;

  const blocks: Block[] = [];
  const ids = new Map<string, number>();
  let proseStart = fmEnd;
  const flushProse = (upto: number) => {
    if (upto > proseStart) blocks.push({ kind: 'prose', text: source.slice(proseStart, upto) });
  };
  while (i < lines.length) {
    const ln = lines[i];
    const open = fenceOpen(ln.text);
    if (!open) {
      i++;
      continue;
    }
    let info: { lang: string; id: string | null };
    try {
      info = parseInfo(open.info);
    } catch (err) {
      throw new NotebookFormatError(file, i + 1, (err as Error).message);
    }
    let close = -1;
    for (let j = i + 1; j < lines.length; j++) {
      if (closesFence(lines[j].text, open.fence)) {
        close = j;
        break;
      }
    }
    const isCell = CODE_LANGS.has(info.lang.toLowerCase());
    if (close < 0) {
      throw new NotebookFormatError(
        file,
        i + 1,
        `${isCell ? 'code cell' : 'code block'} fence ${open.fence} is never closed (add a ${open.fence} line after the code)`,
      );
    }
    if (!isCell) {
      // Another language's code block is prose; skip it whole so fences inside it are not cells.
      i = close + 1;
      continue;
    }
    if (info.id === null) {
      throw new NotebookFormatError(
        file,
        i + 1,
        `code cell has no id: write ${open.fence}${info.lang} {id=c1} with an id unique in the notebook`,
      );
    }
    if (!CELL_ID_RE.test(info.id)) {
      throw new NotebookFormatError(
        file,
        i + 1,
        `cell id "${info.id}" is invalid (letters, digits, _ . -; at most 64 characters)`,
      );
    }
    const prev = ids.get(info.id);
    if (prev !== undefined)
      throw new NotebookFormatError(
        file,
        i + 1,
        `duplicate cell id "${info.id}" (first used on line ${prev})`,
      );
    if (open.indent !== '')
      throw new NotebookFormatError(file, i + 1, 'code cell fences must start at column 1 (no indentation)');
    ids.set(info.id, i + 1);
    flushProse(ln.start);
    const srcStart = ln.start + ln.text.length + ln.eol.length;
    const closeLn = lines[close];
    blocks.push({
      kind: 'code',
      id: info.id,
      lang: info.lang,
      fence: open.fence,
      info: open.info,
      source: source.slice(srcStart, closeLn.start),
      close: closeLn.text,
      eol: ln.eol,
      line: i + 1,
    });
    proseStart = closeLn.start + closeLn.text.length;
    i = close + 1;
  }
  flushProse(source.length);
  return { file, frontMatterText, meta, blocks };
}

/** Exact inverse of parseNotebook for unmodified notebooks; rebuilds edited cells from their fields. */
export function serialiseNotebook(nb: Notebook): string {
  let out = nb.frontMatterText;
  for (const b of nb.blocks) {
    if (b.kind === 'prose') {
      out += b.text;
      continue;
    }
    const eol = b.eol || '\n';
    let src = b.source;
    if (src !== '' && !src.endsWith('\n')) src += eol;
    out += `${b.fence}${b.info}${eol}${src}${b.close || b.fence}`;
  }
  return out;
}

export function codeCells(nb: Notebook): CodeCell[] {
  return nb.blocks.filter((b): b is CodeCell => b.kind === 'code');
}

/** A new cell with canonical fence and info (for editors that add cells). */
export function makeCell(id: string, source: string, line = 0): CodeCell {
  if (!CELL_ID_RE.test(id)) throw new Error(`cell id "${id}" is invalid`);
  return {
    kind: 'code',
    id,
    lang: 'ts',
    fence: '```',
    info: `ts {id=${id}}`,
    source,
    close: '```',
    eol: '\n',
    line,
  };
}

/** Replaces the front matter (re-serialised as YAML) — for editors; parsing keeps the original text. */
export function withMeta(nb: Notebook, meta: FrontMatter): Notebook {
  const data: Record<string, unknown> = { ...meta };
  if (meta.permissions.length === 0) delete data.permissions;
  return { ...nb, meta, frontMatterText: `---\n${stringify(data)}---\n` };
}

/** 1-based line in the notebook file of line `cellLine` (1-based) of a cell's source. */
export function fileLineOf(cell: CodeCell, cellLine: number): number {
  return cell.line + cellLine;
}
