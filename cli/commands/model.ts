/**
 * `pinpoint model inspect <file.onnx>` — what the file holds and whether RepOps can import it.
 * `pinpoint model check <file.onnx> [--batch n] [--seed s] [--json]` — RepOps vs onnxruntime-web report.
 * `pinpoint model fixtures <dir>` — write the project's reference ONNX models (MLP, CNN, transformer block).
 * `pinpoint model task <file.onnx> --dataset iris --out task.json` — a training task that embeds the model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { crossCheckOnnx } from '../../core/onnx/crosscheck.ts';
import { FIXTURES } from '../../core/onnx/fixtures.ts';
import { importOnnx } from '../../core/onnx/import.ts';
import { OnnxError } from '../../core/onnx/model.ts';
import { readOnnxFile } from '../../core/onnx/node-files.ts';
import { summarizeOnnx } from '../../core/onnx/summary.ts';
import { encodeBase64 } from '../../core/onnx/train-model.ts';
import { writeOnnx } from '../../core/onnx/write.ts';
import { REPOPS_SPEC_VERSION } from '../../core/repops/version.ts';
import { parseTask, TaskError } from '../../core/train/task.ts';

export const summary = 'inspect an ONNX model, or cross-check RepOps against onnxruntime-web';

const HELP = `usage:
  pinpoint model inspect <file.onnx> [--json]
  pinpoint model check <file.onnx> [--batch n] [--seed s] [--json]
  pinpoint model fixtures <dir>
  pinpoint model task <file.onnx> --dataset <id> --out <task.json> [--steps n] [--batch-size b] [--lr x] [--seed s]`;

function inspect(file: string, json: boolean): number {
  const { model } = readOnnxFile(file);
  const s = summarizeOnnx(model);
  let importable: string | true = true;
  try {
    importOnnx(model, file);
  } catch (err) {
    if (!(err instanceof OnnxError)) throw err;
    importable = err.message;
  }
  if (json) {
    console.log(
      JSON.stringify(
        { ...s, importable: importable === true, importError: importable === true ? undefined : importable },
        null,
        2,
      ),
    );
    return 0;
  }
  console.log(`${file}
  producer      ${s.producer || '(unknown)'}   ir ${s.irVersion}   opset ${s.opset}
  inputs        ${s.inputs.join('; ')}
  outputs       ${s.outputs.join('; ')}
  parameters    ${s.parameters.toLocaleString('en-US')} in ${s.initializers} initializers
  operators     ${Object.entries(s.opCounts)
    .map(([k, v]) => `${k}×${v}`)
    .join('  ')}
  RepOps import ${importable === true ? 'ok' : `NO\n${importable}`}`);
  return 0;
}

async function check(file: string, batch: number, seed: number, json: boolean): Promise<number> {
  const { bytes } = readOnnxFile(file);
  const r = await crossCheckOnnx(bytes, file, { batch, seed });
  if (json) {
    console.log(JSON.stringify(r, null, 2));
    return r.withinTolerance ? 0 : 1;
  }
  console.log(
    `${file}: RepOps vs onnxruntime-web (wasm, ${r.ortThreads} thread), batch ${r.batch} for symbolic dims`,
  );
  console.log(`  tolerance |Δ| ≤ ${r.tolerance.abs} + ${r.tolerance.rel}·|ref|`);
  for (const o of r.outputs) {
    console.log(
      `  ${o.name} [${o.shape.join('×')}]  max abs ${o.maxAbsError.toExponential(2)}  max rel ${o.maxRelError.toExponential(2)}  ` +
        `bits differ in ${o.differingElements}/${o.shape.reduce((a, b) => a * b, 1)}  RepOps run-to-run: ${o.repopsBitwiseStable ? 'bitwise identical' : 'DIFFERENT'}`,
    );
  }
  console.log(r.withinTolerance ? '  ✓ within tolerance' : '  ✗ outside tolerance');
  return r.withinTolerance ? 0 : 1;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      batch: { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
      dataset: { type: 'string' },
      out: { type: 'string' },
      steps: { type: 'string', default: '100' },
      'batch-size': { type: 'string', default: '16' },
      lr: { type: 'string', default: '0.01' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [verb, target] = positionals;
  if (values.help || !verb) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (!target) {
    console.error(HELP);
    return 2;
  }
  try {
    if (verb === 'inspect') return inspect(target, values.json);
    if (verb === 'check') {
      const batch = Number(values.batch);
      const seed = Number(values.seed);
      if (!Number.isInteger(batch) || batch < 1)
        throw new Error(`--batch must be a positive integer, got "${values.batch}"`);
      if (!Number.isInteger(seed) || seed < 0)
        throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`);
      return await check(target, batch, seed, values.json);
    }
    if (verb === 'task') {
      if (!values.dataset || !values.out)
        throw new Error('model task needs --dataset <id> and --out <task.json>');
      const { bytes, model } = readOnnxFile(target);
      importOnnx(model, target); // fail now, with the list of unsupported nodes, rather than at train time
      const task = {
        format: 'pinpoint.task/1',
        name: `${basename(target, '.onnx')}-${values.dataset}`,
        repops: REPOPS_SPEC_VERSION,
        seed: Number(values.seed),
        dataset: { id: values.dataset },
        model: { kind: 'onnx', onnx: encodeBase64(bytes), source: basename(target) },
        optimizer: { kind: 'adam', lr: Number(values.lr) },
        steps: Number(values.steps),
        batchSize: Number(values['batch-size']),
        checkpointEvery: Math.max(1, Math.ceil(Number(values.steps) / 5)),
      };
      parseTask(task, values.out); // same validation as `pinpoint train`
      writeFileSync(values.out, `${JSON.stringify(task, null, 2)}\n`);
      console.log(
        `${values.out}: task "${task.name}" embedding ${target} (${bytes.length} bytes); train it with pinpoint train ${values.out} --out <proof>`,
      );
      return 0;
    }
    if (verb === 'fixtures') {
      mkdirSync(target, { recursive: true });
      for (const [name, build] of Object.entries(FIXTURES)) {
        const path = join(target, `${name}.onnx`);
        writeFileSync(path, writeOnnx(build()));
        console.log(path);
      }
      return 0;
    }
  } catch (err) {
    if (err instanceof OnnxError || err instanceof TaskError) {
      console.error(`pinpoint model: ${err.message}`);
      return 1;
    }
    throw err;
  }
  console.error(`pinpoint model: unknown subcommand "${verb}"\n${HELP}`);
  return 2;
}
