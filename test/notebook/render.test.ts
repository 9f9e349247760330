/**
 * Output model and static renderers: validation, SVG geometry against the data, Markdown escaping and
 * the HTML report's structure (no scripts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chart, heatmap, setOutputSink, table } from '../../core/notebook/display.ts';
import { parseNotebook } from '../../core/notebook/format.ts';
import { renderReportHtml } from '../../core/notebook/html.ts';
import { markdownToHtml } from '../../core/notebook/markdown.ts';
import { type Output, validateOutput } from '../../core/notebook/outputs.ts';
import { layoutGraph, renderChart, renderGraph, renderHeatmap } from '../../core/notebook/render-svg.ts';
import { decodeMappings, originalLine } from '../../core/notebook/sourcemap.ts';

function collect(f: () => void): Output[] {
  const got: Output[] = [];
  setOutputSink((o) => got.push(o));
  try {
    f();
  } finally {
    setOutputSink(() => {});
  }
  return got;
}

describe('outputs and renderers', () => {
  it('validateOutput rejects malformed outputs with the field named', () => {
    assert.throws(() => validateOutput({ kind: 'pie' }), /unknown kind "pie"/);
    assert.throws(() => validateOutput({ kind: 'heatmap', shape: [2, 2], values: [1, 2, 3] }), /2×2 numbers/);
    assert.throws(
      () =>
        validateOutput({
          kind: 'chart',
          x: { label: 'x' },
          y: { label: 'y' },
          series: [{ name: 's', points: [[1]] }],
        }),
      /chart point/,
    );
    assert.throws(() => validateOutput(null), /not an object/);
  });

  it('chart path passes through each data point (y scale inverted, x monotone)', () => {
    const [o] = collect(() => chart({ s: [5, 1, 3] }, { x: 'i', y: 'v' }));
    assert.equal(o.kind, 'chart');
    const svg = renderChart(o as Extract<Output, { kind: 'chart' }>);
    const d = /<path class="series"[^>]* d="([^"]+)"/.exec(svg)?.[1] ?? '';
    const pts = [...d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(pts.length, 3);
    assert.ok(pts[0][0] < pts[1][0] && pts[1][0] < pts[2][0]);
    // v=5 is highest on screen (smallest y), v=1 lowest.
    assert.ok(pts[0][1] < pts[2][1] && pts[2][1] < pts[1][1]);
    assert.equal((svg.match(/<circle /g) ?? []).length, 3);
  });

  it('heat map draws one rect per element and outlines highlights', () => {
    const [o] = collect(() =>
      heatmap({ shape: [2, 3], data: new Float32Array([1, -2, 3, 0, 5, -6]) }, { highlight: [4] }),
    );
    const svg = renderHeatmap(o as Extract<Output, { kind: 'heatmap' }>);
    assert.equal((svg.match(/class="cell"/g) ?? []).length, 6);
    assert.equal((svg.match(/class="highlight"/g) ?? []).length, 1);
  });

  it('graph layout puts every node below all its inputs', () => {
    const g = {
      kind: 'graph' as const,
      nodes: [0, 1, 2, 3, 4].map((id) => ({ id, op: id < 2 ? 'leaf' : 'add', shape: [2] })),
      edges: [
        { from: 0, to: 2 },
        { from: 1, to: 2 },
        { from: 2, to: 3 },
        { from: 0, to: 4 },
        { from: 3, to: 4 },
      ],
    };
    const pos = layoutGraph(g);
    for (const e of g.edges) assert.ok((pos.get(e.to)?.layer ?? 0) > (pos.get(e.from)?.layer ?? 0));
    const svg = renderGraph(g);
    assert.equal((svg.match(/class="node"/g) ?? []).length, 5);
    assert.equal((svg.match(/class="edge"/g) ?? []).length, 5);
  });

  it('tables from records take the union of keys', () => {
    const [o] = collect(() => table([{ a: 1 }, { b: 'x', a: 2 }]));
    assert.deepEqual(o, {
      kind: 'table',
      columns: ['a', 'b'],
      rows: [
        [1, null],
        [2, 'x'],
      ],
    });
  });

  it('markdown escapes raw HTML and unsafe links', () => {
    const html = markdownToHtml(
      '# T <b>\n\n<script>alert(1)</script> **bold** `a<b` [x](javascript:alert(1))\n\n- one\n- two',
    );
    assert.doesNotMatch(html, /<script|javascript:|<b>/);
    assert.match(html, /<h1>T &lt;b&gt;<\/h1>/);
    assert.match(html, /<strong>bold<\/strong>/);
    assert.match(html, /<code>a&lt;b<\/code>/);
    assert.match(html, /<ul><li>one<\/li><li>two<\/li><\/ul>/);
    // A number that merely starts a wrapped line continues the paragraph.
    assert.equal(markdownToHtml('Fang et al.\n2023) found it.'), '<p>Fang et al. 2023) found it.</p>');
    assert.match(markdownToHtml('1. a\n2. b'), /<ol><li>a<\/li><li>b<\/li><\/ol>/);
  });

  it('the report contains prose, cells in order, outputs and no script', () => {
    const nb = parseNotebook(
      '---\ntitle: R <x>\n---\nIntro\n\n```ts {id=a}\n1\n```\n\n```ts {id=b}\n2\n```\n',
      'r.md',
    );
    const html = renderReportHtml(nb, {
      file: 'r.md',
      title: 'R',
      ok: false,
      startedAt: 'now',
      ms: 1,
      pinpointVersion: '0',
      assertions: { passed: 0, failed: 0 },
      cells: [
        { id: 'a', status: 'ok', ms: 1, outputs: [{ kind: 'text', text: '<1>' }] },
        {
          id: 'b',
          status: 'error',
          ms: 1,
          outputs: [],
          error: { name: 'Error', message: 'bad', cellLine: 1, fileLine: 11 },
        },
      ],
    });
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /<title>R &lt;x&gt;/);
    assert.ok(html.indexOf('id="cell-a"') < html.indexOf('id="cell-b"'));
    assert.match(html, /&lt;1&gt;/);
    assert.match(html, /Error: bad \(cell b line 1, r\.md:11\)/);
    assert.match(html, /FAILED/);
  });

  it('source map decoding matches a hand-encoded mapping', () => {
    // Line 1 unmapped; line 2: col 0 → original line 3; col 4 → original line 4.
    const map = decodeMappings(';AAEA,IACA');
    assert.equal(originalLine(map, 1), null);
    assert.equal(originalLine(map, 2, 0), 3);
    assert.equal(originalLine(map, 2, 6), 4);
  });
});
