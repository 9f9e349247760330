/** Pinpoint dispute: two-phase refereed bisection, transcripts and cost accounting (docs/DISPUTE.md). */

export * from './cost.ts';
export * from './execute.ts';
export * from './merkle-descent.ts';
export * from './party.ts';
export * from './record.ts';
export * from './referee.ts';
export * from './synthetic.ts';
// The RepOps/proof-bundle adapter (repopsTask, bundleParty) is imported from './repops-task.ts' directly so
// that users of the protocol core do not load the trainer.
export * from './task.ts';
export * from './transcript.ts';
export * from './types.ts';
