/**
 * The bundle's step-metrics section (docs/PROOF_FORMAT.md "Step metrics"): written from the run, read
 * lazily, committed by the signed manifest (a flipped byte is a ProofError naming the file and the
 * section; a re-signed lie fails `verify` with field 'metrics' naming the step), and optional (a bundle
 * written without it loads; the run commitment is the same either way).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { canonicalJson } from '../../core/hash/digest.ts';
import { openFileSource } from '../../core/platform/node-file-source.ts';
import { bundleFromRun } from '../../core/proof/bundle.ts';
import { type Manifest, ProofError } from '../../core/proof/format.ts';
import { openBundle, readBundle } from '../../core/proof/read.ts';
import type { StepMetricField } from '../../core/train/metrics.ts';
import type { TrainResult } from '../../core/train/train.ts';
import { verifyBundle } from '../../core/verify/verify.ts';
import { KEY, parts, smallRun, withManifest } from './helpers.ts';

const run = smallRun('fast', undefined, 20, 5);
const bytes = bundleFromRun(run, KEY);
const manifest = JSON.parse(parts(bytes).manifest) as Manifest;
const dir = mkdtempSync(join(tmpdir(), 'pinpoint-step-metrics-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the section holds every step metric of the run, read on first use only', () => {
  assert.deepEqual(manifest.stepMetrics?.fields, ['lr', 'gradNorm', 'updateNorm', 'weightNorm', 'accuracy']);
  assert.equal(manifest.stepMetrics?.section.length, 20 * 5 * 4);
  const file = join(dir, 'ok.pinproof');
  writeFileSync(file, bytes);
  const src = openFileSource(file);
  try {
    const b = openBundle(src, file);
    const opened = src.bytesRead;
    assert.equal(opened, parts(bytes).payloadStart, 'opening reads no payload');
    assert.deepEqual(b.stepMetrics(), run.stepMetrics);
    assert.equal(src.bytesRead - opened, 20 * 5 * 4, 'the metrics section only');
    b.stepMetrics();
    assert.equal(src.bytesRead - opened, 20 * 5 * 4, 'read once');
  } finally {
    src.close();
  }
  assert.equal(verifyBundle(readBundle(bytes, 'ok'), { all: true }).ok, true);
});

test('a bundle without the section (written before it existed) loads, verifies, same run commitment', () => {
  const { stepMetrics: _, ...rest } = run;
  const old = bundleFromRun({ ...rest, stepMetrics: undefined } as unknown as TrainResult, KEY);
  const b = readBundle(old, 'old.pinproof');
  assert.equal(b.manifest.stepMetrics, undefined);
  assert.equal(b.stepMetrics(), null);
  assert.equal(b.manifest.runCommitment, manifest.runCommitment);
  const start = parts(bytes).payloadStart;
  assert.deepEqual(
    old.subarray(parts(old).payloadStart),
    bytes.subarray(start, start + (manifest.stepMetrics?.section.offset ?? 0)),
    'the same payload, minus the step-metrics section at its end',
  );
  assert.equal(verifyBundle(b, { all: true }).ok, true);
});

test('a flipped byte in the section: ProofError naming the file and the section (eager and lazy)', () => {
  const at = parts(bytes).payloadStart + (manifest.stepMetrics?.section.offset ?? 0) + 4 * (5 * 7 + 1);
  const bad = Uint8Array.from(bytes);
  bad[at] ^= 0x10;
  assert.throws(
    () => readBundle(bad, 'flip.pinproof'),
    (e: unknown) =>
      e instanceof ProofError &&
      e.file === 'flip.pinproof' &&
      /^flip\.pinproof: step metrics section: section digest mismatch/.test(e.message),
  );
  const file = join(dir, 'flip.pinproof');
  writeFileSync(file, bad);
  const src = openFileSource(file);
  try {
    const b = openBundle(src, file);
    assert.throws(() => b.stepMetrics(), /step metrics section: section digest mismatch/);
    const r = verifyBundle(b, { samples: 2 });
    assert.equal(r.ok, false);
    assert.equal(r.failures[0].field, 'metrics');
  } finally {
    src.close();
  }
});

test('a re-signed false metric fails verify with field "metrics" naming the step and the metric', () => {
  for (const [field, step] of [
    ['gradNorm', 13],
    ['accuracy', 4],
    ['lr', 0],
  ] as const) {
    const forged = structuredClone(run);
    const rows = forged.stepMetrics as Record<StepMetricField, number | null>[];
    rows[step][field] = Math.fround((rows[step][field] ?? 0) * 1.5 + 0.125);
    const b = readBundle(bundleFromRun(forged, KEY), 'forged.pinproof');
    assert.equal(b.manifest.runCommitment, manifest.runCommitment, 'records untouched');
    const r = verifyBundle(b, { all: true });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.failures.map((f) => [f.step, f.field]),
      [[step, 'metrics']],
    );
    assert.match(r.failures[0].message, new RegExp(`^step ${step}: step metric ${field}: replayed`));
  }
});

test('manifest checks: unknown or reordered columns, section size', () => {
  type Editable = { stepMetrics: { fields: unknown[]; section: { length: number } } };
  const edited = (f: (m: Editable) => void) => {
    const m = JSON.parse(parts(bytes).manifest) as Editable;
    f(m);
    return () => readBundle(withManifest(bytes, canonicalJson(m)), 'p');
  };
  const cols = ['gradNorm', 'lr', 'updateNorm', 'weightNorm', 'accuracy'];
  assert.throws(
    edited((m) => {
      m.stepMetrics.fields = cols;
    }),
    /^ProofError: p: manifest \$\.stepMetrics\.fields: \[gradNorm, lr, .*\] must be lr, gradNorm/,
  );
  assert.throws(
    edited((m) => {
      m.stepMetrics.fields = [1];
    }),
    /p: manifest \$\.stepMetrics\.fields\[0\]: expected a string/,
  );
  assert.throws(
    edited((m) => {
      m.stepMetrics.fields = ['lr', 'gradNorm', 'updateNorm', 'weightNorm'];
    }),
    /p: step metrics section: is 400 bytes, 20 steps × 4 metrics need 320/,
  );
  assert.throws(
    edited((m) => {
      m.stepMetrics.section.length -= 4;
    }),
    /p: payload: 4 unexpected trailing bytes/,
  );
});
