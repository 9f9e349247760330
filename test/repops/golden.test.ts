import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tensorDigest } from '../../core/hash/digest.ts';
import { computeGolden, makeInput, OP_CASES, runOpCase, STEP_CASES } from '../../core/repops/golden/cases.ts';
import { bitwiseEqual, checkTape, getOp, listOps, REPOPS_SPEC_VERSION } from '../../core/repops/index.ts';

const golden = JSON.parse(readFileSync(new URL('./golden.json', import.meta.url), 'utf8')) as {
  version: string;
  digests: Record<string, string>;
};

test('golden table was generated under the current REPOPS_SPEC_VERSION', () => {
  assert.equal(golden.version, REPOPS_SPEC_VERSION);
});

test('every golden digest (forward, VJP and optimizer ops; whole steps) is bit-exact', () => {
  const now = computeGolden();
  assert.deepEqual(Object.keys(now.digests).sort(), Object.keys(golden.digests).sort());
  const changed = Object.keys(golden.digests).filter((k) => golden.digests[k] !== now.digests[k]);
  assert.deepEqual(
    changed,
    [],
    `changed digests: ${changed.join(', ')} — a spec change must bump REPOPS_SPEC_VERSION`,
  );
});

test('every registered op has at least one golden case', () => {
  const covered = new Set(OP_CASES.map((k) => k.op));
  const missing = listOps().filter((op) => !covered.has(op));
  assert.deepEqual(missing, []);
  assert.ok(listOps().length >= 70, `only ${listOps().length} ops registered`);
});

test('golden op outputs are deterministic across calls and inputs are not mutated', () => {
  for (const k of OP_CASES) {
    const inputs = k.inputs.map((s, i) => makeInput(k.name, i, s));
    const before = inputs.map((t) => tensorDigest(t, 'sha256'));
    const a = getOp(k.op).forward(inputs, k.attrs);
    const b = runOpCase(k);
    assert.ok(bitwiseEqual(a, b), k.name);
    assert.deepEqual(
      inputs.map((t) => tensorDigest(t, 'sha256')),
      before,
      `${k.name} mutated an input`,
    );
    assert.deepEqual(
      getOp(k.op).shape(
        inputs.map((t) => t.shape),
        k.attrs,
      ),
      a.shape,
      `${k.name} shape rule`,
    );
    const fl = getOp(k.op).flops(
      inputs.map((t) => t.shape),
      k.attrs,
    );
    assert.ok(Number.isFinite(fl) && fl >= 0, `${k.name} flops`);
  }
});

test('referee invariant holds on every node of every golden training step', () => {
  for (const s of STEP_CASES) {
    const tape = s.build();
    assert.deepEqual(checkTape(tape.nodes), [], s.name);
    const phases = new Set(tape.nodes.map((n) => n.phase));
    assert.deepEqual([...phases].sort(), ['backward', 'forward', 'leaf', 'optimizer'], s.name);
    tape.nodes.forEach((n, i) => {
      assert.equal(n.id, i);
      for (const j of n.inputs) assert.ok(j < i, `${s.name}: node ${i} reads later node ${j}`);
    });
  }
});
