import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sealAttrs } from '../../core/repops/attrs.ts';
import {
  adamStep,
  apply,
  bitwiseEqual,
  createTape,
  getOp,
  leaf,
  RepOpsError,
  tensor,
} from '../../core/repops/index.ts';

const vec = (xs: number[]) => tensor([xs.length], Float32Array.from(xs));

test('a recorded node keeps its attrs when the caller mutates its object or arrays afterwards', () => {
  const tape = createTape();
  const x = leaf(tape, tensor([2, 3], Float32Array.from([1, 2, 3, 4, 5, 6])), { kind: 'data', name: 'x' });
  const attrs = { shape: [3, 2] };
  const y = apply('reshape', [x], attrs);
  attrs.shape[0] = 6;
  attrs.shape.pop();
  (attrs as Record<string, unknown>).extra = 1;
  const node = tape.nodes[y.id];
  assert.deepEqual(node.attrs, { shape: [3, 2] });
  assert.ok(Object.isFrozen(node.attrs) && Object.isFrozen(node.attrs.shape));
  assert.deepEqual(Object.keys(node.attrs), ['shape']);
  assert.equal(JSON.stringify(node.attrs), '{"shape":[3,2]}');
});

test('a deeply frozen attrs object is recorded as is; a frozen object with a mutable array is copied', () => {
  const tape = createTape();
  const x = leaf(tape, vec([1, 2, 3, 4]), { kind: 'data', name: 'x' });
  const frozen = Object.freeze({ shape: Object.freeze([2, 2]) });
  const a = apply('reshape', [x], frozen);
  assert.equal(tape.nodes[a.id].attrs, frozen);
  const shallow = Object.freeze({ shape: [2, 2] });
  const b = apply('reshape', [x], shallow);
  assert.notEqual(tape.nodes[b.id].attrs, shallow);
  shallow.shape[0] = 4;
  assert.deepEqual(tape.nodes[b.id].attrs, { shape: [2, 2] });
  // Sealing is idempotent: a sealed object passes through unchanged.
  const sealed = sealAttrs('reshape', { shape: [4] });
  assert.equal(sealAttrs('reshape', sealed), sealed);
});

test('attrs that are not JSON-safe are rejected by apply and forward, frozen or not, naming op and attr', () => {
  const tape = createTape();
  const x = leaf(tape, vec([1, 2]), { kind: 'data', name: 'x' });
  for (const attrs of [{ shape: [Number.NaN] }, Object.freeze({ shape: Object.freeze([Infinity]) })]) {
    assert.throws(
      () => apply('reshape', [x], attrs),
      (e: unknown) => e instanceof RepOpsError && /reshape: attr shape is not JSON-safe/.test(e.message),
    );
    assert.throws(() => getOp('reshape').forward([x.out], attrs), /attr shape is not JSON-safe/);
  }
  assert.throws(() => apply('reshape', [x], [] as never), /attrs must be a plain object/);
});

test('adam.param: attrs shared by many calls give the bits of fresh attrs; a mutable object is re-read per call', () => {
  const p = vec([0.5, -1.25, 3, 1e-3]);
  const m = vec([0.1, -0.2, 0.3, 1e-4]);
  const v = vec([0.01, 0.04, 0.09, 1e-6]);
  const def = getOp('adam.param');
  const base = { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
  const shared = Object.freeze({ ...base, step: 3 });
  const tape = createTape();
  const vars = [p, m, v].map((t, i) => leaf(tape, t, { kind: 'state', name: `s${i}` }));
  for (let k = 0; k < 3; k++) {
    assert.ok(
      bitwiseEqual(apply('adam.param', vars, shared).out, def.forward([p, m, v], { ...base, step: 3 })),
    );
  }
  // The same mutable object with another step: no answer cached from its earlier contents.
  const mutable: Record<string, number> = { ...base, step: 1 };
  const s1 = def.forward([p, m, v], mutable);
  mutable.step = 7;
  const s7 = def.forward([p, m, v], mutable);
  assert.ok(bitwiseEqual(s7, def.forward([p, m, v], { ...base, step: 7 })));
  assert.ok(!bitwiseEqual(s1, s7), 'step 1 and step 7 bias corrections differ');
});

test('adamStep records one shared attrs object per update kind, and the same bits as per-call attrs', () => {
  const tape = createTape();
  const ps = [vec([1, 2, 3]), vec([-1, 0.5])].map((t, i) => leaf(tape, t, { kind: 'param', name: `p${i}` }));
  const gs = [vec([0.1, 0.2, 0.3]), vec([-0.4, 0.5])].map((t, i) =>
    leaf(tape, t, { kind: 'data', name: `g${i}` }),
  );
  const zeros = (n: number) => vec(new Array(n).fill(0));
  const ms = [3, 2].map((n, i) => leaf(tape, zeros(n), { kind: 'state', name: `m${i}` }));
  const vs = [3, 2].map((n, i) => leaf(tape, zeros(n), { kind: 'state', name: `v${i}` }));
  const r = adamStep(ps, gs, ms, vs, { lr: 0.01, step: 1 });
  assert.equal(tape.nodes[r.params[0].id].attrs, tape.nodes[r.params[1].id].attrs);
  assert.equal(tape.nodes[r.m[0].id].attrs, tape.nodes[r.m[1].id].attrs);
  for (const [i, pv] of r.params.entries()) {
    const mi = getOp('adam.m').forward([ms[i].out, gs[i].out], { beta1: 0.9 });
    const vi = getOp('adam.v').forward([vs[i].out, gs[i].out], { beta2: 0.999 });
    const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, weightDecay: 0 };
    assert.ok(bitwiseEqual(pv.out, getOp('adam.param').forward([ps[i].out, mi, vi], attrs)));
  }
});
