/**
 * The Model view's node details (`model.node`) over the real ONNX importer: a weight's values are the
 * file's initializer bytes (read independently with core/onnx/read), an op's output digest is the one
 * `model.load` drew, inputs/shapes match the graph, and a bad node index gets a clear error.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readOnnx } from '../../core/onnx/read.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';
import { createModelHandlers } from '../../desktop/main/backend/model.ts';
import type { ModelApi, ModelSummary } from '../../desktop/shared/api-model.ts';
import { countOps } from '../../desktop/shared/op-count.ts';
import { ctxOf } from './helpers/backend-context.ts';

useNodeSha256();

describe('model.node (Model view details)', { timeout: 120_000 }, () => {
  let dir: string;
  let api: ModelApi;
  let path: string;
  let summary: ModelSummary;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinpoint-model-node-'));
    path = join(dir, 'block.onnx');
    copyFileSync('test/fixtures/onnx/transformer-block.onnx', path);
    api = createModelHandlers(ctxOf(dir));
    summary = await api['model.load']({ path });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("a weight's values are the file's initializer, element for element", async () => {
    const model = readOnnx(new Uint8Array(readFileSync(path)), path);
    const params = summary.graph.filter((n) => n.phase === 'leaf');
    let checked = 0;
    for (const n of params) {
      const init = model.graph.initializers.find((t) => t.name === n.label);
      if (!init || !(init.data instanceof Float32Array)) continue;
      const d = await api['model.node']({ path, node: n.id });
      assert.equal(d.kind, 'param');
      assert.equal(d.label, init.name);
      assert.deepEqual(d.shape, init.dims);
      assert.equal(d.total, init.data.length);
      assert.deepEqual(d.values, Array.from(init.data));
      assert.equal(d.digest, n.digest);
      checked++;
    }
    assert.ok(checked >= 2, `only ${checked} float initializers checked`);
  });

  it("an op's details agree with the drawn graph (digest, inputs, shapes, attributes)", async () => {
    for (const n of summary.graph.filter((g) => g.phase !== 'leaf')) {
      const d = await api['model.node']({ path, node: n.id, limit: 8 });
      assert.equal(d.kind, 'op');
      assert.equal(d.op, n.op);
      assert.equal(d.digest, n.digest);
      assert.deepEqual(d.shape, n.shape);
      assert.deepEqual(
        d.inputs.map((i) => [i.id, i.shape]),
        n.inputs.map((i) => [i, summary.graph[i].shape]),
      );
      assert.ok(d.values.length <= 8 && d.total === n.shape.reduce((a, b) => a * b, 1));
      for (const v of Object.values(d.attrs))
        assert.ok(['string', 'number', 'boolean'].includes(typeof v) || Array.isArray(v));
    }
    // The one op-count definition: every tape node, leaves included, split by phase.
    const c = countOps(summary.graph);
    assert.equal(c.total, summary.graph.length);
    assert.equal(c.leaf + c.forward, c.total);
  });

  it('a node index out of range is a clear error naming the file', async () => {
    await assert.rejects(api['model.node']({ path, node: summary.graph.length }), (err: Error) => {
      assert.match(err.message, new RegExp(`block\\.onnx has nodes #0\\.\\.#${summary.graph.length - 1}`));
      return true;
    });
    await assert.rejects(api['model.node']({ path, node: -1 }), /not -1/);
  });
});
