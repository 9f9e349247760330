/**
 * The one serialisable output model of notebook cells. Cells produce these (display(), console.*,
 * assert()); the runner ships them as JSON out of the sandbox; the app's renderer and the HTML export
 * (render-svg.ts, html.ts) both draw them. Plain JSON data only — no classes, no typed arrays.
 */
import type { Transcript } from '../dispute/transcript.ts';

export type TextStream = 'stdout' | 'stderr';

export interface TextOutput {
  kind: 'text';
  text: string;
  stream?: TextStream;
}

export interface MarkdownOutput {
  kind: 'markdown';
  markdown: string;
}

export type Cell = string | number | boolean | null;

export interface TableOutput {
  kind: 'table';
  title?: string;
  columns: string[];
  rows: Cell[][];
}

export interface ChartSeries {
  name: string;
  /** [x, y] pairs; y may be null for a gap. */
  points: [number, number | null][];
}

export interface ChartAxis {
  label: string;
  scale?: 'linear' | 'log';
  /** Fixed domain; default: the data's extent. */
  domain?: [number, number];
}

export interface ChartOutput {
  kind: 'chart';
  title?: string;
  x: ChartAxis;
  y: ChartAxis;
  series: ChartSeries[];
}

export interface HeatmapOutput {
  kind: 'heatmap';
  title?: string;
  /** [rows, cols]; tensors of other rank are reshaped by the display helper. */
  shape: [number, number];
  /** Row-major, rows*cols values. */
  values: number[];
  /** Tensor digest, shown under the map. */
  digest?: string;
  /** Cells to outline (e.g. the tampered element): flat indices. */
  highlight?: number[];
}

export type GraphMark = 'agree' | 'disagree' | 'culprit' | 'none';

export interface GraphNode {
  id: number;
  op: string;
  shape: number[];
  digest?: string;
  phase?: string;
  label?: string;
  mark?: GraphMark;
}

export interface GraphOutput {
  kind: 'graph';
  title?: string;
  nodes: GraphNode[];
  /** Data edges: `from` is an input of `to`. */
  edges: { from: number; to: number }[];
}

/**
 * A dispute transcript as the renderers draw it: the bisection rounds and the verdict. The full
 * core/dispute transcript (plain JSON) rides along in `transcript`, so the app can replay it.
 */
export interface DisputeRoundView {
  phase: string;
  /** Search interval before the round. */
  lo?: number;
  hi?: number;
  /** Index probed this round. */
  mid?: number;
  agree?: boolean;
  note?: string;
}

export interface DisputeOutput {
  kind: 'dispute';
  title?: string;
  rounds: DisputeRoundView[];
  /** Human-readable verdict, e.g. "solver loses: op 17 (matmul) recomputed ≠ claimed". */
  verdict: string;
  /** Step and op where the parties first disagree. */
  step?: number;
  op?: number;
  opName?: string;
  /** The full transcript as produced by core/dispute (display.showTranscript fills it). */
  transcript?: Transcript;
}

export interface LedgerAccountView {
  id: string;
  balance: number;
  staked?: number;
  slashed?: number;
}

export interface LedgerOutput {
  kind: 'ledger';
  title?: string;
  accounts: LedgerAccountView[];
  events?: { seq: number; type: string; detail?: string; hash?: string }[];
  /** Supply invariant check, when the snapshot includes it. */
  invariant?: { ok: boolean; detail?: string };
}

export interface AssertionOutput {
  kind: 'assertion';
  ok: boolean;
  message: string;
}

export type Output =
  | TextOutput
  | MarkdownOutput
  | TableOutput
  | ChartOutput
  | HeatmapOutput
  | GraphOutput
  | DisputeOutput
  | LedgerOutput
  | AssertionOutput;

export type OutputKind = Output['kind'];
export const OUTPUT_KINDS: readonly OutputKind[] = [
  'text',
  'markdown',
  'table',
  'chart',
  'heatmap',
  'graph',
  'dispute',
  'ledger',
  'assertion',
];

/** Where a cell failed: cell id, line in the cell and in the notebook file. */
export interface CellError {
  name: string;
  message: string;
  cellLine?: number;
  fileLine?: number;
  stack?: string;
}

export type CellStatus = 'ok' | 'error' | 'timeout' | 'cancelled' | 'skipped';

export interface CellResult {
  id: string;
  status: CellStatus;
  outputs: Output[];
  error?: CellError;
  ms: number;
}

