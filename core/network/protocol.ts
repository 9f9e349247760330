/**
 * The wire protocol between Pinpoint parties (docs/NETWORK.md): versioned JSON envelopes signed with the
 * sender's Ed25519 key, replay refused by strictly increasing sequence numbers per (sender, dispute),
 * tensors carried as base64 binary32. Pure: used by the node processes and by tests alike.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson } from '../hash/digest.ts';
import { fromHex, toHex } from '../hash/hex.ts';

export const PROTOCOL = 'pinpoint.net/1';
const SIGN_DOMAIN = 'pinpoint.net.v1\0';

export interface Envelope<T = unknown> {
  v: typeof PROTOCOL;
  /** Sender's Ed25519 public key (hex). */
  from: string;
  /** Conversation id: the task (for a dispute: its task id). */
  dispute: string;
  /** Strictly increasing per (sender, dispute); a reply echoes the request's seq. */
  seq: number;
  kind: string;
  body: T;
  /** Ed25519 signature (hex) over the canonical JSON of every other field. */
  sig: string;
}

export interface Ed25519Key {
  secret: Uint8Array;
  publicKey: string;
}

/** A party's Ed25519 key from a phrase (demo/tests); real parties load a key file. */
export function ed25519FromSeed(seed: string): Ed25519Key {
  const secret = sha256(new TextEncoder().encode(`pinpoint.net.key.v1\0${seed}`));
  return { secret, publicKey: toHex(ed25519.getPublicKey(secret)) };
}

function signingBytes(e: Omit<Envelope, 'sig'>): Uint8Array {
  return new TextEncoder().encode(SIGN_DOMAIN + canonicalJson(e));
}

export function seal<T>(key: Ed25519Key, dispute: string, seq: number, kind: string, body: T): Envelope<T> {
  const e = { v: PROTOCOL, from: key.publicKey, dispute, seq, kind, body } as const;
  return { ...e, sig: toHex(ed25519.sign(signingBytes(e), key.secret)) };
}

export class ProtocolError extends Error {
  constructor(
    readonly code: 'version' | 'malformed' | 'signature' | 'sender' | 'replay' | 'kind',
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * Checks an envelope's version, shape and signature; `expectFrom` pins the sender's key, `kind` the
 * message type. Returns it typed.
 */
export function open<T>(raw: unknown, opts: { expectFrom?: string; kind?: string } = {}): Envelope<T> {
  const e = raw as Envelope<T>;
  if (e === null || typeof e !== 'object')
    throw new ProtocolError('malformed', 'message is not a JSON object');
  if (e.v !== PROTOCOL)
    throw new ProtocolError('version', `protocol ${JSON.stringify(e.v)} not spoken here (${PROTOCOL})`);
  if (
    typeof e.from !== 'string' ||
    typeof e.dispute !== 'string' ||
    !Number.isSafeInteger(e.seq) ||
    e.seq < 0 ||
    typeof e.kind !== 'string' ||
    typeof e.sig !== 'string' ||
    !('body' in e)
  )
    throw new ProtocolError('malformed', 'envelope needs v, from, dispute, seq ≥ 0, kind, body and sig');
  if (opts.kind && e.kind !== opts.kind)
    throw new ProtocolError('kind', `expected a ${opts.kind} message, got ${e.kind}`);
  if (opts.expectFrom && e.from !== opts.expectFrom)
    throw new ProtocolError(
      'sender',
      `message from key ${e.from.slice(0, 12)}…, expected ${opts.expectFrom.slice(0, 12)}…`,
    );
  const { sig, ...rest } = e;
  let ok = false;
  try {
    ok = ed25519.verify(fromHex(sig), signingBytes(rest), fromHex(e.from));
  } catch {
    ok = false;
  }
  if (!ok) throw new ProtocolError('signature', `bad Ed25519 signature on ${e.kind} #${e.seq}`);
  return e;
}

/** Refuses a replayed or reordered message: seq must grow per (sender, dispute). */
export class ReplayGuard {
  private readonly last = new Map<string, number>();
  check(e: Envelope): void {
    const k = `${e.from}\0${e.dispute}`;
    const prev = this.last.get(k);
    if (prev !== undefined && e.seq <= prev)
      throw new ProtocolError(
        'replay',
        `replayed or stale message: seq ${e.seq} ≤ ${prev} (dispute ${e.dispute})`,
      );
    this.last.set(k, e.seq);
  }
}

/** JSON with binary32 arrays as { $f32: base64 } (bit-exact, −0 and NaN payloads kept). */
export function encodeValue(v: unknown): unknown {
  if (v instanceof Float32Array)
    return { $f32: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = encodeValue(x);
    return o;
  }
  return v;
}

export function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$f32 === 'string' && Object.keys(o).length === 1) {
      const b = fromBase64(o.$f32);
      if (b.byteLength % 4 !== 0)
        throw new ProtocolError('malformed', 'binary32 payload length not a multiple of 4');
      const out = new Float32Array(b.byteLength / 4);
      new Uint8Array(out.buffer).set(b);
      return out;
    }
    const r: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) r[k] = decodeValue(x);
    return r;
  }
  return v;
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new ProtocolError('malformed', 'binary32 payload is not base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
