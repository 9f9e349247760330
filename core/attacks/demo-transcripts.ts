/**
 * The ledger demo's real dispute transcripts. They live here, above core/ledger, because they run the
 * attack library; the ledger's demo takes them as data (core/ledger/demo.ts demoActions, node-demo.ts).
 */
import type { Transcript } from '../dispute/transcript.ts';
import type { DemoTranscripts } from '../ledger/demo.ts';
import type { Loser } from '../ledger/types.ts';
import { getAttack } from './scenarios.ts';

/**
 * Real transcripts: the attack library's scenarios run end to end through the real referee on its
 * synthetic 64-step task — 'alter-op' (the solver alters one op output: solver loses), 'false-challenge'
 * (challenger loses) and 'both-cheat' (both lose). Throws if a scenario does not reach its expected verdict.
 */
export async function realDemoTranscripts(seed = 1): Promise<Required<DemoTranscripts>> {
  const one = async (name: string, loser: Loser): Promise<Transcript> => {
    const o = await getAttack(name).run({ seed });
    if (!o.asExpected || o.verdict.loser !== loser)
      throw new Error(`attack scenario ${name} ended with loser ${o.verdict.loser}, expected ${loser}`);
    return o.transcript;
  };
  return {
    caughtCheater: await one('alter-op', 'solver'),
    falseChallenge: await one('false-challenge', 'challenger'),
    bothLose: await one('both-cheat', 'both'),
  };
}
