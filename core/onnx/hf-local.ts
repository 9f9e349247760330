/**
 * Local Hugging Face model folders through transformers.js, fully offline: `config.json`,
 * `tokenizer.json` + `tokenizer_config.json`, and `onnx/model.onnx`. transformers.js provides the
 * tokenizer (remote loading disabled); the ONNX graph goes through Pinpoint's importer so it runs on
 * RepOps, not on onnxruntime. File access is injected so this module stays platform-neutral.
 */
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { type ImportedModel, importOnnx } from './import.ts';
import { OnnxError, type OnnxModel } from './model.ts';
import { readOnnx } from './read.ts';

export interface LocalModelFiles {
  /** Folder that holds the model folder (transformers.js `env.localModelPath`). */
  root: string;
  /** Name of the model folder inside `root`. */
  name: string;
  readFile(path: string): Uint8Array;
  exists(path: string): boolean;
}

export interface LocalModel {
  name: string;
  config: Record<string, unknown>;
  tokenizer: PreTrainedTokenizer;
  onnx: OnnxModel;
  model: ImportedModel;
}

export async function loadLocalModel(files: LocalModelFiles): Promise<LocalModel> {
  const dir = `${files.root.replace(/\/$/, '')}/${files.name}`;
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
    if (!files.exists(`${dir}/${f}`))
      throw new OnnxError(
        `${dir}/${f}`,
        'missing (a local model folder needs config.json, tokenizer files and onnx/model.onnx)',
      );
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(new TextDecoder().decode(files.readFile(`${dir}/config.json`)));
  } catch (err) {
    throw new OnnxError(`${dir}/config.json`, `invalid JSON: ${(err as Error).message}`);
  }
  // Never reach for the network: only the given folder is consulted.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${files.root.replace(/\/$/, '')}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(files.name);
  const onnxFile = `${dir}/onnx/model.onnx`;
  const onnx = readOnnx(files.readFile(onnxFile), onnxFile);
  return { name: files.name, config, tokenizer, onnx, model: importOnnx(onnx, onnxFile) };
}
