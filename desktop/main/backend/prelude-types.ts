/**
 * Type definitions of the notebook prelude for Monaco, so completion and hover know the Pinpoint API.
 * Generated from core/notebook/prelude.ts with the TypeScript compiler API (declaration emit of the
 * prelude and everything it imports, laid out as a package 'pinpoint'), then a script declaring each
 * export as a global — the prelude's names are in scope in cells without an import (core/notebook's
 * sandbox does the same). Cached in memory by the prelude's mtime.
 */

import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreludeTypes } from '../../shared/api.ts';

let memo: { stamp: string; value: Promise<PreludeTypes> } | null = null;

/**
 * The prelude's types, from memory, from dist/prelude-types.json when no input changed, or freshly
 * generated (a few seconds of type-checking: the backend starts it in the background at launch).
 */
export function preludeTypes(repoRoot: string): Promise<PreludeTypes> {
  const entry = join(repoRoot, 'core/notebook/prelude.ts');
  if (!existsSync(entry)) return Promise.resolve({ libs: [], names: [], source: 'none' });
  const cacheFile = join(repoRoot, 'dist/prelude-types.json');
  let cached: { stamp: string; inputs: string[]; value: PreludeTypes } | null = null;
  try {
    cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
  } catch {}
  const stamp = cached ? stampOf(repoRoot, cached.inputs) : '';
  if (memo && (memo.stamp.startsWith('pending-') || (stamp && memo.stamp === stamp))) return memo.value;
  if (cached && cached.stamp === stamp) {
    memo = { stamp, value: Promise.resolve(cached.value) };
    return memo.value;
  }
  const value = generateInChild(repoRoot, entry).then(({ types, inputs }) => {
    const fresh = stampOf(repoRoot, inputs);
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ stamp: fresh, inputs, value: types }));
    renameSync(tmp, cacheFile);
    memo = { stamp: fresh, value: Promise.resolve(types) };
    return types;
  });
  memo = { stamp: `pending-${Date.now()}`, value };
  value.catch(() => {
    memo = null;
  });
  return value;
}

function stampOf(repoRoot: string, inputs: string[]): string {
  const h = createHash('sha256');
  for (const rel of inputs) {
    try {
      const st = statSync(join(repoRoot, rel));
      h.update(`${rel}:${st.size}:${st.mtimeMs}\n`);
    } catch {
      h.update(`${rel}:missing\n`);
    }
  }
  return h.digest('hex');
}

/** Runs `generate` in a child process so the backend keeps answering while TypeScript works. */
function generateInChild(
  repoRoot: string,
  entry: string,
): Promise<{ types: PreludeTypes; inputs: string[] }> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(
      fileURLToPath(new URL('./prelude-types-child.ts', import.meta.url)),
      [repoRoot, entry],
      {
        cwd: repoRoot,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    let settled = false;
    child.on(
      'message',
      (m: { ok: boolean; result?: { types: PreludeTypes; inputs: string[] }; message?: string }) => {
        settled = true;
        if (m.ok && m.result) resolvePromise(m.result);
        else reject(new Error(`generating the notebook API types failed: ${m.message}`));
      },
    );
    child.on('exit', (code) => {
      if (!settled)
        reject(
          new Error(`generating the notebook API types failed (exit ${code}): ${stderr.split('\n')[0]}`),
        );
    });
  });
}

/** Emits declarations for the prelude's module graph and a global script re-declaring its exports. */
export async function generate(
  repoRoot: string,
  entry: string,
): Promise<{ types: PreludeTypes; inputs: string[] }> {
  const ts = (await import('typescript')).default;
  const options: import('typescript').CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    declaration: true,
    emitDeclarationOnly: true,
    skipLibCheck: true,
    strict: true,
    noEmitOnError: false,
    types: [],
    rootDir: repoRoot,
  };
  const program = ts.createProgram([entry], options);
  const libs: PreludeTypes['libs'] = [];
  program.emit(undefined, (fileName, text) => {
    const rel = relative(repoRoot, fileName).split('\\').join('/');
    if (rel.startsWith('..') || rel.includes('node_modules')) return;
    // Laid out as an npm package so `import … from 'pinpoint'` resolves in the editor too.
    libs.push({ path: `file:///node_modules/pinpoint/${rel}`, content: text });
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const names: string[] = [];
  const globals: string[] = [];
  const spec = 'pinpoint';
  for (const sym of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
    const name = sym.getName();
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    if (name === 'default') continue;
    names.push(name);
    if (target.flags & ts.SymbolFlags.Value)
      globals.push(`declare const ${name}: typeof import('${spec}').${name};`);
  }
  libs.push({
    path: 'file:///node_modules/pinpoint/index.d.ts',
    content: "export * from './core/notebook/prelude';\n",
  });
  libs.push({
    path: 'file:///node_modules/pinpoint/package.json',
    content: '{ "name": "pinpoint", "types": "index.d.ts" }\n',
  });
  libs.push({ path: 'file:///pinpoint-globals.d.ts', content: `${globals.join('\n')}\n` });
  const inputs = program
    .getSourceFiles()
    .map((f) => relative(repoRoot, f.fileName).split('\\').join('/'))
    .filter((rel) => !rel.startsWith('..') && !rel.includes('node_modules'));
  return { types: { libs, names, source: 'core/notebook/prelude.ts' }, inputs };
}
