/**
 * Node adapter: a worker thread that computes tensor digests (core/hash/digest.ts `tensorDigest`:
 * SHA-256 of "pinpoint.tensor.v1\0", dtype 1, rank and dims as u32le, data little-endian with every NaN
 * canonicalised to 0x7fc00000) with the native addon's multi-buffer SHA-256 (a step's tensors in one call,
 * 16 at a time in AVX-512 lanes) or else node:crypto. The worker source is a string (no TypeScript loader in
 * the worker); test/hash/digest-queue.test.ts checks it against `tensorDigest` bit for bit. Results come
 * back on a MessagePort and the waiting thread blocks on an Atomics counter, so `take` is synchronous.
 * Copies (tensors not handed over, e.g. the state after a step, which the next step reads) go into
 * buffers the worker sends back with its answer and `submit` reuses: a fresh 10 MB allocation costs page
 * faults and GC work several times the copy itself. Handed-over op outputs come back the same way and go to
 * the op buffer pool (core/repops/buffers.ts), so trace mode reuses its ~120 MB per step as fast mode does.
 */
import { endianness } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { checkScheme } from '../hash/tensor-scheme.ts';
import { createBufferPool, recycleBuffers } from '../repops/buffers.ts';
import type { TensorDigestQueue } from './hash.ts';
import { nativeAddonPath } from './node-native.ts';
import { workerBundle } from './node-worker-bundle.ts';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
const TAG = Buffer.from('pinpoint.tensor.v1\\u0000', 'utf8');
// The native addon's NaN pass (native/hash.c) where the main thread has it installed; else this loop.
let canonicalize = (buf) => {
  const bits = new Uint32Array(buf);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x007fffff) !== 0) bits[i] = 0x7fc00000;
  }
};
// The addon's multi-buffer SHA-256 (native/sha256-lanes.c: 16 messages at a time in AVX-512 lanes, the
// same digests, NaNs canonicalised as it loads the words) where it has it and this CPU runs it; else the
// NaN pass above and node:crypto, one tensor after another.
// The "blake3" scheme: the addon's blake3Many where it has it, else core/hash/blake3-portable.ts (bundled
// into this source as the global blake3Portable).
const hashMany = { sha256: null, blake3: null };
if (workerData.addon) {
  try {
    const addon = require(workerData.addon);
    canonicalize = (buf) => addon.nanCanonicalize(new Float32Array(buf));
    if (typeof addon.sha256Many === 'function') hashMany.sha256 = addon.sha256Many;
    if (typeof addon.blake3Many === 'function') hashMany.blake3 = addon.blake3Many;
  } catch {}
}
const hashOne = {
  sha256: (prefix, buf) => createHash('sha256').update(prefix).update(new Uint8Array(buf)).digest('hex'),
  blake3: (prefix, buf) =>
    Buffer.from(blake3Portable.blake3CanonicalF32([prefix], new Float32Array(buf))).toString('hex'),
};
parentPort.on('message', ({ ticket, items, copies, scheme }) => {
  const prefixes = items.map(({ shape }) => {
    const head = Buffer.alloc(TAG.length + 5 + 4 * shape.length);
    TAG.copy(head, 0);
    head.writeUInt8(1, TAG.length);
    head.writeUInt32LE(shape.length, TAG.length + 1);
    for (let i = 0; i < shape.length; i++) head.writeUInt32LE(shape[i], TAG.length + 5 + 4 * i);
    return head;
  });
  const all = Buffer.alloc(32 * items.length);
  const bufs = items.map((i) => i.buf);
  let out;
  const many = hashMany[scheme];
  if (many && many(prefixes, bufs, all, { canonicalNaNs: true })) {
    out = items.map((_, i) => all.toString('hex', 32 * i, 32 * i + 32));
  } else {
    // BLAKE3 makes NaNs canonical as it copies the words in; SHA-256 needs the pass first.
    if (scheme === 'sha256') for (const buf of bufs) canonicalize(buf);
    out = bufs.map((buf, i) => hashOne[scheme](prefixes[i], buf));
  }
  const spare = copies.map((i) => items[i].buf);
  // Moved op outputs go back too: the main thread's op buffer pool reuses them two steps later.
  const moved = [...new Set(items.map((i) => i.buf))].filter((b) => !spare.includes(b));
  port.postMessage({ ticket, out, spare, moved }, [...spare, ...moved]);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

/** The worker's source with core/hash/blake3-portable.ts in front, as the global blake3Portable. */
const workerSource = (): string =>
  `${workerBundle(new URL('../hash/blake3-portable.ts', import.meta.url), 'blake3Portable')}\n${WORKER_SOURCE}`;

/** Seconds `take` waits without any answer before it declares the worker lost. */
const STALL_SECONDS = 120;
/** Bytes of returned copy buffers kept for reuse (two steps' state copies of a nanoGPT-size run fit). */
const POOL_BYTES = 64 << 20;

export function nodeDigestQueue(): TensorDigestQueue | null {
  if (endianness() !== 'LE') return null;
  let worker: Worker | null = null;
  let port: MessageChannel['port1'] | null = null;
  let flag: Int32Array | null = null;
  let next = 0;
  const done = new Map<number, string[]>();
  // Returned copy buffers, for the next copies.
  const copyBuffers = createBufferPool(POOL_BYTES);
  const recycle = (spare: readonly ArrayBuffer[]) => {
    for (const b of spare) copyBuffers.give(new Float32Array(b));
  };
  const copyOf = (d: Float32Array): ArrayBuffer => {
    const b = copyBuffers.take(d.length);
    if (!b) return d.slice().buffer;
    b.set(d);
    return b.buffer as ArrayBuffer;
  };
  const start = () => {
    const ch = new MessageChannel();
    const sab = new SharedArrayBuffer(4);
    worker = new Worker(workerSource(), {
      eval: true,
      workerData: { flag: sab, port: ch.port2, addon: nativeAddonPath() },
      transferList: [ch.port2],
    });
    worker.unref();
    ch.port1.unref();
    port = ch.port1;
    flag = new Int32Array(sab);
  };
  return {
    submit(tensors, custody, scheme) {
      // Checked here: the worker would fail on it where no one waits for an error.
      checkScheme(scheme, 'tensor digest queue');
      if (!worker) start();
      const ticket = next++;
      // A buffer is moved only when it is exactly a given tensor's data and no tensor that is kept shares
      // it (that one would see it detached under it). A lent tensor is copied: moving detaches. Tensors sharing a moved buffer (a reshape
      // and its input) refer to the one moved copy: the message keeps their identity. Every other tensor
      // is copied into a buffer of its own (returned by the worker for reuse).
      const kept = new Set<ArrayBufferLike>();
      tensors.forEach((t, i) => {
        if (custody?.[i] !== 'give') kept.add(t.data.buffer);
      });
      const copies: number[] = [];
      const items = tensors.map((t, i) => {
        const d = t.data;
        const whole =
          custody?.[i] === 'give' &&
          d.buffer instanceof ArrayBuffer &&
          d.byteOffset === 0 &&
          d.byteLength === d.buffer.byteLength &&
          !kept.has(d.buffer);
        if (!whole) copies.push(i);
        return { shape: [...t.shape], buf: whole ? (d.buffer as ArrayBuffer) : copyOf(d) };
      });
      (worker as Worker).postMessage({ ticket, items, copies, scheme }, [
        ...new Set(items.map((i) => i.buf)),
      ]);
      return ticket;
    },
    take(ticket) {
      const t0 = Date.now();
      for (;;) {
        const have = done.get(ticket);
        if (have) {
          done.delete(ticket);
          return have;
        }
        const seen = Atomics.load(flag as Int32Array, 0);
        const msg = receiveMessageOnPort(port as MessageChannel['port1']);
        if (msg) {
          const {
            ticket: k,
            out,
            spare,
            moved,
          } = msg.message as {
            ticket: number;
            out: string[];
            spare: ArrayBuffer[];
            moved: ArrayBuffer[];
          };
          done.set(k, out);
          recycle(spare);
          // Nothing on this thread can see them: the tensors that held them were detached when they moved.
          // (Fast mode moves nothing: an empty hand-back would release the step's own.)
          if (moved.length > 0) recycleBuffers(moved.map((b) => new Float32Array(b)));
          continue;
        }
        if (Date.now() - t0 > STALL_SECONDS * 1000)
          throw new Error(`tensor digest worker gave no answer for ${STALL_SECONDS} s`);
        Atomics.wait(flag as Int32Array, 0, seen, 100);
      }
    },
  };
}
