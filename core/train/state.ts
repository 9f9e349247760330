/**
 * Training state = the parameters (in model order) followed by the optimizer-state tensors (in the
 * optimizer's documented order, e.g. Adam: m of every parameter, then v of every parameter). Its digest
 * is the Merkle root over the tensor digests in exactly that order (docs/TRAINING.md "State digest").
 */
import { tensorDigestsOf } from '../hash/digest.ts';
import type { Digest } from '../hash/hex.ts';
import { merkleRoot } from '../hash/merkle.ts';
import type { TensorDigestScheme } from '../hash/tensor-scheme.ts';
import type { Tensor } from '../repops/tensor.ts';

export interface StateEntry {
  readonly name: string;
  readonly kind: 'param' | 'state';
  readonly shape: readonly number[];
}

export interface TrainState {
  readonly layout: readonly StateEntry[];
  readonly tensors: readonly Tensor[];
}

/** The digests of the state's tensors under the task's scheme (core/train/task.ts tensorDigestScheme). */
export function tensorDigests(state: TrainState, scheme: TensorDigestScheme): Digest[] {
  return tensorDigestsOf(state.tensors, scheme);
}

export function stateDigest(state: TrainState, scheme: TensorDigestScheme): Digest {
  return merkleRoot(tensorDigests(state, scheme));
}

/** Deep copy (tensors are never shared between a state and a tampered variant of it). */
export function cloneState(state: TrainState): TrainState {
  return {
    layout: state.layout,
    tensors: state.tensors.map((t) => ({ shape: [...t.shape], data: t.data.slice() })),
  };
}

export function stateParams(state: TrainState): Tensor[] {
  return state.tensors.filter((_, i) => state.layout[i].kind === 'param');
}
