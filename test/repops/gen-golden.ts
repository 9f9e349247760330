/**
 * Regenerates test/repops/golden.json from core/repops/golden/cases.ts.
 *   node --import tsx test/repops/gen-golden.ts
 * Only run this for an intended, versioned spec change (bump REPOPS_SPEC_VERSION first): the golden test
 * exists to fail when any output bit changes.
 */
import { writeFileSync } from 'node:fs';
import { computeGolden } from '../../core/repops/golden/cases.ts';

const table = computeGolden();
const path = new URL('./golden.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(table, null, 2)}\n`);
console.log(`wrote ${Object.keys(table.digests).length} digests for ${table.version} to ${path.pathname}`);
