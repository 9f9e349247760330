/**
 * Just enough of Source Map v3 to map a generated (line, column) of a compiled cell back to the line
 * the author wrote, so runtime errors name the cell's own line numbers.
 */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Segments per generated line: [generatedColumn, sourceIndex, originalLine0, originalColumn0]. */
export type DecodedMappings = number[][][];

function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64_INDEX.get(ch);
    if (digit === undefined) throw new Error(`source map: bad base64 digit "${ch}"`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

export function decodeMappings(mappings: string): DecodedMappings {
  const lines: DecodedMappings = [];
  let src = 0;
  let oLine = 0;
  let oCol = 0;
  for (const line of mappings.split(';')) {
    let gCol = 0;
    const segs: number[][] = [];
    for (const s of line.split(',')) {
      if (!s) continue;
      const v = decodeVlq(s);
      gCol += v[0];
      if (v.length >= 4) {
        src += v[1];
        oLine += v[2];
        oCol += v[3];
        segs.push([gCol, src, oLine, oCol]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** Original 1-based line for a generated 1-based line/column, or null when unmapped. */
export function originalLine(map: DecodedMappings, line: number, column = 0): number | null {
  const segs = map[line - 1];
  if (!segs || segs.length === 0) return null;
  let best = segs[0];
  for (const s of segs) if (s[0] <= column) best = s;
  return best[2] + 1;
}
