/**
 * `display()` helpers available to notebook cells through the `pinpoint` prelude. Each builds a typed
 * Output (outputs.ts) and hands it to the current sink — inside the sandbox the sink streams the output's
 * JSON to the runner; elsewhere (tests, the app's own code) callers may install any sink.
 */

import { describeVerdict, type Transcript } from '../dispute/transcript.ts';
import type {
  Cell,
  ChartAxis,
  ChartOutput,
  DisputeOutput,
  DisputeRoundView,
  GraphNode,
  GraphOutput,
  HeatmapOutput,
  LedgerOutput,
  Output,
  TableOutput,
} from './outputs.ts';
import { OUTPUT_KINDS, validateOutput } from './outputs.ts';

export type OutputSink = (o: Output) => void;

let sink: OutputSink = () => {};

export function setOutputSink(s: OutputSink): void {
  sink = s;
}

function emit<T extends Output>(o: T): T {
  sink(validateOutput(o) as T);
  return o;
}

/** Readable text for any value (cycles, typed arrays, bigint and Maps included). */
export function formatValue(v: unknown, depth = 0, seen: Set<unknown> = new Set()): string {
  if (typeof v === 'string') return depth === 0 ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `[function ${(v as { name?: string }).name || 'anonymous'}]`;
  if (typeof v === 'symbol') return v.toString();
  if (seen.has(v)) return '[circular]';
  if (depth > 4) return '…';
  seen.add(v);
  try {
    if (v instanceof Error) return `${v.name}: ${v.message}`;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const arr = Array.from(v as unknown as ArrayLike<number>);
      const head = arr.slice(0, 16).join(', ');
      return `${v.constructor.name}(${arr.length}) [${head}${arr.length > 16 ? ', …' : ''}]`;
    }
    if (Array.isArray(v)) {
      const items = v.slice(0, 50).map((x) => formatValue(x, depth + 1, seen));
      return `[${items.join(', ')}${v.length > 50 ? `, … (${v.length} items)` : ''}]`;
    }
    if (v instanceof Map) {
      return `Map(${v.size}) {${[...v]
        .slice(0, 50)
        .map(([k, x]) => `${formatValue(k, depth + 1, seen)} => ${formatValue(x, depth + 1, seen)}`)
        .join(', ')}}`;
    }
    if (v instanceof Set)
      return `Set(${v.size}) {${[...v]
        .slice(0, 50)
        .map((x) => formatValue(x, depth + 1, seen))
        .join(', ')}}`;
    const entries = Object.entries(v as Record<string, unknown>).map(
      ([k, x]) => `${k}: ${formatValue(x, depth + 1, seen)}`,
    );
    return `{ ${entries.join(', ')} }`;
  } finally {
    seen.delete(v);
  }
}

export interface TensorLike {
  shape: readonly number[];
  data: ArrayLike<number>;
}

function isTensorLike(v: unknown): v is TensorLike {
  return (
    v !== null &&
    typeof v === 'object' &&
    Array.isArray((v as TensorLike).shape) &&
    ArrayBuffer.isView((v as TensorLike).data as unknown as ArrayBufferView)
  );
}

function isOutput(v: unknown): v is Output {
  return (
    v !== null && typeof v === 'object' && (OUTPUT_KINDS as readonly unknown[]).includes((v as Output).kind)
  );
}

/** Shows any value: Outputs as themselves, tensors as heat maps, strings as text, the rest formatted. */
export function display(value: unknown): void {
  if (isOutput(value)) emit(value);
  else if (isTensorLike(value)) heatmap(value);
  else text(formatValue(value));
}

export function text(s: string): void {
  emit({ kind: 'text', text: String(s) });
}

export function markdown(md: string): void {
  emit({ kind: 'markdown', markdown: String(md) });
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return formatValue(v, 1);
}

/** A table from an array of records (columns = union of keys in order of appearance) or columns + rows. */
export function table(
  data: readonly Record<string, unknown>[] | { columns: string[]; rows: unknown[][] },
  title?: string,
): TableOutput {
  let out: TableOutput;
  if (Array.isArray(data)) {
    const columns: string[] = [];
    for (const r of data) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
    out = { kind: 'table', columns, rows: data.map((r) => columns.map((c) => toCell(r[c]))) };
  } else {
    const d = data as { columns: string[]; rows: unknown[][] };
    out = { kind: 'table', columns: d.columns.map(String), rows: d.rows.map((r) => r.map(toCell)) };
  }
  if (title) out.title = title;
  return emit(out);
}

export interface LineChartOptions {
  title?: string;
  x?: string | ChartAxis;
  y?: string | ChartAxis;
}

type SeriesInput = readonly (readonly [number, number | null])[] | readonly number[];

function toPoints(s: SeriesInput): [number, number | null][] {
  return (s as readonly unknown[]).map((p, i) =>
    typeof p === 'number'
      ? [i, Number.isFinite(p) ? p : null]
      : [Number((p as number[])[0]), (p as (number | null)[])[1] ?? null],
  );
}

/**
 * A line chart. `series` maps a name to [x, y] pairs or to plain y values (x = index):
 * `chart({ loss: losses }, { title: 'Loss', x: 'step', y: 'loss' })`.
 */