export interface NotebookResult {
  file: string;
  title: string;
  ok: boolean;
  cells: CellResult[];
  startedAt: string;
  ms: number;
  /** Count of assertion outputs that passed / failed. */
  assertions: { passed: number; failed: number };
  pinpointVersion: string;
}

/** Raised by validateOutput: what is wrong with a value claiming to be an Output. */
export class OutputError extends Error {
  constructor(message: string) {
    super(`invalid output: ${message}`);
    this.name = 'OutputError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';

function need(cond: boolean, msg: string): void {
  if (!cond) throw new OutputError(msg);
}

function checkAxis(a: unknown, name: string): void {
  need(isObj(a) && isStr(a.label), `chart.${name} needs a label`);
  const ax = a as Record<string, unknown>;
  need(
    ax.scale === undefined || ax.scale === 'linear' || ax.scale === 'log',
    `chart.${name}.scale must be linear or log`,
  );
  need(
    ax.domain === undefined || (Array.isArray(ax.domain) && ax.domain.length === 2 && ax.domain.every(isNum)),
    `chart.${name}.domain must be [min, max]`,
  );
}

/**
 * Checks that an untrusted value (e.g. parsed from the sandbox's JSON) is a well-formed Output and
 * returns it typed. Throws OutputError naming the field.
 */
export function validateOutput(v: unknown): Output {
  need(isObj(v), 'not an object');
  const o = v as Record<string, unknown>;
  need(
    isStr(o.kind) && (OUTPUT_KINDS as readonly string[]).includes(o.kind),
    `unknown kind ${JSON.stringify(o.kind)}`,
  );
  switch (o.kind) {
    case 'text':
      need(isStr(o.text), 'text.text must be a string');
      need(o.stream === undefined || o.stream === 'stdout' || o.stream === 'stderr', 'text.stream');
      break;
    case 'markdown':
      need(isStr(o.markdown), 'markdown.markdown must be a string');
      break;
    case 'table':
      need(Array.isArray(o.columns) && o.columns.every(isStr), 'table.columns must be strings');
      need(Array.isArray(o.rows) && o.rows.every((r) => Array.isArray(r)), 'table.rows must be arrays');
      break;
    case 'chart':
      checkAxis(o.x, 'x');
      checkAxis(o.y, 'y');
      need(Array.isArray(o.series), 'chart.series must be an array');
      for (const s of o.series as unknown[]) {
        need(isObj(s) && isStr(s.name) && Array.isArray(s.points), 'chart series needs name and points');
        for (const p of (s as { points: unknown[] }).points) {
          need(
            Array.isArray(p) && p.length === 2 && isNum(p[0]) && (p[1] === null || isNum(p[1])),
            'chart point must be [x, y]',
          );
        }
      }
      break;
    case 'heatmap': {
      const sh = o.shape;
      need(
        Array.isArray(sh) && sh.length === 2 && sh.every((d) => Number.isInteger(d) && (d as number) >= 0),
        'heatmap.shape must be [rows, cols]',
      );
      const [r, c] = sh as number[];
      need(
        Array.isArray(o.values) && o.values.length === r * c,
        `heatmap.values must have ${r}×${c} numbers`,
      );
      need(
        (o.values as unknown[]).every((x) => isNum(x) || x === null),
        'heatmap.values must be numbers',
      );
      break;
    }
    case 'graph':
      need(Array.isArray(o.nodes) && Array.isArray(o.edges), 'graph needs nodes and edges');
      for (const n of o.nodes as unknown[])
        need(
          isObj(n) && isNum(n.id) && isStr(n.op) && Array.isArray(n.shape),
          'graph node needs id, op, shape',
        );
      for (const e of o.edges as unknown[])
        need(isObj(e) && isNum(e.from) && isNum(e.to), 'graph edge needs from and to');
      break;
    case 'dispute':
      need(
        Array.isArray(o.rounds) && o.rounds.every((r) => isObj(r) && isStr(r.phase)),
        'dispute.rounds need a phase',
      );
      need(isStr(o.verdict), 'dispute.verdict must be a string');
      break;
    case 'ledger':
      need(Array.isArray(o.accounts), 'ledger.accounts must be an array');
      for (const a of o.accounts as unknown[])
        need(isObj(a) && isStr(a.id) && isNum(a.balance), 'ledger account needs id and balance');
      break;
    case 'assertion':
      need(typeof o.ok === 'boolean' && isStr(o.message), 'assertion needs ok and message');
      break;
  }
  return v as Output;
}
