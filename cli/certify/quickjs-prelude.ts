/**
 * The two web APIs core/ uses that QuickJS lacks, TextEncoder and TextDecoder (UTF-8 only), as plain
 * JavaScript evaluated before the certify bundle. A polyfill is enough: they move text, not numbers.
 */
export const QUICKJS_PRELUDE = `
globalThis.TextEncoder = class TextEncoder {
  encode(s) {
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
      }
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
};
globalThis.TextDecoder = class TextDecoder {
  decode(b) {
    let s = '';
    for (let i = 0; i < b.length; ) {
      const c = b[i++];
      let p = c;
      if (c >= 0xf0) p = ((c & 7) << 18) | ((b[i++] & 63) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
      else if (c >= 0xe0) p = ((c & 15) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
      else if (c >= 0xc0) p = ((c & 31) << 6) | (b[i++] & 63);
      s += String.fromCodePoint(p);
    }
    return s;
  }
};
`;
