/**
 * Regenerates the op catalogue section of core/repops/SPEC.md from the registry's spec strings.
 *   node --import tsx test/repops/gen-spec.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { opCatalogue } from './spec-catalogue.ts';

const path = new URL('../../core/repops/SPEC.md', import.meta.url);
const text = readFileSync(path, 'utf8');
const [head, rest] = text.split('<!-- BEGIN OP CATALOGUE -->');
const tail = rest.split('<!-- END OP CATALOGUE -->')[1];
writeFileSync(path, `${head}<!-- BEGIN OP CATALOGUE -->\n${opCatalogue()}<!-- END OP CATALOGUE -->${tail}`);
console.log(`updated ${path.pathname}`);
