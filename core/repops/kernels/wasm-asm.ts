/**
 * A minimal WebAssembly binary writer — just what the matmul kernel needs (one function type, an
 * exported memory, exported functions with i32/v128 locals, MVP + fixed-width SIMD opcodes). Used by
 * matmul-wasm-gen.ts to produce the committed bytes in matmul-wasm-bytes.ts.
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Instruction emitters (each returns its bytes). Memarg: alignment exponent, then byte offset. */
export const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32Mul: () => [0x6c],
  i32Eqz: () => [0x45],
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  end: () => [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  f32Load: (offset: number) => [0x2a, 2, ...uleb(offset)],
  v128Load: (offset: number) => [0xfd, ...uleb(0), 4, ...uleb(offset)],
  v128Store: (offset: number) => [0xfd, ...uleb(11), 4, ...uleb(offset)],
  f32x4Splat: () => [0xfd, ...uleb(19)],
  f32x4Add: () => [0xfd, ...uleb(228)],
  f32x4Mul: () => [0xfd, ...uleb(230)],
};

export interface WasmFunc {
  name: string;
  params: number; // all i32
  locals: { count: number; type: number }[];
  body: number[];
}

/** Module: one memory (exported as "mem", `pages` initial pages) and the given functions (one type each). */
export function wasmModule(funcs: WasmFunc[], pages: number): Uint8Array<ArrayBuffer> {
  const types = funcs.map((fn) => [0x60, ...uleb(fn.params), ...new Array<number>(fn.params).fill(I32), 0]);
  const typeSec = section(1, vec(types));
  const funcSec = section(3, vec(funcs.map((_, i) => uleb(i))));
  const memSec = section(5, vec([[0x00, ...uleb(pages)]]));
  const exports = [[...str('mem'), 0x02, 0], ...funcs.map((fn, i) => [...str(fn.name), 0x00, ...uleb(i)])];
  const exportSec = section(7, vec(exports));
  const bodies = funcs.map((fn) => {
    const locals = vec(fn.locals.map((l) => [...uleb(l.count), l.type]));
    const code = [...locals, ...fn.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  const codeSec = section(10, vec(bodies));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...typeSec,
    ...funcSec,
    ...memSec,
    ...exportSec,
    ...codeSec,
  ]);
}
