/*
 * softmax and softmax.vjp0 rows, LANES at a time: kernels/as/transcendental.ts softmaxRows / softmaxVjpRows
 * (ops/nn.ts is the spec) with wider registers. Included by transcendental.c once per vector level after
 * gelu-lanes.h (its exp_neg_v and the level's primitives). Row sums stay lane_sum4 (reduce.ts's 4-lane order);
 * only the elementwise parts (exp, ÷, ×, −) are LANES wide — each element is its own chain of operations.
 */

/* o[i] = exp32(x[i] − m): lanes with −86 ≤ w ≤ 0 take exp_neg_v (k ≥ −124: no 2^-100 rescaling), lanes
 * below EXP_UNDERFLOW (a causal mask's −∞) 0; any other lane (NaN, the band just above underflow) exp32. */
TGT void SUFFIX(exp_shift_row)(const float *x, float *o, size_t n, float m) {
  vf vmax = SPLAT(m);
  vf zero = SPLAT(0.0f);
  vf low = SPLAT(-86.0f);
  vf under = SPLAT(EXP_UNDERFLOW);
  const unsigned all = (unsigned)((1ull << LANES) - 1);
  size_t i = 0;
  for (; i + LANES <= n; i += LANES) {
    vf w = SUB(LOAD(x + i), vmax);
    vm gone = LT(w, under);
    vm ok = MAND(GE(w, low), GE(zero, w));
    STORE(o + i, SEL(zero, SUFFIX(exp_neg_v)(w), gone));
    unsigned rest = ~(MASKBITS(ok) | MASKBITS(gone)) & all;
    while (rest) {
      unsigned j = (unsigned)__builtin_ctz(rest);
      o[i + j] = exp32(x[i + j] - m);
      rest &= rest - 1;
    }
  }
  for (; i < n; i++) o[i] = exp32(x[i] - m);
}

TGT void SUFFIX(softmax_rows)(const float *x, float *o, size_t rows, size_t n) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * n;
    float *orow = o + r * n;
    float m = row_max(xr, n);
    SUFFIX(exp_shift_row)(xr, orow, n, m);
    float s = lane_sum4(orow, n);
    vf vs = SPLAT(s);
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) STORE(orow + i, DIV(LOAD(orow + i), vs));
    for (; i < n; i++) orow[i] = orow[i] / s;
  }
}

/* d = lane_sum4(g[i] × y[i]) (products staged in out), out[i] = y[i] × (g[i] − d) */
TGT void SUFFIX(softmax_vjp_rows)(const float *g, const float *y, float *o, size_t rows, size_t n) {
  for (size_t r = 0; r < rows; r++) {
    const float *gr = g + r * n;
    const float *yr = y + r * n;
    float *orow = o + r * n;
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) STORE(orow + i, MUL(LOAD(gr + i), LOAD(yr + i)));
    for (; i < n; i++) orow[i] = gr[i] * yr[i];
    float d = lane_sum4(orow, n);
    vf vd = SPLAT(d);
    i = 0;
    for (; i + LANES <= n; i += LANES) STORE(orow + i, MUL(LOAD(yr + i), SUB(LOAD(gr + i), vd)));
    for (; i < n; i++) orow[i] = yr[i] * (gr[i] - d);
  }
}
