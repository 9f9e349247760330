/** Public API of core/proof (see docs/PROOF_FORMAT.md). */

export * from './bundle.ts';
export * from './format.ts';
export * from './open.ts';
export * from './read.ts';
export * from './sign.ts';
export * from './write.ts';
