import { getOp, listOps } from '../../core/repops/index.ts';

/** Markdown table of every registered op: name, arity, VJP components, spec text. */
export function opCatalogue(): string {
  const rows = listOps().map((name) => {
    const d = getOp(name);
    const arity = d.arity < 0 ? 'n' : String(d.arity);
    const grad = d.vjp ? 'yes' : '—';
    return `| \`${name}\` | ${arity} | ${grad} | ${d.spec.replace(/\|/g, '\\|')} |`;
  });
  return ['| op | inputs | VJP | arithmetic (exact order) |', '|---|---|---|---|', ...rows, ''].join('\n');
}
