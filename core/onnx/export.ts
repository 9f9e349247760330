/**
 * RepOps → ONNX: writes the forward part of a recorded tape as an ONNX graph (opset 20, so Gelu and
 * LayerNormalization are single operators). Parameter and constant leaves become initializers, data
 * leaves become graph inputs. Re-importing the file gives the same RepOps ops, hence the same bits.
 */
import type { Attrs, AttrValue, Tape, TapeNode } from '../repops/index.ts';
import type { OnnxAttr, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './model.ts';

export const EXPORT_OPSET = 20;

export interface ExportOptions {
  name?: string;
  /** Tape ids of the graph outputs (default: the last forward node). */
  outputs?: number[];
  /** Leaves of kind 'data' become inputs with this symbolic first dimension (default: fixed shapes). */
  batchDim?: string;
}

const pair = (v: AttrValue | undefined, dflt: number): [number, number] =>
  typeof v === 'number' ? [v, v] : Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [dflt, dflt];

const SIMPLE: Record<string, string> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  neg: 'Neg',
  relu: 'Relu',
  gelu: 'Gelu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  exp: 'Exp',
  log: 'Log',
  matmul: 'MatMul',
};

/** The ONNX nodes (and constant initializers) for one RepOps node, or an error naming what cannot be exported. */
function exportNode(n: TapeNode, name: (id: number) => string, consts: OnnxTensor[]): OnnxNode[] {
  const base = {
    name: n.label ? `${n.label}#${n.id}` : `${n.op}#${n.id}`,
    domain: '',
    outputs: [name(n.id)],
  };
  const ins = n.inputs.map(name);
  const a: Attrs = n.attrs;
  if (n.op in SIMPLE) return [{ ...base, opType: SIMPLE[n.op], inputs: ins, attrs: {} }];
  switch (n.op) {
    case 'linear':
      return [{ ...base, opType: 'Gemm', inputs: ins, attrs: {} }];
    case 'softmax':
      return [{ ...base, opType: 'Softmax', inputs: ins, attrs: { axis: -1 } }];
    case 'log_softmax':
      return [{ ...base, opType: 'LogSoftmax', inputs: ins, attrs: { axis: -1 } }];
    case 'reshape': {
      const shapeName = `${base.name}.shape`;
      consts.push({ name: shapeName, dims: [n.out.shape.length], dataType: 'int64', data: [...n.out.shape] });
      return [{ ...base, opType: 'Reshape', inputs: [ins[0], shapeName], attrs: {} }];
    }
    case 'transpose': {
      const perm = a.perm as readonly number[] | undefined;
      return [{ ...base, opType: 'Transpose', inputs: ins, attrs: perm ? { perm: [...perm] } : {} }];
    }
    case 'concat':
      return [{ ...base, opType: 'Concat', inputs: ins, attrs: { axis: Number(a.axis ?? 0) } }];
    case 'layer_norm':
      return [
        {
          ...base,
          opType: 'LayerNormalization',
          inputs: ins,
          attrs: { axis: -1, epsilon: Number(a.eps ?? 1e-5) },
        },
      ];
    case 'embedding':
      return [{ ...base, opType: 'Gather', inputs: ins, attrs: { axis: 0 } }];
    case 'conv2d': {
      const [sh, sw] = pair(a.stride, 1);
      const [ph, pw] = pair(a.padding, 0);
      return [{ ...base, opType: 'Conv', inputs: ins, attrs: { strides: [sh, sw], pads: [ph, pw, ph, pw] } }];
    }
    case 'maxpool2d': {
      const k = pair(a.kernel, 2);
      const s = a.stride === undefined ? k : pair(a.stride, 1);
      return [{ ...base, opType: 'MaxPool', inputs: ins, attrs: { kernel_shape: k, strides: s } }];
    }
    default:
      throw new Error(
        `RepOps op "${n.op}" (node ${n.id}${n.label ? ` "${n.label}"` : ''}) has no ONNX export`,
      );
  }
}

/** Export the forward graph recorded on `tape` (nodes of phase 'leaf' and 'forward' that the outputs need). */
export function exportOnnx(tape: Tape, options: ExportOptions = {}): OnnxModel {
  const nodes = tape.nodes;
  const forward = nodes.filter((n) => n.phase === 'forward');
  if (forward.length === 0) throw new Error('exportOnnx: the tape has no forward nodes');
  const outputs = options.outputs ?? [forward[forward.length - 1].id];
  // Keep only what the outputs depend on.
  const needed = new Set<number>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    const n = nodes[id];
    if (!n || (n.phase !== 'forward' && n.phase !== 'leaf'))
      throw new Error(`exportOnnx: node ${id} is not a forward node`);
    needed.add(id);
    stack.push(...n.inputs);
  }
  const names = new Map<number, string>();
  const used = new Set<string>();
  const name = (id: number): string => {
    let s = names.get(id);
    if (s) return s;
    const n = nodes[id];
    const want = n.op === 'leaf' ? String(n.attrs.name) : (n.label ?? `t${id}`);
    s = used.has(want) ? `${want}#${id}` : want;
    used.add(s);
    names.set(id, s);
    return s;
  };
  // Embedding ids are float32 in RepOps but must be integers in ONNX (Gather indices).
  const intInputs = new Set(forward.filter((n) => n.op === 'embedding').map((n) => n.inputs[1]));
  const initializers: OnnxTensor[] = [];
  const inputs: OnnxValueInfo[] = [];
  const onnxNodes: OnnxNode[] = [];
  for (const id of [...needed].sort((x, y) => x - y)) {
    const n = nodes[id];
    if (n.op === 'leaf') {
      const kind = n.attrs.kind;
      if (kind === 'data' || kind === 'target') {
        const shape: (number | string)[] = [...n.out.shape];
        if (options.batchDim && shape.length > 0) shape[0] = options.batchDim;
        inputs.push({ name: name(id), dataType: intInputs.has(id) ? 'int64' : 'float32', shape });
      } else {
        initializers.push({
          name: name(id),
          dims: [...n.out.shape],
          dataType: 'float32',
          data: n.out.data.slice(),
        });
      }
      continue;
    }
    onnxNodes.push(...exportNode(n, name, initializers));
  }
  const outInfo: OnnxValueInfo[] = outputs.map((id) => {
    const shape: (number | string)[] = [...nodes[id].out.shape];
    if (options.batchDim && shape.length > 0) shape[0] = options.batchDim;
    return { name: name(id), dataType: 'float32', shape };
  });
  return {
    irVersion: 9,
    opset: EXPORT_OPSET,
    producerName: 'pinpoint',
    producerVersion: '0.1.0',
    graph: {
      name: options.name ?? 'pinpoint-model',
      nodes: onnxNodes,
      initializers,
      inputs,
      outputs: outInfo,
    },
  };
}

export type { OnnxAttr };
