// Broadcast binary ops and the lane-order sums of reduce.ts (ops/binary.ts, reduce.ts are the spec).
// Pointers are byte offsets into the imported memory, 16-byte aligned where the caller allocates.
// Every lane of an f32x4 add/sub/mul/div is the one IEEE binary32 operation the spec performs.
import { laneSum } from './shared/lane-sum';

@inline function vop(kind: i32, a: v128, b: v128): v128 {
  if (kind == 0) return f32x4.add(a, b);
  if (kind == 1) return f32x4.sub(a, b);
  if (kind == 2) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline function sop(kind: i32, a: f32, b: f32): f32 {
  if (kind == 0) return a + b;
  if (kind == 1) return a - b;
  if (kind == 2) return a * b;
  return a / b;
}

// out[i] = a[i*sa] op b[i*sb], i < n; sa, sb ∈ {0, 1} (the innermost broadcast stride).
@inline function rowK(kind: i32, pa: usize, sa: i32, pb: usize, sb: i32, po: usize, n: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(po + o, vop(kind, v128.load(pa + o), v128.load(pb + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(po + o, sop(kind, load<f32>(pa + o), load<f32>(pb + o)));
    }
  } else if (sa == 1) {
    const bs = load<f32>(pb);
    const bv = f32x4.splat(bs);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(po + o, vop(kind, v128.load(pa + o), bv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(po + o, sop(kind, load<f32>(pa + o), bs));
    }
  } else if (sb == 1) {
    const as = load<f32>(pa);
    const av = f32x4.splat(as);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(po + o, vop(kind, av, v128.load(pb + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(po + o, sop(kind, as, load<f32>(pb + o)));
    }
  } else {
    const r = sop(kind, load<f32>(pa), load<f32>(pb));
    for (; i < n; i++) store<f32>(po + (<usize>i << 2), r);
  }
}

export function binRow(kind: i32, pa: usize, sa: i32, pb: usize, sb: i32, po: usize, n: i32): void {
  if (kind == 0) rowK(0, pa, sa, pb, sb, po, n);
  else if (kind == 1) rowK(1, pa, sa, pb, sb, po, n);
  else if (kind == 2) rowK(2, pa, sa, pb, sb, po, n);
  else rowK(3, pa, sa, pb, sb, po, n);
}

// Rows of `n` outputs: row r reads a at pa + r*ra floats, b at pb + r*rb floats (ra, rb = 0 or the row
// length for a broadcast over leading axes), writes out row r.
export function binRows(
  kind: i32,
  pa: usize,
  ra: i32,
  sa: i32,
  pb: usize,
  rb: i32,
  sb: i32,
  po: usize,
  rows: i32,
  n: i32,
): void {
  for (let r = 0; r < rows; r++) {
    binRow(kind, pa + (<usize>(r * ra) << 2), sa, pb + (<usize>(r * rb) << 2), sb, po + (<usize>(r * n) << 2), n);
  }
}

// out[i] = -x[i] (exact sign flip, as the spec's unary minus).
export function negate(px: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(px + o, f32x4.neg(v128.load(px + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(px + o, -load<f32>(px + o));
  }
}

// reduce.ts "4 lane rows": x is [outer, n, s]; out[o, j] = lane sum over i of x[o, i, j], term i into
// accumulator row i mod 4, result (acc0 + acc1) + (acc2 + acc3). SIMD runs across j (independent
// columns), so each column sees exactly the spec's additions. pacc: 4*s floats of scratch.
export function sumMiddle(px: usize, po: usize, pacc: usize, outer: i32, n: i32, s: i32): void {
  const sb = <usize>s << 2;
  const s4 = s - (s & 3);
  for (let o = 0; o < outer; o++) {
    memory.fill(pacc, 0, sb * 4);
    let p = px + <usize>o * <usize>n * sb;
    for (let i = 0; i < n; i++, p += sb) {
      const lane = pacc + <usize>(i & 3) * sb;
      let j = 0;
      for (; j < s4; j += 4) {
        const q = <usize>j << 2;
        v128.store(lane + q, f32x4.add(v128.load(lane + q), v128.load(p + q)));
      }
      for (; j < s; j++) {
        const q = <usize>j << 2;
        store<f32>(lane + q, load<f32>(lane + q) + load<f32>(p + q));
      }
    }
    const ob = po + <usize>o * sb;
    let j = 0;
    for (; j < s4; j += 4) {
      const q = <usize>j << 2;
      const l = f32x4.add(v128.load(pacc + q), v128.load(pacc + sb + q));
      const h = f32x4.add(v128.load(pacc + 2 * sb + q), v128.load(pacc + 3 * sb + q));
      v128.store(ob + q, f32x4.add(l, h));
    }
    for (; j < s; j++) {
      const q = <usize>j << 2;
      const l = load<f32>(pacc + q) + load<f32>(pacc + sb + q);
      const h = load<f32>(pacc + 2 * sb + q) + load<f32>(pacc + 3 * sb + q);
      store<f32>(ob + q, l + h);
    }
  }
}

// reduce.ts laneSum over contiguous rows: out[r] = laneSum(x[r*n .. r*n+n)) (shared/lane-sum.ts).
export function sumRows(px: usize, po: usize, rows: i32, n: i32): void {
  const rb = <usize>n << 2;
  for (let r = 0; r < rows; r++) store<f32>(po + (<usize>r << 2), laneSum(px + <usize>r * rb, n));
}
