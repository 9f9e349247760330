/** A human-readable summary of an ONNX model: what `pinpoint model inspect` prints. */
import type { OnnxModel } from './model.ts';

export interface OnnxSummary {
  producer: string;
  irVersion: number;
  opset: number;
  inputs: string[];
  outputs: string[];
  parameters: number;
  initializers: number;
  opCounts: Record<string, number>;
}

const fmtShape = (s: (number | string)[]): string => `[${s.join(', ')}]`;

export function summarizeOnnx(m: OnnxModel): OnnxSummary {
  const opCounts: Record<string, number> = {};
  for (const n of m.graph.nodes) opCounts[n.opType] = (opCounts[n.opType] ?? 0) + 1;
  return {
    producer: `${m.producerName} ${m.producerVersion}`.trim(),
    irVersion: m.irVersion,
    opset: m.opset,
    inputs: m.graph.inputs.map((v) => `${v.name}: ${v.dataType}${fmtShape(v.shape)}`),
    outputs: m.graph.outputs.map((v) => `${v.name}: ${v.dataType}${fmtShape(v.shape)}`),
    parameters: m.graph.initializers
      .filter((t) => t.dataType === 'float32')
      .reduce((a, t) => a + t.data.length, 0),
    initializers: m.graph.initializers.length,
    opCounts,
  };
}
