/**
 * Node adapter: tensor digests on the native addon's hashing thread (native/digest-queue.c). Lent and given
 * tensors are read in place — nothing is copied, moved between threads or handed back through messages,
 * which in the worker-thread queue (node-digest-queue.ts) cost the main thread about 15 ms and much of its
 * garbage collection per nanoGPT trace step. Given tensors' buffers go to the op buffer pool when their
 * digests are taken, as the worker queue's moved buffers do.
 */
import { recycleBuffers } from '../repops/buffers.ts';
import type { Custody, TensorDigestQueue } from './hash.ts';

export interface NativeDigests {
  digestSubmit(tag: Uint8Array, tensors: Float32Array[], shapes: Uint32Array, custody: Uint8Array): number;
  digestTake(ticket: number): string;
}

const CUSTODY_CODE: Record<Custody, number> = { copy: 0, lend: 1, give: 2 };

export function nativeDigestQueue(addon: NativeDigests, tensorTag: string): TensorDigestQueue {
  const tag = new TextEncoder().encode(`${tensorTag}\0`);
  const given = new Map<number, Float32Array[]>();
  return {
    submit(tensors, custody) {
      // A buffer is given only when every tensor on it is: giving lets the hashing thread rewrite NaNs in
      // place, which a kept tensor sharing the buffer (a reshape of it) must not see.
      const kept = new Set<ArrayBufferLike>();
      tensors.forEach((t, i) => {
        if (custody?.[i] !== 'give') kept.add(t.data.buffer);
      });
      const codes = new Uint8Array(tensors.length);
      const shapes: number[] = [];
      const datas: Float32Array[] = [];
      // One entry per buffer: the pool must never hold a buffer twice.
      const gift = new Map<ArrayBufferLike, Float32Array>();
      tensors.forEach((t, i) => {
        const c = custody?.[i] === 'give' && kept.has(t.data.buffer) ? 'lend' : (custody?.[i] ?? 'copy');
        codes[i] = CUSTODY_CODE[c];
        shapes.push(t.shape.length, ...t.shape);
        datas.push(t.data);
        if (c === 'give') gift.set(t.data.buffer, t.data);
      });
      const ticket = addon.digestSubmit(tag, datas, Uint32Array.from(shapes), codes);
      given.set(ticket, [...gift.values()]);
      return ticket;
    },
    take(ticket) {
      const hex = addon.digestTake(ticket);
      const out: string[] = new Array(hex.length / 64);
      for (let i = 0; i < out.length; i++) out[i] = hex.slice(64 * i, 64 * i + 64);
      const gift = given.get(ticket) ?? [];
      given.delete(ticket);
      // As the worker queue does with moved buffers (an empty hand-back would release the pool's).
      if (gift.length > 0) recycleBuffers(gift);
      return out;
    },
  };
}
