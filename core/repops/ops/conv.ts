/**
 * conv2d (NCHW, no bias — add one with a broadcast `add` of bias reshaped to [O,1,1]) and max-pool.
 * conv2d is defined as a matmul on the zero-padded im2col matrix, so it inherits the matmul kernel's
 * order: out[n,o,p] = Σ_q W[o,q]·col[q,(n,p)], q = (c, kh, kw) row-major ascending, padded taps are
 * products with +0. Both VJPs are matmuls too (+ a fixed-order col2im scatter for dx).
 */
import { matmulKernel } from '../kernels/matmul.ts';
import type { Attrs } from '../registry.ts';
import { apply } from '../tape.ts';
import { RepOpsError, type Shape } from '../tensor.ts';
import { fmtShape, intListAttr, shapeAttr } from '../util.ts';
import { defineOp, mismatch, numel } from './define.ts';
import { transposeData } from './layout.ts';

interface Geom {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}

function pair(op: string, attrs: Attrs, name: string, dflt: [number, number], min: number): [number, number] {
  const v = attrs[name];
  const p = typeof v === 'number' ? [v, v] : v === undefined ? dflt : intListAttr(op, attrs, name);
  if (p.length !== 2 || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new RepOpsError(
      op,
      `attr ${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`,
    );
  }
  return [p[0], p[1]];
}

function geometry(
  op: string,
  x: Shape,
  kh: number,
  kw: number,
  o: number,
  attrs: Attrs,
  shapes: readonly Shape[],
): Geom {
  if (x.length !== 4) throw mismatch(op, shapes, 'input must be NCHW (rank 4)');
  const [sh, sw] = pair(op, attrs, 'stride', [1, 1], 1);
  const [ph, pw] = pair(op, attrs, 'padding', [0, 0], 0);
  const [n, c, h, w] = x;
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (oh < 1 || ow < 1) throw mismatch(op, shapes, 'kernel larger than the padded input');
  return { n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow };
}

function convGeom(op: string, x: Shape, wt: Shape, attrs: Attrs, shapes: readonly Shape[]): Geom {
  if (wt.length !== 4) throw mismatch(op, shapes, 'weight must be [O, C, KH, KW]');
  if (x.length === 4 && wt[1] !== x[1])
    throw mismatch(op, shapes, `weight has ${wt[1]} input channels, input has ${x[1]}`);
  return geometry(op, x, wt[2], wt[3], wt[0], attrs, shapes);
}

/** colsT[(n,oy,ox), (c,ky,kx)] — the transposed im2col matrix (rows = output positions). */
function im2colT(x: Float32Array, g: Geom): Float32Array {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const q = c * kh * kw;
  const out = new Float32Array(n * oh * ow * q);
  let r = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, r += q) {
        let k = r;
        for (let ch = 0; ch < c; ch++) {
          const base = (b * c + ch) * h * w;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - ph + ky;
            for (let kx = 0; kx < kw; kx++, k++) {
              const ix = ox * sw - pw + kx;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) out[k] = x[base + iy * w + ix];
            }
          }
        }
      }
    }
  }
  return out;
}

/** col[(c,ky,kx), (n,oy,ox)] — the im2col matrix (zero padding), built directly in matmul layout. */
function im2col(x: Float32Array, g: Geom): Float32Array {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const out = new Float32Array(c * kh * kw * n * oh * ow);
  let k = 0;
  for (let ch = 0; ch < c; ch++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        for (let b = 0; b < n; b++) {
          const base = (b * c + ch) * h * w;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ky;
            const inRow = iy >= 0 && iy < h;
            for (let ox = 0; ox < ow; ox++, k++) {
              const ix = ox * sw - pw + kx;
              if (inRow && ix >= 0 && ix < w) out[k] = x[base + iy * w + ix];
            }
          }
        }
      }
    }
  }
  return out;
}

/** g[N, O, P] → gᵀ[(n,pos), O] (exact copy). */
function transposeGrad(gd: Float32Array, n: number, o: number, p: number): Float32Array {
  const out = new Float32Array(gd.length);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      const src = (b * o + oc) * p;
      for (let pos = 0; pos < p; pos++) out[(b * p + pos) * o + oc] = gd[src + pos];
    }
  }
  return out;
}

function convOutShape(g: Geom): Shape {
  return [g.n, g.o, g.oh, g.ow];
}

const CONV_SPEC =
  'inputs [x[N,C,H,W], W[O,C,KH,KW]], attrs stride (1), padding (0; int or [h, w], zero padding): ' +
  'out[n,o,oy,ox] = matmulKernel order over q = (c, ky, kx) row-major of W[o,q] × xpad[n,c,oy·sh−ph+ky,ox·sw−pw+kx] ' +
  '(padded taps multiply +0).';

