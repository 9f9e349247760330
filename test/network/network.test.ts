/**
 * The protocol across processes: a referee, solvers and a verifier as `pinpoint node` child processes,
 * the game on the in-process EVM served over JSON-RPC. A full dispute settles on chain with the
 * contract's Merkle check; a solver killed mid-dispute loses by the on-chain deadline; token
 * conservation on chain after each.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { LocalNetwork } from '../../cli/network/network.ts';
import { taskKey } from '../../core/chain/game.ts';

const net = await LocalNetwork.start({ seed: 'net-test', deadlineMs: 1500, params: { roundSeconds: 2 } });
after(() => net.close());

const [referee, cheater, doomed, verifier] = await Promise.all([
  net.spawn('referee', 'referee'),
  net.spawn('solver', 'cheater', ['--cheat-rate', '1']),
  net.spawn('solver', 'doomed', ['--cheat-rate', '1']),
  net.spawn('verifier', 'verifier'),
]);

async function conserved(): Promise<void> {
  const c = await net.conservation();
  assert.deepEqual(c.problems, [], 'conservation on chain');
}

test('a full 3-party dispute across processes: the cheater is pinpointed and slashed on chain', async () => {
  const spec = { task: 'full', seed: 7, steps: 64 };
  const id = await net.post(spec, 200n);
  const solved = await net.solve(cheater, spec);
  assert.ok(solved.cheated, 'cheat-rate 1 alters an op');
  const before = {
    solver: await net.game.balanceOf(cheater.hello.address),
    verifier: await net.game.balanceOf(verifier.hello.address),
  };
  const res = await net.check(verifier, cheater, referee, spec);
  assert.equal(res.outcome, 'disputed');
  const verdict = (res.referee as { body: { verdict: { loser: string; step: number }; settledBy: string } })
    .body;
  assert.equal(verdict.verdict.loser, 'solver');
  assert.equal(verdict.verdict.step, solved.cheated?.step, 'pinpointed at the altered step');
  assert.equal(verdict.settledBy, 'verdict', 'settled with the contract checking Merkle membership');
  const t = await net.game.task(id);
  assert.equal(t.state, 'settled');
  assert.equal(t.loser, 'solver');
  assert.ok(t.round > 3, `rounds committed on chain (${t.round})`);
  // defaults: solver stake 100 slashed 80 (20 back); the verifier deposited its 50 stake for the
  // challenge, got it back and the 40 jackpot.
  assert.equal((await net.game.balanceOf(cheater.hello.address)) - before.solver, 20n);
  assert.equal(before.verifier, 0n);
  assert.equal(await net.game.balanceOf(verifier.hello.address), 50n + 40n);
  const log = await net.gasLog();
  const rounds = log.filter((g) => g.task === taskKey('full') && g.action === 'commitRound');
  assert.equal(rounds.length, 2 * t.round, 'every round: one signed commitment per party');
  await conserved();
});

test('a solver killed mid-dispute loses by the on-chain deadline; nothing is lost', async () => {
  const spec = { task: 'killed', seed: 9, steps: 64 };
  const id = await net.post(spec, 200n);
  await net.solve(doomed, spec);
  const before = await net.game.balanceOf(verifier.hello.address);
  const checking = net.check(verifier, doomed, referee, spec);
  await doomed.waitFor((e) => e.event === 'answer' && e.task === 'killed' && (e.seq as number) >= 2);
  doomed.child.kill('SIGKILL');
  const res = await checking;
  const body = (
    res.referee as { body: { verdict: { loser: string }; settledBy: string; chainLoser: string } }
  ).body;
  assert.equal(body.verdict.loser, 'solver');
  assert.equal(body.settledBy, 'deadline');
  const t = await net.game.task(id);
  assert.equal(t.state, 'settled');
  assert.equal(t.loser, 'solver');
  assert.equal((await net.game.balanceOf(verifier.hello.address)) - before, 40n, 'the jackpot, stake back');
  await conserved();
});
