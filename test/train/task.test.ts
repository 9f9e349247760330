import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseTask, parseTaskText, TaskError, taskDigest } from '../../core/train/task.ts';

const base = () => JSON.parse(readFileSync('tasks/spirals-mlp.json', 'utf8'));

test('every bundled task file parses', () => {
  const files = readdirSync('tasks').filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 4, `expected ≥ 4 bundled tasks, found ${files.length}`);
  for (const f of files) {
    const t = parseTaskText(readFileSync(`tasks/${f}`, 'utf8'), `tasks/${f}`);
    assert.equal(`${t.name}.json`, f, 'task name matches its file name');
  }
});

test('errors name the file and the JSON path', () => {
  const cases: [string, (t: Record<string, unknown>) => void, RegExp][] = [
    [
      'lr as string',
      (t) => ((t.optimizer as Record<string, unknown>).lr = '0.1'),
      /^x\.json: \$\.optimizer\.lr: expected a number/,
    ],
    [
      'unknown field',
      (t) => ((t.model as Record<string, unknown>).hiden = [3]),
      /\$\.model\.hiden: unknown field/,
    ],
    [
      'bad dataset id',
      (t) => ((t.dataset as Record<string, unknown>).id = 'mnist'),
      /\$\.dataset\.id: expected one of "spirals"/,
    ],
    ['negative steps', (t) => (t.steps = -1), /\$\.steps: expected an integer in 1\.\./],
    [
      'hidden entry',
      (t) => ((t.model as Record<string, unknown>).hidden = [8, 0]),
      /\$\.model\.hidden\[1\]: expected an integer/,
    ],
    [
      'bad digest',
      (t) => ((t.dataset as Record<string, unknown>).digest = 'abc'),
      /\$\.dataset\.digest: expected 64 lowercase hex/,
    ],
    ['wrong format', (t) => (t.format = 'pinpoint.task/2'), /\$\.format: expected "pinpoint\.task\/1"/],
    [
      'momentum on adam',
      (t) => ((t.optimizer as Record<string, unknown>).momentum = 0.9),
      /\$\.optimizer\.momentum: only used by kind "momentum"/,
    ],
    [
      'model kind',
      (t) => ((t.model as Record<string, unknown>).kind = 'rnn'),
      /\$\.model\.kind: expected one of "mlp", "cnn", "transformer"/,
    ],
  ];
  for (const [name, edit, re] of cases) {
    const t = base();
    edit(t);
    assert.throws(
      () => parseTask(t, 'x.json'),
      (e: unknown) => e instanceof TaskError && re.test(e.message),
      name,
    );
  }
  assert.throws(() => parseTaskText('{"format": ', 'y.json'), /^TaskError|y\.json: \$: invalid JSON/);
  assert.throws(() => parseTask(null, 'z.json'), /z\.json: \$: expected an object, got null/);
  const heads = {
    ...base(),
    model: { kind: 'transformer', context: 8, dModel: 10, heads: 3, layers: 1, ffn: 8 },
  };
  assert.throws(() => parseTask(heads, 'h.json'), /\$\.model\.heads: dModel 10 is not divisible by heads 3/);
});

test('task digest is stable under key order and changes with any field', () => {
  const a = parseTask(base());
  const shuffled = Object.fromEntries(Object.entries(base()).reverse());
  assert.equal(taskDigest(parseTask(shuffled)), taskDigest(a));
  assert.notEqual(taskDigest(parseTask({ ...base(), seed: 8 })), taskDigest(a));
});

test('fuzz: any JSON value gives a TaskError or a valid task, never another exception', async () => {
  const fc = (await import('fast-check')).default;
  const valid = base();
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.constantFrom('format', 'dataset', 'model', 'optimizer', 'steps', 'seed', 'name'),
      (junk, key) => {
        for (const v of [junk, { ...valid, [key]: junk }]) {
          try {
            parseTask(v, 'fuzz.json');
          } catch (e) {
            assert.ok(e instanceof TaskError, `non-TaskError: ${String(e)}`);
            assert.match((e as Error).message, /^fuzz\.json: \$/);
          }
        }
      },
    ),
    { numRuns: 500 },
  );
});
