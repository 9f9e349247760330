/**
 * Notebook scope rewrite (Jupyter-style): a cell's top-level declarations become globals of the
 * notebook's sandbox, and the body runs inside an async function so top-level `await` works.
 *
 *   const { a } = await f();  →  var a; (async () => { ({ a } = await f()); … })()
 *   function g() {}           →  var g; (async () => { globalThis.g = g; function g() {} … })()
 *   class K {}                →  var K; (async () => { K = class K {} … })()
 *   import { x } from 'pinpoint'  →  var x; (async () => { ({ x } = require("pinpoint")); … })()
 *   last expression `e`       →  return (e);   (the runner awaits and displays it)
 *
 * Input is esbuild's JavaScript output for the cell (types already stripped); the rewrite keeps every
 * statement on its line so the source map still applies. Uses the TypeScript parser (loaded lazily).
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

let tsMod: typeof TS | null = null;
function ts(): typeof TS {
  tsMod ??= createRequire(import.meta.url)('typescript') as typeof TS;
  return tsMod;
}

export class HoistError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'HoistError';
  }
}

function bindingNames(t: typeof TS, name: TS.BindingName, out: string[]): void {
  if (t.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!t.isOmittedExpression(el)) bindingNames(t, el.name, out);
}

const newlines = (s: string) => (s.match(/\n/g) ?? []).length;

/** Rewrites one cell's JavaScript (ESM syntax, may use top-level await) into a script for the sandbox. */
export function hoistCell(js: string): { code: string; names: string[] } {
  const t = ts();
  const sf = t.createSourceFile('cell.js', js, t.ScriptTarget.ES2022, true, t.ScriptKind.JS);
  const names: string[] = [];
  const fnNames: string[] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  const stmts = sf.statements;
  const lineOf = (n: TS.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const replace = (node: TS.Node, text: string) => {
    const start = node.getStart(sf);
    const end = node.getEnd();
    const pad = newlines(js.slice(start, end)) - newlines(text);
    edits.push({ start, end, text: text + '\n'.repeat(Math.max(0, pad)) });
  };
  stmts.forEach((st, idx) => {
    if (t.isVariableStatement(st)) {
      const parts: string[] = [];
      for (const d of st.declarationList.declarations) {
        bindingNames(t, d.name, names);
        if (!d.initializer) continue;
        parts.push(`(${d.name.getText(sf)} = ${d.initializer.getText(sf)})`);
      }
      replace(st, parts.length ? `${parts.join(', ')};` : ';');
    } else if (t.isFunctionDeclaration(st) && st.name) {
      names.push(st.name.text);
      fnNames.push(st.name.text);
    } else if (t.isClassDeclaration(st) && st.name) {
      names.push(st.name.text);
      replace(st, `${st.name.text} = ${st.getText(sf)};`);
    } else if (t.isImportDeclaration(st)) {
      const spec = (st.moduleSpecifier as TS.StringLiteral).text;
      const req = `require(${JSON.stringify(spec)})`;
      const clause = st.importClause;
      const parts: string[] = [];
      if (clause?.name) {
        names.push(clause.name.text);
        parts.push(`(${clause.name.text} = ${req}.default)`);
      }
      const nb = clause?.namedBindings;
      if (nb && t.isNamespaceImport(nb)) {
        names.push(nb.name.text);
        parts.push(`(${nb.name.text} = ${req})`);
      } else if (nb) {
        const props = nb.elements.map((e) => {
          names.push(e.name.text);
          return `${(e.propertyName ?? e.name).getText(sf)}: ${e.name.text}`;
        });
        parts.push(`({ ${props.join(', ')} } = ${req})`);
      }
      replace(st, parts.length ? `${parts.join(', ')};` : `${req};`);
    } else if (
      t.isExportDeclaration(st) ||
      t.isExportAssignment(st) ||
      (t.canHaveModifiers(st) && t.getModifiers(st)?.some((m) => m.kind === t.SyntaxKind.ExportKeyword))
    ) {
      throw new HoistError(
        'cells cannot export: top-level declarations are already shared with later cells',
        lineOf(st),
      );
    } else if (idx === stmts.length - 1 && t.isExpressionStatement(st)) {
      const e = st.expression.getText(sf);
      replace(st, `return (${e});`);
    }
  });
  edits.sort((a, b) => b.start - a.start);
  let body = js;
  for (const e of edits) body = body.slice(0, e.start) + e.text + body.slice(e.end);
  const uniq = [...new Set(names)];
  const head = `${uniq.length ? `var ${uniq.join(', ')}; ` : ''}(async () => { ${fnNames.map((n) => `globalThis.${n} = ${n}; `).join('')}`;
  return { code: `${head}${body}\n})()`, names: uniq };
}
