/**
 * The renderer build stamp (desktop/main/renderer-build.ts) describes the sources as they were when a
 * build started: an edit saved during the build makes the recorded stamp differ from the sources'
 * stamp, so the next start rebuilds. No Vite here: the build is simulated by file edits between the
 * pre-build snapshot and the post-build stamp, on a temp repo.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { snapshotSources, stampAfterBuild, stampOf } from '../../desktop/main/renderer-build.ts';

describe('renderer build stamp', () => {
  const root = mkdtempSync(join(tmpdir(), 'pinpoint-stamp-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const write = (rel: string, text: string, ageMs = 60_000) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
    const t = (Date.now() - ageMs) / 1000;
    utimesSync(join(root, rel), t, t);
  };
  write('vite.config.ts', 'export default {}');
  write('desktop/renderer/main.ts', 'import "../../core/x.ts"');
  write('core/x.ts', 'export const x = 1');
  const inputs = ['desktop/renderer/main.ts', 'core/x.ts'];

  it('no edit during the build: the recorded stamp matches the sources', () => {
    const start = Date.now();
    const before = snapshotSources(root, inputs);
    assert.equal(stampAfterBuild(root, before, inputs, start), stampOf(root, inputs));
  });

  it('an edit saved during the build leaves the recorded stamp stale', () => {
    const start = Date.now();
    const before = snapshotSources(root, inputs);
    write('desktop/renderer/main.ts', 'import "../../core/x.ts"; // edited mid-build', 0);
    const recorded = stampAfterBuild(root, before, inputs, start);
    assert.notEqual(recorded, stampOf(root, inputs));
  });

  it('a newly bundled file edited during the build also forces a rebuild; an old one does not', () => {
    write('core/old.ts', 'export const o = 1');
    write('core/new.ts', 'export const n = 1', 0);
    const start = Date.now();
    // The previous build did not know either file.
    const before = snapshotSources(root, inputs);
    const now = [...inputs, 'core/old.ts', 'core/new.ts'];
    assert.notEqual(stampAfterBuild(root, before, now, start), stampOf(root, now));
    const onlyOld = [...inputs, 'core/old.ts'];
    assert.equal(stampAfterBuild(root, before, onlyOld, start), stampOf(root, onlyOld));
  });
});
