/**
 * RepOps may not call the engine's transcendental functions (implementation-defined results): this
 * scans every source file under core/repops for Math.exp/log/tanh/pow/sin/cos/… and for `**` with a
 * non-integer-literal exponent, outside comments. Math.sqrt (correctly rounded by IEEE 754) and
 * Math.fround/imul/floor/round/abs/min/max (exact) are allowed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const FORBIDDEN =
  /\bMath\s*\.\s*(exp|expm1|log|log1p|log2|log10|pow|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|cbrt|hypot)\b/g;
const MATH_ALIAS = /(=\s*Math\s*[;,)\n])|(\bMath\s*\[)|(\}\s*=\s*Math\b)/g;
// `**` whose right operand is not a plain integer literal (e.g. x ** 0.5, 2 ** k is allowed only as a literal).
const POW_OP = /\*\*(?!\s*-?\d+(?![\d.eE]))/g;

/** Source with comments and string/template contents blanked (line structure kept). */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && n === '*') {
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) out += src[i++] === '\n' ? '\n' : '';
      i += 2;
    } else if (c === "'" || c === '"' || c === '`') {
      out += c;
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') i++;
        else if (src[i] === '\n') out += '\n';
        i++;
      }
      out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function violations(src: string): string[] {
  const code = stripComments(src);
  const found: string[] = [];
  const lines = code.split('\n');
  lines.forEach((line, k) => {
    for (const re of [FORBIDDEN, MATH_ALIAS, POW_OP]) {
      re.lastIndex = 0;
      const m = re.exec(line);
      if (m) found.push(`line ${k + 1}: ${m[0].trim()}`);
    }
  });
  return found;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

describe('no host transcendentals in core/repops', () => {
  test('the scanner catches what it must and ignores comments/strings', () => {
    assert.equal(violations('const y = Math.exp(x);').length, 1);
    assert.equal(violations('const y = Math . log2(x);').length, 1);
    assert.equal(violations('const { exp } = Math;').length, 1);
    assert.equal(violations('const y = x ** 0.5;').length, 1);
    assert.equal(violations('const y = x ** k;').length, 1);
    assert.equal(violations('const y = x ** 2 + 2 ** 10;').length, 0);
    assert.equal(violations('// Math.exp is forbidden\n/* Math.tanh */ const s = "Math.log";').length, 0);
    assert.equal(violations('const y = Math.sqrt(Math.fround(x));').length, 0);
  });

  test('every file under core/repops is clean', () => {
    const files = walk(join(root, 'core/repops'));
    assert.ok(files.length > 0);
    const bad: string[] = [];
    for (const file of files) {
      for (const v of violations(readFileSync(file, 'utf8'))) bad.push(`${relative(root, file)} ${v}`);
    }
    assert.deepEqual(bad, [], `forbidden host math in core/repops:\n${bad.join('\n')}`);
  });
});
