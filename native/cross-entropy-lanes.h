/*
 * softmax_cross_entropy rows and its vjp0 rows, LANES at a time (ops/nn.ts is the spec: its
 * 'softmax_cross_entropy.rows' and 'softmax_cross_entropy.vjp0' row kernels). Included by transcendental.c
 * once per vector level after softmax-lanes.h (its row_max_v, exp_shift_row). Row sums stay lane_sum4
 * (reduce.ts's 4-lane order); only the elementwise parts (exp, ÷, ×) are LANES wide.
 *
 * row_max_v may return a zero maximum with the other sign than the spec's first maximum (softmax-lanes.h);
 * here that m also enters x[t] − m, which then differs only in the sign of a zero result, and
 * log32(s) − (±0) is the same value for the s ≥ 1 of a row without NaN (the maximum's own term is 1).
 */

/* losses[r] = log32(s) − (x[t] − m): m the row maximum, s the lane sum of exp32(x[i] − m) (staged in buf) */
TGT void SUFFIX(cross_entropy_rows)(const float *x, const float *t, float *losses, float *buf, size_t rows,
                                     size_t c) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    float m = SUFFIX(row_max_v)(xr, c);
    SUFFIX(exp_shift_row)(xr, buf, c, m);
    float ls = log32(lane_sum4(buf, c));
    losses[r] = ls - (xr[(size_t)t[r]] - m);
  }
}

/* out[i] = (p[i] − [i = t]) × scale with p[i] = exp32(x[i] − m) ÷ s, as in the forward */
TGT void SUFFIX(cross_entropy_vjp_rows)(const float *x, const float *t, float *o, size_t rows, size_t c,
                                         float scale) {
  vf vscale = SPLAT(scale);
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    float *orow = o + r * c;
    SUFFIX(exp_shift_row)(xr, orow, c, SUFFIX(row_max_v)(xr, c));
    float s = lane_sum4(orow, c);
    size_t target = (size_t)t[r];
    float at_target = (orow[target] / s - 1.0f) * scale;
    vf vs = SPLAT(s);
    size_t i = 0;
    for (; i + LANES <= c; i += LANES) STORE(orow + i, MUL(DIV(LOAD(orow + i), vs), vscale));
    for (; i < c; i++) orow[i] = (orow[i] / s) * scale;
    orow[target] = at_target;
  }
}
