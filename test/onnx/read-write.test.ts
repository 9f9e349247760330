import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OnnxError, type OnnxModel } from '../../core/onnx/model.ts';
import { readOnnx } from '../../core/onnx/read.ts';
import { modelProtoType } from '../../core/onnx/schema.ts';
import { writeOnnx } from '../../core/onnx/write.ts';

function sample(): OnnxModel {
  return {
    irVersion: 8,
    opset: 17,
    producerName: 'pinpoint-test',
    producerVersion: '0',
    graph: {
      name: 'mlp',
      nodes: [
        {
          name: 'fc1',
          opType: 'Gemm',
          domain: '',
          inputs: ['x', 'W1', 'b1'],
          outputs: ['h'],
          attrs: { transB: 1, alpha: 1.5 },
        },
        { name: 'act', opType: 'Relu', domain: '', inputs: ['h'], outputs: ['a'], attrs: {} },
        { name: 'rs', opType: 'Reshape', domain: '', inputs: ['a', 'shape'], outputs: ['y'], attrs: {} },
        {
          name: 'tp',
          opType: 'Transpose',
          domain: '',
          inputs: ['y'],
          outputs: ['z'],
          attrs: { perm: [1, 0], note: 'x', tags: ['a', 'b'] },
        },
      ],
      initializers: [
        { name: 'W1', dims: [2, 3], dataType: 'float32', data: new Float32Array([1, -2, 3.5, 0, -0, 1e-40]) },
        { name: 'b1', dims: [2], dataType: 'float32', data: new Float32Array([0.25, -0.75]) },
        { name: 'shape', dims: [2], dataType: 'int64', data: [-1, 2] },
      ],
      inputs: [{ name: 'x', dataType: 'float32', shape: ['batch', 3] }],
      outputs: [{ name: 'z', dataType: 'float32', shape: [2, 'batch'] }],
    },
  };
}

describe('ONNX read/write', () => {
  it('round-trips a model: read(write(m)) equals m, bit for bit in the weights', () => {
    const m = sample();
    const back = readOnnx(writeOnnx(m), 'sample.onnx');
    assert.deepEqual(back.graph.nodes, m.graph.nodes);
    assert.deepEqual(back.graph.inputs, m.graph.inputs);
    assert.deepEqual(back.graph.outputs, m.graph.outputs);
    assert.equal(back.opset, 17);
    for (let i = 0; i < m.graph.initializers.length; i++) {
      const a = m.graph.initializers[i];
      const b = back.graph.initializers[i];
      assert.equal(b.name, a.name);
      assert.deepEqual(b.dims, a.dims);
      if (a.data instanceof Float32Array) {
        assert.ok(b.data instanceof Float32Array);
        assert.deepEqual(new Uint32Array(b.data.buffer), new Uint32Array(a.data.buffer));
      } else assert.deepEqual(b.data, a.data);
    }
    // write(read(bytes)) is a fixed point
    const bytes = writeOnnx(m);
    assert.deepEqual(writeOnnx(readOnnx(bytes)), bytes);
  });

  it('reads float_data (non-raw) tensors as written by other exporters', () => {
    const T = modelProtoType();
    const bytes = T.encode(
      T.fromObject({
        ir_version: 7,
        opset_import: [{ domain: '', version: 13 }],
        graph: {
          node: [{ op_type: 'Relu', input: ['x'], output: ['y'] }],
          initializer: [{ name: 'w', dims: [3], data_type: 1, float_data: [1, 2, 3] }],
          output: [
            { name: 'y', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 3 }] } } } },
          ],
        },
      }),
    ).finish();
    const m = readOnnx(bytes, 'other.onnx');
    assert.deepEqual(Array.from(m.graph.initializers[0].data), [1, 2, 3]);
    assert.equal(m.graph.nodes[0].name, 'node_0');
  });

  it('rejects empty, foreign and truncated files with errors naming the file', () => {
    assert.throws(() => readOnnx(new Uint8Array(), 'empty.onnx'), /empty\.onnx: empty file/);
    assert.throws(
      () => readOnnx(new TextEncoder().encode('{"hello": 1}'), 'x.json'),
      (e: unknown) => e instanceof OnnxError && e.message.startsWith('x.json:'),
    );
    const bytes = writeOnnx(sample());
    assert.throws(() => readOnnx(bytes.slice(0, bytes.length - 7), 'cut.onnx'), /cut\.onnx/);
  });

  it('an attribute typed TENSOR without a tensor is an OnnxError, not a TypeError (fuzz regression)', () => {
    // Shrunk from the flip fuzz: byte 64 of sample() ^ 6 turns `transB` (INT) into type TENSOR (4).
    const bytes = writeOnnx(sample());
    const flipped = bytes.slice();
    flipped[64] ^= 6;
    assert.throws(
      () => readOnnx(flipped, 'flip.onnx'),
      /^OnnxError: flip\.onnx: .*"transB" has type TENSOR but no tensor/,
    );
    const T = modelProtoType();
    const direct = T.encode(
      T.fromObject({
        opset_import: [{ domain: '', version: 13 }],
        graph: {
          node: [{ op_type: 'Relu', input: ['x'], output: ['y'], attribute: [{ name: 'w', type: 4 }] }],
          output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
        },
      }),
    ).finish();
    assert.throws(
      () => readOnnx(direct, 'direct.onnx'),
      (e: unknown) => e instanceof OnnxError,
    );
  });

  it('writeOnnx returns a plain Uint8Array: slice() copies and the bytes own their buffer', () => {
    // Under Node protobufjs returns a pooled Buffer whose slice() is a view; the flip fuzz below
    // then mutated the shared bytes cumulatively and its counterexamples could not be replayed.
    const bytes = writeOnnx(sample());
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, bytes.length);
    const copy = bytes.slice();
    copy[0] ^= 1;
    assert.notEqual(copy[0], bytes[0]);
  });

  it('fuzz: truncations and byte flips give an OnnxError or a well-formed model, never a crash', () => {
    const bytes = writeOnnx(sample());
    fc.assert(
      fc.property(
        fc.nat({ max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (pos, xor, truncate) => {
          const mutated = truncate ? bytes.slice(0, pos) : bytes.slice();
          if (!truncate) mutated[pos] ^= xor;
          try {
            const m = readOnnx(mutated, 'fuzz.onnx');
            assert.ok(Array.isArray(m.graph.nodes));
            for (const t of m.graph.initializers)
              assert.equal(
                t.data.length,
                t.dims.reduce((a, b) => a * b, 1),
              );
          } catch (err) {
            assert.ok(
              err instanceof OnnxError,
              `unexpected ${(err as Error).name}: ${(err as Error).message}`,
            );
            assert.match((err as Error).message, /^fuzz\.onnx: /);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
