/**
 * A micro-batch worker thread (started by node-microbatch.ts from this file bundled with everything it
 * imports): prepares the task as the trainer did, then for each job records micro-batches [from, to) of a
 * step on its own tape — the state leaves first, so every id is the one the step's tape gives it — with op
 * outputs allocated in a shared arena, and lists where each node's output is for the trainer to read in place.
 * No import.meta here or in what it imports at load: the bundle is CommonJS.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { loadNativeKernels } from '../platform/node-native-load.ts';
import { setOutputArena } from '../repops/buffers.ts';
import { createTape, sizeOf, type Tensor } from '../repops/index.ts';
import { ensureModelKind } from './models.ts';
import { useNodeCorpora } from './node-corpus.ts';
import { CMD, CTL, DONE, ENTRY, WHERE, type WorkerMessage } from './node-microbatch-protocol.ts';
import { recordSegment, stateLeaves } from './step.ts';
import { parseTask } from './task.ts';
import { prepareTask } from './train.ts';

const data = workerData as {
  task: unknown;
  ctl: SharedArrayBuffer;
  params: SharedArrayBuffer;
  port: MessagePort;
  addon: string | null;
  dataDir: string;
};
const ctl = new Int32Array(data.ctl);
const port = data.port;
const send = (m: WorkerMessage) => port.postMessage(m);

/** A bump allocator over a SharedArrayBuffer, reset for every job that writes to it. */
interface Arena {
  buffer: SharedArrayBuffer;
  f32: Float32Array;
  used: number;
}

function arenaOf(buffer: SharedArrayBuffer): Arena {
  return { buffer, f32: new Float32Array(buffer), used: 0 };
}

/** Elements an allocation is rounded up to: 64-byte alignment, as the native kernels prefer. */
const ALIGN = 16;

function take(a: Arena, n: number): Float32Array | undefined {
  const at = a.used;
  if (at + n > a.f32.length) return undefined;
  a.used = at + padded(n);
  return a.f32.subarray(at, at + n);
}

// Small: an arena grows to what a job needs on its first job (one copy), and memory.ts estimates that.
const INITIAL_ARENA_BYTES = 1 << 20;
const arenas: Arena[] = [0, 1].map(() => arenaOf(new SharedArrayBuffer(INITIAL_ARENA_BYTES)));
const tables: Int32Array[] = [0, 1].map(() => new Int32Array(new SharedArrayBuffer(4 * ENTRY * 1024)));
for (const slot of [0, 1]) {
  send({ kind: 'arena', slot, buffer: arenas[slot].buffer });
  send({ kind: 'table', slot, buffer: tables[slot].buffer as SharedArrayBuffer });
}

async function prepare() {
  if (data.addon !== null) {
    try {
      loadNativeKernels(data.addon);
    } catch {
      // Not loadable here: the WebAssembly kernels run (same bits).
    }
  }
  useNodeCorpora(data.dataDir);
  const task = parseTask(data.task, 'task');
  await ensureModelKind(task.model.kind);
  const ctx = prepareTask(task);
  // The state leaves: the parameters as the trainer shares them; the optimizer state, which no micro-batch
  // reads, as zeros of the right shapes.
  const params = new Float32Array(data.params);
  const nParams = ctx.model.params.length;
  const longest = Math.max(0, ...ctx.layout.slice(nParams).map((e) => sizeOf(e.shape)));
  const zeros = new Float32Array(longest);
  let at = 0;
  const tensors: Tensor[] = ctx.layout.map((e, i) => {
    const n = sizeOf(e.shape);
    if (i >= nParams) return { shape: [...e.shape], data: zeros.subarray(0, n) };
    const t = { shape: [...e.shape], data: params.subarray(at, at + n) };
    at += n;
    return t;
  });
  return { ctx, state: { layout: ctx.layout, tensors }, params };
}

type Prepared = Awaited<ReturnType<typeof prepare>>;

