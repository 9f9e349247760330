/** A digest travels as 64 lowercase hex characters (32 bytes of SHA-256) in JSON, proofs and transcripts. */
export type Digest = string;

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return s;
}

// Lookup table: hex decoding sits on the hot path of every Merkle proof check.
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE[HEX.charCodeAt(i)] = i;

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new Error(`invalid hex string: "${hex.slice(0, 20)}…"`);
  const out = new Uint8Array(hex.length / 2);
  decodeHexInto(hex, out, 0);
  return out;
}

function decodeHexInto(hex: string, out: Uint8Array, at: number): void {
  for (let i = 0; 2 * i < hex.length; i++) {
    const c1 = hex.charCodeAt(2 * i);
    const c2 = hex.charCodeAt(2 * i + 1);
    const hi = c1 < 128 ? NIBBLE[c1] : -1;
    const lo = c2 < 128 ? NIBBLE[c2] : -1;
    if (hi < 0 || lo < 0) throw new Error(`invalid hex string: "${hex.slice(0, 20)}…"`);
    out[at + i] = (hi << 4) | lo;
  }
}

/**
 * Digests as their raw bytes, 32 each, in order: a third of the heap the hex strings take, for what is
 * kept long (a trace run's op digests until its bundle is written).
 */
export function packDigests(ds: readonly Digest[]): Uint8Array {
  const out = new Uint8Array(32 * ds.length);
  for (let i = 0; i < ds.length; i++) {
    if (!isDigest(ds[i])) throw new Error(`packDigests: entry ${i} is not a digest`);
    decodeHexInto(ds[i], out, 32 * i);
  }
  return out;
}

/** The digests packDigests packed. */
export function unpackDigests(bytes: Uint8Array): Digest[] {
  if (bytes.length % 32 !== 0) throw new Error(`unpackDigests: ${bytes.length} bytes is not whole digests`);
  const out = new Array<Digest>(bytes.length / 32);
  for (let i = 0; i < out.length; i++) out[i] = toHex(bytes.subarray(32 * i, 32 * i + 32));
  return out;
}

export function isDigest(x: unknown): x is Digest {
  return typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);
}

const encoder = new TextEncoder();
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
