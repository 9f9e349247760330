/**
 * Recovery files for unsaved notebook edits: `<data>/.recovery/<sha256(notebook path)>.json`, one per
 * notebook path, so two notebooks never share one and the same notebook always finds its own. The
 * folder is a dot-folder, so the app's file lists never show it. The notebook path goes through the
 * path guard (the page may keep edits only of notebooks it may open) and so does the recovery file
 * itself (a .json inside the data folder): a hostile page cannot use these methods to write elsewhere.
 */
import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NotebookDoc } from '../../shared/api.ts';
import type { RecoveredEdits, RecoveryApi } from '../../shared/api-recovery.ts';
import type { BackendContext } from './context.ts';
import { writeFileAtomic } from './files.ts';
import { BadRequest } from './paths.ts';

/** A recovery file larger than this is refused (the editor's notebooks are far smaller). */
const MAX_RECOVERY_BYTES = 8 * 1024 * 1024;
const FORMAT = 'pinpoint-notebook-recovery/1';

/** Where the edits of the notebook at `notebookAbs` are kept. */
export function recoveryFile(dataDir: string, notebookAbs: string): string {
  const id = createHash('sha256').update(notebookAbs).digest('hex').slice(0, 32);
  return join(dataDir, '.recovery', `${id}.json`);
}

/** Deletes the recovery file of a notebook (after it was saved); true when there was one. */
export async function discardRecovery(ctx: BackendContext, notebookAbs: string): Promise<boolean> {
  const file = ctx.resolveWritePath(recoveryFile(ctx.dataDir, notebookAbs));
  const existed = (await stat(file).catch(() => null)) !== null;
  await rm(file, { force: true });
  return existed;
}

export function createRecoveryHandlers(
  ctx: BackendContext,
  checkDoc: (doc: NotebookDoc, path: string) => void,
): RecoveryApi {
  return {
    async 'notebook.recovery.write'({ path, doc }) {
      const abs = ctx.resolvePath(path);
      checkDoc(doc, abs);
      const savedAt = Date.now();
      const body: RecoveredEdits & { format: string } = {
        format: FORMAT,
        path: abs,
        savedAt,
        doc: { ...doc, path: abs },
      };
      const text = JSON.stringify(body);
      if (Buffer.byteLength(text) > MAX_RECOVERY_BYTES)
        throw new BadRequest(`${abs}: the edited notebook is too large to autosave`, { file: abs });
      const file = ctx.resolveWritePath(recoveryFile(ctx.dataDir, abs));
      return { savedAt, bytes: await writeFileAtomic(file, text) };
    },
    async 'notebook.recovery.read'({ path }) {
      const abs = ctx.resolvePath(path);
      const file = ctx.resolvePath(recoveryFile(ctx.dataDir, abs));
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return null;
      }
      // A damaged recovery file is reported (naming it) rather than silently dropped: it may hold work.
      let parsed: Partial<RecoveredEdits> & { format?: unknown };
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new BadRequest(
          `${file}: recovery file of ${abs} is not valid JSON (${(err as Error).message})`,
          {
            code: 'bad-recovery',
            file,
          },
        );
      }
      if (
        parsed.format !== FORMAT ||
        parsed.path !== abs ||
        typeof parsed.savedAt !== 'number' ||
        !parsed.doc
      )
        throw new BadRequest(`${file}: not a recovery file of ${abs}`, { code: 'bad-recovery', file });
      checkDoc(parsed.doc, file);
      return { path: abs, savedAt: parsed.savedAt, doc: { ...parsed.doc, path: abs } };
    },
    async 'notebook.recovery.discard'({ path }) {
      return { deleted: await discardRecovery(ctx, ctx.resolvePath(path)) };
    },
  };
}
