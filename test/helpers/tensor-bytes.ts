/**
 * The bytes a tensor digest hashes, as docs/PROOF_FORMAT.md documents them, built independently of
 * core/hash/digest.ts: tag "pinpoint.tensor.v1\0", dtype u8 1, rank and dims u32le, the data's words
 * little-endian with every NaN as 0x7fc00000.
 */
export function documentedTensorBytes(t: {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}): Buffer {
  const head = Buffer.alloc(5 + 4 * t.shape.length);
  head.writeUInt8(1, 0);
  head.writeUInt32LE(t.shape.length, 1);
  for (let i = 0; i < t.shape.length; i++) head.writeUInt32LE(t.shape[i], 5 + 4 * i);
  const words = Uint32Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length), (w) =>
    (w & 0x7f800000) === 0x7f800000 && (w & 0x7fffff) !== 0 ? 0x7fc00000 : w,
  );
  const data = Buffer.alloc(4 * words.length);
  for (let i = 0; i < words.length; i++) data.writeUInt32LE(words[i], 4 * i);
  return Buffer.concat([Buffer.from('pinpoint.tensor.v1\0'), head, data]);
}