/** Runs the job in the control words; returns the number of nodes listed in the slot's table. */
function runJob(w: Prepared): number {
  const step = ctl[CTL.step];
  const slot = ctl[CTL.slot];
  const arena = arenas[slot];
  arena.used = 0;
  const tape = createTape();
  const vars = stateLeaves(w.ctx, tape, w.state);
  const params = vars.slice(0, w.ctx.model.params.length);
  const indices = w.ctx.order.batch(step);
  setOutputArena({ take: (n) => take(arena, n) });
  try {
    const [from, to] = [ctl[CTL.from], ctl[CTL.to]];
    for (let k = from; k < to; k++) recordSegment(w.ctx, tape, params, indices, k);
  } finally {
    setOutputArena(null);
  }
  const nodes = tape.nodes.slice(vars.length);
  // Outputs outside the arena (a leaf's batch, an op that allocates its own, one that overflowed the
  // arena) are copied into it; the arena grows when they do not fit (the next job then fits from the
  // start). A grown arena keeps what the old one held at the same offsets.
  const inPlace = (d: Float32Array) => d.buffer === arena.buffer || d.buffer === data.params;
  const need = nodes.reduce(
    (s, n) => s + (inPlace(n.out.data) ? 0 : padded(n.out.data.buffer.byteLength / 4)),
    0,
  );
  if (arena.used + need > arena.f32.length) grow(slot, arena.used + need);
  let table = tables[slot];
  if (table.length < ENTRY * nodes.length) {
    table = new Int32Array(new SharedArrayBuffer(4 * ENTRY * nodes.length * 2));
    tables[slot] = table;
    send({ kind: 'table', slot, buffer: table.buffer as SharedArrayBuffer });
  }
  // Outputs sharing a buffer (a view of another output) share its copy.
  const copied = new Map<ArrayBufferLike, number>();
  for (let j = 0; j < nodes.length; j++) {
    const d = nodes[j].out.data;
    let where: number = d.buffer === data.params ? WHERE.params : WHERE.arena;
    let offset = d.byteOffset / 4;
    if (!inPlace(d)) {
      let base = copied.get(d.buffer);
      if (base === undefined) {
        const whole = new Float32Array(d.buffer, 0, d.buffer.byteLength / 4);
        base = arenas[slot].used;
        (take(arenas[slot], whole.length) as Float32Array).set(whole);
        copied.set(d.buffer, base);
      }
      where = WHERE.arena;
      offset += base;
    }
    table[ENTRY * j] = where;
    table[ENTRY * j + 1] = offset;
    table[ENTRY * j + 2] = d.length;
  }
  return nodes.length;
}

function padded(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** Replaces the slot's arena by one of at least `elements` (and a quarter more), keeping what it holds. */
function grow(slot: number, elements: number): void {
  const old = arenas[slot];
  const next = arenaOf(new SharedArrayBuffer(4 * Math.ceil(elements * 1.25)));
  next.f32.set(old.f32.subarray(0, old.used));
  next.used = old.used;
  arenas[slot] = next;
  send({ kind: 'arena', slot, buffer: next.buffer });
}

/** Serves jobs until told to exit (blocking this thread between them: a step waits for its micro-batches). */
function serve(w: Prepared | null): void {
  for (;;) {
    Atomics.wait(ctl, CTL.cmd, CMD.idle);
    if (Atomics.load(ctl, CTL.cmd) === CMD.exit) break;
    let status: number = DONE.ok;
    try {
      if (w === null) throw new Error('the task could not be prepared');
      ctl[CTL.count] = runJob(w);
    } catch (e) {
      send({ kind: 'error', message: (e as Error).stack ?? String(e) });
      status = DONE.failed;
    }
    Atomics.store(ctl, CTL.cmd, CMD.idle);
    Atomics.store(ctl, CTL.done, status);
    Atomics.notify(ctl, CTL.done);
  }
}

prepare().then(
  (w) => {
    serve(w);
  },
  (e) => {
    send({ kind: 'error', message: (e as Error).message });
    // Every job then fails, after the reason above.
    serve(null);
  },
);
