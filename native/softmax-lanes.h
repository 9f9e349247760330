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

/* The row maximum, LANES at a time. Without NaN it is the same value as row_max's first maximum, except that
 * a maximum of zero may come out with the other sign — harmless: x − (+0) and x − (−0) differ only for x = ±0,
 * where both exp32 give 1. A row with a NaN goes to row_max (its m is then that first NaN). */
TGT float SUFFIX(row_max_v)(const float *x, size_t n) {
  if (n < 2 * LANES) return row_max(x, n);
  vf vmax = LOAD(x);
  vm nan = LT(vmax, vmax); /* all false */
  size_t i = LANES;
  for (; i + LANES <= n; i += LANES) {
    vf v = LOAD(x + i);
    nan = MOR(nan, UNORD(v, v));
    vmax = MAXV(vmax, v);
  }
  if (MASKBITS(nan) | MASKBITS(UNORD(vmax, vmax))) return row_max(x, n);
  float lanes[LANES];
  STORE(lanes, vmax);
  float m = lanes[0];
  for (int k = 1; k < LANES; k++)
    if (lanes[k] > m) m = lanes[k];
  for (; i < n; i++) {
    if (x[i] != x[i]) return row_max(x, n);
    if (x[i] > m) m = x[i];
  }
  return m;
}

TGT void SUFFIX(softmax_rows)(const float *x, float *o, size_t rows, size_t n) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * n;
    float *orow = o + r * n;
    float m = SUFFIX(row_max_v)(xr, n);
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
