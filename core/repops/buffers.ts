/**
 * Output buffers of ops, reused across training steps. A fast-mode step makes ~120 MB of intermediate
 * tensors that are dead once its record is made; handing their buffers back here (train/step.ts) lets the
 * next step's ops take them instead of allocating (no garbage collection, no fresh pages). A reused
 * buffer is zero-filled, exactly like a new Float32Array, so no op can tell the difference.
 */
/** Whole Float32Array buffers by length, up to a byte budget: what a caller gave back, for the next take. */
export interface BufferPool {
  take(length: number): Float32Array | undefined;
  /** Keeps b for reuse when it is a whole ArrayBuffer of at least the pool's minimum length and fits. */
  give(b: Float32Array): void;
  clear(): void;
}

export function createBufferPool(maxBytes: number, minLength = 1): BufferPool {
  const free = new Map<number, Float32Array[]>();
  let pooled = 0;
  return {
    take(length) {
      if (length < minLength) return undefined;
      const b = free.get(length)?.pop();
      if (b) pooled -= b.byteLength;
      return b;
    },
    give(b) {
      if (b.length < minLength || b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return;
      if (!(b.buffer instanceof ArrayBuffer) || pooled + b.byteLength > maxBytes) return;
      const list = free.get(b.length);
      if (list) list.push(b);
      else free.set(b.length, [b]);
      pooled += b.byteLength;
    },
    clear() {
      free.clear();
      pooled = 0;
    },
  };
}

const ops = createBufferPool(512 * 1024 * 1024, 1024);

/**
 * Where op outputs come from before the pool, when set: a micro-batch worker's shared arena
 * (core/train/node-microbatch-worker.ts), so the thread that splices its nodes reads them without a copy.
 * `take` gives undefined when full (the pool or a fresh buffer then serves).
 */
export interface OutputArena {
  take(n: number): Float32Array | undefined;
}

let arena: OutputArena | null = null;

export function setOutputArena(a: OutputArena | null): void {
  arena = a;
}

export function outputBuffer(n: number): Float32Array {
  const b = arena?.take(n) ?? ops.take(n);
  return b ? b.fill(0) : new Float32Array(n);
}

/**
 * An output whose old contents may remain: only for a caller that writes every one of its n elements
 * before anyone reads it (a copy out of WebAssembly memory, a permutation, an elementwise kernel).
 */
export function overwrittenBuffer(n: number): Float32Array {
  return arena?.take(n) ?? ops.take(n) ?? new Float32Array(n);
}

/**
 * Gives back a temporary an op took from this pool and no one else saw (a product summed away inside the
 * op): a later op of the same step takes it instead of allocating. Never an op's output, input or a
 * buffer anything still reads — the next taker overwrites it.
 */
export function releaseTemporary(b: Float32Array): void {
  ops.give(b);
}

/**
 * Gives buffers nothing references any more back to the pool (whole buffers only). What the previous
 * hand-back left unused through a whole step is released first (to the garbage collector), so the pool
 * holds about one step's intermediates, not a standing surplus from the first step.
 */
export function recycleBuffers(buffers: Iterable<Float32Array>): void {
  ops.clear();
  for (const b of buffers) ops.give(b);
}

/** Adds buffers nothing references any more to the pool, keeping what it holds (unlike recycleBuffers). */
export function returnBuffers(buffers: Iterable<Float32Array>): void {
  for (const b of buffers) ops.give(b);
}
