/**
 * Certify engine "node, N worker threads": runs core/certify/engine.ts from source with the Node thread
 * pool installed (the pool splits the large kernels) and trains tasks with micro-batches on micro-batch
 * worker threads (core/train/node-microbatch.ts): the bits must not move. Prints the result JSON.
 * argv: <request.json> <threads>
 */
import { readFileSync } from 'node:fs';
import { runCertify } from '../../core/certify/engine.ts';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { setThreadPool } from '../../core/repops/parallel.ts';
import { microBatchWorkersFor } from '../../core/train/node-microbatch.ts';
import { train } from '../../core/train/train.ts';

const [file, threads] = process.argv.slice(2);
// Split every op the pool can split, however small: certification exercises the parallel paths.
setThreadPool(nodeThreadPool(Number(threads)), { minElements: 1, splitWithNative: true });
const microBatchThreads: Record<string, number> = {};
const result = runCertify(JSON.parse(readFileSync(file, 'utf8')), (ctx) => {
  const workers = microBatchWorkersFor(ctx, Number(threads));
  try {
    if (workers) microBatchThreads[ctx.task.name] = workers.threads + 1;
    return train(ctx, { mode: 'fast', ...(workers ? { workers } : {}) });
  } finally {
    workers?.close();
  }
});
process.stdout.write(JSON.stringify({ ...result, microBatchThreads }));
process.exit(0);
