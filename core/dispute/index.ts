/** Pinpoint dispute: two-phase refereed bisection, transcripts and cost accounting (docs/DISPUTE.md). */
export * from './types.ts';
export * from './transcript.ts';
export * from './cost.ts';
export * from './referee.ts';
export * from './record.ts';
export * from './merkle-descent.ts';
export * from './task.ts';
export * from './execute.ts';
export * from './party.ts';
export * from './synthetic.ts';
