/**
 * The sandboxed runner: shared scope, typed outputs, error locations, time limit, cancel and the
 * refusal of fs / process / network / code generation escapes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { NotebookSession } from '../../core/notebook/engine.ts';
import { codeCells, type Permission, parseNotebook } from '../../core/notebook/format.ts';
import { compileCell } from '../../core/notebook/node-compile.ts';
import { nodeKernelFactory } from '../../core/notebook/node-kernel.ts';
import { runNotebookNode } from '../../core/notebook/node-runner.ts';

function nb(cells: string[], front = 'title: Test\n') {
  const body = cells.map((src, i) => `\n\`\`\`ts {id=c${i + 1}}\n${src}\n\`\`\`\n`).join('');
  return parseNotebook(`---\n${front}---\n# Test\n${body}`, 'test.md');
}

/** One long-lived session for the many single-cell probes below (fresh kernel per permission set). */
const sessions = new Map<string, NotebookSession>();
let counter = 0;
async function runOne(src: string, permissions: Permission[] = [], timeoutMs = 10_000) {
  const key = permissions.join(',');
  let s = sessions.get(key);
  if (!s) {
    s = new NotebookSession(permissions, { kernelFactory: nodeKernelFactory(), compile: compileCell });
    sessions.set(key, s);
  }
  const cell = codeCells(nb([src]))[0];
  cell.id = `p${++counter}`;
  return s.runCell(cell, timeoutMs);
}
after(async () => {
  for (const s of sessions.values()) await s.close();
});

