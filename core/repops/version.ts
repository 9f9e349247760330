/**
 * RepOps spec version. Any change to the arithmetic of any op (forward, VJP, optimizer update), to the
 * PRNG or to the transcendentals changes output bits, so it bumps this string and the golden table
 * (test/repops/golden.json records the version it was generated under).
 */
export const REPOPS_SPEC_VERSION = 'repops-1.0.0';
