/*
 * GELU and gelu.vjp0, LANES at a time: kernels/as/transcendental.ts's f32x4 code ("GELU, four lanes at a
 * time") with wider registers. Included by transcendental.c once per vector level, with the primitives
 * (vf a float vector, vm a lane mask, ADD/SUB/MUL/DIV one binary32 rounding per lane, LT/GT/GE/EQ ordered
 * comparisons — false for NaN as in WebAssembly, SEL(a, b, m) = m ? a : b per lane, FLOOR, POW2, MUL02)
 * defined for that level. Each lane performs exactly gelu32's operations for its own branch: every branch
 * is computed and the lane's one selected. Valid for lanes with |x|/√2 < 4 (finite, not NaN); the range
 * facts that make the other branches unnecessary are in the AS file's comment. Other lanes (rare in
 * training: pre-activations beyond ±5.66) get the scalar function's result instead, lane by lane.
 */

TGT vf SUFFIX(product_error_v)(vf a, vf b, vf p) {
  vf sp = SPLAT(4097.0f);
  vf ca = MUL(sp, a);
  vf ah = SUB(ca, SUB(ca, a));
  vf al = SUB(a, ah);
  vf cb = MUL(sp, b);
  vf bh = SUB(cb, SUB(cb, b));
  vf bl = SUB(b, bh);
  return ADD(ADD(ADD(SUB(MUL(ah, bh), p), MUL(ah, bl)), MUL(al, bh)), MUL(al, bl));
}
#define PE SUFFIX(product_error_v)
/* p·t + c with two roundings (no fused multiply-add) */
#define HORNER(p, t, c) ADD(MUL(p, t), SPLAT(c))

/* exp32(w) for lanes whose k is 0: 1 + w below 2^-14, else the k = 0 rational */
TGT vf SUFFIX(exp_k0_v)(vf w) {
  vf one = SPLAT(1.0f);
  vf wt = MUL(w, w);
  vf wc = SUB(w, MUL(wt, ADD(SPLAT(EXP_P1), MUL(wt, SPLAT(EXP_P2)))));
  vf e_k0 = SUB(one, SUB(DIV(MUL(w, wc), SUB(wc, SPLAT(2.0f))), w));
  return SEL(ADD(one, w), e_k0, LT(ANDBITS(w, 0x7fffffffu), SPLAT(TWO_M14)));
}

/* Math.round(v) (ties toward +∞) as a float, for |v| < 24: floor, +1 when the fraction is ≥ ½ */
TGT vf SUFFIX(round_half_up_v)(vf v) {
  vf fl = FLOOR(v);
  return SEL(ADD(fl, SPLAT(1.0f)), fl, GE(SUB(v, fl), SPLAT(0.5f)));
}

/* exp32(w) for −103 < w ≤ 0 with k ≥ −125 (no 2^-100 rescaling): all three paths */
TGT vf SUFFIX(exp_neg_v)(vf w) {
  vf kf = SUFFIX(round_half_up_v)(MUL(w, SPLAT(INV_LN2)));
  vf hi = SUB(w, MUL(kf, SPLAT(LN2_HI)));
  vf lo = MUL(kf, SPLAT(LN2_LO));
  vf r = SUB(hi, lo);
  vf t = MUL(r, r);
  vf c = SUB(r, MUL(t, ADD(SPLAT(EXP_P1), MUL(t, SPLAT(EXP_P2)))));
  vf y = SUB(SPLAT(1.0f), SUB(SUB(lo, DIV(MUL(r, c), SUB(SPLAT(2.0f), c))), hi));
  vf general = MUL(y, POW2(kf));
  return SEL(SUFFIX(exp_k0_v)(w), general, EQ(kf, SPLAT(0.0f)));
}

/* erf_small_correction(x) for 0 ≤ x < 0.84375 (and −0) */
TGT vf SUFFIX(erf_corr_v)(vf x) {
  vf y2 = MUL(x, x);
  vf pe = SPLAT(F32(0.0000884593755));
  pe = HORNER(pe, y2, F32(-0.000824227871));
  pe = HORNER(pe, y2, F32(0.0052087428));
  pe = HORNER(pe, y2, F32(-0.026862096));
  pe = HORNER(pe, y2, F32(0.112837367));
  pe = HORNER(pe, y2, F32(-0.376126349));
  pe = HORNER(pe, y2, F32(0.128379166));
  return SEL(MUL(x, SPLAT(ERF_SMALL)), MUL(x, pe), LT(x, SPLAT(TWO_M14)));
}

