/** Plain data types for an ONNX model as Pinpoint sees it (the subset it imports and exports). */

export type OnnxDataType = 'float32' | 'int64' | 'int32';

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: OnnxDataType;
  /** float32 values as Float32Array; integer tensors as plain numbers (shapes, indices, axes). */
  data: Float32Array | number[];
}

export type OnnxAttr = number | number[] | string | string[] | OnnxTensor;

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, OnnxAttr>;
}

export interface OnnxValueInfo {
  name: string;
  dataType: OnnxDataType;
  /** Fixed sizes as numbers; symbolic dimensions (batch, sequence) as their names. */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  /** Version of the default ("" / "ai.onnx") operator set. */
  opset: number;
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
}

/** Every ONNX problem is reported with the file it came from and what is wrong there. */
export class OnnxError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'OnnxError';
    this.file = file;
  }
}
