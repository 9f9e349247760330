/**
 * Backend methods of the Model view: an ONNX file's summary, its graph as imported into RepOps (with
 * the output digest of every op on deterministic example inputs), and the onnxruntime-web cross-check.
 */
import type { CrossCheckReport } from '../../core/onnx/crosscheck.ts';

export interface ModelGraphNode {
  id: number;
  op: string;
  phase: 'leaf' | 'forward';
  inputs: number[];
  shape: number[];
  digest: string;
  label?: string;
}

export interface ModelSummary {
  path: string;
  producer: string;
  irVersion: number;
  opset: number;
  inputs: string[];
  outputs: string[];
  parameters: number;
  initializers: number;
  opCounts: Record<string, number>;
  /** null when RepOps imports every node; otherwise the importer's message listing each unsupported node. */
  importError: string | null;
  /** The RepOps graph recorded on example inputs (empty when the import failed). */
  graph: ModelGraphNode[];
  /** Batch size used for symbolic dimensions in the example inputs. */
  batch: number;
}

export type ModelCheckReport = CrossCheckReport;

/** One node of the imported graph in full (the Model view's details panel). */
export interface ModelNodeDetails {
  id: number;
  op: string;
  /** 'param' (a weight/initializer), 'data' (a graph input) or 'op' (a computed node). */
  kind: 'param' | 'data' | 'op';
  label?: string;
  /** The op's attributes (a leaf's are its kind and name), values as recorded on the tape. */
  attrs: Record<string, string | number | boolean | (string | number | boolean)[]>;
  inputs: { id: number; op: string; label?: string; shape: number[] }[];
  shape: number[];
  digest: string;
  /** First `values.length` output values (row-major); `total` is the element count. */
  values: number[];
  total: number;
}

export interface ModelApi {
  'model.load': (args: { path: string }) => Promise<ModelSummary>;
  'model.check': (args: { path: string; batch?: number }) => Promise<ModelCheckReport>;
  /** Node `node` of the graph `model.load` returned (same example inputs), values capped at `limit`. */
  'model.node': (args: { path: string; node: number; limit?: number }) => Promise<ModelNodeDetails>;
}
