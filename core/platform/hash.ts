/**
 * The SHA-256 backend switch lives in core/hash/sha256.ts (core/hash must not import core/platform, which
 * imports core/repops, which imports core/hash: a package cycle). Re-exported here for existing imports.
 */
export * from '../hash/sha256.ts';
