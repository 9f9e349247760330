/** Pinpoint dispute: two-phase refereed bisection, transcripts and cost accounting (docs/DISPUTE.md). */

export * from './cost.ts';
export * from './execute.ts';
export * from './merkle-descent.ts';
export * from './party.ts';
export * from './record.ts';
export * from './referee.ts';
export * from './synthetic.ts';
export * from './task.ts';
export * from './transcript.ts';
export * from './types.ts';
