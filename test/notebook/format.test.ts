/**
 * Notebook format: byte-identical round trip on generated notebooks (fast-check), the parsed cells
 * match what was generated, and malformed input gets NotebookFormatError with file and line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  codeCells,
  makeCell,
  NotebookFormatError,
  parseNotebook,
  serialiseNotebook,
  withMeta,
} from '../../core/notebook/format.ts';

const safeLine = fc
  .string({ maxLength: 30, unit: fc.constantFrom(...'abc xyz=;{}()[]`~-#*_\'"\\é中😀\t'.split('')) })
  .filter((l) => !/^ {0,3}(```|~~~)/.test(l) && l !== '---');
const lines = (max: number) => fc.array(safeLine, { maxLength: max });

interface GenCell {
  kind: 'code';
  id: string;
  source: string[];
  fence: string;
  info: string;
}
interface GenProse {
  kind: 'prose';
  lines: string[];
  other?: { fence: string; lang: string; body: string[] };
}

const genCell: fc.Arbitrary<Omit<GenCell, 'id'>> = fc.record({
  kind: fc.constant('code' as const),
  source: lines(6),
  fence: fc.constantFrom('```', '````', '~~~'),
  info: fc.constantFrom('ts {id=ID}', 'ts {id=ID}', 'typescript {id=ID}', 'ts   {id="ID" hidden=true}'),
});
const genProse: fc.Arbitrary<GenProse> = fc.record(
  {
    kind: fc.constant('prose' as const),
    lines: lines(5),
    other: fc.record({
      fence: fc.constantFrom('```', '~~~~'),
      lang: fc.constantFrom('json', 'text', 'py', ''),
      body: lines(3),
    }),
  },
  { requiredKeys: ['kind', 'lines'] },
);

const genNotebook = fc.record({
  title: fc.string({ minLength: 1, maxLength: 20 }).filter((t) => t.trim().length > 0),
  author: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  permissions: fc.subarray(['fs', 'net']),
  blocks: fc.array(fc.oneof(genCell, genProse), { maxLength: 8 }),
  eol: fc.constantFrom('\n', '\r\n'),
  trailing: fc.boolean(),
});

function render(g: {
  title: string;
  author?: string;
  permissions: string[];
  blocks: (Omit<GenCell, 'id'> | GenProse)[];
  eol: string;
  trailing: boolean;
}): { text: string; cells: { id: string; source: string }[] } {
  const e = g.eol;
  const meta: Record<string, unknown> = { title: g.title };
  if (g.author !== undefined) meta.author = g.author;
  if (g.permissions.length) meta.permissions = g.permissions;
  const out: string[] = ['---', ...stringify(meta).trimEnd().split('\n'), '---'];
  const cells: { id: string; source: string }[] = [];
  let n = 0;
  for (const b of g.blocks) {
    if (b.kind === 'code') {
      const id = `c${++n}`;
      out.push(`${b.fence}${b.info.replace('ID', id)}`, ...b.source, b.fence);
      cells.push({ id, source: b.source.map((l) => l + e).join('') });
    } else {
      out.push(...b.lines);
      if (b.other) out.push(`${b.other.fence}${b.other.lang}`, ...b.other.body, b.other.fence);
    }
  }
  return { text: out.join(e) + (g.trailing ? e : ''), cells };
}

describe('notebook format', () => {
  it('round-trips generated notebooks byte for byte and finds exactly the generated cells', () => {
    fc.assert(
      fc.property(genNotebook, (g) => {
        const { text, cells } = render(g);
        const nb = parseNotebook(text, 'gen.md');
        assert.equal(serialiseNotebook(nb), text);
        assert.equal(nb.meta.title, g.title);
        assert.deepEqual(nb.meta.permissions, g.permissions);
        assert.deepEqual(
          codeCells(nb).map((c) => ({ id: c.id, source: c.source })),
          cells,
        );
      }),
      { numRuns: 400 },
    );
  });

  it('arbitrary text either parses and round-trips or fails with a NotebookFormatError', () => {
    const chunks = fc.constantFrom(
      '---\n',
      'title: x\n',
      '```ts {id=a}\n',
      '```\n',
      '~~~\n',
      'x = 1\n',
      '```ts\n',
      '{id=}',
      '\r\n',
      '',
      ': :\n',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(chunks, fc.string({ maxLength: 8 })), { maxLength: 14 }), (parts) => {
        const text = parts.join('');
        try {
          const nb = parseNotebook(text, 'fuzz.md');
          assert.equal(serialiseNotebook(nb), text);
        } catch (err) {
          assert.ok(err instanceof NotebookFormatError, `raw error: ${(err as Error)?.stack}`);
          assert.match(err.message, /^fuzz\.md:\d+: \S/);
          assert.ok(err.line >= 1 && err.line <= text.split('\n').length + 1);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('an alias to a missing anchor in the front matter is a format error, not a crash (fuzz regression)', () => {
    assert.throws(
      () => parseNotebook('---\n*---\n---\n', 'alias.md'),
      (e: unknown) =>
        e instanceof NotebookFormatError &&
        /^alias\.md:2: front matter is not valid YAML: Unresolved alias/.test(e.message),
    );
  });

  const bad: [string, string, number, RegExp][] = [
    ['no front matter', '# hi\n', 1, /starts with YAML front matter/],
    ['unclosed front matter', '---\ntitle: x\n', 1, /not closed/],
    ['bad yaml', '---\ntitle: x\ntitle: y\n---\n', 3, /not valid YAML: Map keys must be unique$/],
    ['missing title', '---\nauthor: me\n---\n', 2, /"title" is required/],
    ['unknown key', '---\ntitle: t\ncolour: red\n---\n', 2, /unknown key "colour"/],
    ['unknown permission', '---\ntitle: t\npermissions: [fs, shell]\n---\n', 2, /unknown permission "shell"/],
    ['unclosed cell', '---\ntitle: t\n---\ntext\n\n```ts {id=a}\nconst x = 1;\n', 6, /never closed/],
    ['cell without id', '---\ntitle: t\n---\n```ts\nx\n```\n', 4, /has no id/],
    [
      'duplicate id',
      '---\ntitle: t\n---\n```ts {id=a}\n```\n\n```ts {id=a}\n```\n',
      7,
      /duplicate cell id "a" \(first used on line 4\)/,
    ],
    ['bad id', '---\ntitle: t\n---\n```ts {id=a/b}\n```\n', 4, /cell id "a\/b" is invalid/],
    ['malformed attrs', '---\ntitle: t\n---\n```ts {id}\n```\n', 4, /malformed cell attribute "id"/],
    ['indented cell', '---\ntitle: t\n---\n  ```ts {id=a}\n  ```\n', 4, /column 1/],
  ];
  for (const [name, text, line, msg] of bad) {
    it(`rejects ${name} with file and line`, () => {
      assert.throws(
        () => parseNotebook(text, 'nb/bad.md'),
        (err: unknown) => {
          assert.ok(err instanceof NotebookFormatError);
          assert.equal(err.line, line);
          assert.match(err.message, new RegExp(`^nb/bad\\.md:${line}: `));
          assert.match(err.message, msg);
          return true;
        },
      );
    });
  }

  it('other languages and fences inside them are prose, and edits re-serialise', () => {
    const text =
      '---\ntitle: t\n---\n````md\n```ts {id=x}\n```\n````\n\n```ts {id=real}\nconst a = 1;\n```\n';
    const nb = parseNotebook(text, 'x.md');
    assert.deepEqual(
      codeCells(nb).map((c) => c.id),
      ['real'],
    );
    const cell = codeCells(nb)[0];
    cell.source = 'const a = 2;';
    nb.blocks.push({ kind: 'prose', text: '\n' }, makeCell('c2', 'a + 1\n'));
    const edited = parseNotebook(serialiseNotebook(withMeta(nb, { ...nb.meta, author: 'me' })), 'x.md');
    assert.equal(edited.meta.author, 'me');
    assert.deepEqual(
      codeCells(edited).map((c) => [c.id, c.source]),
      [
        ['real', 'const a = 2;\n'],
        ['c2', 'a + 1\n'],
      ],
    );
  });
});
