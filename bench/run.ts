/**
 * `npm run bench [name…]` — runs every bench/*.bench.ts (or those whose file name contains a given
 * word). Each bench module default-exports an async function that measures its subject next to a
 * reference measured in the same run and prints ratios.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useNodeRuntime } from '../core/node-runtime.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

useNodeRuntime();

for (const f of files) {
  console.log(`\n=== ${f.replace('.bench.ts', '')} ===`);
  const mod = (await import(join(here, f))) as { default: () => Promise<void> };
  await mod.default();
}
if (files.length === 0) console.log(`no benchmark matches ${filters.join(' ')}`);
