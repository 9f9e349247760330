/**
 * Self-contained HTML report of a notebook run: prose, each cell's code, its outputs (inline SVG for
 * charts, heat maps, graphs, disputes, ledgers) and status. Inline CSS, no scripts, no external
 * resources — it opens offline in any browser.
 */
import type { Notebook } from './format.ts';
import { markdownToHtml } from './markdown.ts';
import type { CellResult, NotebookResult, Output } from './outputs.ts';
import { esc, renderOutputSvg } from './render-svg.ts';

const CSS = `
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;max-width:980px;margin:0 auto;padding:24px 20px 60px;background:#fafbfc}
h1,h2,h3{line-height:1.25}header.report{border-bottom:1px solid #dde2ea;margin-bottom:18px}
.meta{color:#5b6475;font-size:13px}.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.ok{background:#e6f4ea;color:#1e6b34}.bad{background:#fde2e1;color:#8b0000}.skip{background:#eef0f4;color:#5b6475}
section.cell{background:#fff;border:1px solid #dde2ea;border-radius:8px;margin:14px 0;overflow:hidden}
.cell-head{display:flex;gap:10px;align-items:center;padding:6px 12px;background:#f4f6fa;border-bottom:1px solid #dde2ea;font-size:12px;color:#5b6475}
pre{margin:0;padding:10px 12px;overflow:auto;font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
pre.source{background:#f8f9fb;border-bottom:1px solid #eef0f4}pre.stderr{color:#8b0000}pre.code{background:#f4f6fa;border-radius:6px}
.outputs{padding:8px 12px}.output{margin:8px 0}figure{margin:8px 0;overflow:auto}svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #dde2ea;padding:3px 8px;text-align:left}th{background:#f4f6fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}.assert{font-weight:600}.assert.pass{color:#1e6b34}.assert.fail{color:#8b0000}
.error{background:#fde2e1;color:#8b0000;border-radius:6px}caption{text-align:left;font-weight:600;padding:4px 0}
code{font-family:ui-monospace,monospace;background:#eef0f4;border-radius:3px;padding:0 3px}pre code{background:none;padding:0}
`;

/** Integers as they are; other numbers to 6 significant digits (tables are for reading, JSON keeps all bits). */
export function fmtNumber(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

function tableHtml(columns: string[], rows: unknown[][], title?: string): string {
  const cell = (v: unknown) =>
    typeof v === 'number' ? `<td class="num">${esc(fmtNumber(v))}</td>` : `<td>${esc(v ?? '')}</td>`;
  return `<table>${title ? `<caption>${esc(title)}</caption>` : ''}<thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** HTML for one output (also usable by the app for the non-SVG kinds). */
export function outputHtml(o: Output): string {
  switch (o.kind) {
    case 'text':
      return `<pre class="text${o.stream === 'stderr' ? ' stderr' : ''}">${esc(o.text)}</pre>`;
    case 'markdown':
      return `<div class="markdown">${markdownToHtml(o.markdown)}</div>`;
    case 'table':
      return tableHtml(o.columns, o.rows, o.title);
    case 'assertion':
      return `<div class="assert ${o.ok ? 'pass' : 'fail'}">${o.ok ? '✓' : '✗'} ${esc(o.message)}</div>`;
    case 'ledger': {
      const svg = renderOutputSvg(o) ?? '';
      const ev = o.events?.length
        ? tableHtml(
            ['#', 'event', 'detail', 'hash'],
            o.events.map((e) => [e.seq, e.type, e.detail ?? '', e.hash ? `${e.hash.slice(0, 16)}…` : '']),
          )
        : '';
      return `<figure class="figure" data-kind="ledger">${svg}</figure>${ev}`;
    }
    default:
      return `<figure class="figure" data-kind="${o.kind}">${renderOutputSvg(o) ?? ''}</figure>`;
  }
}

function statusBadge(r: CellResult | undefined): string {
  if (!r) return '<span class="badge skip">not run</span>';
  const cls = r.status === 'ok' ? 'ok' : r.status === 'skipped' ? 'skip' : 'bad';
  return `<span class="badge ${cls}">${esc(r.status)}</span> <span>${r.ms} ms</span>`;
}

export function renderReportHtml(nb: Notebook, result: NotebookResult): string {
  const byId = new Map(result.cells.map((c) => [c.id, c]));
  const body: string[] = [];
  const m = nb.meta;
  // The prose usually opens with the title as its own heading; then the header does not repeat it.
  const first = nb.blocks[0];
  const repeats = first?.kind === 'prose' && first.text.trimStart().startsWith(`# ${m.title}`);
  body.push(`<header class="report">${repeats ? '' : `<h1>${esc(m.title)}</h1>`}<p class="meta">`);
  body.push(
    [
      m.author ? `by ${esc(m.author)}` : '',
      `${esc(nb.file)}`,
      `run ${esc(result.startedAt)} in ${result.ms} ms`,
      `Pinpoint ${esc(result.pinpointVersion)}`,
      m.repops ? `RepOps ${esc(m.repops)}` : '',
      `permissions: ${m.permissions.length ? esc(m.permissions.join(', ')) : 'none'}`,
    ]
      .filter(Boolean)
      .join(' · '),
  );
  body.push(
    `</p><p><span class="badge ${result.ok ? 'ok' : 'bad'}" id="verdict">${result.ok ? 'PASSED' : 'FAILED'}</span> ${result.cells.filter((c) => c.status === 'ok').length}/${result.cells.length} cells ok · ${result.assertions.passed} assertions passed, ${result.assertions.failed} failed</p></header>`,
  );
  for (const b of nb.blocks) {
    if (b.kind === 'prose') {
      body.push(`<div class="prose">${markdownToHtml(b.text)}</div>`);
      continue;
    }
    const r = byId.get(b.id);
    body.push(`<section class="cell" id="cell-${esc(b.id)}" data-status="${esc(r?.status ?? 'not-run')}">`);
    body.push(`<div class="cell-head"><strong>${esc(b.id)}</strong>${statusBadge(r)}</div>`);
    body.push(`<pre class="source"><code>${esc(b.source.replace(/\r?\n$/, ''))}</code></pre>`);
    if (r && (r.outputs.length || r.error)) {
      body.push('<div class="outputs">');
      for (const o of r.outputs) body.push(`<div class="output">${outputHtml(o)}</div>`);
      if (r.error) {
        const where =
          r.error.cellLine !== undefined
            ? ` (cell ${b.id} line ${r.error.cellLine}, ${nb.file}:${r.error.fileLine})`
            : '';
        body.push(`<pre class="error">${esc(`${r.error.name}: ${r.error.message}${where}`)}</pre>`);
      }
      body.push('</div>');
    }
    body.push('</section>');
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(m.title)} — Pinpoint notebook report</title><style>${CSS}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}
