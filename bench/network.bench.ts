/**
 * Gas and wall time of a full 3-party dispute on the local EVM: referee, cheating solver and verifier
 * (here as HTTP nodes inside this process, so process start-up is not timed; `pinpoint network demo`
 * runs them as processes), for runs of 64 and 1 024 steps. Gas is read from the chain's receipts.
 *
 * Reference (not re-measured here): a fully played OP Stack Cannon fault-dispute game is estimated at
 * ≈10–15 M gas, and an off-chain-bisection + single-instruction Groth16 design measured ≈0.83 M gas on
 * Sepolia — both figures from "SI-RVP: off-chain bisection, a single-instruction Groth16 proof for
 * optimistic-rollup dispute resolution", ethresear.ch/t/25005. Our game commits every bisection answer on
 * chain (one signed commitment per party per round) and checks two Merkle paths at settlement; it does
 * not execute the disputed op on chain (the referee recomputes it off chain: docs/NETWORK.md).
 */

import { LocalNetwork } from '../cli/network/network.ts';
import { taskKey } from '../core/chain/game.ts';

export default async function bench(): Promise<void> {
  const net = await LocalNetwork.start({ seed: 'bench', deadlineMs: 5000, params: { roundSeconds: 30 } });
  try {
    const referee = await net.startInProcess('referee', 'referee');
    const cheater = await net.startInProcess('solver', 'cheater', { cheatRate: 1 });
    const verifier = await net.startInProcess('verifier', 'verifier');
    const rows: string[] = [];
    const proofGas: string[] = [];
    for (const steps of [64, 1024]) {
      const spec = { task: `bench-${steps}`, seed: 5, steps };
      const t0 = performance.now();
      await net.post(spec, 200n);
      await net.solve(cheater, spec);
      const t1 = performance.now();
      const res = (await net.check(verifier, cheater, referee, spec)) as {
        referee?: { body: { verdict: { loser: string }; ms: number } };
      };
      const t2 = performance.now();
      const id = taskKey(spec.task);
      const log = (await net.gasLog()).filter((g) => g.task === id);
      const sum = (actions: string[]) =>
        log.filter((g) => actions.includes(g.action)).reduce((a, g) => a + g.gas, 0n);
      const rounds = log.filter((g) => g.action === 'commitRound').length;
      proofGas.push(
        `${steps} steps: commitProof ${sum(['commitProof'])} + revealProof ${sum(['revealProof'])} = ${sum(['commitProof', 'revealProof'])} gas`,
      );
      const dispute = sum(['openDispute', 'commitRound', 'settle', 'claimTimeout']);
      rows.push(
        `${String(steps).padStart(5)}  ${String(rounds / 2).padStart(6)}  ${sum(['openDispute']).toString().padStart(7)}  ${(rounds ? sum(['commitRound']) / BigInt(rounds) : 0n).toString().padStart(9)}  ${sum(['settle', 'claimTimeout']).toString().padStart(7)}  ${dispute.toString().padStart(10)}  ${((t1 - t0) / 1000).toFixed(2).padStart(7)}  ${((t2 - t1) / 1000).toFixed(2).padStart(9)}  ${res.referee?.body.verdict.loser ?? '?'}`,
      );
    }
    const c = await net.conservation();
    console.log('steps  rounds  open gas  gas/commit  settle   dispute gas  solve s  dispute s  loser');
    for (const r of rows) console.log(r);
    console.log(`proof (commit-reveal): ${proofGas.join('; ')}`);
    console.log(
      'reference: OP Cannon fully played game ≈10–15 M gas (estimate); off-chain bisection + Groth16 leaf ≈0.83 M gas',
    );
    console.log('           (both from ethresear.ch/t/25005, not re-measured here)');
    console.log(`conservation: ${c.ok ? 'OK' : `VIOLATED ${c.problems.join('; ')}`}`);
  } finally {
    await net.close();
  }
}
