/**
 * Parameter initialisers drawn from the Philox streams (prng.ts). Element i (row-major) of the tensor
 * uses word i of stream `stream` under `seed`, so any element can be recomputed alone. Arithmetic is
 * binary32 throughout: bound = gain·sqrt(c/fan) evaluated as fround steps, value = low + (high − low)·u.
 * Give each parameter its own stream (or seed) — two tensors initialised with the same (seed, stream)
 * get the same underlying words.
 */
import { checkSeed, checkStream, randomNormal, randomUniform, type Seed } from './prng.ts';
import { RepOpsError, type Shape, sizeOf, type Tensor } from './tensor.ts';

const f = Math.fround;

export interface RandomInit {
  seed: Seed;
  /** Philox stream (counter word 2), default 0. */
  stream?: number;
}

export interface FanInit extends RandomInit {
  /** Override the fans derived from the shape (see `fans`). */
  fanIn?: number;
  fanOut?: number;
}

function checkRandom(fn: string, opts: RandomInit): void {
  if (opts === null || typeof opts !== 'object')
    throw new RepOpsError(fn, 'options { seed, stream? } required');
  checkSeed(fn, opts.seed);
  checkStream(fn, opts.stream ?? 0);
}

function checkShape(fn: string, shape: Shape): number {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RepOpsError(fn, `invalid shape [${String(shape)}]`);
  }
  return sizeOf(shape);
}

function checkFinite(fn: string, what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new RepOpsError(fn, `${what} must be a finite number, got ${String(v)}`);
  return f(v);
}

export function zeros(shape: Shape): Tensor {
  const n = checkShape('zeros', shape);
  return { shape: [...shape], data: new Float32Array(n) };
}

export function ones(shape: Shape): Tensor {
  const n = checkShape('ones', shape);
  return { shape: [...shape], data: new Float32Array(n).fill(1) };
}

/** U[low, high): low + (high − low)·u with u = randomUniform word (24-bit grid), all binary32. */
export function uniform(shape: Shape, opts: RandomInit & { low?: number; high?: number }): Tensor {
  return uniformNamed('uniform', shape, opts, opts.low ?? 0, opts.high ?? 1);
}

function uniformNamed(fn: string, shape: Shape, opts: RandomInit, low: number, high: number): Tensor {
  const n = checkShape(fn, shape);
  checkRandom(fn, opts);
  const lo = checkFinite(fn, 'low', low);
  const hi = checkFinite(fn, 'high', high);
  if (!(hi >= lo)) throw new RepOpsError(fn, `high (${hi}) must be ≥ low (${lo})`);
  const width = f(hi - lo);
  const u = randomUniform(opts.seed, opts.stream ?? 0, n);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = f(lo + f(width * u[i]));
  return { shape: [...shape], data };
}

/** N(mean, std²): mean + std·z with z from randomNormal (inverse CDF, |z| ≤ 5.30), all binary32. */
export function normal(shape: Shape, opts: RandomInit & { mean?: number; std?: number }): Tensor {
  return normalNamed('normal', shape, opts, opts.mean ?? 0, opts.std ?? 1);
}

function normalNamed(fn: string, shape: Shape, opts: RandomInit, mean: number, std: number): Tensor {
  const n = checkShape(fn, shape);
  checkRandom(fn, opts);
  const m = checkFinite(fn, 'mean', mean);
  const s = checkFinite(fn, 'std', std);
  if (s < 0) throw new RepOpsError(fn, `std must be ≥ 0, got ${s}`);
  const z = randomNormal(opts.seed, opts.stream ?? 0, n);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = f(m + f(s * z[i]));
  return { shape: [...shape], data };
}

/**
 * Fans of a weight shape in RepOps layouts: 1-D [n] → (n, n); 2-D [in, out] (linear computes x·W) →
 * (in, out); ≥ 3-D conv [O, C, kh, kw…] → (C·kh·kw…, O·kh·kw…).
 */
export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function resolveFans(fn: string, shape: Shape, opts: FanInit): { fanIn: number; fanOut: number } {
  checkShape(fn, shape);
  checkRandom(fn, opts);
  const d = fans(shape);
  const fanIn = opts.fanIn ?? d.fanIn;
  const fanOut = opts.fanOut ?? d.fanOut;
  for (const [what, v] of [
    ['fanIn', fanIn],
    ['fanOut', fanOut],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0)
      throw new RepOpsError(fn, `${what} must be a positive integer, got ${v}`);
  }
  return { fanIn, fanOut };
}

const sqrt32 = (x: number): number => f(Math.sqrt(f(x)));

/** Glorot/Xavier uniform: U(−b, b), b = gain·sqrt(6/(fanIn + fanOut)). */
export function xavierUniform(shape: Shape, opts: FanInit & { gain?: number }): Tensor {
  const { fanIn, fanOut } = resolveFans('xavierUniform', shape, opts);
  const gain = checkFinite('xavierUniform', 'gain', opts.gain ?? 1);
  const b = f(gain * sqrt32(f(6 / f(fanIn + fanOut))));
  return uniformNamed('xavierUniform', shape, opts, -b, b);
}

/** Glorot/Xavier normal: N(0, s²), s = gain·sqrt(2/(fanIn + fanOut)). */
export function xavierNormal(shape: Shape, opts: FanInit & { gain?: number }): Tensor {
  const { fanIn, fanOut } = resolveFans('xavierNormal', shape, opts);
  const gain = checkFinite('xavierNormal', 'gain', opts.gain ?? 1);
  return normalNamed('xavierNormal', shape, opts, 0, f(gain * sqrt32(f(2 / f(fanIn + fanOut)))));
}

/** He/Kaiming gain for a leaky-ReLU slope a: sqrt(2/(1 + a²)) (a = 0: ReLU, √2). */
function kaimingGain(fn: string, a: number): number {
  const s = checkFinite(fn, 'negativeSlope', a);
  return sqrt32(f(2 / f(1 + f(s * s))));
}

/** He/Kaiming uniform (fan-in mode): U(−b, b), b = gain·sqrt(3/fanIn), gain = sqrt(2/(1 + a²)). */
export function kaimingUniform(shape: Shape, opts: FanInit & { negativeSlope?: number }): Tensor {
  const { fanIn } = resolveFans('kaimingUniform', shape, opts);
  const gain = kaimingGain('kaimingUniform', opts.negativeSlope ?? 0);
  const b = f(gain * sqrt32(f(3 / fanIn)));
  return uniformNamed('kaimingUniform', shape, opts, -b, b);
}

/** He/Kaiming normal (fan-in mode): N(0, s²), s = gain/sqrt(fanIn). */
export function kaimingNormal(shape: Shape, opts: FanInit & { negativeSlope?: number }): Tensor {
  const { fanIn } = resolveFans('kaimingNormal', shape, opts);
  const gain = kaimingGain('kaimingNormal', opts.negativeSlope ?? 0);
  return normalNamed('kaimingNormal', shape, opts, 0, f(gain / sqrt32(fanIn)));
}
