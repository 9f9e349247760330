/**
 * Certify engine "node, N worker threads": runs core/certify/engine.ts from source with the Node thread
 * pool installed (the pool splits the large kernels; the bits must not move). Prints the result JSON.
 * argv: <request.json> <threads>
 */
import { readFileSync } from 'node:fs';
import { runCertify } from '../../core/certify/engine.ts';
import { nodeThreadPool } from '../../core/platform/node-threads.ts';
import { setThreadPool } from '../../core/repops/parallel.ts';

const [file, threads] = process.argv.slice(2);
// Split every op the pool can split, however small: certification exercises the parallel paths.
setThreadPool(nodeThreadPool(Number(threads)), { minElements: 1, splitWithNative: true });
const result = runCertify(JSON.parse(readFileSync(file, 'utf8')));
process.stdout.write(JSON.stringify(result));
process.exit(0);
