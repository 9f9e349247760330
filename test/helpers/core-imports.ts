/**
 * The import graph between core/* packages (a package = a directory directly under core/), read from
 * every static and dynamic import / export-from specifier in core/**\/*.ts. Used by the cycle test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** package → set of packages it imports (edges to itself left out), with one example file per edge. */
export function corePackageGraph(coreDir: string): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  const pkgOf = (file: string): string | null => {
    const rel = relative(coreDir, file);
    if (rel.startsWith('..')) return null;
    const parts = rel.split(sep);
    return parts.length > 1 ? parts[0] : '(root)';
  };
  for (const file of walk(coreDir, [])) {
    const from = pkgOf(file);
    if (!from) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(SPECIFIER)) {
      if (!m[1].startsWith('.')) continue;
      const to = pkgOf(resolve(dirname(file), m[1]));
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const edges = graph.get(from)!;
      if (!edges.has(to)) edges.set(to, relative(coreDir, file));
    }
  }
  return graph;
}

/** Every cycle's package path (each reported once, starting at its smallest name). */
export function packageCycles(graph: Map<string, Map<string, string>>): string[][] {
  const cycles = new Map<string, string[]>();
  const visit = (start: string, node: string, path: string[]) => {
    for (const next of graph.get(node)?.keys() ?? []) {
      if (next === start) {
        const c = [...path];
        const min = c.indexOf([...c].sort()[0]);
        const rotated = [...c.slice(min), ...c.slice(0, min)];
        cycles.set(rotated.join('→'), rotated);
      } else if (!path.includes(next) && next > start) visit(start, next, [...path, next]);
    }
  };
  for (const p of graph.keys()) visit(p, p, [p]);
  return [...cycles.values()];
}
