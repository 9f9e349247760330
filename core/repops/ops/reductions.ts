/**
 * sum / mean along axes. Terms are summed in the lane order of reduce.ts (4 strided accumulators,
 * combined (a0 + a1) + (a2 + a3)), iterating the reduced axes in row-major order. mean = sum ÷ f32(n).
 */
import { reduceSumData } from '../reduce.ts';
import type { Attrs } from '../registry.ts';
import { apply } from '../tape.ts';
import { RepOpsError, type Shape } from '../tensor.ts';
import { boolAttr, fmtShape, fround, normAxis, shapeAttr } from '../util.ts';
import { defineOp, mismatch, numel } from './define.ts';
import { broadcastToData } from './layout.ts';

/** Sorted distinct axes from attr `axes` (default: all axes). */
export function axesAttr(op: string, attrs: Attrs, shape: Shape): number[] {
  const raw = attrs.axes;
  if (raw === undefined) return [...shape.keys()];
  if (!Array.isArray(raw))
    throw new RepOpsError(op, `attr axes must be an array of integers, got ${JSON.stringify(raw)}`);
  const axes = raw.map((a) => normAxis(op, a as number, shape.length, shape)).sort((a, b) => a - b);
  for (let i = 1; i < axes.length; i++) {
    if (axes[i] === axes[i - 1])
      throw new RepOpsError(
        op,
        `axis ${axes[i]} repeated in ${JSON.stringify(raw)} for shape ${fmtShape(shape)}`,
      );
  }
  return axes;
}

function reducedShape(op: string, s: Shape, attrs: Attrs): number[] {
  const axes = axesAttr(op, attrs, s);
  const keep = boolAttr(op, attrs, 'keepdims', false);
  const out: number[] = [];
  s.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

function countOf(s: Shape, axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= s[a];
  return n;
}

/** The input shape with reduced axes set to 1 (how g broadcasts back). */
function keptShape(s: Shape, axes: readonly number[]): number[] {
  return s.map((d, i) => (axes.includes(i) ? 1 : d));
}

for (const name of ['sum', 'mean'] as const) {
  const isMean = name === 'mean';
  defineOp({
    name,
    arity: 1,
    shape: ([s], attrs) => reducedShape(name, s, attrs),
    compute: ([x], attrs) => {
      const axes = axesAttr(name, attrs, x.shape);
      const out = reduceSumData(x.data, x.shape, axes);
      if (isMean) {
        const n = fround(countOf(x.shape, axes));
        for (let i = 0; i < out.length; i++) out[i] = out[i] / n;
      }
      return out;
    },
    flops: ([s]) => numel(s),
    spec: isMean
      ? 'mean = (lane-ordered sum over attr axes, row-major) ÷ f32(count). axes default: all; keepdims default false.'
      : 'Lane-ordered sum over attr axes (row-major over the reduced axes). axes default: all; keepdims default false.',
    vjp: ({ inputs: [x], grad, attrs }) => [
      apply(`${name}.vjp0`, [grad], { shape: [...x.out.shape], axes: axesAttr(name, attrs, x.out.shape) }),
    ],
  });
  defineOp({
    name: `${name}.vjp0`,
    arity: 1,
    shape: ([g], attrs) => {
      const shape = shapeAttr(`${name}.vjp0`, attrs, 'shape');
      const axes = axesAttr(`${name}.vjp0`, attrs, shape);
      if (numel(g) !== numel(keptShape(shape, axes)))
        throw mismatch(`${name}.vjp0`, [g, shape], 'gradient does not match the reduced shape');
      return shape;
    },
    compute: ([g], attrs, outShape) => {
      const axes = axesAttr(`${name}.vjp0`, attrs, outShape);
      const out = broadcastToData(g.data, keptShape(outShape, axes), outShape);
      if (isMean) {
        const n = fround(countOf(outShape, axes));
        for (let i = 0; i < out.length; i++) out[i] = out[i] / n;
      }
      return out;
    },
    flops: (_s, attrs) => (isMean ? numel(shapeAttr(name, attrs, 'shape')) : 0),
    spec: isMean
      ? 'out[i] = g[proj(i)] ÷ f32(count of reduced elements).'
      : 'out[i] = g[proj(i)] (broadcast back over the reduced axes).',
  });
}