/* erfc_small_pos(x, dy) given corr = erf_small_correction(x) and d = its `dy == 0 ? 0 : …` term */
TGT vf SUFFIX(erfc_small_pos_v)(vf x, vf corr, vf d) {
  vf half = SPLAT(0.5f);
  vm low = LT(x, SPLAT(0.25f));
  vf base = SEL(SPLAT(1.0f), half, low);
  vf av = SEL(x, SUB(x, half), low);
  vf sum = ADD(av, corr);
  vf sbb = SUB(sum, av);
  vf e1 = ADD(SUB(av, SUB(sum, sbb)), SUB(corr, sbb));
  vf h = SUB(base, sum);
  vf e2 = SUB(SUB(base, h), sum);
  return ADD(h, SUB(SUB(e2, e1), d));
}

/* erfc_tail(y, a, b, ·, dy) for 0.5 ≤ y < 4 up to the prefactor: the unevaluated pair hi + lo and the power
 * of two scale. dy_zero: the lanes where dy == 0. */
typedef struct {
  vf hi, lo, scale;
} SUFFIX(tail_t);
TGT SUFFIX(tail_t) SUFFIX(erfc_tail_v)(vf y, vf a, vf b, vf dy, vm dy_zero) {
  vf one = SPLAT(1.0f);
  vf two = SPLAT(2.0f);
  vf half = SPLAT(0.5f);
  /* exp_parts(−a) */
  vf na = NEG(a);
  vf kf = SUFFIX(round_half_up_v)(MUL(na, SPLAT(INV_LN2)));
  vf hi0 = SUB(na, MUL(kf, SPLAT(LN2_HI)));
  vf lo0 = MUL(kf, SPLAT(LN2_LO));
  vf r = SUB(hi0, lo0);
  vf rt = MUL(r, r);
  vf c = SUB(r, MUL(rt, ADD(SPLAT(EXP_P1), MUL(rt, SPLAT(EXP_P2)))));
  vf q = DIV(MUL(r, c), SUB(two, c));
  vf part_q = SUB(hi0, SUB(lo0, q));
  vf l_part = SUB(q, lo0);
  /* expm1_small(b) */
  vf et = SUB(one, MUL02(b));
  et = SUB(one, MUL(MUL(b, SPLAT(0.25f)), et));
  et = SUB(one, MUL(MUL(b, SPLAT(THIRD)), et));
  et = SUB(one, MUL(MUL(b, half), et));
  vf em = MUL(NEG(b), et);
  /* erfcx_parts(y), pieces A (y < 1.75) and B */
  vm is_a = LT(y, SPLAT(1.75f));
#define AB(a_, b_) SEL(SPLAT(F32(a_)), SPLAT(F32(b_)), is_a)
  vf t = SUB(y, AB(1.125, 2.75));
  vf p2 = AB(0.0000928814115, 4.75548632e-7);
  p2 = ADD(MUL(p2, t), AB(-0.000279903528, -0.00000261898049));
  p2 = ADD(MUL(p2, t), AB(0.000699304044, 0.00000928333975));
  p2 = ADD(MUL(p2, t), AB(-0.00189299823, -0.0000343467873));
  p2 = ADD(MUL(p2, t), AB(0.00495041395, 0.000130826113));
  p2 = ADD(MUL(p2, t), AB(-0.0122409472, -0.000482337433));
  p2 = ADD(MUL(p2, t), AB(0.0286195762, 0.00171972183));
  p2 = ADD(MUL(p2, t), AB(-0.0627937987, -0.00593431434));
  p2 = ADD(MUL(p2, t), AB(0.127882272, 0.0197585747));
  vf c1 = AB(-0.238058493, -0.0632376373);
  vf c0 = AB(0.395698071, 0.193662092);
  vf c0lo = SEL(SPLAT(ERFC_A0_LO), SPLAT(ERFC_B0_LO), is_a);
#undef AB
  vf c1t = MUL(c1, t);
  vf c1t_err = PE(c1, t, c1t);
  vf gsum = ADD(c0, c1t);
  vf gbb = SUB(gsum, c0);
  vf sum_err = ADD(SUB(c0, SUB(gsum, gbb)), SUB(c1t, gbb));
  vf ghi = gsum;
  vf glo = ADD(ADD(ADD(c0lo, c1t_err), sum_err), MUL(MUL(t, t), p2));
  /* the rest of erfc_tail */
  vf g = ADD(ghi, glo);
  vf cc = SEL(SPLAT(0.0f), MUL(SUB(MUL(two, y), DIV(SPLAT(TWO_OVER_SQRT_PI), g)), dy), dy_zero);
  vf wl = ADD(ADD(ADD(l_part, em), MUL(part_q, em)), cc);
  vf p = MUL(ghi, hi0);
  vf pe2 = PE(ghi, hi0, p);
  vf small = ADD(ADD(ADD(pe2, glo), MUL(glo, hi0)), MUL(g, wl));
  vf thi = ADD(ghi, p);
  vf tbb = SUB(thi, ghi);
  SUFFIX(tail_t) res;
  res.hi = thi;
  res.lo = ADD(ADD(SUB(ghi, SUB(thi, tbb)), SUB(p, tbb)), small);
  res.scale = POW2(kf);
  return res;
}

