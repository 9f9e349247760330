/** Public API of core/train (see docs/TRAINING.md). */

export * from './datasets.ts';
export * from './models.ts';
export * from './optim.ts';
export * from './order.ts';
export * from './record.ts';
export * from './seed.ts';
export * from './state.ts';
export * from './step.ts';
export * from './task.ts';
export * from './train.ts';
