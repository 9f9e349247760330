/** `pinpoint attack`: --list, one scenario with its outcome line and transcript, bad input. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main.ts';
import { ATTACKS } from '../../core/attacks/scenarios.ts';
import { parseTranscript } from '../../core/dispute/transcript.ts';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

test('attack --list names every scenario', async () => {
  const r = await capture(['attack', '--list']);
  assert.equal(r.code, 0);
  for (const a of ATTACKS) assert.match(r.out, new RegExp(`^${a.name} `, 'm'));
});

test('attack <name> prints who was caught where and writes the transcript', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'pinpoint-attack-')), 't.json');
  const r = await capture(['attack', 'wrong-batch', '--seed', '5', '--steps', '32', '--transcript', file]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^wrong-batch: solver loses at step \d+, op \d+ leaf \(leaf\) \[wrong-leaf\]/);
  const t = parseTranscript(readFileSync(file, 'utf8'), file);
  assert.equal(t.verdict.loser, 'solver');
});

test('attack: unknown names and bad options are clear errors', async () => {
  const r = await capture(['attack', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.err, /unknown attack "nope"/);
  const m = await capture(['attack', 'lazy', '--mode', 'slow']);
  assert.match(m.err, /--mode must be trace or fast/);
});
