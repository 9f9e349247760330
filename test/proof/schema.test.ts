/**
 * docs/proof-bundle.schema.json must describe the manifests the writer really produces: a small
 * validator for the JSON-Schema subset the file uses (type, const, enum, required, properties,
 * additionalProperties: false, items, pattern, minimum, maximum, $ref to #/$defs) checks real bundles
 * and that the schema rejects edits the loader rejects.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { readBundle } from '../../core/proof/read.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { bundledTask } from '../train/helpers.ts';
import { KEY, smallRun } from './helpers.ts';

type Schema = Record<string, unknown>;
const root = JSON.parse(readFileSync('docs/proof-bundle.schema.json', 'utf8')) as Schema;

function validate(v: unknown, s: Schema, path: string, errors: string[]): void {
  if (typeof s.$ref === 'string') {
    const name = s.$ref.replace('#/$defs/', '');
    validate(v, (root.$defs as Record<string, Schema>)[name], path, errors);
    return;
  }
  if ('const' in s && v !== s.const) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(v)) errors.push(`${path}: not in enum`);
  const t = s.type;
  const isObj = v !== null && typeof v === 'object' && !Array.isArray(v);
  if (t === 'object' && !isObj) return void errors.push(`${path}: expected object`);
  if (t === 'array' && !Array.isArray(v)) return void errors.push(`${path}: expected array`);
  if (t === 'string' && typeof v !== 'string') return void errors.push(`${path}: expected string`);
  if (t === 'number' && typeof v !== 'number') return void errors.push(`${path}: expected number`);
  if (t === 'integer' && !Number.isInteger(v)) return void errors.push(`${path}: expected integer`);
  if (typeof s.minimum === 'number' && typeof v === 'number' && v < s.minimum)
    errors.push(`${path}: below minimum`);
  if (typeof s.maximum === 'number' && typeof v === 'number' && v > s.maximum)
    errors.push(`${path}: above maximum`);
  if (typeof s.pattern === 'string' && typeof v === 'string' && !new RegExp(s.pattern).test(v))
    errors.push(`${path}: pattern`);
  if (isObj) {
    const o = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const k of (s.required ?? []) as string[]) if (!(k in o)) errors.push(`${path}.${k}: missing`);
    for (const [k, val] of Object.entries(o)) {
      if (props[k]) validate(val, props[k], `${path}.${k}`, errors);
      else if (s.additionalProperties === false) errors.push(`${path}.${k}: not allowed`);
    }
  }
  if (Array.isArray(v) && s.items) {
    for (const [i, x] of v.entries()) validate(x, s.items as Schema, `${path}[${i}]`, errors);
  }
}

test('real fast and trace manifests validate against docs/proof-bundle.schema.json', () => {
  for (const mode of ['fast', 'trace'] as const) {
    const m = readBundle(bundleFromRun(smallRun(mode, undefined, 8, 4), KEY)).manifest;
    const errors: string[] = [];
    validate(m, root, '$', errors);
    assert.deepEqual(errors, [], mode);
    // and the schema is not vacuous
    const bad: string[] = [];
    validate({ ...m, version: 3, extra: 1, steps: [{ ...m.steps[0], stateAfter: 'xyz' }] }, root, '$', bad);
    assert.deepEqual(
      bad.sort(),
      ['$.extra: not allowed', '$.steps[0].stateAfter: pattern', '$.version: not in enum'].sort(),
    );
  }
});

test('a v2 manifest (sparse checkpoints) validates too', () => {
  const ctx = prepareTask(
    bundledTask('spirals-mlp', { steps: 8, checkpointEvery: 2, fullCheckpointEvery: 4 }),
  );
  const m = readBundle(bundleFromRun(train(ctx, { mode: 'fast' }), KEY)).manifest;
  assert.equal(m.version, 2);
  const errors: string[] = [];
  validate(m, root, '$', errors);
  assert.deepEqual(errors, []);
  const bad: string[] = [];
  validate({ ...m, checkpoints: [{ ...m.checkpoints[0], stored: 'some' }] }, root, '$', bad);
  assert.deepEqual(bad, ['$.checkpoints[0].stored: not in enum']);
});
