/** Every attack in the library, run end to end: the verdict names the expected loser, step, op and fault. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ATTACKS, describeOutcome, getAttack } from '../../core/attacks/scenarios.ts';
import { useNodeSha256 } from '../../core/platform/node-hash.ts';

useNodeSha256();

for (const attack of ATTACKS) {
  test(`attack ${attack.name}: ${attack.title}`, async () => {
    for (const [seed, mode] of [
      [1, 'trace'],
      [2, 'fast'],
    ] as const) {
      const o = await attack.run({ seed, mode });
      assert.ok(
        o.asExpected,
        `${describeOutcome(o)} — expected ${JSON.stringify(o.expected)}; ${o.verdict.reason}`,
      );
      // Independent of the expectation table: the attacker (and only the attacker) loses.
      const losers = [...o.verdict.losers].sort();
      const want =
        attack.attacker === 'both'
          ? ['challenger', 'solver']
          : attack.name === 'copy-proof'
            ? ['challenger']
            : [attack.attacker];
      assert.deepEqual(losers, want, o.verdict.reason);
      if (o.expected.step !== null) assert.equal(o.verdict.step, o.expected.step);
      if (o.expected.op !== null) assert.equal(o.verdict.op, o.expected.op);
      if (o.spoof) {
        assert.equal(o.spoof.passesJia, true, `${attack.name} should pass the plain Jia-style checker`);
        assert.equal(o.spoof.stoppedByPinpoint, attack.name !== 'copy-proof');
      }
      assert.ok(
        o.transcript.cost.rounds.steps + o.transcript.cost.rounds.ops <= o.transcript.cost.rounds.bound,
      );
    }
  });
}

test('the honest runs themselves fail the plain checker never and are accepted by pinpoint', async () => {
  const o = await getAttack('copy-proof').run({ seed: 3 });
  assert.equal(o.spoof?.jia.passes, true);
  assert.equal(o.verdict.faults.solver, null);
});

test('getAttack names the known attacks on a typo', () => {
  assert.throws(() => getAttack('lazzy'), /unknown attack "lazzy" \(known: alter-op, lazy/);
});
