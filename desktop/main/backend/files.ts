/** File helpers: listing the app's folders, atomic writes, recent files. */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FileEntry } from '../../shared/api.ts';
import { fileKind } from '../../shared/file-kind.ts';

/** Lists files under `dir` (depth ≤ 3), skipping dot-folders and node_modules. */
export async function listFiles(dir: string, source: string, depth = 3): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth > 1) out.push(...(await listFiles(path, source, depth - 1)));
    } else if (e.isFile()) {
      const s = await stat(path).catch(() => null);
      if (!s) continue;
      out.push({ path, name: e.name, kind: fileKind(path), size: s.size, mtimeMs: s.mtimeMs, source });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Writes through a temp file + rename so a crash never leaves a half-written notebook. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

const MAX_RECENT = 12;

export async function readRecent(dataDir: string): Promise<string[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dataDir, 'recent.json'), 'utf8'));
    return Array.isArray(parsed)
      ? parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT)
      : [];
  } catch {
    return [];
  }
}

export async function addRecent(dataDir: string, path: string): Promise<string[]> {
  const list = [path, ...(await readRecent(dataDir)).filter((p) => p !== path)].slice(0, MAX_RECENT);
  await writeFileAtomic(join(dataDir, 'recent.json'), `${JSON.stringify(list, null, 2)}\n`);
  return list;
}
