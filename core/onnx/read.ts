/** Decode and validate ONNX protobuf bytes into the plain OnnxModel type, with errors naming the file. */

import {
  type OnnxAttr,
  type OnnxDataType,
  OnnxError,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './model.ts';
import { ATTR_TYPE, DATA_TYPE, modelProtoType } from './schema.ts';

type Raw = Record<string, unknown>;

const DTYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  16: 'BFLOAT16',
};

function dtypeOf(code: number, file: string, where: string): OnnxDataType {
  if (code === DATA_TYPE.FLOAT) return 'float32';
  if (code === DATA_TYPE.INT64) return 'int64';
  if (code === DATA_TYPE.INT32) return 'int32';
  throw new OnnxError(
    file,
    `${where}: data type ${DTYPE_NAMES[code] ?? code} is not supported (float32, int32, int64 are)`,
  );
}

const arr = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const num = (x: unknown): number => (typeof x === 'number' ? x : Number(x ?? 0));

function readTensor(t: Raw, file: string, where: string): OnnxTensor {
  const name = str(t.name);
  const at = `${where}${name ? ` "${name}"` : ''}`;
  if (num(t.data_location) === 1 || arr(t.external_data).length > 0) {
    throw new OnnxError(
      file,
      `${at}: external tensor data is not supported; re-export with weights embedded`,
    );
  }
  const dims = arr<unknown>(t.dims).map(num);
  if (dims.some((d) => !Number.isInteger(d) || d < 0))
    throw new OnnxError(file, `${at}: invalid dims [${dims}]`);
  const dataType = dtypeOf(num(t.data_type), file, at);
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = t.raw_data instanceof Uint8Array && t.raw_data.length > 0 ? t.raw_data : null;
  let data: Float32Array | number[];
  if (dataType === 'float32') {
    if (raw) {
      if (raw.length !== count * 4)
        throw new OnnxError(file, `${at}: raw_data has ${raw.length} bytes, dims need ${count * 4}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
    } else {
      data = Float32Array.from(arr<number>(t.float_data));
    }
  } else {
    const width = dataType === 'int64' ? 8 : 4;
    if (raw) {
      if (raw.length !== count * width) {
        throw new OnnxError(file, `${at}: raw_data has ${raw.length} bytes, dims need ${count * width}`);
      }
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      data = Array.from({ length: count }, (_, i) =>
        width === 8 ? Number(view.getBigInt64(8 * i, true)) : view.getInt32(4 * i, true),
      );
    } else {
      data = arr<unknown>(dataType === 'int64' ? t.int64_data : t.int32_data).map(num);
    }
  }
  if (data.length !== count)
    throw new OnnxError(file, `${at}: has ${data.length} values, dims [${dims}] need ${count}`);
  return { name, dims, dataType, data };
}

function readAttr(a: Raw, file: string, where: string): OnnxAttr {
  const type = num(a.type);
  const name = str(a.name);
  switch (type) {
    case ATTR_TYPE.FLOAT:
      return num(a.f);
    case ATTR_TYPE.INT:
      return num(a.i);
    case ATTR_TYPE.STRING:
      return new TextDecoder().decode(a.s as Uint8Array);
    case ATTR_TYPE.TENSOR:
      // A corrupt or hand-edited file can say TENSOR without carrying one (fuzz: type byte 2 → 4).
      if (a.t === null || typeof a.t !== 'object')
        throw new OnnxError(file, `${where}: attribute "${name}" has type TENSOR but no tensor value`);
      return readTensor(a.t as Raw, file, `${where} attribute "${name}"`);
    case ATTR_TYPE.FLOATS:
      return arr<unknown>(a.floats).map(num);
    case ATTR_TYPE.INTS:
      return arr<unknown>(a.ints).map(num);
    case ATTR_TYPE.STRINGS:
      return arr<Uint8Array>(a.strings).map((s) => new TextDecoder().decode(s));
    default:
      throw new OnnxError(file, `${where}: attribute "${name}" has unsupported type ${type}`);
  }
}

function readValueInfo(v: Raw, file: string, where: string): OnnxValueInfo {
  const name = str(v.name);
  const tt = ((v.type as Raw | undefined)?.tensor_type ?? null) as Raw | null;
  if (!tt)
    throw new OnnxError(file, `${where} "${name}": only tensor-typed graph inputs/outputs are supported`);
  const dims = arr<Raw>((tt.shape as Raw | undefined)?.dim);
  return {
    name,
    dataType: dtypeOf(num(tt.elem_type), file, `${where} "${name}"`),
    shape: dims.map((d) =>
      d.dim_param !== undefined && d.dim_param !== '' ? str(d.dim_param) : num(d.dim_value),
    ),
  };
}

function readNode(n: Raw, i: number, file: string): OnnxNode {
  const opType = str(n.op_type);
  const name = str(n.name) || `node_${i}`;
  if (!opType) throw new OnnxError(file, `node ${i} ("${name}") has no op_type`);
  const where = `node "${name}" (${opType})`;
  const attrs: Record<string, OnnxAttr> = {};
  for (const a of arr<Raw>(n.attribute)) attrs[str(a.name)] = readAttr(a, file, where);
  return {
    name,
    opType,
    domain: str(n.domain),
    inputs: arr<string>(n.input),
    outputs: arr<string>(n.output),
    attrs,
  };
}

/** Parse ONNX bytes. `file` names the source in every error. */
export function readOnnx(bytes: Uint8Array, file = '<onnx bytes>'): OnnxModel {
  if (bytes.length === 0) throw new OnnxError(file, 'empty file');
  const T = modelProtoType();
  let raw: Raw;
  try {
    raw = T.toObject(T.decode(bytes), {
      longs: Number,
      bytes: Uint8Array,
      defaults: false,
      arrays: true,
    }) as Raw;
  } catch (err) {
    throw new OnnxError(file, `not a valid ONNX protobuf (truncated or corrupt): ${(err as Error).message}`);
  }
  const g = raw.graph as Raw | undefined;
  if (!g) throw new OnnxError(file, 'no graph in model (is this an ONNX file?)');
  const opsets = arr<Raw>(raw.opset_import);
  const main = opsets.find((o) => str(o.domain) === '' || str(o.domain) === 'ai.onnx');
  if (!main) throw new OnnxError(file, 'no opset_import for the default ONNX domain');
  const graph: OnnxGraph = {
    name: str(g.name),
    nodes: arr<Raw>(g.node).map((n, i) => readNode(n, i, file)),
    initializers: arr<Raw>(g.initializer).map((t, i) => readTensor(t, file, `initializer ${i}`)),
    inputs: arr<Raw>(g.input).map((v) => readValueInfo(v, file, 'graph input')),
    outputs: arr<Raw>(g.output).map((v) => readValueInfo(v, file, 'graph output')),
  };
  if (graph.outputs.length === 0) throw new OnnxError(file, 'graph has no outputs');
  return {
    irVersion: num(raw.ir_version),
    opset: num(main.version),
    producerName: str(raw.producer_name),
    producerVersion: str(raw.producer_version),
    graph,
  };
}
