import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REPOPS_SPEC_VERSION } from '../../core/repops/index.ts';
import { opCatalogue } from './spec-catalogue.ts';

const spec = readFileSync(new URL('../../core/repops/SPEC.md', import.meta.url), 'utf8');

test('SPEC.md op catalogue matches the registry (run test/repops/gen-spec.ts after changing an op)', () => {
  const section = spec.split('<!-- BEGIN OP CATALOGUE -->\n')[1].split('<!-- END OP CATALOGUE -->')[0];
  assert.equal(section, opCatalogue());
});

test('SPEC.md names the current spec version', () => {
  assert.ok(spec.includes(`\`${REPOPS_SPEC_VERSION}\``));
});
