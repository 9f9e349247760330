/**
 * Domain-separated digests. Every hashed object starts with a NUL-terminated domain tag so a tensor's
 * digest can never collide with a Merkle node, an event or a JSON payload.
 */

import { blake3CanonicalF32 } from './blake3-portable.ts';
import { type Digest, toHex, utf8 } from './hex.ts';
import { createSha256, sha256, tensorDigestQueue } from './sha256.ts';
import { checkScheme, type TensorDigestScheme } from './tensor-scheme.ts';

export const TENSOR_TAG = 'pinpoint.tensor.v1';
const DTYPE_F32 = 1;
const CANONICAL_NAN = 0x7fc00000;

function tag(name: string): Uint8Array {
  return utf8(`${name}\0`);
}

/** H(tag, bytes…) as hex. */
export function digestBytes(domain: string, ...parts: Uint8Array[]): Digest {
  return toHex(sha256(tag(domain), ...parts));
}

/** H(tag, canonical JSON of a plain value) — keys sorted, no whitespace. */
export function digestJson(domain: string, value: unknown): Digest {
  return digestBytes(domain, utf8(canonicalJson(value)));
}

/** Canonical JSON: object keys sorted, no whitespace, finite numbers only. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    // A Date, Map, typed array or class instance has no canonical JSON form: refuse it rather than
    // digest it as `{}` (two different values must never share a digest). Plain objects from another
    // realm (a notebook's vm context) have that realm's Object.prototype, whose own prototype is null.
    const proto = Object.getPrototypeOf(value);
    if (proto !== null && Object.getPrototypeOf(proto) !== null)
      throw new Error(
        `canonicalJson: unsupported object ${proto?.constructor?.name ?? 'with a foreign prototype'}`,
      );
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: unsupported value of type ${typeof value}`);
}

/** What a tensor digest reads (core/repops Tensor has this shape; core/hash stays below core/repops). */
export interface TensorBits {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Tensor digest = H(tag "pinpoint.tensor.v1\0", dtype u8, rank u32le, dims u32le…, data bytes LE), H the
 * task's scheme: SHA-256, or BLAKE3 (hash mode, 32 bytes) of the very same bytes. NaNs are canonicalised
 * to 0x7fc00000 (quiet, positive, zero payload); signed zeros keep their bits.
 */
export function tensorDigest(t: TensorBits, scheme: TensorDigestScheme): Digest {
  const header = new DataView(new ArrayBuffer(1 + 4 + 4 * t.shape.length));
  header.setUint8(0, DTYPE_F32);
  header.setUint32(1, t.shape.length, true);
  for (let i = 0; i < t.shape.length; i++) header.setUint32(5 + 4 * i, t.shape[i], true);
  const prefix = [tag(TENSOR_TAG), new Uint8Array(header.buffer)];
  // BLAKE3 makes NaNs canonical in its own copy of the words: no canonicalBytes pass.
  if (scheme === 'blake3') return toHex(blake3CanonicalF32(prefix, t.data));
  checkScheme(scheme, 'tensorDigest');
  const h = createSha256();
  for (const p of prefix) h.update(p);
  h.update(canonicalBytes(t.data));
  return toHex(h.digest());
}

/**
 * `tensorDigest` of each tensor, on the digest queue when it reads tensors in place (Node with the native
 * addon: its hashing thread and this one share the work), else one by one here. Same digests either way.
 */
export function tensorDigestsOf(tensors: readonly TensorBits[], scheme: TensorDigestScheme): Digest[] {
  const q = tensorDigestQueue();
  if (q === null || q.inPlace !== true || tensors.length < 2) {
    const out = new Array<Digest>(tensors.length);
    for (let i = 0; i < tensors.length; i++) out[i] = tensorDigest(tensors[i], scheme);
    return out;
  }
  const custody = new Array<'lend'>(tensors.length).fill('lend');
  return q.take(q.submit(tensors, custody, scheme));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * A native NaN pass (core/platform/node-native.ts installs native/hash.c): the same words as the loop in
 * `canonicalBytes` — a non-canonical NaN is any NaN whose bits are not 0x7fc00000.
 */
export interface NativeNaNs {
  /** Index of the first non-canonical NaN, or −1. */
  nanFind(a: Float32Array): number;
  /** Rewrites every non-canonical NaN to 0x7fc00000 in place; returns how many. */
  nanCanonicalize(a: Float32Array): number;
}

let nativeNaNs: NativeNaNs | null = null;

export function setNativeNaNs(k: NativeNaNs | null): void {
  nativeNaNs = k;
}

/** Little-endian bytes of a Float32Array with NaNs canonicalised (copies only when needed). */
export function canonicalBytes(data: Float32Array): Uint8Array {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  let copy: Uint32Array | null = null;
  if (nativeNaNs !== null) {
    if (nativeNaNs.nanFind(data) >= 0) {
      copy = bits.slice();
      nativeNaNs.nanCanonicalize(new Float32Array(copy.buffer));
    }
    return littleEndian(copy ?? bits);
  }
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x007fffff) !== 0 && b !== CANONICAL_NAN) {
      copy ??= bits.slice();
      copy[i] = CANONICAL_NAN;
    }
  }
  return littleEndian(copy ?? bits);
}

function littleEndian(src: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const le = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) {
    le[i] = bytes[i + 3];
    le[i + 1] = bytes[i + 2];
    le[i + 2] = bytes[i + 1];
    le[i + 3] = bytes[i];
  }
  return le;
}

/** H(tag, bytes…) fed in pieces: the same digest as digestBytes(domain, ...pieces), bounded memory. */
export function digestStream(domain: string): { update(bytes: Uint8Array): void; digest(): Digest } {
  const h = createSha256().update(tag(domain));
  return {
    update(bytes) {
      h.update(bytes);
    },
    digest: () => toHex(h.digest()),
  };
}
