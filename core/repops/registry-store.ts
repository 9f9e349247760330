/**
 * The registry's storage, in a module with no imports so it is initialised before any op module runs,
 * whatever module of core/repops is imported first (registry.ts imports every op for its side effect).
 */
import type { OpDef } from './registry.ts';

export const OPS = new Map<string, OpDef>();
