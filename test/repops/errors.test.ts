import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Attrs, getOp, RepOpsError, type Tensor, tensor } from '../../core/repops/index.ts';

const t = (shape: number[], fill = 1): Tensor =>
  tensor(shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill));

function rejects(op: string, inputs: Tensor[], attrs: Attrs, ...patterns: RegExp[]): void {
  assert.throws(
    () => getOp(op).forward(inputs, attrs),
    (e: unknown) => {
      assert.ok(e instanceof RepOpsError, `${op}: expected RepOpsError, got ${String(e)}`);
      assert.equal(e.op, op);
      assert.ok(e.message.startsWith(`${op}: `), e.message);
      for (const p of patterns) assert.match(e.message, p);
      return true;
    },
  );
}

test('shape mismatches name the op and the shapes', () => {
  rejects('add', [t([2, 3]), t([4])], {}, /\[2, 3\]/, /\[4\]/, /broadcast/);
  rejects('matmul', [t([2, 3]), t([4, 5])], {}, /inner dimensions/, /\[2, 3\] × \[4, 5\]/);
  rejects('matmul', [t([2, 3, 1]), t([3, 5])], {}, /rank-2/);
  rejects(
    'batch_matmul',
    [t([2, 3, 4]), t([3, 4, 5])],
    {},
    /batch sizes differ/,
    /\[2, 3, 4\] × \[3, 4, 5\]/,
  );
  rejects('linear', [t([2, 3]), t([3, 5]), t([4])], {}, /bias/);
  rejects('mse', [t([2, 3]), t([3, 2])], {}, /equal shapes/);
  rejects('softmax_cross_entropy', [t([4, 3]), t([5])], {}, /\[4, 3\] × \[5\]/);
  rejects('conv2d', [t([1, 2, 5, 5]), t([3, 4, 2, 2])], {}, /input channels/);
  rejects('reshape', [t([2, 3])], { shape: [4, 2] }, /element counts/);
  rejects('concat', [t([2, 3]), t([3, 3])], { axis: 1 }, /outside axis 1/);
  rejects('layer_norm', [t([2, 4]), t([3]), t([4])], {}, /gamma\/beta/);
});

test('bad axes (out of range, negative out of range, repeated) are rejected', () => {
  rejects('sum', [t([2, 3])], { axes: [2] }, /axis 2 out of range for shape \[2, 3\]/);
  rejects('sum', [t([2, 3])], { axes: [-3] }, /axis -3 out of range/);
  rejects('mean', [t([2, 3])], { axes: [1, -1] }, /repeated/);
  rejects('concat', [t([2, 3]), t([2, 3])], { axis: 5 }, /axis 5 out of range/);
  rejects('softmax', [t([2, 3])], { axis: 0 }, /only the last axis/);
  rejects('transpose', [t([2, 3])], { perm: [0, 0] }, /not a permutation/);
  rejects('slice', [t([2, 3])], { starts: [0, 2], ends: [2, 4] }, /out of bounds/);
});

test('wrong dtypes, malformed tensors and arity are rejected', () => {
  const f64 = { shape: [2], data: new Float64Array(2) } as unknown as Tensor;
  rejects('relu', [f64], {}, /dtype Float64Array/, /float32 only/);
  rejects('relu', [{ shape: [3], data: new Float32Array(2) }], {}, /does not match 2 values/);
  rejects('relu', [null as unknown as Tensor], {}, /not a tensor/);
  rejects('add', [t([2])], {}, /expects 2 input/);
  assert.throws(() => getOp('no_such_op'), /unknown op/);
});

test('NaN / invalid attrs and integer inputs are rejected', () => {
  rejects('sgd.param', [t([2]), t([2])], { lr: Number.NaN }, /attr lr .*NaN/);
  rejects('sgd.param', [t([2]), t([2])], {}, /attr lr must be a finite number/);
  rejects('dropout', [t([2])], { p: 0.5, seed: Number.NaN }, /attr seed/);
  rejects('dropout', [t([2])], { p: 1.5, seed: 1 }, /attr p must be in \[0, 1\)/);
  rejects('dropout', [t([2])], { p: 0.5, seed: 2 ** 33 }, /32 bits/);
  rejects('adam.param', [t([2]), t([2]), t([2])], { lr: 0.1, step: 0 }, /attr step/);
  rejects('momentum.buf', [t([2]), t([2])], { momentum: 2 }, /out of range/);
  rejects('softmax_cross_entropy', [t([2, 3]), tensor([2], [0, 3])], {}, /target 1 is 3/, /\[0, 3\)/);
  rejects('softmax_cross_entropy', [t([2, 3]), tensor([2], [0, 0.5])], {}, /integer class indices/);
  rejects('embedding', [t([4, 2]), tensor([1], [-1])], {}, /ids must be integers in \[0, 4\)/);
  rejects('conv2d', [t([1, 1, 3, 3]), t([1, 1, 2, 2])], { stride: 0 }, /attr stride/);
  rejects('maxpool2d', [t([1, 1, 3, 3])], { kernel: 4 }, /kernel larger/);
});

