/**
 * ONNX → RepOps. Each supported ONNX node becomes one or a few registered RepOps ops, recorded on a
 * tape like any built-in model, so an imported model trains, commits and disputes exactly like one.
 * Float initializers become parameters (leaves of kind 'param'); integer initializers (shapes, axes)
 * are compile-time constants. Anything not supported is reported up front, every offending node named.
 */
import { leaf, ops, RepOpsError, type Tensor, tensor, type Var } from '../repops/index.ts';
import {
  type OnnxAttr,
  OnnxError,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './model.ts';

export interface ImportedModel {
  file: string;
  source: OnnxModel;
  /** Trainable parameters: the float initializers, in file order. */
  params: { name: string; tensor: Tensor }[];
  /** Graph inputs that are not initializers (what a caller feeds). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /**
   * Records the forward graph. `params` are vars in the order of `this.params`; `inputs` by graph input
   * name (integer inputs such as token ids are fed as float32 values). Returns the graph outputs by name.
   */
  forward(params: readonly Var[], inputs: Readonly<Record<string, Var>>): Record<string, Var>;
}

/** ONNX operators the importer maps, with the RepOps ops they become. */
export const SUPPORTED_ONNX_OPS: Readonly<Record<string, string>> = {
  Gemm: 'matmul (+ transpose, add, mul for transA/transB/C/alpha/beta)',
  MatMul: 'matmul (leading batch dims of A folded by reshape when B is 2-D)',
  Add: 'add',
  Sub: 'sub',
  Mul: 'mul',
  Div: 'div',
  Neg: 'neg',
  Relu: 'relu',
  Gelu: 'gelu (erf form; approximate="tanh" is rejected)',
  Tanh: 'tanh',
  Sigmoid: 'sigmoid',
  Exp: 'exp',
  Log: 'log',
  Softmax: 'softmax (last axis)',
  LogSoftmax: 'log_softmax (last axis)',
  Conv: 'conv2d (+ add for bias; group 1, dilation 1, symmetric pads)',
  MaxPool: 'maxpool2d (no padding)',
  Reshape: 'reshape',
  Flatten: 'reshape',
  Transpose: 'transpose',
  LayerNormalization: 'layer_norm (last axis)',
  Gather: 'embedding (axis 0)',
  Concat: 'concat',
  Identity: '(no op)',
  Dropout: '(no op: inference semantics)',
};

type Value =
  | { kind: 'var'; v: Var }
  | { kind: 'ints'; dims: number[]; data: number[] }
  | { kind: 'float'; t: OnnxTensor };

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function attrInt(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attrs[name];
  if (a === undefined) return dflt;
  if (typeof a !== 'number') throw new Error(`attribute ${name} must be an int`);
  return a;
}
function attrInts(n: OnnxNode, name: string): number[] | undefined {
  const a: OnnxAttr | undefined = n.attrs[name];
  if (a === undefined) return undefined;
  if (!Array.isArray(a) || a.some((x) => typeof x !== 'number'))
    throw new Error(`attribute ${name} must be ints`);
  return a as number[];
}
function attrFloat(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attrs[name];
  if (a === undefined) return dflt;
  if (typeof a !== 'number') throw new Error(`attribute ${name} must be a float`);
  return a;
}

/** Why a node cannot be imported, or null when it can (checked before anything runs). */
function unsupportedReason(n: OnnxNode, opset: number): string | null {
  if (n.domain !== '' && n.domain !== 'ai.onnx') return `domain "${n.domain}" is not supported`;
  if (!(n.opType in SUPPORTED_ONNX_OPS)) return 'operator not supported';
  if (n.opType === 'Gelu' && n.attrs.approximate === 'tanh')
    return 'Gelu approximate="tanh" is not supported (erf form only)';
  if (n.opType === 'Conv') {
    if (attrInt(n, 'group', 1) !== 1) return 'grouped convolution is not supported';
    if ((attrInts(n, 'dilations') ?? [1, 1]).some((d) => d !== 1))
      return 'dilated convolution is not supported';
    const pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
    if (pads[0] !== pads[2] || pads[1] !== pads[3]) return `asymmetric pads [${pads}] are not supported`;
    if (typeof n.attrs.auto_pad === 'string' && n.attrs.auto_pad !== 'NOTSET')
      return 'auto_pad is not supported';
  }
  if (n.opType === 'MaxPool' && (attrInts(n, 'pads') ?? []).some((p) => p !== 0))
    return 'padded max-pool is not supported';
  if (n.opType === 'Gather' && attrInt(n, 'axis', 0) !== 0) return 'Gather only on axis 0 (embedding lookup)';
  if (n.opType === 'Softmax' && opset < 13 && attrInt(n, 'axis', 1) !== -1) {
    return null; // checked against the rank at import time (opset < 13 flattens from `axis`)
  }
  return null;
}

/** Map a parsed ONNX model to a RepOps model. `file` names the source in errors. */
export function importOnnx(model: OnnxModel, file = model.graph.name || '<onnx>'): ImportedModel {
  const bad = model.graph.nodes
    .map((n) => ({ n, why: unsupportedReason(n, model.opset) }))
    .filter((x) => x.why !== null);
  if (bad.length > 0) {
    const list = bad.map(({ n, why }) => `  - ${n.opType} at node "${n.name}": ${why}`).join('\n');
    throw new OnnxError(file, `${bad.length} unsupported node(s):\n${list}`);
  }
  const initNames = new Set(model.graph.initializers.map((t) => t.name));
  const floatInits = model.graph.initializers.filter((t) => t.dataType === 'float32');
  const params = floatInits.map((t) => ({ name: t.name, tensor: tensor(t.dims, t.data as Float32Array) }));
  const inputs = model.graph.inputs.filter((v) => !initNames.has(v.name));

  const forward = (paramVars: readonly Var[], feeds: Readonly<Record<string, Var>>): Record<string, Var> => {
    if (paramVars.length !== params.length) {
      throw new OnnxError(file, `forward needs ${params.length} parameter vars, got ${paramVars.length}`);
    }
    const env = new Map<string, Value>();
    floatInits.forEach((t, i) => {
      env.set(t.name, { kind: 'var', v: paramVars[i] });
    });
    for (const t of model.graph.initializers) {
      if (t.dataType !== 'float32') env.set(t.name, { kind: 'ints', dims: t.dims, data: t.data as number[] });
    }
    for (const v of inputs) {
      const fed = feeds[v.name];
      if (!fed) throw new OnnxError(file, `missing graph input "${v.name}"`);
      env.set(v.name, { kind: 'var', v: fed });
    }
    const anyVar = paramVars[0] ?? Object.values(feeds)[0];
    for (const n of model.graph.nodes) {
      try {
        const outs = runNode(n, env, anyVar, model.opset);
        n.outputs.forEach((name, i) => {
          if (name && outs[i]) env.set(name, outs[i]);
        });
      } catch (err) {
        if (err instanceof OnnxError) throw err;
        const msg = err instanceof RepOpsError || err instanceof Error ? err.message : String(err);
        throw new OnnxError(file, `node "${n.name}" (${n.opType}): ${msg}`);
      }
    }
    const result: Record<string, Var> = {};
    for (const o of model.graph.outputs) {
      const v = env.get(o.name);
      if (v?.kind !== 'var')
        throw new OnnxError(file, `graph output "${o.name}" is not computed by any node`);
      result[o.name] = v.v;
    }
    return result;
  };
  return { file, source: model, params, inputs, outputs: model.graph.outputs, forward };
}

function runNode(n: OnnxNode, env: Map<string, Value>, anyVar: Var, opset: number): Value[] {
  const get = (i: number): Value => {
    const name = n.inputs[i];
    const v = name ? env.get(name) : undefined;
    if (!v) throw new Error(`input ${i} ("${name ?? ''}") is not defined`);
    return v;
  };
  const has = (i: number): boolean => Boolean(n.inputs[i]);
  const constVar = (t: Tensor): Var => leaf(anyVar.tape, t, { kind: 'const', name: `${n.name}.const` });
  const asVar = (v: Value): Var => {
    if (v.kind === 'var') return v.v;
    if (v.kind === 'ints') return constVar(tensor(v.dims, v.data));
    return constVar(tensor(v.t.dims, v.t.data as Float32Array));
  };
  const x = (i: number): Var => asVar(get(i));
  const ints = (i: number): number[] => {
    const v = get(i);
    if (v.kind !== 'ints') throw new Error(`input ${i} must be a constant integer tensor (an initializer)`);
    return v.data;
  };
  const V = (v: Var): Value[] => [{ kind: 'var', v }];
  const label = n.name;
  const lastAxisOnly = (axis: number, rank: number, what: string): void => {
    const a = axis < 0 ? axis + rank : axis;
    if (a !== rank - 1) throw new Error(`${what} only along the last axis (axis ${axis} of rank ${rank})`);
  };
  switch (n.opType) {
    case 'Identity':
    case 'Dropout':
      return [get(0)];
    case 'Add':
      return V(ops.add(x(0), x(1), label));
    case 'Sub':
      return V(ops.sub(x(0), x(1), label));
    case 'Mul':
      return V(ops.mul(x(0), x(1), label));
    case 'Div':
      return V(ops.div(x(0), x(1), label));
    case 'Neg':
      return V(ops.neg(x(0), label));
    case 'Relu':
      return V(ops.relu(x(0), label));
    case 'Gelu':
      return V(ops.gelu(x(0), label));
    case 'Tanh':
      return V(ops.tanh(x(0), label));
    case 'Sigmoid':
      return V(ops.sigmoid(x(0), label));
    case 'Exp':
      return V(ops.exp(x(0), label));
    case 'Log':
      return V(ops.log(x(0), label));
    case 'Softmax':
    case 'LogSoftmax': {
      const a = x(0);
      const rank = a.out.shape.length;
      lastAxisOnly(attrInt(n, 'axis', opset >= 13 ? -1 : 1), rank, n.opType);
      return V(n.opType === 'Softmax' ? ops.softmax(a, label) : ops.logSoftmax(a, label));
    }
    case 'MatMul': {
      const a = x(0);
      const b = x(1);
      if (a.out.shape.length === 2 && b.out.shape.length === 2) return V(ops.matmul(a, b, label));
      if (b.out.shape.length !== 2 || a.out.shape.length < 2) {
        throw new Error(
          `MatMul of ranks ${a.out.shape.length}×${b.out.shape.length}: only A[...,m,k]·B[k,n]`,
        );
      }
      const lead = a.out.shape.slice(0, -1);
      const k = a.out.shape[a.out.shape.length - 1];
      const flat = ops.reshape(a, [prod(lead), k]);
      return V(ops.reshape(ops.matmul(flat, b, label), [...lead, b.out.shape[1]]));
    }
    case 'Gemm': {
      let a = x(0);
      let b = x(1);
      if (attrInt(n, 'transA', 0)) a = ops.transpose(a, [1, 0]);
      if (attrInt(n, 'transB', 0)) b = ops.transpose(b, [1, 0]);
      let y = ops.matmul(a, b, label);
      const alpha = attrFloat(n, 'alpha', 1);
      const beta = attrFloat(n, 'beta', 1);
      if (alpha !== 1) y = ops.mul(y, constVar(tensor([1], [alpha])));
      if (has(2)) {
        let c = x(2);
        if (beta !== 1) c = ops.mul(c, constVar(tensor([1], [beta])));
        y = ops.add(y, c, `${label}.bias`);
      }
      return V(y);
    }
    case 'Conv': {
      const w = x(1);
      const strides = attrInts(n, 'strides') ?? [1, 1];
      const pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
      const kernel = attrInts(n, 'kernel_shape');
      if (kernel && (kernel[0] !== w.out.shape[2] || kernel[1] !== w.out.shape[3])) {
        throw new Error(`kernel_shape [${kernel}] does not match weight shape [${w.out.shape}]`);
      }
      const opts = {
        stride: [strides[0], strides[1]] as [number, number],
        padding: [pads[0], pads[1]] as [number, number],
      };
      return V(ops.conv2d(x(0), w, has(2) ? x(2) : undefined, opts, label));
    }
    case 'MaxPool': {
      const k = attrInts(n, 'kernel_shape');
      if (k?.length !== 2) throw new Error('kernel_shape of length 2 is required');
      const s = attrInts(n, 'strides') ?? k;
      return V(ops.maxPool2d(x(0), { kernel: [k[0], k[1]], stride: [s[0], s[1]] }, label));
    }
    case 'Reshape': {
      const a = x(0);
      const spec = ints(1);
      const shape = spec.map((d, i) => (d === 0 && attrInt(n, 'allowzero', 0) === 0 ? a.out.shape[i] : d));
      const known = prod(shape.filter((d) => d !== -1));
      const total = prod(a.out.shape);
      const out = shape.map((d) => (d === -1 ? total / known : d));
      return V(ops.reshape(a, out, label));
    }
    case 'Flatten': {
      const a = x(0);
      const r = a.out.shape.length;
      let axis = attrInt(n, 'axis', 1);
      if (axis < 0) axis += r;
      return V(ops.reshape(a, [prod(a.out.shape.slice(0, axis)), prod(a.out.shape.slice(axis))], label));
    }
    case 'Transpose': {
      const perm = attrInts(n, 'perm');
      return V(ops.transpose(x(0), perm, label));
    }
    case 'LayerNormalization': {
      const a = x(0);
      lastAxisOnly(attrInt(n, 'axis', -1), a.out.shape.length, 'LayerNormalization');
      const d = a.out.shape[a.out.shape.length - 1];
      const beta = has(2) ? x(2) : constVar(tensor([d]));
      return V(ops.layerNorm(a, x(1), beta, attrFloat(n, 'epsilon', 1e-5), label));
    }
    case 'Gather':
      return V(ops.embedding(x(0), x(1), label));
    case 'Concat': {
      const vars = n.inputs.map((_, i) => x(i));
      let axis = attrInt(n, 'axis', 0);
      if (axis < 0) axis += vars[0].out.shape.length;
      return V(ops.concat(vars, axis, label));
    }
    default:
      throw new Error('operator not supported');
  }
}
