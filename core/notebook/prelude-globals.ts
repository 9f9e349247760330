/**
 * Web APIs the core modules use that a bare JavaScript realm (the Node sandbox's vm context) lacks:
 * UTF-8 TextEncoder/TextDecoder, btoa/atob and queueMicrotask. Installed only when missing, so in a browser Web
 * Worker the native ones stay. Implemented here (not borrowed from Node) so no host object enters the
 * sandbox.
 */
class Utf8Encoder {
  readonly encoding = 'utf-8';
  encode(input = ''): Uint8Array {
    const s = String(input);
    const out: number[] = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        } else c = 0xfffd;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return Uint8Array.from(out);
  }
}

class Utf8Decoder {
  readonly encoding = 'utf-8';
  decode(input?: ArrayBufferView | ArrayBuffer): string {
    if (!input) return '';
    const b =
      input instanceof ArrayBuffer
        ? new Uint8Array(input)
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let s = '';
    for (let i = 0; i < b.length; ) {
      const x = b[i];
      let c = 0xfffd;
      let n = 1;
      if (x < 0x80) c = x;
      else if (x >= 0xc2 && x < 0xe0 && i + 1 < b.length) [c, n] = [((x & 31) << 6) | (b[i + 1] & 63), 2];
      else if (x >= 0xe0 && x < 0xf0 && i + 2 < b.length)
        [c, n] = [((x & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63), 3];
      else if (x >= 0xf0 && x < 0xf5 && i + 3 < b.length)
        [c, n] = [((x & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63), 4];
      s += String.fromCodePoint(c);
      i += n;
    }
    return s;
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** btoa over a "binary string" (each char 0–255), as in browsers. */
function btoaPolyfill(input: string): string {
  const s = String(input);
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i);
    const b = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    const c = i + 2 < s.length ? s.charCodeAt(i + 2) : 0;
    if (a > 255 || b > 255 || c > 255) throw new Error('btoa: string contains characters outside Latin-1');
    const n = (a << 16) | (b << 8) | c;
    out +=
      B64[(n >> 18) & 63] +
      B64[(n >> 12) & 63] +
      (i + 1 < s.length ? B64[(n >> 6) & 63] : '=') +
      (i + 2 < s.length ? B64[n & 63] : '=');
  }
  return out;
}

function atobPolyfill(input: string): string {
  const s = String(input)
    .replace(/[\t\n\f\r ]/g, '')
    .replace(/=+$/, '');
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const ch of s) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new Error('atob: invalid base64');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 255);
    }
  }
  return out;
}

const g = globalThis as Record<string, unknown>;
if (typeof g.btoa === 'undefined') g.btoa = btoaPolyfill;
if (typeof g.atob === 'undefined') g.atob = atobPolyfill;
if (typeof g.TextEncoder === 'undefined') g.TextEncoder = Utf8Encoder;
if (typeof g.TextDecoder === 'undefined') g.TextDecoder = Utf8Decoder;
if (typeof g.queueMicrotask === 'undefined')
  g.queueMicrotask = (f: () => void) => void Promise.resolve().then(f);

export {};