export function chart(series: Record<string, SeriesInput>, opts: LineChartOptions = {}): ChartOutput {
  const axis = (a: string | ChartAxis | undefined, dflt: string): ChartAxis =>
    typeof a === 'object' ? { ...a } : { label: a ?? dflt };
  const out: ChartOutput = {
    kind: 'chart',
    x: axis(opts.x, 'x'),
    y: axis(opts.y, 'y'),
    series: Object.entries(series).map(([name, pts]) => ({ name, points: toPoints(pts) })),
  };
  if (opts.title) out.title = opts.title;
  return emit(out);
}

/** A tensor as a heat map (rank 1 → one row; rank ≥ 3 → leading dims folded into rows). */
export function heatmap(
  t: TensorLike,
  opts: { title?: string; digest?: string; highlight?: number[] } = {},
): HeatmapOutput {
  const shape = t.shape;
  const n = Array.from(t.data).length;
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const rows = cols === 0 ? 0 : n / cols;
  const out: HeatmapOutput = {
    kind: 'heatmap',
    shape: [rows, cols],
    values: Array.from(t.data, (x) => (Number.isFinite(x) ? x : 0)),
  };
  if (opts.title) out.title = opts.title;
  if (opts.digest) out.digest = opts.digest;
  if (opts.highlight) out.highlight = [...opts.highlight];
  return emit(out);
}

/** Anything shaped like a recorded tape node (core/repops tape) or a dispute StepGraph node (id = index). */
export interface TapeNodeLike {
  id?: number;
  op: string;
  inputs: readonly number[];
  out?: { shape: readonly number[] };
  shape?: readonly number[];
  phase?: string;
  label?: string;
}

/**
 * A computational graph from tape-like nodes. `digests[i]` labels node i; `marks` colours nodes
 * (agree/disagree/culprit), e.g. from a dispute's operator phase.
 */
export function graph(
  nodes: readonly TapeNodeLike[],
  opts: { title?: string; digests?: readonly string[]; marks?: Record<number, GraphNode['mark']> } = {},
): GraphOutput {
  const idOf = (n: TapeNodeLike, i: number) => n.id ?? i;
  const gnodes: GraphNode[] = nodes.map((n, i) => {
    const id = idOf(n, i);
    const g: GraphNode = { id, op: n.op, shape: [...(n.out?.shape ?? n.shape ?? [])] };
    if (opts.digests?.[id]) g.digest = opts.digests[id];
    if (n.phase) g.phase = n.phase;
    if (n.label) g.label = n.label;
    const m = opts.marks?.[id];
    if (m) g.mark = m;
    return g;
  });
  const edges = nodes.flatMap((n, i) => n.inputs.map((from) => ({ from, to: idOf(n, i) })));
  const out: GraphOutput = { kind: 'graph', nodes: gnodes, edges };
  if (opts.title) out.title = opts.title;
  return emit(out);
}

/** A dispute's bisection rounds and verdict (pass the transcript JSON in `transcript` to keep it whole). */
export function dispute(d: {
  rounds: DisputeRoundView[];
  verdict: string;
  title?: string;
  step?: number;
  op?: number;
  opName?: string;
  transcript?: Transcript;
}): DisputeOutput {
  const out: DisputeOutput = { kind: 'dispute', rounds: d.rounds.map((r) => ({ ...r })), verdict: d.verdict };
  for (const k of ['title', 'step', 'op', 'opName'] as const)
    if (d[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = d[k];
  if (d.transcript !== undefined) out.transcript = JSON.parse(JSON.stringify(d.transcript)) as Transcript;
  return emit(out);
}

/**
 * A real dispute transcript (core/dispute/transcript.ts): its bisection rounds over steps then ops,
 * with the interval after each round, the probed index and whether the parties agreed.
 */
export function showTranscript(t: Transcript, title?: string): DisputeOutput {
  const rounds: DisputeRoundView[] = [];
  for (const r of t.rounds) {
    const iv = r.steps ?? r.ops;
    if (!iv) continue;
    const q = r.question;
    const probe = q.step !== undefined && r.steps ? q.step : q.range ? q.range[0] : q.index;
    const v: DisputeRoundView = { phase: r.steps ? 'step' : 'op', lo: iv.lo, hi: iv.hi, note: r.note };
    if (probe !== undefined) v.mid = probe;
    if (r.agree !== undefined) v.agree = r.agree;
    rounds.push(v);
  }
  const v = t.verdict;
  const d: Parameters<typeof dispute>[0] = {
    rounds,
    verdict: describeVerdict(v),
    transcript: t,
    title: title ?? `${t.parties.solver} vs ${t.parties.challenger}`,
  };
  if (v.step !== null) d.step = v.step;
  if (v.op !== null) d.op = v.op;
  if (v.opName !== null) d.opName = v.opName;
  return dispute(d);
}

export function ledger(s: Omit<LedgerOutput, 'kind'>): LedgerOutput {
  return emit({ kind: 'ledger', ...JSON.parse(JSON.stringify(s)) } as LedgerOutput);
}

/** Raised when a notebook assertion fails; the runner marks the cell failed. */
export class NotebookAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

/** Records a checked claim of the experiment; a false one fails the cell (and `pinpoint run`). */
export function assert(condition: unknown, message: string): asserts condition {
  const ok = !!condition;
  emit({ kind: 'assertion', ok, message: String(message) });
  if (!ok) throw new NotebookAssertionError(`assertion failed: ${message}`);
}
