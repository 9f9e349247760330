/** Every attack in the library, run end to end: the verdict names the expected loser, step, op and fault. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ATTACKS, describeOutcome, getAttack } from '../../core/attacks/scenarios.ts';
import { DEFAULT_PARAMS } from '../../core/ledger/types.ts';
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
        // Only the copy needs the ledger; every other spoof is a computation fault the dispute catches.
        assert.equal(o.spoof.caughtByLedger === true, attack.name === 'copy-proof');
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

test('copy-proof: passes Jia and the per-op dispute, caught by the ledger’s commit-reveal order', async () => {
  const o = await getAttack('copy-proof').run({ seed: 1 });
  // Jia-style check with δ = 0 and the dispute both accept the copy: it is the honest computation.
  assert.equal(o.spoof?.passesJia, true);
  assert.equal(o.verdict.loser, 'challenger');
  assert.equal(o.verdict.faults.challenger?.code, 'no-disagreement');
  assert.equal(o.verdict.faults.solver, null);
  const l = o.ledger;
  assert.ok(l, 'the scenario reports the ledger outcome');
  // The verbatim bundle is refused: it is signed by the honest solver's key.
  assert.match(
    l.verbatimRefused ?? '',
    /signed by key .* \(account "honest"\), not by the claimant "copier"/,
  );
  // The re-signed copy was sealed after the honest reveal and is slashed; the honest solver is not.
  assert.equal(l.caught, true);
  assert.equal(l.honestProved, true);
  assert.ok(l.copy && l.copy.commitSeq !== null && l.copy.commitSeq > l.copy.original.seq);
  assert.deepEqual([l.copy.copier, l.copy.original.account], ['copier', 'honest']);
  // Payouts by hand from the default parameters (stake 100, slash 80 %, victim 50 %, treasury 20 %).
  const slashed = Math.floor((DEFAULT_PARAMS.solverStake * DEFAULT_PARAMS.slashBps) / 10_000);
  const victim = Math.floor((slashed * DEFAULT_PARAMS.whistleblowerBps) / 10_000);
  const treasury = Math.floor((slashed * DEFAULT_PARAMS.treasuryBps) / 10_000);
  assert.deepEqual(l.payouts, {
    copier: DEFAULT_PARAMS.solverStake - slashed,
    victim,
    treasury,
    submitter: slashed - victim - treasury + 200 + DEFAULT_PARAMS.verifierReward,
  });
  // The event list shows the order the rule relies on: honest reveal, then the copier's seal and reveal.
  const order = l.events.filter((e) => e.seq !== null).map((e) => `${e.action}:${e.by}`);
  assert.ok(order.indexOf('proof.reveal:honest') < order.indexOf('proof.commit:copier'));
  assert.equal(l.events.at(-1)?.result, 'COPY: slashed');
  assert.match(describeOutcome(o), /copy caught by commit-reveal order, copier slashed/);
});

test('getAttack names the known attacks on a typo', () => {
  assert.throws(() => getAttack('lazzy'), /unknown attack "lazzy" \(known: alter-op, lazy/);
});
