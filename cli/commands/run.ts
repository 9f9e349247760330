/**
 * `pinpoint run <notebook.md> [--html report.html] [--json results.json] [--timeout ms]` — runs a
 * notebook headless in the sandboxed kernel, prints progress on stderr, optionally writes a
 * self-contained HTML report and the JSON results; exit code 1 if any cell or assertion fails.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describeCellError } from '../../core/notebook/engine.ts';
import { renderReportHtml } from '../../core/notebook/html.ts';
import { loadNotebookFile, runNotebookNode } from '../../core/notebook/node-runner.ts';

export const summary = 'run a notebook headless (--html report, --json results, --timeout per cell)';

const HELP = `usage: pinpoint run <notebook.md> [--html report.html] [--json results.json] [--timeout ms] [--quiet]

Runs every code cell in order in a sandboxed worker (no fs/network/process unless the notebook's
front matter grants them). Progress goes to stderr. Exit code 0 when every cell and assertion passed,
1 when a cell failed, timed out or an assertion failed, 2 on bad arguments or a malformed notebook.`;

export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    console.error(`pinpoint run: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`pinpoint run: expected exactly one notebook file\n\n${HELP}`);
    return 2;
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      console.error(
        `pinpoint run: --timeout must be a positive number of milliseconds, got "${values.timeout}"`,
      );
      return 2;
    }
  }
  const file = positionals[0];
  let nb: Awaited<ReturnType<typeof loadNotebookFile>>;
  try {
    nb = await loadNotebookFile(file);
  } catch (err) {
    console.error(`pinpoint run: ${(err as Error).message}`);
    return 2;
  }
  const quiet = values.quiet === true;
  const log = (s: string) => {
    if (!quiet) process.stderr.write(`${s}\n`);
  };
  log(`▶ ${nb.meta.title} (${file})`);
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  const result = await runNotebookNode(nb, {
    timeoutMs,
    signal: ac.signal,
    onEvent(e) {
      if (e.type === 'cell-start') log(`  [${e.index + 1}/${e.total}] ${e.id} …`);
      else if (e.type === 'output' && e.output.kind === 'assertion')
        log(`      ${e.output.ok ? '✓' : '✗'} ${e.output.message}`);
      else if (e.type === 'cell-end') {
        const r = e.result;
        if (r.status === 'skipped') log(`  [${e.index + 1}/${e.total}] ${r.id} skipped`);
        else log(`  [${e.index + 1}/${e.total}] ${r.id} ${r.status} (${r.ms} ms)`);
        if (r.error) log(`      ${describeCellError(file, r.id, r.error)}`);
      }
    },
  });
  process.removeListener('SIGINT', onSig);
  if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
  if (values.html) await writeFile(values.html, renderReportHtml(nb, result));
  log(
    `${result.ok ? '✔ passed' : '✘ FAILED'}: ${result.cells.filter((c) => c.status === 'ok').length}/${result.cells.length} cells ok, ` +
      `${result.assertions.passed} assertions passed, ${result.assertions.failed} failed, ${result.ms} ms` +
      `${values.html ? `; report: ${values.html}` : ''}${values.json ? `; results: ${values.json}` : ''}`,
  );
  return result.ok ? 0 : 1;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      html: { type: 'string' },
      json: { type: 'string' },
      timeout: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
