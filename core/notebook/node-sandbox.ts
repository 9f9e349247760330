/**
 * Worker-thread entry of the Node kernel (bundled by node-compile.ts and started with `eval: true`).
 * Cell code runs in a node:vm context inside this worker:
 *   - the context's global is a fresh realm (null-prototype sandbox object, so `this.constructor`
 *     does not lead back to this realm's Function), with code generation from strings disabled
 *     (`Function('…')`, `eval`, `(function(){}).constructor('…')` throw);
 *   - the Pinpoint prelude is bundled and evaluated *inside* the context, so every API object a cell
 *     can reach belongs to the context realm;
 *   - this realm's functions (post an output, resolve a granted module) are captured in closures that
 *     cell code cannot read, and only strings cross back;
 *   - `process`, `require` of anything but `pinpoint`, dynamic `import()` and `fetch` are refused with a
 *     clear message unless the notebook's front matter grants fs/net (a grant hands over real Node
 *     objects, so a granted notebook is trusted code).
 * The worker itself has resource limits and an empty environment; the host enforces time limits by
 * terminating it. See docs/NOTEBOOKS.md "Sandbox" for the threat model.
 */
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';
import type { Permission } from './format.ts';
import type { HostMessage, KernelMessage, RawError } from './protocol.ts';

const FS_MODULES = new Set(['fs', 'fs/promises', 'path', 'url', 'os']);

/** Context-realm setup code: receives host callbacks and keeps them out of reach of cells. */
const SETUP = `(function (post, hostRequire, hostFetch, hostNow, hostTimer, hostClear, grants) {
  'use strict';
  const g = globalThis;
  const P = g.__pinpointPrelude;
  g.__pinpointPrelude = undefined;
  const emitted = new WeakSet();
  P.setOutputSink(function (o) { emitted.add(o); post(JSON.stringify(o)); });
  const refuse = function (what, perm) {
    const why = perm
      ? 'the notebook does not grant "' + perm + '" (add "permissions: [' + perm + ']" to its front matter)'
      : 'notebook cells have no access to the host process';
    const e = new Error(what + ' is not available in notebook cells: ' + why);
    e.name = 'PermissionError';
    throw e;
  };
  const requireFn = function require(name) {
    name = String(name);
    if (name === 'pinpoint') return P;
    const r = hostRequire(name);
    if (typeof r === 'string') { const e = new Error(r); e.name = 'PermissionError'; throw e; }
    return r;
  };
  const line = function (stream, args) {
    const text = Array.prototype.map.call(args, function (a) { return P.formatValue(a); }).join(' ');
    post(JSON.stringify({ kind: 'text', text: text, stream: stream }));
  };
  const konsole = Object.freeze({
    log: function () { line('stdout', arguments); },
    info: function () { line('stdout', arguments); },
    debug: function () { line('stdout', arguments); },
    warn: function () { line('stderr', arguments); },
    error: function () { line('stderr', arguments); },
  });
  const def = function (name, desc) { Object.defineProperty(g, name, Object.assign({ configurable: false, enumerable: false }, desc)); };
  // Every prelude export is a global too, so cells need no imports (an explicit import stays local to
  // its cell). Configurable, so a cell may declare its own binding of the same name.
  Object.keys(P).forEach(function (k) {
    if (k !== 'setOutputSink' && !(k in g)) Object.defineProperty(g, k, { value: P[k], writable: true, configurable: true, enumerable: false });
  });
  // No custom stack formatting: CallSite objects of host frames could leak host functions.
  Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
  def('require', { value: requireFn, writable: false });
  def('console', { value: konsole, writable: false });
  def('pinpoint', { value: P, writable: false });
  def('performance', { value: Object.freeze({ now: function () { return +hostNow(); } }), writable: false });
  // Timers run context callbacks from the host's event loop; only numbers cross (ids, delays).
  const timer = function (repeat) {
    return function (fn) {
      if (typeof fn !== 'function') throw new TypeError('timer callback must be a function');
      const args = Array.prototype.slice.call(arguments, 2);
      return hostTimer(function () { fn.apply(undefined, args); }, +arguments[1] || 0, repeat);
    };
  };
  const clear = function (id) { hostClear(+id || 0); };
  def('setTimeout', { value: timer(false), writable: true });
  def('setInterval', { value: timer(true), writable: true });
  def('clearTimeout', { value: clear, writable: true });
  def('clearInterval', { value: clear, writable: true });
  def('process', { get: function () { refuse('process'); } });
  def('Buffer', { get: function () { refuse('Buffer'); } });
  def('module', { get: function () { refuse('module'); } });
  if (grants.indexOf('net') >= 0) {
    def('fetch', { value: function fetch(a, b) { return hostFetch(a, b); }, writable: false });
  } else {
    def('fetch', { get: function () { refuse('fetch (network access)', 'net'); } });
    def('WebSocket', { get: function () { refuse('WebSocket (network access)', 'net'); } });
  }
  return {
    show: function (v) { if (v !== undefined && !(v !== null && typeof v === 'object' && emitted.has(v))) P.display(v); },
    describe: function (e) {
      try {
        if (e !== null && typeof e === 'object') {
          return JSON.stringify({ name: String(e.name || 'Error'), message: String(e.message), stack: typeof e.stack === 'string' ? e.stack : undefined });
        }
        return JSON.stringify({ name: 'Error', message: 'thrown value: ' + P.formatValue(e) });
      } catch (x) { return JSON.stringify({ name: 'Error', message: 'a cell threw a value that cannot be described' }); }
    },
  };
})`;