/* square_split(x): x² = a + b */
#define SQUARE_SPLIT(x, sqa, sqb)            \
  do {                                       \
    vf z_ = ANDBITS(x, 0xfffff000u);         \
    vf d_ = SUB(x, z_);                      \
    sqa = MUL(z_, z_);                       \
    sqb = ADD(MUL(MUL(SPLAT(2.0f), z_), d_), MUL(d_, d_)); \
  } while (0)

TGT vf SUFFIX(gelu_v)(vf x) {
  vf zero = SPLAT(0.0f);
  vf one = SPLAT(1.0f);
  vf half = SPLAT(0.5f);
  vm x_neg = LT(x, zero);
  vf ax = SEL(NEG(x), x, x_neg); /* x < 0 ? −x : x (−0 stays −0, as in the spec) */
  vf ay = MUL(ax, SPLAT(INV_SQRT2));
  vf dy = ADD(PE(ax, SPLAT(INV_SQRT2), ay), MUL(ax, SPLAT(INV_SQRT2_LO)));
  vm dy_zero = EQ(dy, zero);

  /* ay < 0.5 (exp32(−ay²) has k = 0 there) */
  vf ew = SUFFIX(exp_k0_v)(NEG(MUL(ay, ay)));
  vf corr = SUFFIX(erf_corr_v)(ay);
  vf d_term = MUL(dy, MUL(SPLAT(TWO_OVER_SQRT_PI), ew));
  /* x ≥ 0: e = erf32(ay) + dy·(2/√π)·e^{−ay²}; ½x + ½x·e */
  vf e = ADD(ADD(ay, corr), d_term);
  vf hx = MUL(half, x);
  vf small_pos = ADD(hx, MUL(hx, e));
  /* x < 0: x · ½·erfc_small_pos(ay, dy) */
  vf small_neg = MUL(x, MUL(half, SUFFIX(erfc_small_pos_v)(ay, corr, SEL(zero, d_term, dy_zero))));

  /* ay ≥ 0.5: erfc_tail(ay, a/2, b/2, x < 0 ? x/2 : 1, dy) */
  vf sqa, sqb;
  SQUARE_SPLIT(ax, sqa, sqb);
  SUFFIX(tail_t) tl = SUFFIX(erfc_tail_v)(ay, MUL(half, sqa), MUL(half, sqb), dy, dy_zero);
  vf s = MUL(half, x); /* the prefactor for x < 0 (s ≠ 1 exactly there) */
  vf sp = MUL(s, tl.hi);
  vf slo = ADD(PE(s, tl.hi, sp), MUL(s, tl.lo));
  vf tail_neg = MUL(ADD(sp, slo), tl.scale);
  vf tail = MUL(ADD(tl.hi, tl.lo), tl.scale);
  vf tail_pos = MUL(x, SUB(one, MUL(half, tail)));

  vm is_small = LT(ay, half);
  return SEL(SEL(small_neg, small_pos, x_neg), SEL(tail_neg, tail_pos, x_neg), is_small);
}

