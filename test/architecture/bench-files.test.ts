/**
 * No dead benchmark files: bench/run.ts runs every bench/*.bench.ts, and every other bench/*.ts must be
 * used by one of those (a baseline measured side by side, like matmul-js-old.ts, or a child process
 * script). A superseded file nobody runs fails here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const BENCH = new URL('../../bench/', import.meta.url);

test('every bench helper file is used by a benchmark', () => {
  const files = readdirSync(BENCH).filter((f) => f.endsWith('.ts'));
  const text = new Map(files.map((f) => [f, readFileSync(new URL(f, BENCH), 'utf8')]));
  const reachable = new Set(files.filter((f) => f.endsWith('.bench.ts') || f === 'run.ts'));
  // Follow references (import specifiers or child-process paths naming the file stem) to a fixed point.
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of files) {
      if (reachable.has(f)) continue;
      const stem = f.replace(/\.ts$/, '');
      if ([...reachable].some((r) => text.get(r)?.includes(`${stem}.ts`))) {
        reachable.add(f);
        grew = true;
      }
    }
  }
  const dead = files.filter((f) => !reachable.has(f));
  assert.deepEqual(dead, [], `bench files no benchmark uses: ${dead.join(', ')}`);
});
