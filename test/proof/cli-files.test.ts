/** cli/files.ts: the bundle and key files every CLI verb reads, and the errors that name them. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readBundleFile, readKeyOption } from '../../cli/files.ts';
import { keyFromSeed } from '../../core/proof/sign.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-cli-files-'));

test('readKeyOption: a seed, a key file, neither, both, an unreadable file', () => {
  assert.deepEqual(readKeyOption(undefined, 'alice')?.publicKey, keyFromSeed('alice').publicKey);
  assert.equal(readKeyOption(undefined, undefined), undefined);
  assert.throws(() => readKeyOption('k.json', 'alice'), /^Error: give either --key or --key-seed, not both$/);
  const missing = join(dir, 'missing.key');
  assert.throws(
    () => readKeyOption(missing, undefined),
    new RegExp(`cannot read key file ${missing}: ENOENT`),
  );
  const bad = join(dir, 'bad.key');
  writeFileSync(bad, 'not a key');
  assert.throws(() => readKeyOption(bad, undefined), /bad\.key/);
});

test('readBundleFile names the file it cannot read or parse', () => {
  const missing = join(dir, 'missing.pinproof');
  assert.throws(() => readBundleFile(missing), new RegExp(`cannot read ${missing}: ENOENT`));
  const junk = join(dir, 'junk.pinproof');
  writeFileSync(junk, 'PK junk');
  assert.throws(() => readBundleFile(junk), /junk\.pinproof/);
});
