/** Browser-safe part of core/ledger (the SQLite store is node-only and not available in cells). */

export * from '../../ledger/audit.ts';
export * from '../../ledger/chain.ts';
export * from '../../ledger/demo.ts';
export * from '../../ledger/game.ts';
export * from '../../ledger/memory.ts';
export * from '../../ledger/rules.ts';
export * from '../../ledger/seal.ts';
export * from '../../ledger/transcript.ts';
export * from '../../ledger/types.ts';
