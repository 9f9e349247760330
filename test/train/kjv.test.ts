/**
 * The `kjv` corpus dataset (data/kjv.txt.gz through the Node corpus adapter) and the bundled real-size
 * task tasks/nanogpt-char.json. Windows are read from the token stream, never materialised.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { corpusText, setCorpusLoader } from '../../core/train/corpus.ts';
import { loadDataset } from '../../core/train/datasets.ts';
import { useNodeCorpora } from '../../core/train/node-corpus.ts';
import { batchTensors } from '../../core/train/step.ts';
import { prepareTask } from '../../core/train/train.ts';
import { bundledTask } from './helpers.ts';

const text = gunzipSync(readFileSync('data/kjv.txt.gz')).toString('latin1');

test('the corpus is ≥ 1 MB of plain ASCII English, beginning with Genesis and ending with Revelation', () => {
  assert.ok(text.length >= 1_000_000, `${text.length} chars`);
  assert.ok(/^[\n -~]*$/.test(text), 'printable ASCII and newlines only');
  assert.ok(text.startsWith('Genesis 1\nIn the beginning God created the heaven and the earth.\n'));
  assert.ok(text.trimEnd().endsWith('The grace of our Lord Jesus Christ be with you all. Amen.'));
});

test('kjv windows: example j is text[j·stride …] with next-character targets', () => {
  const d = loadDataset({ id: 'kjv', options: { context: 8, stride: 3 } }, 0);
  assert.equal(d.kind, 'tokens');
  assert.equal(d.count, Math.floor((text.length - 9) / 3) + 1);
  assert.equal(d.vocab, [...new Set(text)].sort().join(''));
  const ctx = prepareTask(
    bundledTask('nanogpt-char', { dataset: { id: 'kjv', options: { context: 64, stride: 3 } } }),
  );
  const { x, y } = batchTensors(ctx, Uint32Array.of(5));
  const v = ctx.dataset.vocab as string;
  assert.equal([...x.data].map((c) => v[c]).join(''), text.slice(15, 79));
  assert.equal([...y.data].map((c) => v[c]).join(''), text.slice(16, 80));
});

test('nanogpt-char: the shape of nanoGPT shakespeare-char CPU (0.82 M parameters) and its batches', () => {
  const ctx = prepareTask(bundledTask('nanogpt-char'));
  const params = ctx.model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  assert.ok(params > 800_000 && params < 830_000, `${params} parameters`);
  const vocab = ctx.dataset.vocab as string;
  const idx = Uint32Array.of(0, 12345, ctx.dataset.count - 1);
  const { x, y } = batchTensors(ctx, idx);
  assert.deepEqual(x.shape, [3 * 64]);
  for (let i = 0; i < idx.length; i++) {
    const at = idx[i];
    const xs = [...x.data.subarray(i * 64, (i + 1) * 64)].map((c) => vocab[c]).join('');
    const ys = [...y.data.subarray(i * 64, (i + 1) * 64)].map((c) => vocab[c]).join('');
    assert.equal(xs, text.slice(at, at + 64));
    assert.equal(ys, text.slice(at + 1, at + 65));
  }
});

test('without a corpus loader the dataset names what is missing; a bad file is named', () => {
  setCorpusLoader(null);
  try {
    assert.throws(() => corpusText('kjv'), /corpus "kjv" is not available here: no corpus loader installed/);
    useNodeCorpora();
    assert.throws(
      () => corpusText('no-such-corpus'),
      /corpus "no-such-corpus": cannot read .*no-such-corpus\.txt\.gz/,
    );
  } finally {
    useNodeCorpora();
  }
});
