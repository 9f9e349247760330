/**
 * The 'per-sequence' attention layout (nanoGPT's: whole-layer Wq/Wk/Wv, batch_matmul per sequence) is the
 * same function as the original 'block-mask' layout (per-head matrices, one [B·T, B·T] score matrix with a
 * block-diagonal mask). Oracle: map one model's weights onto the other (head h of the block-mask model
 * owns columns h·d_h … (h+1)·d_h of Wq/Wk/Wv) and compare loss, logits-derived loss and every gradient.
 * Only the softmax denominators' lane order differs (the masked terms are exact zeros at other
 * positions), so values agree to float32 rounding, not bitwise.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTape } from '../../core/repops/index.ts';
import type { Tensor } from '../../core/repops/tensor.ts';
import { recordStep } from '../../core/train/step.ts';
import { initialState, prepareTask } from '../../core/train/train.ts';
import { bundledTask } from './helpers.ts';

const model = { kind: 'transformer', context: 16, dModel: 32, heads: 2, layers: 2, ffn: 64 };

// Plain SGD with lr 1 and no clipping: parameters after the step are p − g, so the step exposes every gradient.
const optimizer = { kind: 'sgd', lr: 1 };

function contexts() {
  const seq = prepareTask(
    bundledTask('chars-transformer', { model: { ...model, attention: 'per-sequence' }, optimizer }),
  );
  const blk = prepareTask(bundledTask('chars-transformer', { model, optimizer }));
  return { seq, blk };
}

/** Block-mask parameters carrying the per-sequence model's weights (head columns split out). */
function mapWeights(seqParams: readonly Tensor[], L: number, H: number, D: number): Tensor[] {
  const dh = D / H;
  const out: Tensor[] = [seqParams[0], seqParams[1]];
  for (let l = 0; l < L; l++) {
    const s = seqParams.slice(2 + 13 * l, 2 + 13 * (l + 1));
    out.push(s[0], s[1]);
    for (let h = 0; h < H; h++) {
      for (const w of [s[2], s[3], s[4]]) {
        const data = new Float32Array(D * dh);
        for (let r = 0; r < D; r++)
          for (let c = 0; c < dh; c++) data[r * dh + c] = w.data[r * D + h * dh + c];
        out.push({ shape: [D, dh], data });
      }
    }
    out.push(...s.slice(5));
  }
  out.push(...seqParams.slice(2 + 13 * L));
  return out;
}

test('per-sequence attention computes the block-mask model: loss and every gradient agree', () => {
  const { seq, blk } = contexts();
  const L = model.layers;
  const nParams = seq.model.params.length;
  assert.equal(nParams, 2 + 13 * L + 4);
  const s0 = initialState(seq);
  const params = s0.tensors.slice(0, nParams);
  const b0 = initialState(blk);
  const mapped = mapWeights(params, L, model.heads, model.dModel);
  assert.equal(mapped.length, blk.model.params.length);
  const blkState = { layout: blk.layout, tensors: [...mapped, ...b0.tensors.slice(mapped.length)] };
  const batch = seq.order.batch(0);
  const a = recordStep(seq, s0, 0, batch);
  const b = recordStep(blk, blkState, 0, batch);
  assert.deepEqual(checkTape(a.tape.nodes), [], 'referee invariant holds on the per-sequence tape');
  const la = a.tape.nodes[a.lossId].out.data[0];
  const lb = b.tape.nodes[b.lossId].out.data[0];
  assert.ok(Math.abs(la - lb) <= 1e-5 * Math.abs(lb), `loss ${la} vs ${lb}`);
  // Gradients g = p − p' of every parameter (mapped onto the block-mask layout), compared elementwise.
  const grads = (r: typeof a, before: readonly Tensor[]) =>
    r.outputIds.slice(0, before.length).map((id, i) => {
      const after = r.tape.nodes[id].out.data;
      return { shape: before[i].shape, data: before[i].data.map((v, j) => v - after[j]) };
    });
  const ga = mapWeights(grads(a, params), L, model.heads, model.dModel);
  const gb = grads(b, mapped);
  let scale = 0;
  for (const g of gb) for (const v of g.data) scale = Math.max(scale, Math.abs(v));
  assert.ok(scale > 1e-3, 'gradients are not all zero');
  for (let i = 0; i < ga.length; i++) {
    assert.deepEqual(ga[i].shape, gb[i].shape);
    for (let j = 0; j < ga[i].data.length; j++) {
      const d = Math.abs(ga[i].data[j] - gb[i].data[j]);
      assert.ok(d <= 1e-5 * scale, `parameter ${i} element ${j}: ${ga[i].data[j]} vs ${gb[i].data[j]}`);
    }
  }
});

test('attention option: absent keeps the task (and its digest) as before; bad values are refused', () => {
  const plain = bundledTask('chars-transformer');
  assert.equal('attention' in plain.model, false);
  assert.throws(
    () => bundledTask('chars-transformer', { model: { ...model, attention: 'sparse' } }),
    /\$\.model\.attention: expected "block-mask" or "per-sequence"/,
  );
});
