/** A BackendContext for the views' handlers on a temp data dir: paths outside it are refused. */
import type { BackendContext } from '../../../desktop/main/backend/context.ts';

export function ctxOf(dir: string, demo: BackendContext['demo'] = {}): BackendContext {
  return {
    repoRoot: process.cwd(),
    dataDir: dir,
    demo,
    resolvePath: (p: string) => {
      if (!p.startsWith(dir)) throw new Error(`${p}: outside the allowed folders`);
      return p;
    },
    resolveWritePath: (p: string) => {
      if (!p.startsWith(dir)) throw new Error(`${p}: outside the allowed folders`);
      return p;
    },
    allowPath() {},
    jobs: {} as BackendContext['jobs'],
    emit() {},
  };
}
