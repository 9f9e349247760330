/**
 * One-off measurement (not a test): max ulp error of each transcendental over a dense stride sweep of
 * the binary32 bit patterns of its interesting range (both signs), plus every binary32 of chosen
 * binades. `node --import tsx test/repops-math/measure-ulps.ts [samplesPerFunction]`
 */
import { erf32, erfc32, exp32, gelu32, log32, sigmoid32, tanh32 } from '../../core/repops/math.ts';
import { erfcRef, erfRef, geluRef, sigmoidRef } from './reference.ts';
import { measure, sweep } from './ulp.ts';

const N = Number(process.argv[2] ?? 2 ** 24);
const cases: [string, (x: number) => number, (x: number) => number, number, number][] = [
  ['exp32', exp32, Math.exp, -104, 89],
  ['log32', log32, Math.log, 0, 3.4028234663852886e38],
  ['tanh32', tanh32, Math.tanh, -9.1, 9.1],
  ['sigmoid32', sigmoid32, sigmoidRef, -104, 17.5],
  ['erf32', erf32, erfRef, -4, 4],
  ['erfc32', erfc32, erfcRef, -4, 10.1],
  ['gelu32', gelu32, geluRef, -14.5, 14.5],
];
for (const [name, fn, ref, lo, hi] of cases) {
  const t0 = Date.now();
  const parts = [];
  if (lo < 0) parts.push(measure(fn, ref, sweep(lo, -0, N / 2)));
  parts.push(measure(fn, ref, sweep(Math.max(lo, 0), hi, lo < 0 ? N / 2 : N)));
  const worst = parts.reduce((a, s) => (s.max > a.max ? s : a));
  const count = parts.reduce((a, s) => a + s.count, 0);
  const over1 = parts.reduce((a, s) => a + s.over1, 0);
  console.log(
    `${name}: max ${worst.max.toFixed(3)} ulp at x=${worst.worstX}; ${count} inputs in [${lo}, ${hi}], ${over1} above 1 ulp (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
