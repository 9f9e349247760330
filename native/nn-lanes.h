/*
 * layer_norm and its VJPs' row kernels, LANES at a time: kernels/as/norm.ts (ops/nn.ts lnRow and the
 * layer_norm row kernels are the spec) with the level's register width. Included by nn.c once per level
 * (plain C with LANES 1, AVX2, AVX-512F). Row sums are lane_sum4 (reduce.ts's 4-lane order) at every level;
 * only elementwise operations are LANES wide — each element is its own chain of binary32 operations.
 */

/* xh[i] = (x[i] − mu) × rstd for one row of length d; returns rstd */
TGT float SUFFIX(ln_row)(const float *x, float *xh, size_t d, float eps) {
  float fd = (float)d;
  float mu = lane_sum4(x, d) / fd;
  vf vmu = SPLAT(mu);
  size_t i = 0;
  for (; i + LANES <= d; i += LANES) {
    vf c = SUB(LOAD(x + i), vmu);
    STORE(xh + i, MUL(c, c));
  }
  for (; i < d; i++) {
    float c = x[i] - mu;
    xh[i] = c * c;
  }
  float v = lane_sum4(xh, d) / fd;
  float rstd = 1.0f / __builtin_sqrtf(v + eps);
  vf vr = SPLAT(rstd);
  for (i = 0; i + LANES <= d; i += LANES) STORE(xh + i, MUL(SUB(LOAD(x + i), vmu), vr));
  for (; i < d; i++) xh[i] = (x[i] - mu) * rstd;
  return rstd;
}

/* out[i] = xh[i] × gamma[i] + beta[i] (two roundings), rows × d */
TGT void SUFFIX(layer_norm_rows)(const float *x, const float *gamma, const float *beta, float *out, size_t rows,
                                 size_t d, float eps) {
  for (size_t r = 0; r < rows; r++) {
    float *xh = out + r * d;
    SUFFIX(ln_row)(x + r * d, xh, d, eps);
    size_t i = 0;
    for (; i + LANES <= d; i += LANES) STORE(xh + i, ADD(MUL(LOAD(xh + i), LOAD(gamma + i)), LOAD(beta + i)));
    for (; i < d; i++) xh[i] = xh[i] * gamma[i] + beta[i];
  }
}

/* dx: out[i] = rstd × ((gh[i] − a) − xh[i] × b), gh = g × gamma, a = lane_sum4(gh) ÷ d, b = lane_sum4(gh × xh) ÷ d;
 * ws: 3·d floats of scratch */
TGT void SUFFIX(layer_norm_vjp0_rows)(const float *g, const float *x, const float *gamma, float *out, size_t rows,
                                      size_t d, float eps, float *ws) {
  float fd = (float)d;
  float *xh = ws, *gh = ws + d, *t = ws + 2 * d;
  for (size_t r = 0; r < rows; r++) {
    const float *gr = g + r * d;
    float *orow = out + r * d;
    float rstd = SUFFIX(ln_row)(x + r * d, xh, d, eps);
    size_t i = 0;
    for (; i + LANES <= d; i += LANES) STORE(gh + i, MUL(LOAD(gr + i), LOAD(gamma + i)));
    for (; i < d; i++) gh[i] = gr[i] * gamma[i];
    float a = lane_sum4(gh, d) / fd;
    for (i = 0; i + LANES <= d; i += LANES) STORE(t + i, MUL(LOAD(gh + i), LOAD(xh + i)));
    for (; i < d; i++) t[i] = gh[i] * xh[i];
    float b = lane_sum4(t, d) / fd;
    vf va = SPLAT(a), vb = SPLAT(b), vr = SPLAT(rstd);
    for (i = 0; i + LANES <= d; i += LANES)
      STORE(orow + i, MUL(vr, SUB(SUB(LOAD(gh + i), va), MUL(LOAD(xh + i), vb))));
    for (; i < d; i++) orow[i] = rstd * ((gh[i] - a) - xh[i] * b);
  }
}

/* layer_norm.vjp1's per-element products: prod[i] = xh[i] × g[i], rows × d */
TGT void SUFFIX(layer_norm_vjp1_rows)(const float *x, const float *g, float *prod, size_t rows, size_t d, float eps) {
  for (size_t r = 0; r < rows; r++) {
    float *xh = prod + r * d;
    const float *gr = g + r * d;
    SUFFIX(ln_row)(x + r * d, xh, d, eps);
    size_t i = 0;
    for (; i + LANES <= d; i += LANES) STORE(xh + i, MUL(LOAD(xh + i), LOAD(gr + i)));
    for (; i < d; i++) xh[i] = xh[i] * gr[i];
  }
}
