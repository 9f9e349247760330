/** Attack library: adversarial solvers/challengers, Jia-style PoL spoofs, and named scenarios (docs/DISPUTE.md). */
export * from './hooks.ts';
export * from './jia.ts';
export * from './parties.ts';
export * from './scenarios.ts';
