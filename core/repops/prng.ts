/**
 * Counter-based PRNG: Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11), on 32-bit integer arithmetic only, checked against the Random123 known-answer vectors.
 *
 * Why counter-based: value n of a stream is a pure function of (seed, stream, n), so initialisation,
 * dropout masks and data order can be recomputed for any single op or step without replaying a
 * sequential generator — exactly what a dispute referee needs.
 *
 * Stream layout (spec, see spec/transcendentals.md "PRNG"): key = (seed_lo, seed_hi); the 32-bit word
 * number n of stream s is lane n mod 4 of philox4x32(counter = (b_lo, b_hi, s, 0), key) with
 * b = floor(n / 4) split into its low and high 32 bits.
 */
import { log32 } from './math.ts';
import { RepOpsError } from './tensor.ts';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32, from 16-bit halves (every partial product < 2^32). */
export function umulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const carry = ((ll >>> 16) + (lh & 0xffff) + (hl & 0xffff)) >>> 16;
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + carry) >>> 0;
}

/** One Philox-4x32 block with `rounds` rounds (10 is the standard, and the only one used by RepOps). */
export function philox4x32(counter: Uint32Array, key: Uint32Array, rounds = 10): Uint32Array {
  if (counter.length !== 4 || key.length !== 2) {
    throw new RepOpsError(
      'philox4x32',
      `counter must have 4 words and key 2, got ${counter.length} and ${key.length}`,
    );
  }
  const out = new Uint32Array(4);
  philoxInto(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out, 0, rounds);
  return out;
}

/** Philox block written to out[at..at+3] (the allocation-free core). */
function philoxInto(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  at: number,
  rounds: number,
): void {
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = umulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = umulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[at] = c0;
  out[at + 1] = c1;
  out[at + 2] = c2;
  out[at + 3] = c3;
}

/** A seed: an integer 0 … 2^32−1, or a pair [lo, hi] of such integers (a 64-bit key). */
export type Seed = number | readonly [number, number];

function checkWord(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RepOpsError(fn, `${what} must be an integer in 0..2^32-1, got ${String(v)}`);
  }
  return v;
}

/** Validates a seed for function `fn` (RepOpsError naming fn otherwise); returns the Philox key. */
export function checkSeed(fn: string, seed: Seed): [number, number] {
  return seedKey(fn, seed);
}

/** Validates a stream number for function `fn`. */
export function checkStream(fn: string, stream: number): number {
  return checkWord(fn, 'stream', stream);
}

function seedKey(fn: string, seed: Seed): [number, number] {
  if (Array.isArray(seed)) {
    if (seed.length !== 2) throw new RepOpsError(fn, `seed pair must have 2 words, got ${seed.length}`);
    return [checkWord(fn, 'seed[0]', seed[0]), checkWord(fn, 'seed[1]', seed[1])];
  }
  return [checkWord(fn, 'seed', seed), 0];
}

function checkCount(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new RepOpsError(fn, `${what} must be a non-negative safe integer, got ${String(v)}`);
  }
  return v;
}

/** Words offset … offset+count−1 of stream `stream` under `seed` (see the layout at the top). */
export function randomUint32(seed: Seed, stream: number, count: number, offset = 0): Uint32Array {
  return fillUint32('randomUint32', seed, stream, count, offset);
}

function fillUint32(fn: string, seed: Seed, stream: number, count: number, offset: number): Uint32Array {
  const [k0, k1] = seedKey(fn, seed);
  const s = checkWord(fn, 'stream', stream);
  checkCount(fn, 'count', count);
  checkCount(fn, 'offset', offset);
  const out = new Uint32Array(count);
  const block = new Uint32Array(4);
  let n = offset;
  let i = 0;
  while (i < count) {
    const b = Math.floor(n / 4);
    philoxInto(b >>> 0, Math.floor(b / 0x100000000) >>> 0, s, 0, k0, k1, block, 0, 10);
    for (let lane = n % 4; lane < 4 && i < count; lane++, i++, n++) out[i] = block[lane];
  }
  return out;
}

const TWO_M24 = 1 / 16777216;

/** Uniform binary32 in [0, 1): the top 24 bits of each word times 2^-24 (exact, 2^24 equally likely values). */
export function uniformFromWord(w: number): number {
  return (w >>> 8) * TWO_M24;
}

export function randomUniform(seed: Seed, stream: number, count: number, offset = 0): Float32Array {
  const words = fillUint32('randomUniform', seed, stream, count, offset);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = uniformFromWord(words[i]);
  return out;
}

// Wichura's AS 241 PPND7 (Applied Statistics 37, 1988): the single-precision inverse normal CDF,
// relative accuracy about 1e-7, designed for binary32 — its rationals have positive coefficients in
// well-conditioned variables, so binary32 evaluation loses little (Acklam's double-precision rational
// cancels badly in binary32). Coefficients are the published decimals rounded to binary32.
const f = Math.fround;
const PA = [3.3871327179, 50.434271938, 159.29113202, 59.10937472].map(f);
const PB = [1, 17.895169469, 78.757757664, 67.1875636].map(f);
const PC = [1.4234372777, 2.75681539, 1.3067284816, 0.17023821103].map(f);
const PD = [1, 0.7370016425, 0.12021132975].map(f);
const PE = [6.657905115, 3.081226386, 0.42868294337, 0.017337203997].map(f);
const PF = [1, 0.24197894225, 0.012258202635].map(f);
const SPLIT1 = f(0.425);
const CONST1 = f(0.180625);
const R_SPLIT = 5;

function poly(c: readonly number[], x: number): number {
  let p = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) p = f(f(p * x) + c[i]);
  return p;
}

/**
 * Inverse standard normal CDF of p in (0, 1), binary32 (AS 241 PPND7): q = p − ½; for |q| ≤ 0.425 a
 * rational in r = 0.180625 − q²; otherwise r = sqrt(−log(min(p, 1 − p))) and a rational in r − 1.6
 * (r ≤ 5) or r − 5. Only + − × ÷, sqrt and log32.
 */
export function normalQuantile32(p: number): number {
  p = f(p);
  const q = f(p - 0.5);
  const aq = q < 0 ? -q : q;
  if (aq <= SPLIT1) {
    const r = f(CONST1 - f(q * q));
    return f(f(q * poly(PA, r)) / poly(PB, r));
  }
  const tail = q < 0 ? p : f(1 - p);
  let r = f(Math.sqrt(f(-log32(tail))));
  let z: number;
  if (r <= R_SPLIT) {
    r = f(r - 1.6);
    z = f(poly(PC, r) / poly(PD, r));
  } else {
    r = f(r - R_SPLIT);
    z = f(poly(PE, r) / poly(PF, r));
  }
  return q < 0 ? -z : z;
}

/** Open-interval uniform for the quantile: odd multiples of 2^-24 from the top 23 bits (exact, symmetric about ½). */
export function openUniformFromWord(w: number): number {
  return ((w >>> 9) * 2 + 1) * TWO_M24;
}

/**
 * Standard normal binary32 samples by inversion: word n of the stream → p = (2·(w >> 9) + 1)·2^-24 →
 * normalQuantile32(p). One word per sample, so sample n depends only on (seed, stream, n); the
 * range is |z| ≤ 5.30 (p is never 0 or 1).
 */
export function randomNormal(seed: Seed, stream: number, count: number, offset = 0): Float32Array {
  const words = fillUint32('randomNormal', seed, stream, count, offset);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = normalQuantile32(openUniformFromWord(words[i]));
  return out;
}
