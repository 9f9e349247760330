/**
 * `pinpoint certify [task.json…] [--steps n] [--engines list] [--json]` — a determinism certificate:
 * the same RepOps code in every JavaScript engine available here (cli/certify/engines.ts) must give the
 * same golden op vectors and the same run roots, bit for bit. Prints engine × task run roots with ✓/✗,
 * and where engines part, the first differing op vector and element (or training step). Exit 1 on any
 * difference (docs/REPOPS.md "Determinism certificate").
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CertifyRequest, EngineResult } from '../../core/certify/engine.ts';
import { corpusText } from '../../core/train/corpus.ts';
import { parseTaskText, type TaskSpec } from '../../core/train/task.ts';
import { type Difference, findDifferences } from '../certify/compare.ts';
import {
  certifyBundle,
  chromiumEngine,
  type Engine,
  jitlessEngine,
  nativeEngine,
  nodeEngine,
  quickjsEngine,
  threadsEngine,
} from '../certify/engines.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.ts';

export const summary =
  'determinism certificate: the same bits in Node, --jitless, Chromium, QuickJS, threads, native kernels';

const DEFAULT_TASKS = ['spirals-mlp', 'digits-cnn', 'chars-transformer', 'nanogpt-char'].map(
  (t) => `tasks/${t}.json`,
);

const HELP = `usage: pinpoint certify [task.json…] [options]

  --steps <n>      training steps per task (default 2)
  --engines <l>    comma-separated subset of: node, jitless, chromium, quickjs, threads, native
                   (default all), or native-avx2 / native-c (the addon's narrower vector levels)
  --all-tasks      also run the real-size task on interpreter-only engines (minutes per step)
  --json           print one JSON object { engines: [...], agree, differences }
Trains each task (default: ${DEFAULT_TASKS.join(', ')}) for a few steps in fast mode and evaluates
every golden op vector in each engine, then compares run roots and vector digests. Exit 1 if any two
engines differ; the first differing op vector and element (or step) is named.
--perturb <engine>:<vector>:<element> flips one output bit in one engine (to test the certificate).`;

interface EngineReport {
  readonly name: string;
  readonly unavailable?: string;
  readonly error?: string;
  readonly skipped?: Record<string, string>;
  readonly result?: EngineResult;
}

function engineList(spec: string | undefined): Engine[] {
  const all: Record<string, Engine> = {
    node: nodeEngine,
    jitless: jitlessEngine,
    chromium: chromiumEngine(CHROMIUM, CHROMIUM_ARGS),
    quickjs: quickjsEngine,
    threads: threadsEngine(2),
    native: nativeEngine('native', 'best'),
  };
  // Only on request: the addon's narrower vector levels (the app runs the best one this CPU has).
  const extra: Record<string, () => Engine> = {
    'native-avx2': () => nativeEngine('native-avx2', 'avx2'),
    'native-c': () => nativeEngine('native-c', 'c'),
  };
  const names = spec === undefined ? Object.keys(all) : spec.split(',').map((s) => s.trim());
  return names.map((n) => {
    const e = all[n] ?? extra[n]?.();
    if (!e)
      throw new Error(
        `--engines: unknown engine "${n}" (have ${[...Object.keys(all), ...Object.keys(extra)].join(', ')})`,
      );
    return e;
  });
}

/** The real-size task (nanogpt-*): interpreter-only engines skip it unless --all-tasks. */
function isRealSize(t: TaskSpec): boolean {
  return t.name.startsWith('nanogpt');
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      steps: { type: 'string' },
      engines: { type: 'string' },
      'all-tasks': { type: 'boolean', default: false },
      perturb: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const steps = values.steps === undefined ? 2 : Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`--steps must be a positive integer, got "${values.steps}"`);
  const files = positionals.length > 0 ? positionals : DEFAULT_TASKS;
  const tasks = files.map((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      throw new Error(`cannot read task ${f}: ${(err as Error).message}`);
    }
    return parseTaskText(text, f);
  });
  const engines = engineList(values.engines);
  let perturb: { engine: string; vector: string; element: number } | undefined;
  if (values.perturb !== undefined) {
    const [engine, vector, element] = values.perturb.split(':');
    if (!engine || !vector || !/^\d+$/.test(element ?? ''))
      throw new Error(`--perturb must be <engine>:<vector>:<element>, got "${values.perturb}"`);
    perturb = { engine, vector, element: Number(element) };
  }
  const corpora: Record<string, string> = {};
  if (tasks.some((t) => t.dataset.id === 'kjv')) corpora.kjv = corpusText('kjv');
  const log = (s: string) => {
    if (!values.json) process.stderr.write(`${s}\n`);
  };
  const bundle = await certifyBundle();
  const reports: EngineReport[] = [];
  for (const e of engines) {
    const why = e.unavailable();
    if (why) {
      log(`${e.name}: not available — ${why}`);
      reports.push({ name: e.name, unavailable: why });
      continue;
    }
    const skipped: Record<string, string> = {};
    const mine = tasks.filter((t) => {
      if (e.slow && !values['all-tasks'] && isRealSize(t)) {
        skipped[t.name] = 'no JIT: a real-size step takes minutes here (--all-tasks runs it)';
        return false;
      }
      return true;
    });
    const req: CertifyRequest = {
      tasks: mine,
      steps,
      ...(mine.some((t) => t.dataset.id === 'kjv') ? { corpora } : {}),
      ...(perturb && e.key === perturb.engine ? { perturb } : {}),
    };
    log(`${e.name}: ${mine.length} task(s) × ${steps} steps + golden vectors …`);
    try {
      const result = await e.run(bundle, req);
      log(`${e.name}: done in ${(result.ms / 1000).toFixed(1)} s`);
      reports.push({ name: e.name, skipped, result });
    } catch (err) {
      log(`${e.name}: FAILED — ${(err as Error).message}`);
      reports.push({ name: e.name, error: (err as Error).message });
    }
  }
  const ran = reports.filter((r) => r.result) as (EngineReport & { result: EngineResult })[];
  let differences: Difference[] = findDifferences(ran);
  // Locate differing op vectors element by element: ask the two engines for those outputs.
  if (differences.some((d) => d.kind === 'vector'))
    differences = await locateElements(differences, engines, bundle, perturb);
  const failed = reports.some((r) => r.error !== undefined);
  const agree = ran.length > 0 && differences.length === 0 && !failed;
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          repops: ran[0]?.result.repops ?? null,
          steps,
          engines: reports.map((r) => ({
            name: r.name,
            ...(r.unavailable ? { unavailable: r.unavailable } : {}),
            ...(r.error ? { error: r.error } : {}),
            ...(r.skipped && Object.keys(r.skipped).length > 0 ? { skipped: r.skipped } : {}),
            ...(r.result
              ? {
                  runRoots: r.result.runRoots,
                  vectorDigest: r.result.vectorDigest,
                  ...(r.result.native ? { native: r.result.native } : {}),
                  ...(r.result.microBatchThreads && Object.keys(r.result.microBatchThreads).length > 0
                    ? { microBatchThreads: r.result.microBatchThreads }
                    : {}),
                  seconds: r.result.ms / 1000,
                }
              : {}),
          })),
          agree,
          differences,
        },
        null,
        2,
      ),
    );
  } else printTable(reports, tasks, differences, agree);
  return agree ? 0 : 1;
}

