/**
 * Maps a task's optimizer spec onto the RepOps optimizer steps (core/repops/optimizers.ts), and fixes the
 * optimizer-state layout: SGD none; momentum one velocity per parameter ("momentum/<param>");
 * Adam/AdamW "adam.m/<param>" for every parameter, then "adam.v/<param>" for every parameter.
 * Optional global-norm clipping is recorded (phase 'optimizer') before the update.
 */
import { adamStep, clipGradNorm, momentumStep, sgdStep, type Var } from '../repops/index.ts';
import type { StateEntry } from './state.ts';
import type { OptimizerSpec } from './task.ts';

export function optimizerLayout(params: readonly StateEntry[], spec: OptimizerSpec): StateEntry[] {
  const of = (prefix: string) =>
    params.map((p) => ({ name: `${prefix}/${p.name}`, kind: 'state' as const, shape: [...p.shape] }));
  switch (spec.kind) {
    case 'sgd':
      return [];
    case 'momentum':
      return of('momentum');
    case 'adam':
    case 'adamw':
      return [...of('adam.m'), ...of('adam.v')];
  }
}

/** Records clipping + the update of step `step` (0-based); returns the new params and state in layout order. */
export function applyOptimizer(
  spec: OptimizerSpec,
  step: number,
  params: readonly Var[],
  grads: readonly Var[],
  state: readonly Var[],
): { params: Var[]; state: Var[] } {
  const g = spec.clipNorm !== undefined ? clipGradNorm(grads, spec.clipNorm) : grads;
  switch (spec.kind) {
    case 'sgd':
      return { params: sgdStep(params, g, { lr: spec.lr }), state: [] };
    case 'momentum': {
      const r = momentumStep(params, g, state, { lr: spec.lr, momentum: spec.momentum ?? 0.9 });
      return { params: r.params, state: r.bufs };
    }
    case 'adam':
    case 'adamw': {
      const n = params.length;
      const r = adamStep(params, g, state.slice(0, n), state.slice(n), {
        lr: spec.lr,
        beta1: spec.beta1,
        beta2: spec.beta2,
        eps: spec.eps,
        weightDecay: spec.kind === 'adamw' ? (spec.weightDecay ?? 0.01) : 0,
        step: step + 1,
      });
      return { params: r.params, state: [...r.m, ...r.v] };
    }
  }
}
