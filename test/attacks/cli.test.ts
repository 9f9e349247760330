/** `pinpoint attack`: --list, one scenario with its outcome line and transcript, bad input. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ATTACKS } from '../../core/attacks/scenarios.ts';
import { parseTranscript } from '../../core/dispute/transcript.ts';
import { pinpoint } from '../train/run-cli.ts';

test('attack --list names every scenario', async () => {
  const r = await pinpoint(['attack', '--list']);
  assert.equal(r.code, 0);
  for (const a of ATTACKS) assert.match(r.stdout, new RegExp(`^${a.name} `, 'm'));
});

test('attack <name> prints who was caught where and writes the transcript', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'pinpoint-attack-')), 't.json');
  const r = await pinpoint(['attack', 'wrong-batch', '--seed', '5', '--steps', '32', '--transcript', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wrong-batch: solver loses at step \d+, op \d+ leaf \(leaf\) \[wrong-leaf\]/);
  const t = parseTranscript(readFileSync(file, 'utf8'), file);
  assert.equal(t.verdict.loser, 'solver');
});

test('attack: unknown names and bad options are clear errors', async () => {
  const r = await pinpoint(['attack', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown attack "nope"/);
  const m = await pinpoint(['attack', 'lazy', '--mode', 'slow']);
  assert.match(m.stderr, /--mode must be trace or fast/);
});