async function locateElements(
  diffs: Difference[],
  engines: readonly Engine[],
  bundle: string,
  perturb: { engine: string; vector: string; element: number } | undefined,
): Promise<Difference[]> {
  const out: Difference[] = [];
  for (const d of diffs) {
    if (d.kind !== 'vector' || d.isTape) {
      out.push(d);
      continue;
    }
    const words = async (name: string) => {
      const e = engines.find((x) => x.name === name) as Engine;
      const req: CertifyRequest = {
        tasks: [],
        steps: 1,
        detail: [d.vector],
        ...(perturb && e.key === perturb.engine ? { perturb } : {}),
      };
      return (await e.run(bundle, req)).detail[d.vector] ?? [];
    };
    const [a, b] = [await words(d.reference), await words(d.engine)];
    let i = 0;
    while (i < Math.min(a.length, b.length) && (a[i] === b[i] || (isNaNWord(a[i]) && isNaNWord(b[i])))) i++;
    out.push({ ...d, element: i, referenceBits: a[i], engineBits: b[i] });
  }
  return out;
}

function isNaNWord(w: number): boolean {
  return (w & 0x7f800000) === 0x7f800000 && (w & 0x007fffff) !== 0;
}

function printTable(
  reports: readonly EngineReport[],
  tasks: readonly TaskSpec[],
  differences: readonly Difference[],
  agree: boolean,
): void {
  const short = (d: string | undefined) => (d ? `${d.slice(0, 10)}…` : '—');
  const bad = new Set(differences.map((d) => `${d.engine}\u0000${d.kind === 'vector' ? 'vectors' : d.task}`));
  const mark = (engine: string, col: string) => (bad.has(`${engine}\u0000${col}`) ? '✗' : '✓');
  const cols = ['vectors', ...tasks.map((t) => t.name)];
  const w = 26;
  console.log(['engine'.padEnd(w), ...cols.map((c) => c.padEnd(16)), 'time'].join(' '));
  for (const r of reports) {
    if (!r.result) {
      console.log(
        `${r.name.padEnd(w)} ${r.unavailable ? `not available: ${r.unavailable}` : `FAILED: ${r.error}`}`,
      );
      continue;
    }
    const res = r.result;
    const cells = cols.map((c) => {
      if (c === 'vectors') return `${short(res.vectorDigest)} ${mark(r.name, c)}`.padEnd(16);
      if (r.skipped?.[c]) return 'skipped'.padEnd(16);
      return `${short(res.runRoots[c])} ${mark(r.name, c)}`.padEnd(16);
    });
    console.log([r.name.padEnd(w), ...cells, `${(res.ms / 1000).toFixed(1)} s`].join(' '));
  }
  const skippedNotes = reports.flatMap((r) =>
    Object.entries(r.skipped ?? {}).map(([t, why]) => `${r.name} / ${t}: ${why}`),
  );
  for (const n of skippedNotes) console.log(`  skipped ${n}`);
  for (const d of differences) console.log(`✗ ${describe(d)}`);
  console.log(
    agree ? `✓ all engines agree (${reports.filter((r) => r.result).length} engines)` : '✗ engines disagree',
  );
}

function hex(w: number | undefined): string {
  return w === undefined ? '—' : `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
}

export function describe(d: Difference): string {
  if (d.kind === 'vector') {
    const where =
      d.element === undefined
        ? ''
        : ` at element ${d.element} (${hex(d.referenceBits)} vs ${hex(d.engineBits)})`;
    return `${d.engine} differs from ${d.reference} in op vector ${d.vector}${where}`;
  }
  return `${d.engine} differs from ${d.reference} in task ${d.task}: first at step ${d.step}`;
}
