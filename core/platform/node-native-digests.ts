/**
 * Node adapter: tensor digests on the native addon's hashing thread (native/digest-queue.c). Lent and given
 * tensors are read in place — nothing is copied, moved between threads or handed back through messages,
 * which in the worker-thread queue (node-digest-queue.ts) cost the main thread about 15 ms and much of its
 * garbage collection per nanoGPT trace step. Given tensors' buffers go to the op buffer pool when their
 * digests are taken, as the worker queue's moved buffers do.
 */

import { checkScheme, type TensorDigestScheme } from '../hash/tensor-scheme.ts';
import { recycleBuffers } from '../repops/buffers.ts';
import type { Custody, TensorDigestQueue } from './hash.ts';

export interface NativeDigests {
  digestSubmit(
    tag: Uint8Array,
    tensors: Float32Array[],
    shapes: Uint32Array,
    custody: Uint8Array,
    /** 0 SHA-256 (when absent), 1 BLAKE3. */
    scheme?: number,
  ): number;
  digestTake(ticket: number): string;
  /** Totals since the process started (native/digest-queue.c digestStats). */
  digestStats(): DigestStats;
  /** native/merkle.c: core/hash/merkle.ts merkleRoot's tree over 32-byte leaves, in one call. */
  merkleRoot(tag: Uint8Array, leaves: Uint8Array): Uint8Array;
}

/**
 * Where the hashing time went: bytes hashed, CPU milliseconds spent hashing on the hashing thread and by
 * callers of take (who hash what is left rather than wait), and wall milliseconds take still waited.
 */
export interface DigestStats {
  readonly bytes: number;
  readonly hashThreadMs: number;
  readonly callerMs: number;
  readonly waitMs: number;
}

const CUSTODY_CODE: Record<Custody, number> = { copy: 0, lend: 1, give: 2 };
/** native/digest-queue.c's scheme numbers. */
const SCHEME_CODE: Record<TensorDigestScheme, number> = { sha256: 0, blake3: 1 };

export function nativeDigestQueue(addon: NativeDigests, tensorTag: string): TensorDigestQueue {
  const tag = new TextEncoder().encode(`${tensorTag}\0`);
  const pending = new Map<number, { gift: Float32Array[]; slot: number[] }>();
  return {
    inPlace: true,
    submit(tensors, custody, scheme) {
      checkScheme(scheme, 'tensor digest queue');
      // A buffer goes to the pool only when every tensor on it is given (a kept tensor sharing it — a reshape
      // of it — still reads it). Two threads may hash one submission, so a buffer two hashed tensors share
      // is rewritten (NaNs made canonical in place) by neither.
      const kept = new Set<ArrayBufferLike>();
      const uses = new Map<ArrayBufferLike, number>();
      // Loops, not per-call closures: V8 drops a dead closure's optimized code (core/train/step.ts indicesTo).
      for (let i = 0; i < tensors.length; i++) {
        const b = tensors[i].data.buffer;
        if (custody?.[i] !== 'give') kept.add(b);
        uses.set(b, (uses.get(b) ?? 0) + 1);
      }
      const codes: number[] = [];
      const shapes: number[] = [];
      const datas: Float32Array[] = [];
      // Tensors with the same data and shape (a gradient passed through unchanged, e.g. add's VJP) have one
      // digest: each is hashed once, and slot[i] says which hash tensor i takes.
      const unique = new Map<ArrayBufferLike, Map<string, number>>();
      const slot = new Array<number>(tensors.length);
      // One entry per buffer: the pool must never hold a buffer twice.
      const gift = new Map<ArrayBufferLike, Float32Array>();
      for (let i = 0; i < tensors.length; i++) {
        const t = tensors[i];
        const d = t.data;
        const c = custody?.[i] === 'give' && kept.has(d.buffer) ? 'lend' : (custody?.[i] ?? 'copy');
        if (c === 'give') gift.set(d.buffer, d);
        const code = c === 'give' && (uses.get(d.buffer) ?? 0) > 1 ? 'lend' : c;
        const same = unique.get(d.buffer) ?? new Map<string, number>();
        unique.set(d.buffer, same);
        const key = `${d.byteOffset} ${d.length} ${t.shape.join(' ')}`;
        const at = same.get(key);
        if (at !== undefined) {
          slot[i] = at;
          continue;
        }
        slot[i] = datas.length;
        same.set(key, datas.length);
        codes.push(CUSTODY_CODE[code]);
        shapes.push(t.shape.length, ...t.shape);
        datas.push(d);
      }
      const ticket = addon.digestSubmit(
        tag,
        datas,
        Uint32Array.from(shapes),
        Uint8Array.from(codes),
        SCHEME_CODE[scheme],
      );
      pending.set(ticket, { gift: [...gift.values()], slot });
      return ticket;
    },
    take(ticket) {
      const hex = addon.digestTake(ticket);
      const { gift, slot } = pending.get(ticket) ?? { gift: [], slot: [] };
      pending.delete(ticket);
      const out = new Array<string>(slot.length);
      for (let i = 0; i < slot.length; i++) out[i] = hex.slice(64 * slot[i], 64 * slot[i] + 64);
      // As the worker queue does with moved buffers (an empty hand-back would release the pool's).
      if (gift.length > 0) recycleBuffers(gift);
      return out;
    },
  };
}
