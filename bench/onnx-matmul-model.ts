/**
 * Bench-only: the bytes of a one-node ONNX model Y = MatMul(A, B) with A[m,k], B[k,n] float32 inputs,
 * written with protobufjs from the minimal subset of onnx.proto it needs (field numbers as in
 * github.com/onnx/onnx/blob/main/onnx/onnx.proto). Used to measure onnxruntime-web next to RepOps.
 */
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package onnx;
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message TensorShapeProto { message Dimension { int64 dim_value = 1; string dim_param = 2; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; } Tensor tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

const FLOAT = 1; // TensorProto.DataType.FLOAT

function valueInfo(name: string, dims: number[]) {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  };
}

export function matmulModelBytes(m: number, k: number, n: number): Uint8Array {
  const root = protobuf.parse(PROTO).root;
  const Model = root.lookupType('onnx.ModelProto');
  const msg = Model.fromObject({
    irVersion: 8,
    producerName: 'pinpoint-bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'matmul',
      node: [{ input: ['A', 'B'], output: ['Y'], name: 'mm', opType: 'MatMul' }],
      input: [valueInfo('A', [m, k]), valueInfo('B', [k, n])],
      output: [valueInfo('Y', [m, n])],
    },
  });
  return Model.encode(msg).finish();
}