defineOp({
  name: 'conv2d',
  arity: 2,
  shape: (s, attrs) => convOutShape(convGeom('conv2d', s[0], s[1], attrs, s)),
  compute: ([x, wt], attrs) => {
    const g = convGeom('conv2d', x.shape, wt.shape, attrs, [x.shape, wt.shape]);
    const p = g.oh * g.ow;
    const q = g.c * g.kh * g.kw;
    // out[n,o,pos] = Σ_q W[o,q]·col[q,(n,pos)]. Computed as colᵀ·Wᵀ (rows = output positions), which
    // the kernel runs faster for wide outputs; products commute exactly and q stays ascending, so the
    // bits are those of W·col.
    const r = matmulKernel(im2colT(x.data, g), transposeData(wt.data, [g.o, q], [1, 0]), g.n * p, q, g.o);
    const out = new Float32Array(g.n * g.o * p);
    for (let b = 0; b < g.n; b++) {
      for (let pos = 0; pos < p; pos++) {
        const src = (b * p + pos) * g.o;
        for (let o = 0; o < g.o; o++) out[(b * g.o + o) * p + pos] = r[src + o];
      }
    }
    return out;
  },
  flops: (s, attrs) => {
    const g = convGeom('conv2d', s[0], s[1], attrs, s);
    return 2 * g.n * g.o * g.oh * g.ow * g.c * g.kh * g.kw;
  },
  spec: CONV_SPEC,
  vjp: ({ inputs: [x, wt], grad, attrs, needs }) => {
    const a = { stride: attrs.stride ?? 1, padding: attrs.padding ?? 0 };
    return [
      needs[0] ? apply('conv2d.vjp0', [grad, wt], { ...a, shape: [...x.out.shape] }) : null,
      needs[1] ? apply('conv2d.vjp1', [grad, x], { ...a, shape: [...wt.out.shape] }) : null,
    ];
  },
});

defineOp({
  name: 'conv2d.vjp0',
  arity: 2,
  shape: (s, attrs) => {
    const xs = shapeAttr('conv2d.vjp0', attrs, 'shape');
    const g = convGeom('conv2d.vjp0', xs, s[1], attrs, [xs, s[1]]);
    if (numel(s[0]) !== g.n * g.o * g.oh * g.ow || s[0].length !== 4) {
      throw mismatch('conv2d.vjp0', s, `gradient must be ${fmtShape(convOutShape(g))}`);
    }
    return xs;
  },
  compute: ([gr, wt], attrs, outShape) => {
    const g = convGeom('conv2d.vjp0', outShape, wt.shape, attrs, [outShape, wt.shape]);
    const p = g.oh * g.ow;
    const q = g.c * g.kh * g.kw;
    // dcol[q,(n,pos)] = Σ_o W[o,q]·g[n,o,pos], computed transposed as gᵀ[(n,pos),O]·W[O,q] (faster
    // for wide outputs; products commute exactly and o stays ascending, so the bits are the same).
    const dcolT = matmulKernel(transposeGrad(gr.data, g.n, g.o, p), wt.data, g.n * p, g.o, q); // [N·P, q]
    const dx = new Float32Array(numel(outShape));
    const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, n } = g;
    for (let ch = 0, row = 0; ch < c; ch++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++, row++) {
          let col = 0;
          for (let b = 0; b < n; b++) {
            const base = (b * c + ch) * h * w;
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * sh - ph + ky;
              for (let ox = 0; ox < ow; ox++, col++) {
                const ix = ox * sw - pw + kx;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w) dx[base + iy * w + ix] += dcolT[col * q + row];
              }
            }
          }
        }
      }
    }
    return dx;
  },
  flops: (s, attrs) => {
    const g = convGeom('conv2d.vjp0', shapeAttr('conv2d.vjp0', attrs, 'shape'), s[1], attrs, s);
    return 2 * g.n * g.o * g.oh * g.ow * g.c * g.kh * g.kw;
  },
  spec:
    'inputs [g, W], attrs stride, padding, shape (of x): dcol = Wᵀ[q,O]·g[O,(n,oy,ox)] (matmulKernel order over o); ' +
    'dx = +0, then for q = (c,ky,kx) ascending, for (n,oy,ox) ascending: dx[n,c,iy,ix] += dcol[q,(n,oy,ox)] when in bounds.',
});

