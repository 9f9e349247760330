/**
 * Bench helper: runs bench/ort-threads-child.ts in a fresh Node process per onnxruntime-web thread
 * count (onnxruntime fixes its thread pool at the first session of a process) and returns the
 * child's report. A child that fails, times out or prints no report comes back with `error` set —
 * the caller prints that reason instead of a figure.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildReport } from './ort-threads-child.ts';

export type { ChildReport } from './ort-threads-child.ts';

const here = dirname(fileURLToPath(import.meta.url));

export function runOrtChild(
  threads: number,
  sizes: number[],
  budgetMs: number,
  timeoutMs = 120_000,
): Promise<ChildReport> {
  const failed = (error: string): ChildReport => ({
    threads,
    threadsAfterInit: null,
    sizes: [],
    osThreads: null,
    error,
    cores: 0,
    crossOriginIsolated: false,
    sharedArrayBuffer: false,
  });
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'ort-threads-child.ts'),
        String(threads),
        sizes.join(','),
        String(budgetMs),
      ],
      { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(failed(`could not start the child process: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as ChildReport;
        // onnxruntime prints a warning on stderr when it falls back to one thread: keep it as the reason.
        if (r.error === undefined && err.includes('Falling back to single-threading')) {
          r.error = err.trim().split('\n').slice(-1)[0];
        }
        resolve(r);
      } catch {
        const why = signal ? `killed by ${signal} after ${timeoutMs} ms` : `exit code ${code}`;
        const tail = err.trim().split('\n').slice(-3).join(' | ');
        resolve(failed(`child printed no report (${why})${tail ? `: ${tail}` : ''}`));
      }
    });
  });
}
