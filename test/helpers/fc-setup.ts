/**
 * Loaded before every test file (scripts/test.sh `--import`). In CI the property tests use one fixed
 * seed so a run is reproducible and a landing is judged on the same inputs it was checked with; set
 * PINPOINT_FC_SEED=<n> to replay a seed, or run outside CI (or PINPOINT_FC_SEED=random) to explore.
 */
import fc from 'fast-check';
// Every test process also removes the temp dirs it made (see temp-cleanup.ts).
import './temp-cleanup.ts';

const env = process.env.PINPOINT_FC_SEED;
const seed =
  env !== undefined && env !== 'random'
    ? Number(env)
    : env === undefined && process.env.CI === 'true'
      ? 20261126
      : undefined;
if (seed !== undefined && Number.isInteger(seed)) fc.configureGlobal({ seed });
