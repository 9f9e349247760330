/**
 * Node adapter: compiles contracts/*.sol with the `solc` npm package (soljson, in-process — no
 * downloaded compiler binary) and caches the ABI + bytecode under .pinpoint/solc/, keyed by the SHA-256
 * of the compiler version, settings and every source, so a second start costs a file read.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONTRACTS_DIR = join(REPO_ROOT, 'contracts');

export interface CompiledContract {
  name: string;
  source: string;
  abi: unknown[];
  /** 0x-prefixed creation bytecode. */
  bytecode: `0x${string}`;
}

export interface CompileResult {
  /** Key of the cache entry: SHA-256 over compiler version, settings and sources. */
  key: string;
  compiler: string;
  cached: boolean;
  contracts: Record<string, CompiledContract>;
}

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const;

interface SolcModule {
  version(): string;
  compile(input: string): string;
}

function loadSolc(): SolcModule {
  return createRequire(import.meta.url)('solc') as SolcModule;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...listSources(join(dir, e.name)));
    else if (e.name.endsWith('.sol')) out.push(join(dir, e.name));
  }
  return out.sort();
}

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  formattedMessage: string;
}

/** Compiles every contract under `dir` (default contracts/), or returns the cached output. */
export function compileContracts(
  opts: { dir?: string; cacheDir?: string; force?: boolean } = {},
): CompileResult {
  const dir = opts.dir ?? CONTRACTS_DIR;
  const cacheDir = opts.cacheDir ?? join(REPO_ROOT, '.pinpoint', 'solc');
  const files = listSources(dir);
  if (files.length === 0) throw new Error(`${dir}: no .sol files to compile`);
  const sources: Record<string, { content: string }> = {};
  for (const f of files) sources[relative(dir, f)] = { content: readFileSync(f, 'utf8') };
  // The compiler's version string is only known after loading soljson (~0.2 s); the package version is
  // enough for the key and keeps cache hits free of that cost.
  const pkgVersion = (
    JSON.parse(readFileSync(createRequire(import.meta.url).resolve('solc/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const key = createHash('sha256')
    .update(JSON.stringify({ solc: pkgVersion, settings: SETTINGS, sources }))
    .digest('hex');
  const cacheFile = join(cacheDir, `${key}.json`);
  if (!opts.force) {
    try {
      const hit = JSON.parse(readFileSync(cacheFile, 'utf8')) as CompileResult;
      return { ...hit, cached: true };
    } catch {
      // no or unreadable cache entry: compile
    }
  }
  const solc = loadSolc();
  const output = JSON.parse(
    solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS })),
  ) as {
    errors?: SolcError[];
    contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(
      `solc: ${errors.length} error(s) in ${dir}:\n${errors.map((e) => e.formattedMessage).join('\n')}`,
    );
  }
  const contracts: Record<string, CompiledContract> = {};
  for (const [source, byName] of Object.entries(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(byName)) {
      if (contracts[name]) throw new Error(`solc: contract name ${name} defined twice (${source})`);
      contracts[name] = { name, source, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  const result: CompileResult = { key, compiler: solc.version(), cached: false, contracts };
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(result));
  renameSync(tmp, cacheFile); // atomic: concurrent processes never read half a file
  return result;
}
