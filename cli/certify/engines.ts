/**
 * The engines `pinpoint certify` runs the same certify bundle in (core/certify/entry.ts, built once by
 * esbuild): Node and Node --jitless as child processes, headless Chromium through playwright-core,
 * QuickJS compiled to WebAssembly (quickjs-emscripten), and Node with 2 worker threads (the thread
 * pool only exists in Node, so that engine runs the sources through tsx). An engine that cannot run here
 * reports why instead of disappearing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { CertifyRequest, EngineResult } from '../../core/certify/engine.ts';
import { QUICKJS_PRELUDE } from './quickjs-prelude.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Engine {
  /** The name --engines and --perturb use. */
  readonly key: string;
  readonly name: string;
  /** Interpreter-only engines skip the real-size task unless asked (minutes per step). */
  readonly slow: boolean;
  /** Why the engine cannot run here, or null. */
  unavailable(): string | null;
  run(bundle: string, req: CertifyRequest): Promise<EngineResult>;
}

/** The certify entry as one IIFE script that sets globalThis.__pinpointCertify. */
export async function certifyBundle(): Promise<string> {
  const r = await build({
    entryPoints: [join(root, 'core/certify/entry.ts')],
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

function parseResult(engine: string, text: string): EngineResult {
  try {
    return JSON.parse(text) as EngineResult;
  } catch {
    throw new Error(`${engine}: no result (output: ${text.slice(0, 400)})`);
  }
}

/** Runs a script file with node and the request on a file; the script prints the result JSON. */
function nodeChild(
  key: string,
  name: string,
  args: (dir: string) => string[],
  script: (bundle: string) => string,
): Engine {
  return {
    key,
    name,
    slow: key === 'jitless',
    unavailable: () => null,
    async run(bundle, req) {
      const dir = mkdtempSync(join(tmpdir(), 'pinpoint-certify-'));
      try {
        writeFileSync(join(dir, 'request.json'), JSON.stringify(req));
        writeFileSync(join(dir, 'run.cjs'), script(bundle));
        const r = spawnSync(process.execPath, args(dir), {
          encoding: 'utf8',
          maxBuffer: 1 << 28,
          cwd: root,
        });
        if (r.status !== 0) throw new Error(`${name} exited with ${r.status}: ${r.stderr.slice(-2000)}`);
        return parseResult(name, r.stdout);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const RUN_BUNDLE = (bundle: string) =>
  `${bundle}\nconst req = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));\n` +
  'process.stdout.write(JSON.stringify(globalThis.__pinpointCertify(req)));\n';

export const nodeEngine = nodeChild(
  'node',
  'node',
  (d) => [join(d, 'run.cjs'), join(d, 'request.json')],
  RUN_BUNDLE,
);

/** --jitless: V8's interpreter only, and no WebAssembly — the JavaScript specification of every kernel. */
export const jitlessEngine = nodeChild(
  'jitless',
  'node --jitless',
  (d) => ['--jitless', join(d, 'run.cjs'), join(d, 'request.json')],
  RUN_BUNDLE,
);

export function threadsEngine(threads: number): Engine {
  return nodeChild(
    'threads',
    `node, ${threads} worker threads`,
    (d) => [
      '--import',
      'tsx',
      join(root, 'cli/certify/threads-child.ts'),
      join(d, 'request.json'),
      String(threads),
    ],
    () => '',
  );
}

export function chromiumEngine(executable: string, args: readonly string[]): Engine {
  return {
    key: 'chromium',
    name: 'chromium (headless)',
    slow: false,
    unavailable: () => (existsSync(executable) ? null : `${executable} not found (apt-get install chromium)`),
    async run(bundle, req) {
      const { chromium } = await import('playwright-core');
      const html = '<!doctype html><meta charset="utf-8"><title>certify</title><script src="/c.js"></script>';
      const server = createServer((q, res) => {
        const js = q.url === '/c.js';
        res.writeHead(200, { 'content-type': `text/${js ? 'javascript' : 'html'}; charset=utf-8` });
        res.end(js ? bundle : html);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const browser = await chromium.launch({ executablePath: executable, args: [...args], headless: true });
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        const text = await page.evaluate(
          (r) =>
            JSON.stringify(
              (globalThis as unknown as { __pinpointCertify: (q: unknown) => unknown }).__pinpointCertify(r),
            ),
          req as unknown as Record<string, unknown>,
        );
        return parseResult('chromium', text);
      } finally {
        await browser.close();
        server.close();
      }
    },
  };
}

export const quickjsEngine: Engine = {
  key: 'quickjs',
  name: 'quickjs (wasm)',
  slow: true,
  unavailable: () => null,
  async run(bundle, req) {
    const { getQuickJS } = await import('quickjs-emscripten');
    const Q = await getQuickJS();
    const rt = Q.newRuntime();
    rt.setMemoryLimit(2 ** 31 - 1);
    rt.setMaxStackSize(0);
    const vm = rt.newContext();
    try {
      const res = vm.evalCode(
        `${QUICKJS_PRELUDE}\n${bundle}\nJSON.stringify(globalThis.__pinpointCertify(${JSON.stringify(req)}))`,
      );
      if (res.error) {
        const e = vm.dump(res.error);
        res.error.dispose();
        throw new Error(`quickjs: ${typeof e === 'object' ? `${e.name}: ${e.message}` : String(e)}`);
      }
      const text = vm.dump(res.value) as string;
      res.value.dispose();
      return parseResult('quickjs', text);
    } finally {
      vm.dispose();
      rt.dispose();
    }
  },
};
