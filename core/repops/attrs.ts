/**
 * Op attributes as tape nodes keep them: a frozen copy (arrays frozen too) checked to be JSON-safe once,
 * when `apply` records it. `defineOp`'s forward then skips the check for such an object, and a caller that
 * passes the same frozen object to many calls (the optimizers: one per update kind per step) pays for the
 * copy and the check once — the per-call cost of an op is its kernel, not its bookkeeping.
 */
import type { Attrs, AttrValue } from './registry.ts';
import { RepOpsError } from './tensor.ts';

/**
 * Attrs objects known to be deeply frozen and JSON-safe (so nothing can change them any more): the copies
 * `sealAttrs` makes carry a non-enumerable symbol (invisible to Object.keys, JSON and deep equality; a
 * property read is cheaper than a WeakSet entry per call); caller-frozen objects are listed in a WeakSet.
 */
const SEALED: unique symbol = Symbol('repops.sealedAttrs');
const frozenByCaller = new WeakSet<object>();
function isSealed(attrs: Attrs): boolean {
  return (attrs as { [SEALED]?: true })[SEALED] === true || frozenByCaller.has(attrs);
}

function checkValue(op: string, key: string, x: unknown): void {
  const ok = typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
  if (!ok)
    throw new RepOpsError(
      op,
      `attr ${key} is not JSON-safe (finite numbers, strings, booleans): ${String(x)}`,
    );
}

/** Attrs must be JSON-safe: finite numbers, strings, booleans, or flat arrays of those. */
export function checkAttrs(op: string, attrs: Attrs): void {
  if (attrs !== null && typeof attrs === 'object' && isSealed(attrs)) return;
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs))
    throw new RepOpsError(op, 'attrs must be a plain object');
  for (const k of Object.keys(attrs)) {
    const v = attrs[k];
    if (Array.isArray(v)) for (const x of v) checkValue(op, k, x);
    else checkValue(op, k, v);
  }
}

/** The empty attrs every attribute-less op call records (one shared frozen object). */
export const NO_ATTRS: Attrs = Object.freeze(Object.defineProperty({}, SEALED, { value: true }));

/** A plain data property (no getter that could answer differently later) holding a scalar or frozen array. */
function isFrozenValue(attrs: Attrs, key: string): boolean {
  const d = Object.getOwnPropertyDescriptor(attrs, key);
  return d !== undefined && 'value' in d && (!Array.isArray(d.value) || Object.isFrozen(d.value));
}

/**
 * A checked, deeply frozen version of `attrs`: the object itself when it already is one (sealed before,
 * or frozen by its caller with frozen arrays), else a frozen copy — so later mutation by the caller cannot
 * change a recorded node. Throws a RepOpsError naming `op` on attrs that are not JSON-safe.
 */
export function sealAttrs(op: string, attrs: Attrs): Attrs {
  if (isSealed(attrs)) return attrs;
  checkAttrs(op, attrs);
  const keys = Object.keys(attrs);
  if (keys.length === 0) return NO_ATTRS;
  if (Object.isFrozen(attrs) && keys.every((k) => isFrozenValue(attrs, k))) {
    frozenByCaller.add(attrs);
    return attrs;
  }
  const copy: Record<string, AttrValue> = {};
  for (const k of keys) {
    const v = attrs[k];
    copy[k] = Array.isArray(v) ? Object.freeze([...v]) : v;
  }
  Object.defineProperty(copy, SEALED, { value: true });
  return Object.freeze(copy);
}

/**
 * `parse` memoised per caller-frozen attrs object: an op whose attrs take work to read (the Adam update's
 * bias corrections) reads them once per object a caller shares between calls (the optimizers do), not in
 * every `shape` and `compute` call. Other attrs are parsed every time (a copy `sealAttrs` made serves one
 * call; a mutable object may change between calls).
 */
export function parsedPerAttrs<T>(parse: (attrs: Attrs) => T): (attrs: Attrs) => T {
  const cache = new WeakMap<Attrs, T>();
  return (attrs) => {
    if (!frozenByCaller.has(attrs)) return parse(attrs);
    let v = cache.get(attrs);
    if (v === undefined) {
      v = parse(attrs);
      cache.set(attrs, v);
    }
    return v;
  };
}
