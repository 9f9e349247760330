/** desktop/shared/file-kind.ts: one kind rule for the backend's file lists and the renderer's badges. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileKind } from '../../desktop/shared/file-kind.ts';

test('kinds by file name, judged on the last path segment only', () => {
  const cases: [string, string][] = [
    ['/a/notebooks/03-single-ulp-tamper.md', 'notebook'],
    ['C:\\work\\Model.ONNX', 'onnx'],
    ['/data/demo/views-ledger-v3.db', 'ledger'],
    ['x.sqlite', 'ledger'],
    ['run.ledger', 'ledger'],
    ['dispute-transcript.json', 'transcript'],
    ['transcript.txt', 'other'],
    ['good.pinproof', 'proof'],
    ['my-proof.bin', 'proof'],
    ['/proofs/run.json', 'other'],
    ['README', 'other'],
  ];
  for (const [path, kind] of cases) assert.equal(fileKind(path), kind, path);
});
