import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { blake3 } from '../../core/hash/blake3.ts';
import { canonicalJson, tensorDigest } from '../../core/hash/digest.ts';
import { fromHex, packDigests, toHex, unpackDigests } from '../../core/hash/hex.ts';
import { merkleProof, merkleRoot, verifyMerkleProof } from '../../core/hash/merkle.ts';
import { resetSha256Backend, sha256 } from '../../core/platform/hash.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { tensor } from '../../core/repops/tensor.ts';
import { documentedTensorBytes } from '../helpers/tensor-bytes.ts';

const digestArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);

describe('sha256 backends', () => {
  it('noble and node:crypto agree with an independent node:crypto call', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const expected = createHash('sha256').update(bytes).digest('hex');
        resetSha256Backend();
        const a = toHex(sha256(bytes));
        useNodeSha256();
        const b = toHex(sha256(bytes));
        resetSha256Backend();
        return a === expected && b === expected;
      }),
    );
  });
  it('known answer: sha256("abc")', () => {
    assert.equal(
      toHex(sha256(new TextEncoder().encode('abc'))),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('tensor digest', () => {
  it('covers shape, values and signed zero; canonicalises NaN payloads', () => {
    const a = tensor([2, 2], [1, 2, 3, 4]);
    assert.notEqual(tensorDigest(a, 'sha256'), tensorDigest(tensor([4], [1, 2, 3, 4]), 'sha256'));
    assert.notEqual(tensorDigest(a, 'sha256'), tensorDigest(tensor([2, 2], [1, 2, 3, 5]), 'sha256'));
    assert.notEqual(tensorDigest(tensor([1], [0]), 'sha256'), tensorDigest(tensor([1], [-0]), 'sha256'));
    const nan1 = new Float32Array(1);
    new Uint32Array(nan1.buffer)[0] = 0x7fc00001;
    const nan2 = new Float32Array(1);
    new Uint32Array(nan2.buffer)[0] = 0xffc12345;
    assert.equal(tensorDigest(tensor([1], nan1), 'sha256'), tensorDigest(tensor([1], nan2), 'sha256'));
    assert.equal(new Uint32Array(nan1.buffer)[0], 0x7fc00001, 'input is not mutated');
  });
  it('matches a hand-built SHA-256 of the documented layout', () => {
    const t = tensor([3], [1.5, -2, 0.25]);
    const header = Buffer.alloc(9);
    header.writeUInt8(1, 0);
    header.writeUInt32LE(1, 1);
    header.writeUInt32LE(3, 5);
    const body = Buffer.from(new Float32Array([1.5, -2, 0.25]).buffer);
    const expected = createHash('sha256')
      .update(Buffer.from('pinpoint.tensor.v1\0'))
      .update(header)
      .update(body)
      .digest('hex');
    assert.equal(tensorDigest(t, 'sha256'), expected);
  });
  it('names an unknown scheme instead of falling back to one', () => {
    for (const bad of ['md5', undefined, 'SHA256'])
      assert.throws(
        () => tensorDigest(tensor([1], [1]), bad as unknown as 'sha256'),
        /unknown tensor-digest scheme/,
      );
  });
  it('under "blake3" is the specification BLAKE3 of the same bytes, NaNs canonical, for tensors of any size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 1200 }),
        fc.boolean(),
        (words, flat) => {
          const data = new Float32Array(new Uint32Array(words).buffer);
          const shape = flat || words.length === 0 ? [words.length] : [1, words.length];
          const t = { shape, data };
          assert.equal(tensorDigest(t, 'blake3'), toHex(blake3(documentedTensorBytes(t))));
          assert.notEqual(tensorDigest(t, 'blake3'), tensorDigest(t, 'sha256'));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('packed digests', () => {
  it('pack to 32 raw bytes each and unpack to the same hex, in order', () => {
    fc.assert(
      fc.property(fc.array(digestArb, { maxLength: 40 }), (ds) => {
        const packed = packDigests(ds);
        assert.equal(packed.length, 32 * ds.length);
        for (const [i, d] of ds.entries()) assert.deepEqual(packed.subarray(32 * i, 32 * i + 32), fromHex(d));
        assert.deepEqual(unpackDigests(packed), ds);
      }),
    );
  });
  it('refuse what is not a digest or not whole digests', () => {
    assert.throws(() => packDigests(['ab']), /entry 0 is not a digest/);
    assert.throws(() => packDigests(['A'.repeat(64)]), /entry 0 is not a digest/);
    assert.throws(() => unpackDigests(new Uint8Array(33)), /33 bytes is not whole digests/);
  });
});

describe('canonical JSON', () => {
  it('sorts keys and rejects non-finite numbers', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'] }), '{"a":[true,null,"x"],"b":1}');
    assert.throws(() => canonicalJson({ x: Number.NaN }), /non-finite/);
  });
  it('refuses objects without a JSON form instead of digesting them as {}', () => {
    for (const [v, name] of [
      [new Date(0), /Date/],
      [new Map([[1, 2]]), /Map/],
      [new Float32Array([1]), /Float32Array/],
    ] as const)
      assert.throws(() => canonicalJson({ v }), name);
    // Plain objects from another realm (a notebook's vm context) and null-prototype objects are fine.
    const foreign = runInNewContext('({ b: [1, { c: 2 }], a: "x" })');
    assert.equal(canonicalJson(foreign), '{"a":"x","b":[1,{"c":2}]}');
    assert.equal(canonicalJson(Object.assign(Object.create(null), { k: 1 })), '{"k":1}');
  });
});

describe('merkle', () => {
  it('every leaf of every tree size opens against the root; other leaves and indices do not', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(digestArb, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        digestArb,
        (leaves, seed, other) => {
          const root = merkleRoot(leaves);
          const i = seed % leaves.length;
          const proof = merkleProof(leaves, i);
          assert.ok(verifyMerkleProof(leaves[i], proof, root));
          if (other !== leaves[i]) assert.ok(!verifyMerkleProof(other, proof, root));
          if (leaves.length > 1) {
            const j = (i + 1) % leaves.length;
            if (leaves[j] !== leaves[i])
              assert.ok(!verifyMerkleProof(leaves[i], { ...proof, index: j }, root));
          }
          return true;
        },
      ),
    );
  });
  it('root changes when any leaf changes or leaves are reordered', () => {
    const leaves = Array.from({ length: 7 }, (_, i) => toHex(sha256(new Uint8Array([i]))));
    const root = merkleRoot(leaves);
    for (let i = 0; i < leaves.length; i++) {
      const copy = [...leaves];
      copy[i] = toHex(sha256(new Uint8Array([100 + i])));
      assert.notEqual(merkleRoot(copy), root);
    }
    assert.notEqual(merkleRoot([...leaves].reverse()), root);
    assert.notEqual(merkleRoot(leaves.slice(0, 6)), root);
  });
  it('hex round-trips and rejects junk', () => {
    assert.deepEqual(fromHex('00ff10'), new Uint8Array([0, 255, 16]));
    assert.throws(() => fromHex('zz'));
  });
});
