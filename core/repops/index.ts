/**
 * RepOps public API. Import from here: it registers every op before `getOp` can be called.
 * See core/repops/README.md for a training-step example and SPEC.md for the arithmetic of each op.
 */
import './ops/all.ts';

export * as ops from './api.ts';
export * as init from './init.ts';
export * from './math.ts';
export { powInt32 } from './ops/optim.ts';
export {
  type AdamOptions,
  adamStep,
  clipGradNorm,
  type MomentumOptions,
  momentumStep,
  type SgdOptions,
  sgdStep,
} from './optimizers.ts';
export * from './prng.ts';
export { LANES, laneSum } from './reduce.ts';
export {
  type AttrScalar,
  type Attrs,
  type AttrValue,
  getOp,
  hasOp,
  listOps,
  type OpDef,
  registerOp,
  type VjpContext,
} from './registry.ts';
export {
  apply,
  backward,
  bitwiseEqual,
  checkTape,
  createTape,
  type LeafKind,
  type LeafOptions,
  leaf,
  type Phase,
  recomputeNode,
  type Tape,
  type TapeNode,
  type TapeOptions,
  type Var,
  varOf,
  withLabel,
  withPhase,
} from './tape.ts';
export { RepOpsError, type Shape, sizeOf, type Tensor, tensor } from './tensor.ts';
export { REPOPS_SPEC_VERSION } from './version.ts';