interface ContextApi {
  show(v: unknown): void;
  describe(e: unknown): string;
}

function send(msg: KernelMessage): void {
  parentPort?.postMessage(msg);
}

let ctx: vm.Context | null = null;
let api: ContextApi | null = null;
let currentCell = '';
let ContextError: ErrorConstructor = Error;
let timerSeq = 0;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

function hostError(err: unknown): RawError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

function init(prelude: string, permissions: Permission[]): void {
  // Null prototype: the context's global must not inherit this realm's Object.prototype.
  ctx = vm.createContext(Object.create(null), {
    name: 'pinpoint notebook',
    codeGeneration: { strings: false, wasm: false },
  });
  ContextError = vm.runInContext('Error', ctx) as ErrorConstructor;
  vm.runInContext(prelude, ctx, { filename: 'pinpoint-prelude.js' });
  const hostRequire = createRequire(`${process.cwd()}/`);
  const grantedRequire = (name: string): unknown => {
    const bare = name.replace(/^node:/, '');
    if (permissions.includes('fs') && FS_MODULES.has(bare)) return hostRequire(`node:${bare}`);
    if (FS_MODULES.has(bare)) {
      return `require('${name}') is not available in notebook cells: the notebook does not grant "fs" (add "permissions: [fs]" to its front matter)`;
    }
    return `require('${name}') is not available in notebook cells: cells may only import from 'pinpoint'`;
  };
  const setup = vm.runInContext(SETUP, ctx, { filename: 'pinpoint-setup.js' }) as (
    post: (json: string) => void,
    req: (name: string) => unknown,
    fetch: typeof globalThis.fetch,
    now: () => number,
    timer: (cb: () => void, ms: number, repeat: boolean) => number,
    clear: (id: number) => void,
    grants: string[],
  ) => ContextApi;
  const grants = vm.runInContext('[]', ctx) as string[];
  for (const p of permissions) grants.push(p);
  api = setup(
    (json: string) => {
      send({ type: 'output', id: currentCell, json: String(json) });
    },
    grantedRequire,
    (a, b) => fetch(a, b),
    () => performance.now(),
    (cb, ms, repeat) => {
      const id = ++timerSeq;
      const fire = () => {
        if (!repeat) timers.delete(id);
        try {
          cb();
        } catch (err) {
          const e = api
            ? (JSON.parse(api.describe(err)) as RawError)
            : { name: 'Error', message: 'timer callback failed' };
          send({
            type: 'output',
            id: currentCell,
            json: JSON.stringify({
              kind: 'text',
              stream: 'stderr',
              text: `uncaught in timer: ${e.name}: ${e.message}`,
            }),
          });
        }
      };
      timers.set(id, repeat ? setInterval(fire, ms) : setTimeout(fire, ms));
      return id;
    },
    (id) => {
      const h = timers.get(id);
      if (h) clearTimeout(h);
      timers.delete(id);
    },
    grants,
  );
}

async function run(id: string, code: string): Promise<void> {
  if (!ctx || !api) throw new Error('kernel not initialised');
  currentCell = id;
  const context = ctx;
  const cellApi = api;
  try {
    const script = new vm.Script(code, {
      filename: `cell-${id}.js`,
      // Errors handed to cell code must come from the context realm, never this one.
      importModuleDynamically: ((spec: string) => {
        throw new ContextError(
          `import('${spec}') is not available in notebook cells: cells may only import from 'pinpoint' (static import)`,
        );
      }) as unknown as vm.ScriptOptions['importModuleDynamically'],
    });
    let value: unknown = script.runInContext(context, { displayErrors: false });
    if (
      value !== null &&
      typeof value === 'object' &&
      typeof (value as PromiseLike<unknown>).then === 'function'
    ) {
      value = await value;
    }
    cellApi.show(value);
    send({ type: 'done', id, ok: true });
  } catch (err) {
    let error: RawError;
    try {
      error = JSON.parse(cellApi.describe(err)) as RawError;
    } catch {
      error = hostError(err);
    }
    send({ type: 'done', id, ok: false, error });
  }
}

parentPort?.on('message', (msg: HostMessage) => {
  if (msg.type === 'init') {
    try {
      init(msg.prelude, msg.permissions);
      send({ type: 'ready' });
    } catch (err) {
      send({ type: 'init-error', error: hostError(err) });
    }
  } else if (msg.type === 'run') {
    void run(msg.id, msg.code);
  }
});
