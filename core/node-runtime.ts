/**
 * Installs every Node adapter core/ has, once per process: SHA-256 and the tensor-digest worker
 * (platform/node-hash.ts), the native matmul where `npm install` built it (platform/node-native.ts) and
 * the bundled corpora (train/node-corpus.ts). Node entry points — the CLI, the app backend, the benches —
 * call this; browsers and workers install their own.
 */
import { useNodeSha256 } from './platform/node-hash.ts';
import { useNodeNative } from './platform/node-native.ts';
import { useNodeCorpora } from './train/node-corpus.ts';

export function useNodeRuntime(): void {
  useNodeSha256();
  useNodeNative();
  useNodeCorpora();
}
