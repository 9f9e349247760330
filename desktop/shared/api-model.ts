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

export interface ModelApi {
  'model.load': (args: { path: string }) => Promise<ModelSummary>;
  'model.check': (args: { path: string; batch?: number }) => Promise<ModelCheckReport>;
}