describe('notebook runner', () => {
  it('shares top-level declarations across cells and collects typed outputs', async () => {
    const r = await runNotebookNode(
      nb([
        'const xs: number[] = [1, 2, 3];\nlet total = 0;\nfunction add(v: number) { total += v; }',
        'for (const x of xs) add(x);\nclass Box { constructor(public v: number) {} }',
        "chart({ total: [0, total] }, { title: 'T', x: 'i', y: 'v' });\nassert(total === 6, 'sum is 6');\nnew Box(total).v * 2",
      ]),
    );
    assert.equal(r.ok, true, JSON.stringify(r.cells.map((c) => c.error)));
    assert.deepEqual(
      r.cells.map((c) => c.status),
      ['ok', 'ok', 'ok'],
    );
    const kinds = r.cells[2].outputs.map((o) => o.kind);
    assert.deepEqual(kinds, ['chart', 'assertion', 'text']);
    const last = r.cells[2].outputs[2];
    assert.equal(last.kind === 'text' && last.text, '12');
    assert.deepEqual(r.assertions, { passed: 1, failed: 0 });
  });

  it('supports top-level await; declarations, imports and re-runs behave like Jupyter', async () => {
    const r = await runNotebookNode(
      nb([
        "import { hash as h } from 'pinpoint';\nconst { a, b: [c] } = await Promise.resolve({ a: 2, b: [3] });\nclass P { v = a * c; }",
        'const x = new P().v;\nconst x2 = await (async () => x * 2)();\nh.canonicalJson({ x2 })',
        'const x = 100; // re-declaring a name of an earlier cell is allowed (Jupyter-style)\nx + x2',
      ]),
    );
    assert.equal(r.ok, true, JSON.stringify(r.cells.map((c) => c.error)));
    const text = (i: number) =>
      r.cells[i].outputs.map((o) => (o.kind === 'text' ? o.text : o.kind)).join('|');
    assert.equal(text(1), '{"x2":12}');
    assert.equal(text(2), '112');
    const bad = await runOne('export const q = 1;');
    assert.equal(bad.status, 'error');
    assert.match(bad.error?.message ?? '', /cells cannot export/);
  });

  it('provides Web APIs the core needs, implemented inside the sandbox', async () => {
    const r = await runOne(
      [
        "const bytes = new TextEncoder().encode('héllo 😀');",
        'const back = new TextDecoder().decode(bytes);',
        'const t0 = performance.now();',
        'const waited = await new Promise((res) => setTimeout(() => res(performance.now() - t0), 30));',
        // Repeats until cleared (counted, not timed: a loaded machine may coalesce late ticks).
        'let ticks = 0; await new Promise((res) => { const h = setInterval(() => { if (++ticks === 3) { clearInterval(h); setTimeout(res, 20); } }, 5); });',
        "[bytes.length, back, btoa('hi'), atob('aGk='), waited >= 25, ticks === 3].join(' ')",
      ].join('\n'),
    );
    assert.equal(r.status, 'ok', JSON.stringify(r.error));
    assert.equal(
      r.outputs[0].kind === 'text' && r.outputs[0].text,
      `${Buffer.from('héllo 😀').length} héllo 😀 aGk= hi true true`,
    );
  });

  it('caps the outputs a cell can flood the host with', async () => {
    const r = await runOne('for (let i = 0; i < 20000; i++) console.log(i);\n"done"');
    assert.equal(r.status, 'ok');
    assert.equal(r.outputs.length, 5001);
    const last = r.outputs[r.outputs.length - 1];
    assert.match(last.kind === 'text' ? last.text : '', /output limit reached/);
  });

  it('imports from pinpoint work and the prelude computes real digests', async () => {
    const r = await runOne(
      "import { hash, repops } from 'pinpoint';\nconst t = repops.tensor([2], [1, 2]);\nhash.tensorDigest(t)",
    );
    assert.equal(r.status, 'ok', JSON.stringify(r.error));
    const { tensorDigest } = await import('../../core/hash/digest.ts');
    const { tensor } = await import('../../core/repops/tensor.ts');
    const out = r.outputs[0];
    assert.equal(out.kind === 'text' && out.text, tensorDigest(tensor([2], [1, 2]), 'sha256'));
  });

  it('points errors at the cell id and line, in the cell and in the file', async () => {
    const r = await runNotebookNode(nb(['const a = 1;', '// comment\nconst b: number = 2;\n\nnull!.foo;\n']));
    const c2 = r.cells[1];
    assert.equal(c2.status, 'error');
    assert.equal(c2.error?.name, 'TypeError');
    assert.equal(c2.error?.cellLine, 4);
    // Front matter (3 lines) + heading + blank + cell 1 (3 lines) + blank + fence of c2 at line 10.
    assert.equal(c2.error?.fileLine, 14);
    const compileErr = await runOne('const x = ;');
    assert.equal(compileErr.status, 'error');
    assert.equal(compileErr.error?.name, 'CompileError');
    assert.equal(compileErr.error?.cellLine, 1);
  });

  it('a failing assertion fails the notebook and skips the rest', async () => {
    const r = await runNotebookNode(nb(["assert(1 + 1 === 3, 'arithmetic is broken');", 'const z = 1;']));
    assert.equal(r.ok, false);
    assert.equal(r.cells[0].status, 'error');
    assert.match(r.cells[0].error?.message ?? '', /assertion failed: arithmetic is broken/);
    assert.equal(r.cells[1].status, 'skipped');
    assert.deepEqual(r.assertions, { passed: 0, failed: 1 });
  });

  it('stops a cell that loops forever at its time limit and restarts the kernel', async () => {
    const t0 = Date.now();
    const r = await runNotebookNode(nb(['let k = 1;', 'while (true) { k++; }', 'k']), { timeoutMs: 700 });
    const ms = Date.now() - t0;
    assert.equal(r.cells[0].status, 'ok');
    assert.equal(r.cells[1].status, 'timeout');
    assert.match(r.cells[1].error?.message ?? '', /exceeded its time limit of 700 ms/);
    assert.equal(r.cells[2].status, 'skipped');
    // Generous: worker start-up on a loaded 2-core CI box, not the limit itself, dominates this.
    assert.ok(ms < 30_000, `took ${ms} ms`);
    // An async infinite loop (microtasks only) is stopped too, and the session keeps working after.
    const s = new NotebookSession([], { kernelFactory: nodeKernelFactory(), compile: compileCell });
    try {
      const cells = codeCells(nb(['(async () => { for (;;) await null; })()', '1 + 1']));
      assert.equal((await s.runCell(cells[0], 500)).status, 'timeout');
      const next = await s.runCell(cells[1], 5000);
      assert.equal(next.status, 'ok');
      assert.equal(next.outputs[0].kind === 'text' && next.outputs[0].text, '2');
    } finally {
      await s.close();
    }
  });

  it('cancel stops the running cell', async () => {
    const s = new NotebookSession([], { kernelFactory: nodeKernelFactory(), compile: compileCell });
    try {
      const cell = codeCells(nb(['for (;;) {}']))[0];
      const p = s.runCell(cell, 60_000);
      setTimeout(() => s.cancel(), 400);
      const r = await p;
      assert.equal(r.status, 'cancelled');
      assert.ok(r.ms < 5000);
    } finally {
      await s.close();
    }
  });

  const refused: [string, RegExp][] = [
    ["require('fs')", /require\('fs'\) is not available in notebook cells: the notebook does not grant "fs"/],
    ["import fs from 'node:fs';\nfs.readFileSync('/etc/passwd')", /require\('node:fs'\) is not available/],
    ["require('child_process')", /cells may only import from 'pinpoint'/],
    ["import('node:fs')", /'node:fs'\) is not available in notebook cells/],
    ['process.exit(1)', /process is not available in notebook cells/],
    ['globalThis.process', /process is not available/],
    [
      "fetch('http://example.com')",
      /fetch \(network access\) is not available in notebook cells: the notebook does not grant "net"/,
    ],
    ["(function(){}).constructor('return process')()", /Code generation from strings disallowed/],
    ["Function('return this')()", /Code generation from strings disallowed/],
    ["eval('1 + 1')", /Code generation from strings disallowed/],
    [
      "(function (this: any) { return this; })().constructor.constructor('return process')()",
      /Code generation from strings disallowed|not a function|Cannot read/,
    ],
    [
      "Error.prepareStackTrace = (e: any, cs: any[]) => cs.map((c) => c.getFunction()).find((f) => f);\nconst f: any = new Error().stack;\nf.constructor('return process')()",
      /Code generation from strings disallowed|not a function|Cannot read|read only/,
    ],
    [
      "Object.getPrototypeOf(globalThis).constructor.constructor('return process')()",
      /Code generation from strings disallowed|Cannot read|not a function/,
    ],
    ["pinpoint.display.constructor('return process')()", /Code generation from strings disallowed/],
    [
      "(async()=>{})().constructor.constructor('return process')()",
      /Code generation from strings disallowed/,
    ],
    ["console.log.constructor('return process')()", /Code generation from strings disallowed/],
    ["performance.now.constructor('return process')()", /Code generation from strings disallowed/],
  ];
  for (const [src, msg] of refused) {
    it(`refuses: ${src.split('\n')[0]}`, async () => {
      const r = await runOne(src);
      assert.equal(r.status, 'error', `expected refusal, got ${JSON.stringify(r)}`);
      assert.match(`${r.error?.name}: ${r.error?.message}`, msg);
    });
  }

  it('errors thrown by a refused dynamic import are context-realm objects (no way back to the host Function)', async () => {
    const r = await runOne(
      "(async () => { try { await import('node:fs'); } catch (e: any) { return e.constructor.constructor('return process')(); } })()",
    );
    assert.equal(r.status, 'error');
    assert.match(r.error?.message ?? '', /Code generation from strings disallowed/);
  });

  it('grants fs when the front matter says so', async () => {
    const r = await runOne("const fs = require('node:fs');\ntypeof fs.readFileSync", ['fs']);
    assert.equal(r.status, 'ok', JSON.stringify(r.error));
    assert.equal(r.outputs[0].kind === 'text' && r.outputs[0].text, 'function');
    // fs alone does not grant process or network.
    assert.equal((await runOne('process.pid', ['fs'])).status, 'error');
    assert.equal((await runOne("fetch('http://x')", ['fs'])).status, 'error');
  });
});
