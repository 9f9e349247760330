/**
 * The engines `pinpoint certify` runs the same certify bundle in (core/certify/entry.ts, built once by
 * esbuild): Node and Node --jitless as child processes, headless Chromium through playwright-core,
 * QuickJS compiled to WebAssembly (quickjs-emscripten), and Node with 2 worker threads (the thread
 * pool only exists in Node, so that engine runs the sources through tsx), and Node with the native addon
 * (native/*.c) installed behind the kernel hooks, at its vector level. An engine that cannot run here
 * reports why instead of disappearing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
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
  unavailable: () => string | null = () => null,
): Engine {
  return {
    key,
    name,
    slow: key === 'jitless',
    unavailable,
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

/** The native addon `npm install` builds (scripts/build-native.mjs). */
export const NATIVE_ADDON = join(root, 'build/Release/pinpoint_native.node');

/**
 * Which output array each kernel writes (argument index), and where its first element is: the argument
 * holding `from` (none: 0) times the one holding the row length (none: 1).
 */
const NATIVE_OUTPUTS: Record<string, readonly [number, number | null, number | null]> = {
  matmul: [2, null, null],
  matmulBatch: [2, null, null],
  columnSums: [1, null, null],
  transpose: [1, null, null],
  binary: [3, null, null],
  adam: [4, null, null],
  gelu: [1, 2, null],
  geluVjp: [2, 3, null],
  softmaxRows: [1, 2, 4],
  softmaxVjpRows: [2, 3, 5],
  layerNorm: [3, 4, 6],
  layerNormVjp0: [3, 4, 6],
  layerNormVjp1Rows: [2, 3, 5],
};

/**
 * PINPOINT_CERTIFY_BREAK_NATIVE=<kernel> (tests only) wraps that addon function so that its first output
 * element gets its lowest bit flipped on every call: a broken native kernel, to show that the engine's
 * digests really come from the installed native kernels and that the certificate catches them.
 */
const NATIVE_RUN = (path: string, level: string) => (bundle: string) =>
  `${bundle}
const addon = require(${JSON.stringify(path)});
if (addon.select(${JSON.stringify(level)}) !== ${JSON.stringify(level)}) throw new Error('native level ${level} not available');
const kernels = Object.assign({}, addon);
const broken = process.env.PINPOINT_CERTIFY_BREAK_NATIVE;
const outputs = ${JSON.stringify(NATIVE_OUTPUTS)};
if (broken) {
  if (!outputs[broken]) throw new Error('PINPOINT_CERTIFY_BREAK_NATIVE: no native kernel "' + broken + '"');
  const [o, f, n] = outputs[broken];
  kernels[broken] = (...args) => {
    addon[broken](...args);
    const words = new Uint32Array(args[o].buffer, args[o].byteOffset, args[o].length);
    words[f === null ? 0 : args[f] * (n === null ? 1 : args[n])] ^= 1;
  };
}
globalThis.__pinpointInstallNative(kernels);
const req = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const result = globalThis.__pinpointCertify(req);
process.stdout.write(JSON.stringify({ ...result, native: addon.kernel() }));
`;

/**
 * Node with the native addon's kernels installed in the bundle (the hooks node-native-load.ts fills in the
 * app), at one vector level: 'best' is the one the app uses on this CPU. Named with its level.
 */
export function nativeEngine(key: string, want: 'best' | 'avx512' | 'avx2' | 'c'): Engine {
  let level: string | null = null;
  let why: string | null = null;
  if (!existsSync(NATIVE_ADDON))
    why = `${NATIVE_ADDON} not built (no C compiler at npm install? run node scripts/build-native.mjs)`;
  else {
    try {
      const addon = createRequire(import.meta.url)(NATIVE_ADDON) as {
        kernel(): string;
        select(n: string): string;
      };
      const best = addon.kernel();
      level = want === 'best' ? best : addon.select(want);
      addon.select(best);
      if (level !== (want === 'best' ? best : want)) why = `this CPU has no ${want} (the addon runs ${best})`;
    } catch (err) {
      why = `${NATIVE_ADDON} does not load: ${(err as Error).message}`;
    }
  }
  const name =
    why === null ? `node + native (${level})` : want === 'best' ? 'node + native' : `node + native (${want})`;
  return nodeChild(
    key,
    name,
    (d) => [join(d, 'run.cjs'), join(d, 'request.json')],
    NATIVE_RUN(NATIVE_ADDON, level ?? 'c'),
    () => why,
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
