/**
 * Dropout driven by the counter-based PRNG: the mask is a pure function of (seed, stream, offset), all
 * attrs, so the referee recomputes it. Element i is kept iff word offset+i of Philox stream `stream`
 * under `seed` is ≥ floor(p × 2^32); kept values are scaled by 1 ÷ (1 − p), dropped ones are +0.
 */
import { randomUint32 } from '../prng.ts';
import type { Attrs } from '../registry.ts';
import { apply } from '../tape.ts';
import { RepOpsError } from '../tensor.ts';
import { f32Attr, fround, intAttr } from '../util.ts';
import { defineOp, numel } from './define.ts';

function params(op: string, attrs: Attrs) {
  const p = f32Attr(op, attrs, 'p');
  if (!(p >= 0 && p < 1)) throw new RepOpsError(op, `attr p must be in [0, 1), got ${p}`);
  const seed = intAttr(op, attrs, 'seed', undefined, 0);
  const stream = intAttr(op, attrs, 'stream', 0, 0);
  const offset = intAttr(op, attrs, 'offset', 0, 0);
  if (seed > 0xffffffff || stream > 0xffffffff)
    throw new RepOpsError(op, 'seed and stream must fit in 32 bits');
  return { p, seed, stream, offset, threshold: Math.floor(p * 4294967296), scale: fround(1 / fround(1 - p)) };
}

function masked(op: string, x: Float32Array, attrs: Attrs): Float32Array {
  const { seed, stream, offset, threshold, scale } = params(op, attrs);
  const words = randomUint32(seed, stream, x.length, offset);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = words[i] >= threshold ? x[i] * scale : 0;
  return out;
}

const SPEC =
  'attrs p ∈ [0,1), seed (u32), stream (u32, default 0), offset (default 0): w[i] = randomUint32(seed, stream)[offset + i]; ' +
  'scale = 1 ÷ (1 − p); out[i] = w[i] ≥ floor(p × 2^32) ? x[i] × scale : +0.';

defineOp({
  name: 'dropout',
  arity: 1,
  shape: ([s], attrs) => {
    params('dropout', attrs);
    return s;
  },
  compute: ([x], attrs) => masked('dropout', x.data, attrs),
  flops: ([s]) => numel(s),
  spec: SPEC,
  vjp: ({ grad, attrs }) => [apply('dropout.vjp0', [grad], attrs)],
});

defineOp({
  name: 'dropout.vjp0',
  arity: 1,
  shape: ([s], attrs) => {
    params('dropout.vjp0', attrs);
    return s;
  },
  compute: ([g], attrs) => masked('dropout.vjp0', g.data, attrs),
  flops: ([s]) => numel(s),
  spec: `inputs [g], the forward's attrs: the same mask and scale applied to g. ${SPEC}`,
});
