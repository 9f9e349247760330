/** Encode the plain OnnxModel type as ONNX protobuf bytes (weights embedded as raw_data, little-endian). */

import type { OnnxAttr, OnnxModel, OnnxTensor, OnnxValueInfo } from './model.ts';
import { ATTR_TYPE, DATA_TYPE, modelProtoType } from './schema.ts';

const CODE = { float32: DATA_TYPE.FLOAT, int64: DATA_TYPE.INT64, int32: DATA_TYPE.INT32 } as const;

function tensorProto(t: OnnxTensor): Record<string, unknown> {
  const n = t.data.length;
  const width = t.dataType === 'int64' ? 8 : 4;
  const raw = new Uint8Array(n * width);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    const v = t.data[i];
    if (t.dataType === 'float32') view.setFloat32(4 * i, v, true);
    else if (t.dataType === 'int64') view.setBigInt64(8 * i, BigInt(v), true);
    else view.setInt32(4 * i, v, true);
  }
  return { name: t.name, dims: t.dims, data_type: CODE[t.dataType], raw_data: raw };
}

function attrProto(name: string, v: OnnxAttr): Record<string, unknown> {
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: ATTR_TYPE.INT, i: v } : { name, type: ATTR_TYPE.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) {
      return {
        name,
        type: ATTR_TYPE.STRINGS,
        strings: (v as string[]).map((s) => new TextEncoder().encode(s)),
      };
    }
    const nums = v as number[];
    return nums.every(Number.isInteger)
      ? { name, type: ATTR_TYPE.INTS, ints: nums }
      : { name, type: ATTR_TYPE.FLOATS, floats: nums };
  }
  return { name, type: ATTR_TYPE.TENSOR, t: tensorProto(v) };
}

/** Float attributes that happen to be integral must stay FLOAT: name them here per op. */
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'ratio']);

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensor_type: {
        elem_type: CODE[v.dataType],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

export function writeOnnx(model: OnnxModel): Uint8Array {
  const T = modelProtoType();
  const g = model.graph;
  const msg = T.fromObject({
    ir_version: model.irVersion,
    opset_import: [{ domain: '', version: model.opset }],
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name,
        op_type: n.opType,
        domain: n.domain,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, v]) =>
          FLOAT_ATTRS.has(k) && typeof v === 'number'
            ? { name: k, type: ATTR_TYPE.FLOAT, f: v }
            : attrProto(k, v),
        ),
      })),
      initializer: g.initializers.map(tensorProto),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  });
  // protobufjs hands back a Node Buffer (often a slice of a shared pool) under Node: copy into a
  // plain Uint8Array so `.slice()` copies and `.buffer` holds only this model, as on the web.
  return new Uint8Array(T.encode(msg).finish());
}
