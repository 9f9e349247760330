/**
 * Random access (issue 13): a bundle on disk is opened through a byte source; the manifest is checked at
 * once and a payload section only when it is used, so inspecting one step of a long run touches a small
 * part of the file. Oracles: the run that made the bundle, and the eager in-memory reader. Tampering
 * with a section that is read lazily is still caught, naming the step or checkpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadForDispute } from '../../core/dispute/bundles.ts';
import { openFileSource } from '../../core/platform/node-file-source.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import type { Manifest } from '../../core/proof/format.ts';
import { openBundle, readBundle } from '../../core/proof/read.ts';
import { stateDigest } from '../../core/train/state.ts';
import { prepareTask, train } from '../../core/train/train.ts';
import { bundledTask } from '../train/helpers.ts';
import { KEY, parts } from './helpers.ts';

const STEPS = 300;
const task = bundledTask('spirals-mlp', { steps: STEPS, checkpointEvery: 10, fullCheckpointEvery: 50 });
const run = train(prepareTask(task), { mode: 'trace' });
const bytes = bundleFromRun(run, KEY);
const dir = mkdtempSync(join(tmpdir(), 'pinpoint-random-access-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'long.pinproof');
writeFileSync(file, bytes);
const manifest = JSON.parse(parts(bytes).manifest) as Manifest;
const payloadStart = parts(bytes).payloadStart;

/** Byte offset in the file of op `i` of step `t`'s digest. */
function opByte(t: number, i: number): number {
  let before = 0;
  for (let s = 0; s < t; s++) before += manifest.steps[s].opCount as number;
  return payloadStart + (manifest.opDigests?.offset as number) + 32 * (before + i);
}

function flipped(at: number): string {
  const copy = Uint8Array.from(bytes);
  copy[at] ^= 0x01;
  const f = join(dir, `flip-${at}.pinproof`);
  writeFileSync(f, copy);
  return f;
}

test('one step of a long bundle reads a small part of the file, and the same values as the run', () => {
  const src = openFileSource(file);
  try {
    const b = openBundle(src, file);
    const afterOpen = src.bytesRead;
    assert.equal(afterOpen, payloadStart, 'opening reads the header and the manifest only');
    const t = 237;
    const ops = b.opDigests(t) as string[];
    assert.equal(ops.length, manifest.steps[t].opCount);
    const ckpt = b.checkpoint(200);
    const at200 = run.checkpoints.find((c) => c.step === 200);
    assert.ok(at200);
    assert.equal(
      stateDigest(ckpt, 'sha256'),
      stateDigest({ layout: run.layout, tensors: at200.tensors }, 'sha256'),
    );
    const eager = readBundle(bytes, 'in-memory');
    assert.deepEqual(ops, eager.opDigests(t));
    // Of the payload (checkpoints + op digests: what grows with model size), a few per cent are read;
    // the manifest (one small record per step) is read whole.
    const payloadRead = src.bytesRead - afterOpen;
    const share = payloadRead / (src.size - payloadStart);
    assert.ok(share < 0.05, `read ${payloadRead} of ${src.size - payloadStart} payload bytes`);
    // The checkpoint read is exactly its section; the step's op digests exactly 32 bytes each.
    const section = manifest.checkpoints.find((c) => c.step === 200)?.section?.length as number;
    assert.equal(src.bytesRead, afterOpen + 32 * ops.length + section);
  } finally {
    src.close();
  }
});

test('an altered op digest is caught when its step is read, naming the step; other steps still read', () => {
  const f = flipped(opByte(150, 3));
  const src = openFileSource(f);
  try {
    const b = openBundle(src, f);
    assert.equal(b.opDigests(149)?.length, manifest.steps[149].opCount);
    assert.throws(() => b.opDigests(150), /step 150: op digests do not match field opRoot/);
    assert.throws(() => b.checkPayload(), /step 150: op digests do not match field opRoot/);
  } finally {
    src.close();
  }
  assert.throws(() => readBundle(readFileSync(f), f), /step 150: op digests do not match/);
  const loaded = loadForDispute({ file: f, source: openFileSource(f) });
  assert.ok('error' in loaded && /step 150/.test(loaded.error), 'a dispute rejects it at setup');
});

test('an altered checkpoint tensor is caught when the checkpoint is read, naming it', () => {
  const c = manifest.checkpoints.find((e) => e.step === 100)?.section;
  assert.ok(c);
  const f = flipped(payloadStart + c.offset + 40);
  const src = openFileSource(f);
  try {
    const b = openBundle(src, f);
    assert.ok(b.checkpoint(50));
    assert.throws(() => b.checkpoint(100), /checkpoint 100: tensor \d+ "[^"]+" does not match its digest/);
  } finally {
    src.close();
  }
});

test('a truncated file is refused at open with the file named', () => {
  const f = join(dir, 'cut.pinproof');
  writeFileSync(f, bytes.subarray(0, bytes.length - 100));
  const src = openFileSource(f);
  try {
    assert.throws(
      () => openBundle(src, f),
      new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*truncated`),
    );
  } finally {
    src.close();
  }
});

test('full states are decoded on demand and only a few are kept', () => {
  const src = openFileSource(file);
  try {
    const b = openBundle(src, file);
    for (const s of [50, 100, 150, 200, 250]) b.checkpoint(s);
    const before = src.bytesRead;
    b.checkpoint(250); // kept: no read
    assert.equal(src.bytesRead, before);
    b.checkpoint(50); // evicted: read again
    assert.ok(src.bytesRead > before);
  } finally {
    src.close();
  }
});
