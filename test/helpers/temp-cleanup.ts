/**
 * Tests leave the temp dir as they found it: every directory a test process creates with
 * fs.mkdtemp / mkdtempSync / fs.promises.mkdtemp under os.tmpdir() is removed when the process exits,
 * whether or not the test cleaned up itself (a failed assertion skips a test's own cleanup).
 * Loaded by test/helpers/fc-setup.ts, i.e. before every test file; scripts/test.sh checks the result.
 * The wrappers are installed on the fs module objects and synced into the ESM named exports
 * (module.syncBuiltinESMExports), so `import { mkdtempSync } from 'node:fs'` in a test gets them.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { resolve, sep } from 'node:path';

const created = new Set<string>();
const note = (dir: string): string => {
  const root = resolve(tmpdir()) + sep;
  if (resolve(dir).startsWith(root)) created.add(resolve(dir));
  return dir;
};

const origSync = fs.mkdtempSync;
const origCb = fs.mkdtemp;
const origPromise = fsp.mkdtemp;

fs.mkdtempSync = ((prefix: string, options?: unknown) =>
  note(String(origSync(prefix, options as BufferEncoding)))) as typeof fs.mkdtempSync;
fs.mkdtemp = ((prefix: string, ...rest: unknown[]) => {
  const cb = rest.pop() as (err: NodeJS.ErrnoException | null, dir: string) => void;
  (origCb as (...a: unknown[]) => void)(prefix, ...rest, (err: NodeJS.ErrnoException | null, dir: string) => {
    if (!err) note(String(dir));
    cb(err, dir);
  });
}) as typeof fs.mkdtemp;
fsp.mkdtemp = (async (prefix: string, options?: unknown) =>
  note(String(await origPromise(prefix, options as BufferEncoding)))) as typeof fsp.mkdtemp;
syncBuiltinESMExports();

process.on('exit', () => {
  for (const dir of created) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort: a directory still held open (e.g. by a killed child) stays; scripts/test.sh reports it.
    }
  }
});
