// `npm install` / `npm ci` hook: builds the optional native kernels (native/*.c → build/Release/
// pinpoint_native.node) with npm's own node-gyp. Never fails the install: without a C compiler or Node's
// headers Pinpoint runs the WebAssembly kernel, which gives the same bits (docs/REPOPS.md "Native matmul").
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

if (process.env.PINPOINT_NATIVE === '0') process.exit(0);
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  '/usr/share/nodejs/node-gyp/bin/node-gyp.js',
].filter((p) => p && existsSync(p));
const args = ['rebuild'];
// Build against the running Node's headers when they are installed (Debian: /usr/include/node), so no
// download is needed.
const nodedir = process.env.npm_config_nodedir || (existsSync('/usr/include/node/node_api.h') ? '/usr' : '');
if (nodedir) args.push(`--nodedir=${nodedir}`);
for (const gyp of candidates) {
  const r = spawnSync(process.execPath, [gyp, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status === 0) {
    console.log('pinpoint: built the native kernels (build/Release/pinpoint_native.node)');
    process.exit(0);
  }
  console.warn(
    `pinpoint: native kernels not built (${gyp}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`,
  );
  process.exit(0);
}
console.warn('pinpoint: native kernels not built (node-gyp not found); the WebAssembly kernels are used');
