import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { transform } from 'esbuild';

test('the training-step example in core/repops/README.md runs and satisfies the referee invariant', async () => {
  const readme = readFileSync(new URL('../../core/repops/README.md', import.meta.url), 'utf8');
  const code = readme.split('```ts\n')[1].split('```')[0];
  const index = pathToFileURL(new URL('../../core/repops/index.ts', import.meta.url).pathname).href;
  const withImport = code.replace(
    /import \{([^}]*)\} from '\.\/core\/repops\/index\.ts';/,
    (_m, names: string) => `const {${names}} = await import(${JSON.stringify(index)});`,
  );
  const wrapped = `(async () => {\n${withImport}\nreturn { tape, loss, next, checkTape };\n})()`;
  const js = (await transform(wrapped, { loader: 'ts' })).code;
  const r = (await new Function(`return ${js}`)()) as {
    tape: { nodes: { phase: string }[] };
    loss: { out: { data: Float32Array } };
    next: { out: { shape: number[] } }[];
    checkTape: (n: unknown[]) => number[];
  };
  assert.ok(Number.isFinite(r.loss.out.data[0]) && r.loss.out.data[0] > 0);
  assert.deepEqual(
    r.next.map((v) => v.out.shape),
    [[3, 8], [8], [8, 3], [3]],
  );
  assert.deepEqual(r.checkTape(r.tape.nodes), []);
  assert.deepEqual(
    [...new Set(r.tape.nodes.map((n) => n.phase))],
    ['leaf', 'forward', 'backward', 'optimizer'],
  );
});
