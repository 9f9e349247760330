/**
 * Child-process entry: generates the prelude's type definitions (prelude-types.ts `generate`) off the
 * backend's event loop — the TypeScript compiler runs synchronously for seconds — and sends the
 * result to the parent over IPC.
 */
import { generate } from './prelude-types.ts';

const [repoRoot, entry] = process.argv.slice(2);
generate(repoRoot, entry).then(
  (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
  (err) => process.send?.({ ok: false, message: (err as Error).message }, () => process.exit(1)),
);