test('property: broadcasting add either matches NumPy shape rules or throws RepOpsError', () => {
  const dim = fc.integer({ min: 1, max: 4 });
  fc.assert(
    fc.property(fc.array(dim, { maxLength: 4 }), fc.array(dim, { maxLength: 4 }), (a, b) => {
      const r = Math.max(a.length, b.length);
      let ok = true;
      const want: number[] = [];
      for (let i = 0; i < r; i++) {
        const da = a[i - (r - a.length)] ?? 1;
        const db = b[i - (r - b.length)] ?? 1;
        if (da !== db && da !== 1 && db !== 1) ok = false;
        want.push(Math.max(da, db));
      }
      try {
        const out = getOp('add').forward([t(a, 1), t(b, 2)], {});
        assert.ok(ok);
        assert.deepEqual(out.shape, want);
        assert.ok(out.data.every((v) => v === 3));
      } catch (e) {
        assert.ok(!ok && e instanceof RepOpsError, String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test('property: no op ever throws a raw TypeError on random shapes and attrs', () => {
  const names = [
    'add',
    'matmul',
    'sum',
    'softmax',
    'reshape',
    'transpose',
    'conv2d',
    'maxpool2d',
    'layer_norm',
    'slice',
  ];
  const shape = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });
  const attrs = fc.record({
    axes: fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 3 }),
    shape: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }),
    perm: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
    starts: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 4 }),
    ends: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 4 }),
  });
  fc.assert(
    fc.property(
      fc.constantFrom(...names),
      fc.array(shape, { minLength: 1, maxLength: 3 }),
      attrs,
      (op, shapes, a) => {
        try {
          getOp(op).forward(
            shapes.map((s) => t(s)),
            a,
          );
        } catch (e) {
          assert.ok(
            e instanceof RepOpsError,
            `${op} ${JSON.stringify(shapes)} ${JSON.stringify(a)}: ${String(e)}`,
          );
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('no Math.exp/log/tanh/… (implementation-defined in JS) anywhere in core/repops', () => {
  const forbidden =
    /Math\.(exp|expm1|log|log1p|log2|log10|tanh|sinh|cosh|sin|cos|tan|atan|atan2|asin|acos|pow|cbrt|hypot|asinh|acosh|atanh)\b|[\w)\]]\s*\*\*\s*[\w(]/;
  // `**` is Math.pow; only constant integer powers (e.g. 2 ** 31, exact) are allowed.
  const allowedPow = /\b\d+\s*\*\*\s*\d+\b/g;
  const root = new URL('../../core/repops/', import.meta.url).pathname;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(root);
  assert.ok(files.length > 10);
  const hits = files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .map((line, i) => ({ f, i, line }))
      .filter(({ line }) =>
        forbidden.test(
          line
            .replace(/\/\/.*$/, '')
            .replace(/^\s*(\/\*|\*).*$/, '')
            .replace(allowedPow, '0'),
        ),
      ),
  );
  assert.deepEqual(
    hits.map((h) => `${h.f}:${h.i + 1}: ${h.line.trim()}`),
    [],
  );
});

test('the tape API rejects malformed calls with RepOpsError', async () => {
  const { apply, createTape, leaf, backward } = await import('../../core/repops/index.ts');
  const tape = createTape();
  const x = leaf(tape, t([2]), { kind: 'param', name: 'x' });
  assert.throws(() => apply('relu', [x], null as unknown as Attrs), /relu: attrs must be a plain object/);
  assert.throws(() => apply('relu', [], {}), /relu: needs at least one input var/);
  assert.throws(() => apply('relu', [x, undefined as never], {}), RepOpsError);
  assert.throws(() => apply('nope', [x]), /unknown op/);
  assert.throws(() => apply('relu', [x], { bad: Number.POSITIVE_INFINITY }), /attr bad is not JSON-safe/);
  assert.throws(() => leaf(tape, t([2]), { kind: 'weird' as never, name: 'y' }), /unknown leaf kind/);
  assert.throws(() => backward(tape, x), RepOpsError);
});