/* gelu.vjp0 for lanes with |x|/√2 < 4: a = ½·erfc32(u), u = −(x·(1/√2)); p = exp32((x·x)·−½)·(1/√(2π));
 * g·(a + x·p). erfc32(u): (−0.84375, 0.5) small paths, else the tail (2 − tail for u < 0). */
TGT vf SUFFIX(gelu_vjp_v)(vf g, vf v) {
  vf zero = SPLAT(0.0f);
  vf one = SPLAT(1.0f);
  vf half = SPLAT(0.5f);
  vf u = NEG(MUL(v, SPLAT(INV_SQRT2)));
  vm u_neg = LT(u, zero);
  vf au = SEL(NEG(u), u, u_neg);
  vf corr = SUFFIX(erf_corr_v)(au);
  vf small_pos = SUFFIX(erfc_small_pos_v)(au, corr, zero); /* u ≥ 0: au is u itself (−0 included) */
  vf small_neg = ADD(one, ADD(au, corr));
  vf sqa, sqb;
  SQUARE_SPLIT(au, sqa, sqb);
  SUFFIX(tail_t) tl = SUFFIX(erfc_tail_v)(au, sqa, sqb, zero, MTRUE);
  vf t = MUL(ADD(tl.hi, tl.lo), tl.scale);
  vm is_small = MAND(LT(u, half), GT(u, SPLAT(-0.84375f)));
  vf erfc = SEL(SEL(small_neg, small_pos, u_neg), SEL(SUB(SPLAT(2.0f), t), t, u_neg), is_small);
  vf a = MUL(half, erfc);
  vf p = MUL(SUFFIX(exp_neg_v)(MUL(MUL(v, v), SPLAT(-0.5f))), SPLAT(INV_SQRT_2PI));
  return MUL(g, ADD(a, MUL(v, p)));
}
#undef SQUARE_SPLIT
#undef PE
#undef HORNER

/* The lanes with |x|/√2 < 4 (false for NaN; ±Inf gives Inf), as bits 0…LANES−1. A vector with others
 * stores the lane results and then recomputes those lanes with the scalar function (from a copy of x
 * taken first: out may be x itself). */
#define OK_LANES(x) MASKBITS(LT(MUL(ANDBITS(x, 0x7fffffffu), SPLAT(INV_SQRT2)), SPLAT(4.0f)))
#define FULL ((1u << LANES) - 1)

__attribute__((target(TARGET_NAME))) static void SUFFIX(gelu)(const float *x, float *out, size_t n) {
  size_t i = 0;
  for (; i + LANES <= n; i += LANES) {
    vf v = LOAD(x + i);
    unsigned ok = OK_LANES(v);
    if (ok == FULL) {
      STORE(out + i, SUFFIX(gelu_v)(v));
      continue;
    }
    float xs[LANES];
    STORE(xs, v);
    STORE(out + i, SUFFIX(gelu_v)(v));
    for (unsigned j = 0; j < LANES; j++)
      if (!(ok >> j & 1)) out[i + j] = gelu32(xs[j]);
  }
  for (; i < n; i++) out[i] = gelu32(x[i]);
}

__attribute__((target(TARGET_NAME))) static void SUFFIX(gelu_vjp)(const float *g, const float *x, float *out,
                                                                   size_t n) {
  size_t i = 0;
  for (; i + LANES <= n; i += LANES) {
    vf v = LOAD(x + i);
    vf gv = LOAD(g + i);
    unsigned ok = OK_LANES(v);
    if (ok == FULL) {
      STORE(out + i, SUFFIX(gelu_vjp_v)(gv, v));
      continue;
    }
    float xs[LANES], gs[LANES];
    STORE(xs, v);
    STORE(gs, gv);
    STORE(out + i, SUFFIX(gelu_vjp_v)(gv, v));
    for (unsigned j = 0; j < LANES; j++)
      if (!(ok >> j & 1)) out[i + j] = gelu_vjp1(gs[j], xs[j]);
  }
  for (; i < n; i++) out[i] = gelu_vjp1(g[i], x[i]);
}
#undef OK_LANES
#undef FULL
