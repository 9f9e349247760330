/** Public API of core/verify (see docs/PROOF_FORMAT.md "Verification"). */
export * from './sampling.ts';
export * from './verify.ts';
