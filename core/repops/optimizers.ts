/**
 * Optimizer steps recorded as 'optimizer'-phase nodes. Each function takes the parameter vars, their
 * gradient vars (from `backward`) and the optimizer-state vars (leaves of kind 'state'), and returns the
 * new vars; the trainer carries `.out` tensors into the next step as leaves.
 * Order of nodes: parameters in the order given; per parameter the state updates, then the parameter.
 */
import { apply, type Var, withPhase } from './tape.ts';
import { RepOpsError } from './tensor.ts';

function tapeOf(op: string, vars: readonly Var[]) {
  if (vars.length === 0) throw new RepOpsError(op, 'no parameters');
  return vars[0].tape;
}

function same(op: string, a: readonly unknown[], b: readonly unknown[], what: string): void {
  if (a.length !== b.length) throw new RepOpsError(op, `${a.length} parameters but ${b.length} ${what}`);
}

export interface SgdOptions {
  lr: number;
}
export function sgdStep(params: readonly Var[], grads: readonly Var[], o: SgdOptions): Var[] {
  same('sgd', params, grads, 'gradients');
  const lrAttrs = Object.freeze({ lr: o.lr });
  return withPhase(tapeOf('sgd', params), 'optimizer', () =>
    params.map((p, i) => apply('sgd.param', [p, grads[i]], lrAttrs)),
  );
}

export interface MomentumOptions {
  lr: number;
  momentum: number;
}
export function momentumStep(
  params: readonly Var[],
  grads: readonly Var[],
  bufs: readonly Var[],
  o: MomentumOptions,
): { params: Var[]; bufs: Var[] } {
  same('momentum', params, grads, 'gradients');
  same('momentum', params, bufs, 'momentum buffers');
  const bufAttrs = Object.freeze({ momentum: o.momentum });
  const lrAttrs = Object.freeze({ lr: o.lr });
  return withPhase(tapeOf('momentum', params), 'optimizer', () => {
    const outP: Var[] = [];
    const outB: Var[] = [];
    for (let i = 0; i < params.length; i++) {
      const b = apply('momentum.buf', [bufs[i], grads[i]], bufAttrs);
      outB.push(b);
      outP.push(apply('momentum.param', [params[i], b], lrAttrs));
    }
    return { params: outP, bufs: outB };
  });
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW); 0 = Adam. */
  weightDecay?: number;
  /** 1-based step count for bias correction. */
  step: number;
}
export function adamStep(
  params: readonly Var[],
  grads: readonly Var[],
  m: readonly Var[],
  v: readonly Var[],
  o: AdamOptions,
): { params: Var[]; m: Var[]; v: Var[] } {
  same('adam', params, grads, 'gradients');
  same('adam', params, m, 'first moments');
  same('adam', params, v, 'second moments');
  const beta1 = o.beta1 ?? 0.9;
  const beta2 = o.beta2 ?? 0.999;
  // One frozen attrs object per update kind, shared by every parameter's node (checked once, not copied).
  const attrs = Object.freeze({
    lr: o.lr,
    beta1,
    beta2,
    eps: o.eps ?? 1e-8,
    step: o.step,
    weightDecay: o.weightDecay ?? 0,
  });
  const mAttrs = Object.freeze({ beta1 });
  const vAttrs = Object.freeze({ beta2 });
  return withPhase(tapeOf('adam', params), 'optimizer', () => {
    const out = { params: [] as Var[], m: [] as Var[], v: [] as Var[] };
    for (let i = 0; i < params.length; i++) {
      const mi = apply('adam.m', [m[i], grads[i]], mAttrs);
      const vi = apply('adam.v', [v[i], grads[i]], vAttrs);
      out.m.push(mi);
      out.v.push(vi);
      out.params.push(apply('adam.param', [params[i], mi, vi], attrs));
    }
    return out;
  });
}

/**
 * Global-norm clipping: total = sumsq(g_0) + sumsq(g_1) + … (left-to-right `add` chain in the given
 * order), scale = clip.scale(total), g_i' = clip.apply(g_i, scale). Recorded in the 'optimizer' phase.
 */
export function clipGradNorm(grads: readonly Var[], maxNorm: number): Var[] {
  return withPhase(tapeOf('clip', grads), 'optimizer', () => {
    let total = apply('sumsq', [grads[0]]);
    for (let i = 1; i < grads.length; i++) total = apply('add', [total, apply('sumsq', [grads[i]])]);
    const scale = apply('clip.scale', [total], { maxNorm });
    const out: Var[] = [];
    for (const g of grads) out.push(apply('clip.apply', [g, scale]));
    return out;
  });
}
