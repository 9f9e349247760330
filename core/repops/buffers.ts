/**
 * Output buffers of ops, reused across training steps. A fast-mode step makes ~120 MB of intermediate
 * tensors that are dead once its record is made; handing their buffers back here (train/step.ts) lets the
 * next step's ops take them instead of allocating (no garbage collection, no fresh pages). A reused
 * buffer is zero-filled, exactly like a new Float32Array, so no op can tell the difference.
 */
const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;
const MAX_POOLED_BYTES = 512 * 1024 * 1024;
const MIN_POOLED = 1024;

export function outputBuffer(n: number): Float32Array {
  const b = reused(n);
  return b ? b.fill(0) : new Float32Array(n);
}

/**
 * An output whose old contents may remain: only for a caller that writes every one of its n elements
 * before anyone reads it (a copy out of WebAssembly memory, a permutation, an elementwise kernel).
 */
export function overwrittenBuffer(n: number): Float32Array {
  return reused(n) ?? new Float32Array(n);
}

function reused(n: number): Float32Array | undefined {
  if (n < MIN_POOLED) return undefined;
  const b = free.get(n)?.pop();
  if (b) pooledBytes -= b.byteLength;
  return b;
}

/**
 * Gives buffers nothing references any more back to the pool (whole buffers only). What the previous
 * hand-back left unused through a whole step is released first (to the garbage collector), so the pool
 * holds about one step's intermediates, not a standing surplus from the first step.
 */
export function recycleBuffers(buffers: Iterable<Float32Array>): void {
  free.clear();
  pooledBytes = 0;
  for (const b of buffers) {
    if (b.length < MIN_POOLED || b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) continue;
    if (!(b.buffer instanceof ArrayBuffer) || pooledBytes + b.byteLength > MAX_POOLED_BYTES) continue;
    const list = free.get(b.length);
    if (list) list.push(b);
    else free.set(b.length, [b]);
    pooledBytes += b.byteLength;
  }
}