defineOp({
  name: 'conv2d.vjp1',
  arity: 2,
  shape: (s, attrs) => {
    const ws = shapeAttr('conv2d.vjp1', attrs, 'shape');
    const g = convGeom('conv2d.vjp1', s[1], ws, attrs, [s[1], ws]);
    if (numel(s[0]) !== g.n * g.o * g.oh * g.ow || s[0].length !== 4) {
      throw mismatch('conv2d.vjp1', s, `gradient must be ${fmtShape(convOutShape(g))}`);
    }
    return ws;
  },
  compute: ([gr, x], attrs, outShape) => {
    const g = convGeom('conv2d.vjp1', x.shape, outShape, attrs, [x.shape, outShape]);
    const p = g.oh * g.ow;
    const q = g.c * g.kh * g.kw;
    // dW[o,q] = Σ_(n,pos) g[n,o,pos]·col[q,(n,pos)], computed transposed as col[q,NP]·gᵀ[NP,O] (faster for
    // this shape; products commute exactly and (n,pos) stays ascending, so the bits are those of g·colᵀ).
    const dwT = matmulKernel(im2col(x.data, g), transposeGrad(gr.data, g.n, g.o, p), q, g.n * p, g.o);
    return transposeData(dwT, [q, g.o], [1, 0]);
  },
  flops: (s, attrs) => {
    const g = convGeom('conv2d.vjp1', s[1], shapeAttr('conv2d.vjp1', attrs, 'shape'), attrs, s);
    return 2 * g.n * g.o * g.oh * g.ow * g.c * g.kh * g.kw;
  },
  spec:
    'inputs [g, x], attrs stride, padding, shape (of W): dW[o,q] = g[o,(n,oy,ox)]·colᵀ[(n,oy,ox),q] in matmulKernel order ' +
    'over (n, oy, ox) row-major (padded taps are +0).',
});

// ---- max-pool -------------------------------------------------------------------------------------

function poolGeom(op: string, x: Shape, attrs: Attrs): Geom {
  const [kh, kw] = pair(op, attrs, 'kernel', [2, 2], 1);
  const stride = attrs.stride === undefined ? { ...attrs, stride: [kh, kw] } : attrs;
  if (attrs.padding !== undefined)
    throw new RepOpsError(op, 'padding is not supported (v1 pools valid windows only)');
  return geometry(op, x, kh, kw, x[1], stride, [x]);
}

/** Flat input index of the window maximum for each output (first max in row-major window order; NaN wins). */
function argmaxes(x: Float32Array, g: Geom): Int32Array {
  const { n, c, h, w, kh, kw, sh, sw, oh, ow } = g;
  const idx = new Int32Array(n * c * oh * ow);
  let o = 0;
  for (let pl = 0; pl < n * c; pl++) {
    const base = pl * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        let best = base + oy * sh * w + ox * sw;
        let m = x[best];
        for (let ky = 0; ky < kh && !Number.isNaN(m); ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const i = base + (oy * sh + ky) * w + ox * sw + kx;
            const v = x[i];
            if (v > m || Number.isNaN(v)) {
              m = v;
              best = i;
              if (Number.isNaN(v)) break;
            }
          }
        }
        idx[o] = best;
      }
    }
  }
  return idx;
}

defineOp({
  name: 'maxpool2d',
  arity: 1,
  shape: ([s], attrs) => {
    const g = poolGeom('maxpool2d', s, attrs);
    return [g.n, g.c, g.oh, g.ow];
  },
  compute: ([x], attrs) => {
    const idx = argmaxes(x.data, poolGeom('maxpool2d', x.shape, attrs));
    const out = new Float32Array(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = x.data[idx[i]];
    return out;
  },
  flops: ([s], attrs) => {
    const g = poolGeom('maxpool2d', s, attrs);
    return g.n * g.c * g.oh * g.ow * g.kh * g.kw;
  },
  spec:
    'input NCHW, attrs kernel (2; int or pair), stride (= kernel), no padding: out = x at the first maximum of the window ' +
    'in row-major order (strict >), the first NaN if any.',
  vjp: ({ inputs: [x], grad, attrs }) => [apply('maxpool2d.vjp0', [grad, x], attrs)],
});

defineOp({
  name: 'maxpool2d.vjp0',
  arity: 2,
  shape: (s, attrs) => {
    const g = poolGeom('maxpool2d.vjp0', s[1], attrs);
    if (s[0].length !== 4 || numel(s[0]) !== g.n * g.c * g.oh * g.ow)
      throw mismatch('maxpool2d.vjp0', s, 'gradient does not match the pooled shape');
    return s[1];
  },
  compute: ([gr, x], attrs) => {
    const idx = argmaxes(x.data, poolGeom('maxpool2d.vjp0', x.shape, attrs));
    const dx = new Float32Array(x.data.length);
    for (let i = 0; i < idx.length; i++) dx[idx[i]] += gr.data[i];
    return dx;
  },
  flops: ([g]) => numel(g),
  spec: 'inputs [g, x], the forward attrs: dx = +0; for outputs in row-major order, dx[argmax] += g (argmax as in the forward).',
});
