/**
 * The kind of a file by its name — one rule for the backend's file lists and the renderer's Open
 * dialog and Recent badges, so both show the same kind for the same file.
 */
import type { FileEntry } from './api.ts';

export function fileKind(path: string): FileEntry['kind'] {
  const name = (path.split(/[\\/]/).pop() ?? '').toLowerCase();
  if (name.endsWith('.md')) return 'notebook';
  if (name.endsWith('.onnx')) return 'onnx';
  if (name.endsWith('.db') || name.endsWith('.sqlite') || name.endsWith('.ledger')) return 'ledger';
  if (name.includes('transcript') && name.endsWith('.json')) return 'transcript';
  if (name.includes('proof')) return 'proof';
  return 'other';
}
