/** Model view handlers: ONNX files read, imported onto a RepOps tape and cross-checked, over core/onnx. */
import { tensorDigest } from '../../../core/hash/digest.ts';
import { crossCheckOnnx, exampleInputs } from '../../../core/onnx/crosscheck.ts';
import { importOnnx } from '../../../core/onnx/import.ts';
import type { OnnxModel } from '../../../core/onnx/model.ts';
import { OnnxError } from '../../../core/onnx/model.ts';
import { readOnnxFile } from '../../../core/onnx/node-files.ts';
import { summarizeOnnx } from '../../../core/onnx/summary.ts';
import { createTape, leaf, type Tape } from '../../../core/repops/index.ts';
import type { ModelApi, ModelGraphNode, ModelNodeDetails } from '../../shared/api-model.ts';
import type { BackendContext } from './context.ts';
import { BadRequest } from './paths.ts';

const EXAMPLE_BATCH = 2;

function read(ctx: BackendContext, path: string) {
  if (typeof path !== 'string' || path === '')
    throw new BadRequest('model: a path to an .onnx file is required');
  const abs = ctx.resolvePath(path);
  try {
    return { abs, ...readOnnxFile(abs) };
  } catch (err) {
    if (err instanceof OnnxError) throw new BadRequest(err.message);
    throw err;
  }
}

/** The imported model's forward pass recorded on a tape, on deterministic example inputs. */
function recordForward(model: OnnxModel, abs: string): Tape {
  const imported = importOnnx(model, abs);
  const tape = createTape();
  const params = imported.params.map((p) => leaf(tape, p.tensor, { kind: 'param', name: p.name }));
  const feeds = Object.fromEntries(
    Object.entries(exampleInputs(model, EXAMPLE_BATCH, 1)).map(([k, t]) => [
      k,
      leaf(tape, t, { kind: 'data', name: k }),
    ]),
  );
  imported.forward(params, feeds);
  return tape;
}

const MAX_VALUES = 1 << 20;
/** An ONNX model belongs to no task, so its view shows the default scheme's digests (SHA-256). */
const MODEL_VIEW_SCHEME = 'sha256';

export function createModelHandlers(ctx: BackendContext): ModelApi {
  return {
    'model.load': async ({ path }) => {
      const { abs, model } = read(ctx, path);
      const s = summarizeOnnx(model);
      let importError: string | null = null;
      let graph: ModelGraphNode[] = [];
      try {
        const tape = recordForward(model, abs);
        graph = tape.nodes.map((n) => ({
          id: n.id,
          op: n.op,
          phase: n.phase === 'leaf' ? 'leaf' : 'forward',
          inputs: [...n.inputs],
          shape: [...n.out.shape],
          digest: tensorDigest(n.out, MODEL_VIEW_SCHEME),
          ...(n.op === 'leaf' ? { label: String(n.attrs.name) } : n.label ? { label: n.label } : {}),
        }));
      } catch (err) {
        if (!(err instanceof OnnxError)) throw err;
        importError = err.message;
      }
      return { path: abs, ...s, importError, graph, batch: EXAMPLE_BATCH };
    },
    'model.node': async ({ path, node, limit }) => {
      const { abs, model } = read(ctx, path);
      let tape: Tape;
      try {
        tape = recordForward(model, abs);
      } catch (err) {
        if (err instanceof OnnxError) throw new BadRequest(err.message);
        throw err;
      }
      const n = Number.isInteger(node) ? tape.nodes[node] : undefined;
      if (!n)
        throw new BadRequest(
          `model.node: ${abs} has nodes #0..#${tape.nodes.length - 1}, not ${JSON.stringify(node)}`,
        );
      const cap = Math.max(1, Math.min(limit ?? MAX_VALUES, MAX_VALUES));
      const kind = n.op !== 'leaf' ? 'op' : n.attrs.kind === 'param' ? 'param' : 'data';
      const label = n.op === 'leaf' ? String(n.attrs.name) : n.label;
      const details: ModelNodeDetails = {
        id: n.id,
        op: n.op,
        kind,
        ...(label !== undefined ? { label } : {}),
        attrs: Object.fromEntries(
          Object.entries(n.attrs).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]),
        ) as ModelNodeDetails['attrs'],
        inputs: n.inputs.map((i) => {
          const m = tape.nodes[i];
          const l = m.op === 'leaf' ? String(m.attrs.name) : m.label;
          return { id: i, op: m.op, ...(l !== undefined ? { label: l } : {}), shape: [...m.out.shape] };
        }),
        shape: [...n.out.shape],
        digest: tensorDigest(n.out, MODEL_VIEW_SCHEME),
        values: Array.from(n.out.data.subarray(0, cap)),
        total: n.out.data.length,
      };
      return details;
    },
    'model.check': async ({ path, batch }) => {
      const { abs, bytes } = read(ctx, path);
      try {
        return await crossCheckOnnx(bytes, abs, { batch: batch ?? EXAMPLE_BATCH });
      } catch (err) {
        if (err instanceof OnnxError) throw new BadRequest(err.message);
        throw err;
      }
    },
  };
}
