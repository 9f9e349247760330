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

/* ln_row for 4 rows at once (xh[k] its own row): each row's operations and order are ln_row's; only the
 * four rows' dependent sum chains are interleaved, which hides the adds' latency. */
TGT void SUFFIX(ln_row4)(const float *x, float *xh, size_t d, float eps, float *rstd) {
  float fd = (float)d, mu[4], v[4];
  lane_sum4x4(x, d, d, mu);
  for (int k = 0; k < 4; k++) {
    mu[k] = mu[k] / fd;
    const float *xr = x + k * d;
    float *hr = xh + k * d;
    vf vmu = SPLAT(mu[k]);
    size_t i = 0;
    for (; i + LANES <= d; i += LANES) {
      vf c = SUB(LOAD(xr + i), vmu);
      STORE(hr + i, MUL(c, c));
    }
    for (; i < d; i++) {
      float c = xr[i] - mu[k];
      hr[i] = c * c;
    }
  }
  lane_sum4x4(xh, d, d, v);
  for (int k = 0; k < 4; k++) {
    const float *xr = x + k * d;
    float *hr = xh + k * d;
    float r = 1.0f / __builtin_sqrtf(v[k] / fd + eps);
    rstd[k] = r;
    vf vmu = SPLAT(mu[k]), vr = SPLAT(r);
    size_t i = 0;
    for (; i + LANES <= d; i += LANES) STORE(hr + i, MUL(SUB(LOAD(xr + i), vmu), vr));
    for (; i < d; i++) hr[i] = (xr[i] - mu[k]) * r;
  }
}

/* out[i] = xh[i] × gamma[i] + beta[i] (two roundings), rows × d */
TGT void SUFFIX(layer_norm_rows)(const float *x, const float *gamma, const float *beta, float *out, size_t rows,
                                 size_t d, float eps) {
  float rs[4];
  size_t r4 = rows - rows % 4;
  for (size_t r = 0; r < r4; r += 4) SUFFIX(ln_row4)(x + r * d, out + r * d, d, eps, rs);
  for (size_t r = r4; r < rows; r++) SUFFIX(ln_row)(x + r * d, out + r * d, d, eps);
  for (size_t r = 0; r < rows; r++) {
    float *xh = out + r * d;
    size_t i = 0;
    for (; i + LANES <= d; i += LANES) STORE(xh + i, ADD(MUL(LOAD(xh + i), LOAD(gamma + i)), LOAD(beta + i)));
    for (; i < d; i++) xh[i] = xh[i] * gamma[i] + beta[i];
  }
}

/* dx: out[i] = rstd × ((gh[i] − a) − xh[i] × b), gh = g × gamma, a = lane_sum4(gh) ÷ d, b = lane_sum4(gh × xh) ÷ d.
 * Rows go 4 at a time (ln_row4 and lane_sum4x4: each row's own operations, the sum chains interleaved);
 * ws: 12·d floats of scratch (xh, gh, t for 4 rows). */
TGT void SUFFIX(layer_norm_vjp0_rows)(const float *g, const float *x, const float *gamma, float *out, size_t rows,
                                      size_t d, float eps, float *ws) {
  float fd = (float)d;
  float *xh = ws, *gh = ws + 4 * d, *t = ws + 8 * d;
  float rstd[4], a[4], b[4];
  for (size_t r = 0; r < rows; r += 4) {
    size_t m = rows - r < 4 ? rows - r : 4;
    if (m == 4) SUFFIX(ln_row4)(x + r * d, xh, d, eps, rstd);
    else
      for (size_t k = 0; k < m; k++) rstd[k] = SUFFIX(ln_row)(x + (r + k) * d, xh + k * d, d, eps);
    for (size_t k = 0; k < m; k++) {
      const float *gr = g + (r + k) * d;
      float *ghr = gh + k * d;
      size_t i = 0;
      for (; i + LANES <= d; i += LANES) STORE(ghr + i, MUL(LOAD(gr + i), LOAD(gamma + i)));
      for (; i < d; i++) ghr[i] = gr[i] * gamma[i];
    }
    if (m == 4) lane_sum4x4(gh, d, d, a);
    else
      for (size_t k = 0; k < m; k++) a[k] = lane_sum4(gh + k * d, d);
    for (size_t k = 0; k < m; k++) {
      a[k] = a[k] / fd;
      float *ghr = gh + k * d, *xhr = xh + k * d, *tr = t + k * d;
      size_t i = 0;
      for (; i + LANES <= d; i += LANES) STORE(tr + i, MUL(LOAD(ghr + i), LOAD(xhr + i)));
      for (; i < d; i++) tr[i] = ghr[i] * xhr[i];
    }
    if (m == 4) lane_sum4x4(t, d, d, b);
    else
      for (size_t k = 0; k < m; k++) b[k] = lane_sum4(t + k * d, d);
    for (size_t k = 0; k < m; k++) {
      float bk = b[k] / fd, ak = a[k], rk = rstd[k];
      float *ghr = gh + k * d, *xhr = xh + k * d, *orow = out + (r + k) * d;
      vf va = SPLAT(ak), vb = SPLAT(bk), vr = SPLAT(rk);
      size_t i = 0;
      for (; i + LANES <= d; i += LANES)
        STORE(orow + i, MUL(vr, SUB(SUB(LOAD(ghr + i), va), MUL(LOAD(xhr + i), vb))));
      for (; i < d; i++) orow[i] = rk * ((ghr[i] - ak) - xhr[i] * bk);
    }
  }
}

/* layer_norm.vjp1's per-element products: prod[i] = xh[i] × g[i], rows × d */
TGT void SUFFIX(layer_norm_vjp1_rows)(const float *x, const float *g, float *prod, size_t rows, size_t d, float eps) {
  float rs[4];
  size_t r4 = rows - rows % 4;
  for (size_t r = 0; r < r4; r += 4) SUFFIX(ln_row4)(x + r * d, prod + r * d, d, eps, rs);
  for (size_t r = r4; r < rows; r++) SUFFIX(ln_row)(x + r * d, prod + r * d, d, eps);
  for (size_t r = 0; r < rows; r++) {
    float *xh = prod + r * d;
    const float *gr = g + r * d;
    size_t i = 0;
    for (; i + LANES <= d; i += LANES) STORE(xh + i, MUL(LOAD(xh + i), LOAD(gr + i)));
    for (; i < d; i++) xh[i] = xh[i] * gr[i];
  }
}
